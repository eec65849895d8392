import type { Decimal } from 'decimal.js';
import { EXACT_ZERO as ZERO, exact } from './exact-decimal.ts';
import type { PositionSide } from './vp-ledger.ts';

/**
 * Reconciliation of one account: per (symbol, side), what the exchange holds against what the desk
 * expects there — the sum of the VPs plus what a trader accepted as held outside them — and the
 * quantity the desk already recorded as external. When every fill was seen,
 * exchange = Σ VPs + accepted + external; a difference the recorded external quantity does not
 * explain means something happened that the desk never saw. An accepted quantity is settled: it
 * is no difference at all.
 *
 * Quantities are sizes (≥ 0): a futures SHORT is passed as its absolute size, spot holdings as a
 * LONG quantity.
 */
export interface ExchangeSideQty {
  symbol: string;
  side: PositionSide;
  qty: Decimal;
}

export interface VpSideQty {
  symbol: string;
  side: PositionSide;
  vpName: string;
  qty: Decimal;
}

/** quantity the desk already knows came from external fills (signed: + increases the side) */
export interface ExternalSideQty {
  symbol: string;
  side: PositionSide;
  qty: Decimal;
}

/**
 * Quantity a trader accepted as held outside every VP — holdings from before the desk, a trade
 * made elsewhere — signed: + grows the side.
 */
export interface AcceptedSideQty {
  symbol: string;
  side: PositionSide;
  qty: Decimal;
}

/**
 * How a difference most likely arose, from `diff` (exchange − VPs) and the recorded external qty:
 * - `external_fills`: diff > 0 and the recorded external quantity equals it (within tolerance):
 *   fills we did not issue, already seen and recorded; nothing is missing.
 * - `manual_trade_on_exchange`: diff > 0 and more than the recorded external quantity: a trade we
 *   never saw a fill for, e.g. one made on the exchange's site while the desk was down.
 * - `vp_exceeds_exchange`: diff < 0: the exchange holds less than the VPs — a manual close or a
 *   liquidation.
 * - `unknown`: diff > 0 but the recorded external quantity is larger still: the books disagree in
 *   a way none of the causes above explains.
 */
export type LikelyCause = 'external_fills' | 'manual_trade_on_exchange' | 'vp_exceeds_exchange' | 'unknown';

export interface Difference {
  symbol: string;
  side: PositionSide;
  exchangeQty: Decimal;
  vpQty: Decimal;
  /** Accepted as held outside the VPs. */
  acceptedQty: Decimal;
  /** exchange − (VPs + accepted) */
  diff: Decimal;
  /** The part of `diff` the recorded external quantity accounts for: same sign as diff, never beyond it. */
  explainedByExternal: Decimal;
  /** diff − explainedByExternal: what a trader may assign to a VP or accept as external. */
  unexplained: Decimal;
  likelyCause: LikelyCause;
}

interface SideTotals {
  symbol: string;
  side: PositionSide;
  exchangeQty: Decimal;
  vpQty: Decimal;
  acceptedQty: Decimal;
  externalQty: Decimal;
}

/**
 * The (symbol, side) rows whose |exchange − (VPs + accepted)| exceeds the tolerance, sorted by
 * symbol then side.
 */
export function reconcile(
  exchange: ExchangeSideQty[],
  vps: VpSideQty[],
  external: ExternalSideQty[],
  opts: { tolerance?: Decimal; accepted?: readonly AcceptedSideQty[] } = {},
): Difference[] {
  const tolerance = opts.tolerance ?? ZERO;
  if (!(tolerance.isFinite() && tolerance.greaterThanOrEqualTo(0))) throw new RangeError('tolerance must be ≥ 0');

  const totals = new Map<string, SideTotals>();
  const totalsOf = (symbol: string, side: PositionSide): SideTotals => {
    const key = `${symbol}\u0000${side}`;
    let row = totals.get(key);
    if (!row) {
      row = { symbol, side, exchangeQty: ZERO, vpQty: ZERO, acceptedQty: ZERO, externalQty: ZERO };
      totals.set(key, row);
    }
    return row;
  };
  for (const row of exchange) {
    const t = totalsOf(row.symbol, row.side);
    t.exchangeQty = t.exchangeQty.plus(size(row.qty, `exchange ${row.symbol} ${row.side}`));
  }
  for (const row of vps) {
    const t = totalsOf(row.symbol, row.side);
    t.vpQty = t.vpQty.plus(size(row.qty, `VP ${row.vpName}`));
  }
  for (const row of external) {
    const t = totalsOf(row.symbol, row.side);
    t.externalQty = t.externalQty.plus(finite(row.qty, `external ${row.symbol} ${row.side}`));
  }
  for (const row of opts.accepted ?? []) {
    const t = totalsOf(row.symbol, row.side);
    t.acceptedQty = t.acceptedQty.plus(finite(row.qty, `accepted ${row.symbol} ${row.side}`));
  }

  return [...totals.values()]
    .map((t) => difference(t, tolerance))
    .filter((d): d is Difference => d !== undefined)
    .sort(bySymbolThenSide);
}

function difference(t: SideTotals, tolerance: Decimal): Difference | undefined {
  const diff = t.exchangeQty.minus(t.vpQty).minus(t.acceptedQty);
  if (diff.abs().lessThanOrEqualTo(tolerance)) return undefined;
  const explainedByExternal = diff.greaterThan(0) ? clamp(t.externalQty, ZERO, diff) : clamp(t.externalQty, diff, ZERO);
  return {
    symbol: t.symbol,
    side: t.side,
    exchangeQty: t.exchangeQty,
    vpQty: t.vpQty,
    acceptedQty: t.acceptedQty,
    diff,
    explainedByExternal,
    unexplained: diff.minus(explainedByExternal),
    likelyCause: likelyCause(diff, t.externalQty, tolerance),
  };
}

function likelyCause(diff: Decimal, externalQty: Decimal, tolerance: Decimal): LikelyCause {
  if (diff.lessThan(0)) return 'vp_exceeds_exchange';
  const unseen = diff.minus(externalQty);
  if (unseen.abs().lessThanOrEqualTo(tolerance)) return 'external_fills';
  return unseen.greaterThan(0) ? 'manual_trade_on_exchange' : 'unknown';
}

function clamp(value: Decimal, low: Decimal, high: Decimal): Decimal {
  return value.lessThan(low) ? low : value.greaterThan(high) ? high : value;
}

function bySymbolThenSide(a: Difference, b: Difference): number {
  if (a.symbol !== b.symbol) return a.symbol < b.symbol ? -1 : 1;
  return a.side === b.side ? 0 : a.side === 'LONG' ? -1 : 1;
}

function size(qty: Decimal, what: string): Decimal {
  if (!(qty.isFinite() && qty.greaterThanOrEqualTo(0))) {
    throw new RangeError(`${what}: quantity ${qty.toString()} must be a size ≥ 0`);
  }
  return exact(qty);
}

function finite(qty: Decimal, what: string): Decimal {
  if (!qty.isFinite()) throw new RangeError(`${what}: quantity ${qty.toString()} is not a number`);
  return exact(qty);
}
