import type { Decimal } from 'decimal.js';
import { applyFill, type VpLedger } from '../../domain/vp-ledger.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { jsonRows, type JsonCell } from '../../infra/db/json-rows.ts';
import { fromColumn, toColumn } from './decimal-columns.ts';

/** What booking a fill reads of its VP: who it belongs to, its ledger, whether TP/SL follow it. */
export interface LedgerRow {
  id: number;
  accountId: string;
  symbol: string;
  positionSide: string;
  netQty: string;
  avgEntry: string;
  realizedPnl: string;
  fees: string;
  /** It has TP/SL state (prices or live legs) to bring in line after a fill. */
  tpsl: boolean;
}

/** One fill of ours as its Fill row is written; the ledger columns are computed here. */
export interface VpFill {
  accountId: string;
  symbol: string;
  tradeId: string;
  exchangeOrderId: string;
  clientOrderId: string | null;
  side: 'buy' | 'sell';
  positionSide: string;
  /** Net of a base-asset fee; `signed` is negative when it shrinks its side. */
  qty: Decimal;
  signed: Decimal;
  price: Decimal;
  fee: Decimal;
  at: Date;
}

/** A fill booked on its VP: the Fill row's id, in arrival order. */
export interface BookedOnVp {
  tradeId: string;
  fillId: number;
}

/** The VP's row as booking needs it (one raw read: this runs for every fill of ours). */
export async function readLedgerRow(db: Db, vpId: number): Promise<LedgerRow | null> {
  const [row] = await db.$queryRaw<(Omit<LedgerRow, 'id' | 'tpsl'> & { id: number | bigint; tpsl: unknown })[]>`
    SELECT "id", "accountId", "symbol", "positionSide", "netQty", "avgEntry", "realizedPnl", "fees",
      ("tpPrice" IS NOT NULL OR "slPrice" IS NOT NULL OR "tpClientId" IS NOT NULL OR "slClientId" IS NOT NULL) AS "tpsl"
    FROM "VirtualPosition" WHERE "id" = ${vpId}`;
  return row ? { ...row, id: Number(row.id), tpsl: Number(row.tpsl) === 1 || row.tpsl === true } : null;
}

export function ledgerOfRow(vp: LedgerRow): VpLedger {
  return {
    side: vp.positionSide === 'SHORT' ? 'SHORT' : 'LONG',
    netQty: fromColumn(vp.netQty),
    avgEntry: fromColumn(vp.avgEntry),
    realizedPnl: fromColumn(vp.realizedPnl),
    fees: fromColumn(vp.fees),
  };
}

/** The VP after these fills, and each fill's columns: its realized PnL and what no VP explains. */
function ledgerAfter(vp: LedgerRow, fills: VpFill[]): { ledger: VpLedger; cells: JsonCell[][] } {
  let ledger = ledgerOfRow(vp);
  const cells = fills.map((fill) => {
    const before = ledger;
    const result = applyFill(before, { side: fill.side, qty: fill.qty, price: fill.price, fee: fill.fee });
    ledger = result.ledger;
    const excess = fill.signed.isNegative() ? result.excessQty.neg() : result.excessQty;
    return [
      fill.accountId,
      fill.symbol,
      fill.tradeId,
      fill.exchangeOrderId,
      fill.clientOrderId,
      fill.side,
      fill.positionSide,
      toColumn(fill.qty),
      toColumn(fill.price),
      toColumn(fill.fee),
      vp.id,
      toColumn(excess),
      toColumn(ledger.realizedPnl.minus(before.realizedPnl)),
      fill.at,
    ];
  });
  return { ledger, cells };
}

const FILL_COLUMNS = [
  'accountId',
  'symbol',
  'tradeId',
  'exchangeOrderId',
  'clientOrderId',
  'side',
  'positionSide',
  'qty',
  'price',
  'fee',
  'vpId',
  'externalQty',
  'realizedPnl',
  'at',
] as const;

/** A trade of the run was booked already: the run's transaction was rolled back. */
class AlreadyBooked extends Error {}

/**
 * Books fills of one VP, in arrival order: the Fill rows (a trade booked already is skipped),
 * then the VP's ledger, in one transaction — so a repeat never moves the ledger twice. One fill:
 * two statements, the ledger guarded by SQLite's changes() (it moves only if the row went in).
 * Several (a burst): the rows with one statement, the ledger once; the caller leaves out the
 * trades it knows are booked, and if one was there after all nothing is written (undefined: book
 * them one by one). The caller runs one account's fills at a time (its lane).
 */
export async function bookOnVp(
  db: Db,
  vp: LedgerRow,
  fills: VpFill[],
): Promise<{ booked: BookedOnVp[]; row: LedgerRow } | undefined> {
  const { ledger, cells } = ledgerAfter(vp, fills);
  const now = new Date();
  const rows = jsonRows(FILL_COLUMNS, cells);
  // WHERE true: SQLite's parser needs it to tell an upsert's ON CONFLICT from a join's ON after a SELECT.
  const insert = (client: Pick<Db, '$queryRaw'>) => client.$queryRaw<{ id: number | bigint; tradeId: string }[]>`
    INSERT INTO "Fill" ("accountId", "symbol", "tradeId", "exchangeOrderId", "clientOrderId", "side",
      "positionSide", "qty", "price", "fee", "vpId", "externalQty", "realizedPnl", "at", "createdAt")
    SELECT r.*, ${now} FROM (${rows}) AS r WHERE true
    ON CONFLICT ("accountId", "symbol", "tradeId") DO NOTHING
    RETURNING "id", "tradeId"`;
  const columns = {
    netQty: toColumn(ledger.netQty),
    avgEntry: toColumn(ledger.avgEntry),
    realizedPnl: toColumn(ledger.realizedPnl),
    fees: toColumn(ledger.fees),
  };
  const set = Prisma.sql`"netQty" = ${columns.netQty}, "avgEntry" = ${columns.avgEntry},
    "realizedPnl" = ${columns.realizedPnl}, "fees" = ${columns.fees}, "updatedAt" = ${now}`;
  let inserted: { id: number | bigint; tradeId: string }[];
  if (fills.length === 1) {
    // changes(): rows the INSERT just before it wrote, on this connection inside this transaction.
    [inserted] = await db.$transaction([
      insert(db),
      db.$executeRaw`UPDATE "VirtualPosition" SET ${set} WHERE "id" = ${vp.id} AND changes() = 1`,
    ]);
  } else {
    try {
      inserted = await db.$transaction(async (tx) => {
        const returned = await insert(tx);
        if (returned.length !== fills.length) throw new AlreadyBooked();
        await tx.$executeRaw`UPDATE "VirtualPosition" SET ${set} WHERE "id" = ${vp.id}`;
        return returned;
      });
    } catch (err) {
      if (err instanceof AlreadyBooked) return undefined;
      throw err;
    }
  }
  if (inserted.length === 0) return { booked: [], row: vp };
  const idOf = new Map(inserted.map((r) => [r.tradeId, Number(r.id)]));
  const booked = fills.flatMap((f) => {
    const fillId = idOf.get(f.tradeId);
    return fillId === undefined ? [] : [{ tradeId: f.tradeId, fillId }];
  });
  return { booked, row: { ...vp, ...columns } };
}
