import { Decimal } from 'decimal.js';
import type { MARKETS } from './account.ts';
import { HedgeError } from './errors.ts';
import { EXACT_ZERO as ZERO, exact } from './exact-decimal.ts';

/**
 * The ledger of one virtual position (VP): a strategy's share of one real exchange position,
 * identified by (account, symbol, position side, name). A LONG VP grows on buys and shrinks on
 * sells, a SHORT VP the other way round. Entries are averaged (weighted-average cost); a reduction
 * realizes (exit − avgEntry) × qty for LONG and (avgEntry − exit) × qty for SHORT.
 */
export type PositionSide = 'LONG' | 'SHORT';

export interface VpLedger {
  side: PositionSide;
  netQty: Decimal;
  avgEntry: Decimal;
  realizedPnl: Decimal;
  /** Fees paid, in the quote currency, kept apart from realizedPnl (see netRealizedPnl). */
  fees: Decimal;
}

export interface LedgerFill {
  side: 'buy' | 'sell';
  qty: Decimal;
  price: Decimal;
  /** In the quote currency: the caller converts a fee charged in the base asset. */
  fee: Decimal;
}

/**
 * Once flat, a VP has realized exactly Σ proceeds − Σ costs: sums of quantity × price, which have
 * at most 16 decimals (exchanges quote both with at most 8). The average entry, a division rounded
 * at 40 digits, leaves a residue far below that (buy 1 @ 1 and 2 @ 2, sell 3 @ 2 in three parts:
 * 0.999…9 instead of 1). Rounding to 20 decimals when the VP goes flat removes the residue, so a
 * round trip realizes exactly what it earned; while the VP is open the residue stays below 1e-30.
 */
const FLAT_REALIZED_DECIMALS = 20;

export function emptyLedger(side: PositionSide): VpLedger {
  return { side, netQty: ZERO, avgEntry: ZERO, realizedPnl: ZERO, fees: ZERO };
}

/** Spot holds no shorts, so a spot VP is LONG. */
export function isSideAllowed(market: (typeof MARKETS)[number], side: PositionSide): boolean {
  return market === 'usdm' || side === 'LONG';
}

export function isIncrease(side: PositionSide, fillSide: 'buy' | 'sell'): boolean {
  return (side === 'LONG') === (fillSide === 'buy');
}

/**
 * The ledger after one fill. A reduction larger than the VP closes it and returns the rest as
 * `excessQty`, for the caller to record as external; the quantity never goes negative. The whole
 * fee stays with the VP, whose order paid it.
 */
export function applyFill(current: VpLedger, fill: LedgerFill): { ledger: VpLedger; excessQty: Decimal } {
  const ledger = atLedgerPrecision(current);
  const qty = positive(fill.qty, 'fill quantity');
  const price = positive(fill.price, 'fill price');
  const fee = exact(fill.fee);
  if (!(fee.isFinite() && fee.greaterThanOrEqualTo(0)))
    throw new RangeError(`fill fee ${fill.fee.toString()} must be ≥ 0`);
  const fees = ledger.fees.plus(fee);

  if (isIncrease(ledger.side, fill.side)) {
    const netQty = ledger.netQty.plus(qty);
    const avgEntry = ledger.netQty.times(ledger.avgEntry).plus(qty.times(price)).div(netQty);
    return { ledger: { ...ledger, netQty, avgEntry, fees }, excessQty: ZERO };
  }

  const closed = qty.lessThan(ledger.netQty) ? qty : ledger.netQty;
  const perUnit = ledger.side === 'LONG' ? price.minus(ledger.avgEntry) : ledger.avgEntry.minus(price);
  const realized = ledger.realizedPnl.plus(perUnit.times(closed));
  const netQty = ledger.netQty.minus(closed);
  const flat = netQty.isZero();
  const ledgerAfter = {
    ...ledger,
    netQty,
    avgEntry: flat ? ZERO : ledger.avgEntry,
    realizedPnl: flat ? realized.toDecimalPlaces(FLAT_REALIZED_DECIMALS, Decimal.ROUND_HALF_EVEN) : realized,
    fees,
  };
  return { ledger: ledgerAfter, excessQty: qty.minus(closed) };
}

/** Raised before an order is sent: a VP cannot be reduced by more than it holds. */
export class ReductionTooLargeError extends HedgeError {
  constructor(params: { vp?: string; requested: string; available: string }) {
    const { vp, requested, available } = params;
    super(
      'vp.reduction_too_large',
      vp === undefined ? { requested, available } : { vp, requested, available },
      `cannot reduce ${vp ?? 'the position'} by ${requested}: it holds ${available}`,
    );
  }
}

/** The pre-send check of a reducing order: refuse rather than let the exchange close someone else's share. */
export function assertReducible(ledger: VpLedger, qty: Decimal, vpName: string): void {
  const requested = positive(qty, 'reduction quantity');
  if (requested.greaterThan(ledger.netQty)) {
    throw new ReductionTooLargeError({
      vp: vpName,
      requested: requested.toFixed(),
      available: ledger.netQty.toFixed(),
    });
  }
}

export function unrealizedPnl(current: VpLedger, markPrice: Decimal): Decimal {
  const ledger = atLedgerPrecision(current);
  const mark = exact(markPrice);
  const perUnit = ledger.side === 'LONG' ? mark.minus(ledger.avgEntry) : ledger.avgEntry.minus(mark);
  return perUnit.times(ledger.netQty);
}

/** Realized PnL after fees: what the VP actually earned. */
export function netRealizedPnl(ledger: VpLedger): Decimal {
  return exact(ledger.realizedPnl).minus(ledger.fees);
}

/** A ledger read back from the database holds ordinary 20-digit Decimals: compute at 40. */
function atLedgerPrecision(ledger: VpLedger): VpLedger {
  return {
    side: ledger.side,
    netQty: exact(ledger.netQty),
    avgEntry: exact(ledger.avgEntry),
    realizedPnl: exact(ledger.realizedPnl),
    fees: exact(ledger.fees),
  };
}

function positive(value: Decimal, what: string): Decimal {
  const checked = exact(value);
  if (!(checked.isFinite() && checked.greaterThan(0))) {
    throw new RangeError(`${what} ${value.toString()} must be a positive number`);
  }
  return checked;
}
