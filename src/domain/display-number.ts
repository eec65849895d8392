import { assetsOf } from './market-symbol.ts';
import { Decimal } from 'decimal.js';
import { USD_STABLES } from './valuation.ts';

/**
 * How a number is shown to people — in chat, on the console, in alerts and in the admin. Storage
 * keeps every digit; only what is shown is rounded, and always from a Decimal, never a float:
 *
 * - a price to the market's tick, half up (`60126.90693548` → `60126.91` on a 0.01 tick);
 * - an order's or a position's quantity to the market's amount step, down;
 * - a holding (a balance, a VP's quantity) to its asset's precision, down: never more than is there;
 * - money needed (an order's funds or margin) to its asset's precision, up: never less than is needed;
 * - money (PnL, fees, notional, totals, caps) to its asset's precision, half up: USDT has 2 decimals.
 *
 * Trailing zeros are dropped (`60000`, `0.5`). A value that is not zero never shows as 0: it keeps
 * its first significant digits (a fee of 0.004 USDT is `0.004`, not `0`).
 */
export interface MarketPrecision {
  /** The price tick (0.01), from the market's filters. */
  tick?: Decimal | undefined;
  /** The amount step (0.00001). */
  step?: Decimal | undefined;
}

/** Decimals of an asset where no market says otherwise: stablecoins are cents, coins satoshis. */
export function assetDecimals(asset: string): number {
  return USD_STABLES.has(asset.toUpperCase()) ? 2 : 8;
}

/** Significant digits of a price whose market is not known: enough for 60126.907 and for 0.00001234. */
const PRICE_SIGNIFICANT = 8;
const MAX_DECIMALS = 8;

export function displayPrice(value: Decimal, tick?: Decimal): string {
  if (tick && tick.greaterThan(0)) return shown(value, value.toNearest(tick, Decimal.ROUND_HALF_UP));
  const rounded = value.toSignificantDigits(PRICE_SIGNIFICANT, Decimal.ROUND_HALF_UP);
  return shown(value, rounded.toDecimalPlaces(MAX_DECIMALS, Decimal.ROUND_HALF_UP));
}

export function displayQuantity(value: Decimal, step?: Decimal): string {
  if (step && step.greaterThan(0)) return shown(value, value.toNearest(step, Decimal.ROUND_DOWN));
  return shown(value, value.toDecimalPlaces(MAX_DECIMALS, Decimal.ROUND_DOWN));
}

export function displayHolding(value: Decimal, asset: string): string {
  return shown(value, value.toDecimalPlaces(assetDecimals(asset), Decimal.ROUND_DOWN));
}

/** Money an action needs (funds, margin) to its asset's precision, up: never shown as less than is needed. */
export function displayNeeded(value: Decimal, asset: string): string {
  return shown(value, value.toDecimalPlaces(assetDecimals(asset), Decimal.ROUND_UP));
}

export function displayMoney(value: Decimal, asset = 'USDT'): string {
  return shown(value, value.toDecimalPlaces(assetDecimals(asset), Decimal.ROUND_HALF_UP));
}

/** The numbers of one market, shown by the display rule of domain/display-number.ts. */
export interface MarketNumbers {
  /** A price, to the market's tick. */
  price: (value: Decimal) => string;
  /** An order's or a position's quantity, to the market's amount step. */
  quantity: (value: Decimal) => string;
  /** A holding of the base asset (a VP's quantity), to the asset's precision. */
  holding: (value: Decimal) => string;
  /** Money in the quote asset (PnL, fees, notional), to the asset's precision. */
  money: (value: Decimal) => string;
}

export function marketNumbers(symbol: string, precision: MarketPrecision = {}): MarketNumbers {
  const { base, quote: named } = assetsOf(symbol);
  const quote = named || symbol.split(':')[1] || 'USDT';
  return {
    price: (v) => displayPrice(v, precision.tick),
    quantity: (v) => displayQuantity(v, precision.step),
    holding: (v) => displayHolding(v, base),
    money: (v) => displayMoney(v, quote),
  };
}

/** A fraction as a percentage to two decimals: `0.25` → `25%`, `0.123456` → `12.35%`. */
export function displayPercent(fraction: Decimal): string {
  const percent = fraction.times(100);
  return `${shown(percent, percent.toDecimalPlaces(2, Decimal.ROUND_HALF_UP))}%`;
}

/** The rounded value, unless rounding made a nonzero value zero: then its first two significant digits. */
function shown(value: Decimal, rounded: Decimal): string {
  if (rounded.isZero() && !value.isZero()) return value.toSignificantDigits(2, Decimal.ROUND_HALF_UP).toFixed();
  // `-0` reads as a loss of nothing; it is nothing.
  return rounded.isZero() ? '0' : rounded.toFixed();
}
