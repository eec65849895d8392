import { Decimal } from 'decimal.js';

/**
 * The emulator's own Decimal: 40 significant digits so wallet totals times 8-decimal quantities
 * never round, and a private clone so the app's global Decimal settings are untouched.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof Dec>;

export const ZERO = new Dec(0);

export function dec(value: Decimal.Value): Dec {
  return new Dec(value);
}

/** A decimal string without exponent or trailing zeros ("0.001", "60000"). */
export function str(value: Decimal.Value): string {
  const d = new Dec(value);
  return d.isZero() ? '0' : d.toFixed();
}

/** Fixed decimals, the way Binance spot prints every amount ("0.00100000"). */
export function fixed(value: Decimal.Value, decimals: number): string {
  return new Dec(value).toFixed(decimals, Dec.ROUND_DOWN);
}

/** Is `value` an exact multiple of `step` (the LOT_SIZE / PRICE_FILTER rule)? */
export function isMultipleOf(value: Dec, step: Dec): boolean {
  return step.isZero() || value.mod(step).isZero();
}

export function floorToStep(value: Dec, step: Dec): Dec {
  return step.isZero() ? value : value.div(step).floor().mul(step);
}

export function decimalsOf(step: string): number {
  return new Dec(step).decimalPlaces();
}

/** Parses a decimal the client sent; undefined when it is not a finite number. */
export function parseDecimal(raw: unknown): Dec | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw).trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return new Dec(text);
}
