import type { Db } from '../../infra/db/client.ts';
import type { VirtualPosition } from '../../generated/prisma/client.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { PositionSide, VpLedger } from '../../domain/vp-ledger.ts';
import { fromColumn, toColumn } from './decimal-columns.ts';

export type { VirtualPosition };

export interface VpKey {
  accountId: string;
  symbol: string;
  positionSide: PositionSide;
  name: string;
}

export function ledgerOf(
  vp: Pick<VirtualPosition, 'positionSide' | 'netQty' | 'avgEntry' | 'realizedPnl' | 'fees'>,
): VpLedger {
  return {
    side: vp.positionSide === 'SHORT' ? 'SHORT' : 'LONG',
    netQty: fromColumn(vp.netQty),
    avgEntry: fromColumn(vp.avgEntry),
    realizedPnl: fromColumn(vp.realizedPnl),
    fees: fromColumn(vp.fees),
  };
}

export function ledgerColumns(ledger: VpLedger) {
  return {
    netQty: toColumn(ledger.netQty),
    avgEntry: toColumn(ledger.avgEntry),
    realizedPnl: toColumn(ledger.realizedPnl),
    fees: toColumn(ledger.fees),
  };
}

/** What narrows a look-up by name when one name is used on several symbols or sides. */
export interface VpNarrowing {
  symbol?: string | undefined;
  positionSide?: PositionSide | undefined;
}

/** `BTC/USDT:USDT LONG, BTC/USDT:USDT SHORT`. */
export function choicesOf(vps: readonly VirtualPosition[]): string {
  return vps.map((vp) => `${vp.symbol} ${vp.positionSide}`).join(', ');
}

/** Several VPs of one account share the name asked for; `candidates` are sorted by symbol, then side. */
export class AmbiguousVpError extends NotFoundError {
  constructor(
    accountId: string,
    name: string,
    readonly candidates: readonly VirtualPosition[],
  ) {
    super('vp.ambiguous', { account: accountId, vp: name, choices: choicesOf(candidates) });
  }
}

/** Virtual positions: always looked up with their account, so one account never reaches another's. */
export class VirtualPositions {
  constructor(private readonly db: Db) {}

  find(key: VpKey): Promise<VirtualPosition | null> {
    return this.db.virtualPosition.findUnique({ where: { accountId_symbol_positionSide_name: key } });
  }

  /** Opens the VP if it does not exist yet (an increase may create it; a reduction may not). */
  open(key: VpKey): Promise<VirtualPosition> {
    return this.db.virtualPosition.upsert({
      where: { accountId_symbol_positionSide_name: key },
      create: key,
      update: {},
    });
  }

  /**
   * The one VP of an account with this name, narrowed by symbol (unified, as stored) and side when
   * given. Refuses to guess: none is NotFoundError, several is AmbiguousVpError with the choices.
   */
  async byName(accountId: string, name: string, narrow: VpNarrowing = {}): Promise<VirtualPosition> {
    const named = await this.db.virtualPosition.findMany({
      where: { accountId, name },
      orderBy: [{ symbol: 'asc' }, { positionSide: 'asc' }],
    });
    const rows = named.filter(
      (r) =>
        (!narrow.symbol || r.symbol === narrow.symbol) &&
        (!narrow.positionSide || r.positionSide === narrow.positionSide),
    );
    const [only, ...more] = rows;
    if (more.length > 0) throw new AmbiguousVpError(accountId, name, rows);
    if (only) return only;
    if (named.length === 0) throw new NotFoundError('vp.not_found', { account: accountId, vp: name });
    throw new NotFoundError('vp.not_found_on', {
      account: accountId,
      vp: name,
      wanted: [narrow.symbol, narrow.positionSide].filter(Boolean).join(' '),
      choices: choicesOf(named),
    });
  }

  list(accountIds: readonly string[], symbol?: string): Promise<VirtualPosition[]> {
    return this.db.virtualPosition.findMany({
      where: { accountId: { in: [...accountIds] }, ...(symbol ? { symbol } : {}) },
      orderBy: [{ accountId: 'asc' }, { symbol: 'asc' }, { positionSide: 'asc' }, { name: 'asc' }],
    });
  }
}
