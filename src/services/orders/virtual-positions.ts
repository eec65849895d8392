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

export function ledgerOf(vp: VirtualPosition): VpLedger {
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

  async byName(accountId: string, name: string, symbol?: string): Promise<VirtualPosition> {
    const rows = await this.db.virtualPosition.findMany({
      where: { accountId, name, ...(symbol ? { symbol } : {}) },
      orderBy: { id: 'asc' },
    });
    const [only, ...more] = rows;
    if (!only) throw new NotFoundError('vp.not_found', { account: accountId, vp: name });
    if (more.length > 0) {
      throw new NotFoundError('vp.ambiguous', {
        account: accountId,
        vp: name,
        choices: rows.map((r) => `${r.symbol} ${r.positionSide}`).join(', '),
      });
    }
    return only;
  }

  list(accountIds: readonly string[], symbol?: string): Promise<VirtualPosition[]> {
    return this.db.virtualPosition.findMany({
      where: { accountId: { in: [...accountIds] }, ...(symbol ? { symbol } : {}) },
      orderBy: [{ accountId: 'asc' }, { symbol: 'asc' }, { positionSide: 'asc' }, { name: 'asc' }],
    });
  }
}
