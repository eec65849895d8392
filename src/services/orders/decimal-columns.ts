import { Decimal } from 'decimal.js';

/** Amounts are stored as decimal strings: never an exponent, never a float on the way. */
export function toColumn(value: Decimal): string {
  return value.toFixed();
}

export function fromColumn(value: string | null | undefined): Decimal {
  return new Decimal(value ?? '0');
}

export function optionalColumn(value: Decimal | undefined): string | null {
  return value === undefined ? null : value.toFixed();
}
