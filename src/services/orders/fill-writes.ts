import type { Decimal } from 'decimal.js';
import { applyFill, type VpLedger } from '../../domain/vp-ledger.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { jsonRows } from '../../infra/db/json-rows.ts';
import { toColumn } from './decimal-columns.ts';
import { ledgerOf } from './virtual-positions.ts';

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

/** A Fill row as written (amounts as decimal strings); vpId null: it moves no VP of ours. */
export interface FillRow {
  accountId: string;
  symbol: string;
  tradeId: string;
  exchangeOrderId: string;
  clientOrderId: string | null;
  side: string;
  positionSide: string;
  qty: string;
  price: string;
  fee: string;
  vpId: number | null;
  /** What no VP explains, signed: positive grows the side. */
  externalQty: string;
  realizedPnl: string;
  at: Date;
}

/** One fill of ours on its VP: its row's columns, and what the ledger needs of it. */
export interface VpFill {
  columns: Omit<FillRow, 'vpId' | 'externalQty' | 'realizedPnl'>;
  side: 'buy' | 'sell';
  /** Net of a base-asset fee; `signed` is negative when it shrinks its side. */
  qty: Decimal;
  signed: Decimal;
  price: Decimal;
  fee: Decimal;
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

/** The VP after these fills, and each fill's row: its realized PnL and what no VP explains. */
function ledgerAfter(vp: LedgerRow, fills: VpFill[]): { ledger: VpLedger; rows: FillRow[] } {
  let ledger = ledgerOf(vp);
  const rows = fills.map((fill): FillRow => {
    const before = ledger;
    const result = applyFill(before, { side: fill.side, qty: fill.qty, price: fill.price, fee: fill.fee });
    ledger = result.ledger;
    const excess = fill.signed.isNegative() ? result.excessQty.neg() : result.excessQty;
    return {
      ...fill.columns,
      vpId: vp.id,
      externalQty: toColumn(excess),
      realizedPnl: toColumn(ledger.realizedPnl.minus(before.realizedPnl)),
    };
  });
  return { ledger, rows };
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
] as const satisfies readonly (keyof FillRow)[];

/** What the insert returns of each row it wrote. */
export interface InsertedFill {
  id: number | bigint;
  accountId: string;
  symbol: string;
  tradeId: string;
}

/**
 * Inserts Fill rows with one statement, external and VP fills alike; a trade booked already is
 * skipped, and only the rows written come back.
 */
export function insertFills(client: Pick<Db, '$queryRaw'>, rows: FillRow[], now = new Date()) {
  const values = jsonRows(
    FILL_COLUMNS,
    rows.map((row) => FILL_COLUMNS.map((column) => row[column])),
  );
  // WHERE true: SQLite's parser needs it to tell an upsert's ON CONFLICT from a join's ON after a SELECT.
  return client.$queryRaw<InsertedFill[]>`
    INSERT INTO "Fill" ("accountId", "symbol", "tradeId", "exchangeOrderId", "clientOrderId", "side",
      "positionSide", "qty", "price", "fee", "vpId", "externalQty", "realizedPnl", "at", "createdAt")
    SELECT r.*, ${now} FROM (${values}) AS r WHERE true
    ON CONFLICT ("accountId", "symbol", "tradeId") DO NOTHING
    RETURNING "id", "accountId", "symbol", "tradeId"`;
}

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
  const { ledger, rows } = ledgerAfter(vp, fills);
  const now = new Date();
  const insert = (client: Pick<Db, '$queryRaw'>) => insertFills(client, rows, now);
  const columns = {
    netQty: toColumn(ledger.netQty),
    avgEntry: toColumn(ledger.avgEntry),
    realizedPnl: toColumn(ledger.realizedPnl),
    fees: toColumn(ledger.fees),
  };
  const set = Prisma.sql`"netQty" = ${columns.netQty}, "avgEntry" = ${columns.avgEntry},
    "realizedPnl" = ${columns.realizedPnl}, "fees" = ${columns.fees}, "updatedAt" = ${now}`;
  let inserted: InsertedFill[];
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
  const booked = fills.flatMap(({ columns: { tradeId } }) => {
    const fillId = idOf.get(tradeId);
    return fillId === undefined ? [] : [{ tradeId, fillId }];
  });
  return { booked, row: { ...vp, ...columns } };
}
