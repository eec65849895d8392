import { Decimal } from 'decimal.js';

/**
 * Decimal arithmetic for the domain: 40 significant digits, so sums and products of exchange
 * quantities and prices (8 decimals, 12 digits before the point) never round, and a true division
 * such as an average price rounds only at the 40th digit. A private clone leaves the process-wide
 * Decimal settings alone; its values are ordinary Decimals to every caller.
 */
const ExactDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

export const EXACT_ZERO: Decimal = new ExactDecimal(0);

/** The same value, computing at 40 digits from here on (a Decimal read from a column computes at 20). */
export function exact(value: Decimal.Value): Decimal {
  return new ExactDecimal(value);
}
