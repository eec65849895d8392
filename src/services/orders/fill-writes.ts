import type { Decimal } from 'decimal.js';
import { applyFill, type VpLedger } from '../../domain/vp-ledger.ts';
import type { Db } from '../../infra/db/client.ts';
import { readNow, statement, transactNow, type Connection } from '../../infra/db/connection.ts';
import { sqliteTime } from '../../infra/db/json-rows.ts';
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

const LEDGER_ROW_SQL = `SELECT "id", "accountId", "symbol", "positionSide", "netQty", "avgEntry", "realizedPnl", "fees",
    ("tpPrice" IS NOT NULL OR "slPrice" IS NOT NULL OR "tpClientId" IS NOT NULL OR "slClientId" IS NOT NULL) AS "tpsl"
  FROM "VirtualPosition" WHERE "id" = ?`;

/** The VP's row as booking needs it (one statement on the connection: this runs for every fill of ours). */
export function readLedgerRow(db: Db, vpId: number): Promise<LedgerRow | null> {
  return readNow(db, (connection) => {
    const row = statement(connection, LEDGER_ROW_SQL).get(vpId) as
      (Omit<LedgerRow, 'tpsl'> & { tpsl: number }) | undefined;
    return row ? { ...row, tpsl: row.tpsl === 1 } : null;
  });
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

/** What the insert returns of each row it wrote. */
export interface InsertedFill {
  id: number;
  accountId: string;
  symbol: string;
  tradeId: string;
}

// A trade booked already is skipped (nothing changes). Values bound by position, in this order
// (a third cheaper than named values and RETURNING, measured per row on this schema).
const INSERT_FILL_SQL = `INSERT INTO "Fill" ("accountId", "symbol", "tradeId", "exchangeOrderId", "clientOrderId", "side",
    "positionSide", "qty", "price", "fee", "vpId", "externalQty", "realizedPnl", "at", "createdAt")
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT ("accountId", "symbol", "tradeId") DO NOTHING`;

const UPDATE_LEDGER_SQL = `UPDATE "VirtualPosition" SET "netQty" = @netQty, "avgEntry" = @avgEntry,
    "realizedPnl" = @realizedPnl, "fees" = @fees, "updatedAt" = @updatedAt WHERE "id" = @id`;

/** Inserts Fill rows inside the caller's transaction; only the rows written come back, in order. */
function insertFillRows(connection: Connection, rows: FillRow[], now: Date): InsertedFill[] {
  const insert = statement(connection, INSERT_FILL_SQL);
  const createdAt = sqliteTime(now);
  const inserted: InsertedFill[] = [];
  for (const r of rows) {
    const { changes, lastInsertRowid } = insert.run(
      r.accountId,
      r.symbol,
      r.tradeId,
      r.exchangeOrderId,
      r.clientOrderId,
      r.side,
      r.positionSide,
      r.qty,
      r.price,
      r.fee,
      r.vpId,
      r.externalQty,
      r.realizedPnl,
      sqliteTime(r.at),
      createdAt,
    );
    if (changes === 1) {
      inserted.push({ id: Number(lastInsertRowid), accountId: r.accountId, symbol: r.symbol, tradeId: r.tradeId });
    }
  }
  return inserted;
}

/**
 * Inserts Fill rows in one transaction, external and VP fills alike; a trade booked already is
 * skipped, and only the rows written come back.
 */
export function insertFills(db: Db, rows: FillRow[], now = new Date()): Promise<InsertedFill[]> {
  return transactNow(db, (connection) => insertFillRows(connection, rows, now));
}

/** A trade of the run was booked already: the run's transaction was rolled back. */
class AlreadyBooked extends Error {}

/**
 * Books fills of one VP, in arrival order: the Fill rows (a trade booked already is skipped),
 * then the VP's ledger, in one transaction — so a repeat never moves the ledger twice. One fill:
 * the ledger moves only if its row went in. Several (a burst): the caller leaves out the trades
 * it knows are booked, and if one was there after all nothing is written (undefined: book them
 * one by one). The caller runs one account's fills at a time (its lane).
 */
export async function bookOnVp(
  db: Db,
  vp: LedgerRow,
  fills: VpFill[],
): Promise<{ booked: BookedOnVp[]; row: LedgerRow } | undefined> {
  const { ledger, rows } = ledgerAfter(vp, fills);
  const now = new Date();
  const columns = {
    netQty: toColumn(ledger.netQty),
    avgEntry: toColumn(ledger.avgEntry),
    realizedPnl: toColumn(ledger.realizedPnl),
    fees: toColumn(ledger.fees),
  };
  let inserted: InsertedFill[];
  try {
    inserted = await transactNow(db, (connection) => {
      const returned = insertFillRows(connection, rows, now);
      if (returned.length === 0 && fills.length === 1) return returned;
      if (returned.length !== fills.length) throw new AlreadyBooked();
      statement(connection, UPDATE_LEDGER_SQL).run({ ...columns, updatedAt: sqliteTime(now), id: vp.id });
      return returned;
    });
  } catch (err) {
    if (err instanceof AlreadyBooked) return undefined;
    throw err;
  }
  if (inserted.length === 0) return { booked: [], row: vp };
  const idOf = new Map(inserted.map((r) => [r.tradeId, r.id]));
  const booked = fills.flatMap(({ columns: { tradeId } }) => {
    const fillId = idOf.get(tradeId);
    return fillId === undefined ? [] : [{ tradeId, fillId }];
  });
  return { booked, row: { ...vp, ...columns } };
}
