import { Decimal } from 'decimal.js';
import { z } from 'zod';

/** The other spellings of a number people type or paste: a sign, an exponent, a leading point. */
const NUMBER_LIKE = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** What a typed number looks like, right or wrong (`0.01`, `-5`, `1e308`, `NaN`): a numeric argument's `resembles`. */
export const NUMERIC_WORD = /^[+-]?(\d|\.\d)|^[+-]?(nan|inf(inity)?)$/i;

/** The most an amount, price or limit may be typed as: 12 digits before the point, as the ledger keeps them. */
export const MAX_TYPED_DECIMAL = new Decimal('1e12');

/** Why a typed value is no positive number we take: a message key with its values, and English for forms. */
export interface DecimalProblem {
  key: 'errors.arg_not_number' | 'errors.arg_negative' | 'errors.arg_positive' | 'errors.arg_too_large';
  params: Record<string, string>;
  message: string;
}

const NOT_A_POSITIVE_NUMBER = 'a positive number such as 0.01';

/**
 * Undefined when `text` is a positive number below MAX_TYPED_DECIMAL; else what is wrong with it.
 * `notNumber` is the English of a form that says what it takes (`a number of USDT, or off`).
 */
export function decimalProblem(text: string, notNumber = NOT_A_POSITIVE_NUMBER): DecimalProblem | undefined {
  const tooLarge: DecimalProblem = {
    key: 'errors.arg_too_large',
    params: { max: MAX_TYPED_DECIMAL.toFixed() },
    message: `must be less than ${MAX_TYPED_DECIMAL.toFixed()}`,
  };
  if (/^\+?inf(inity)?$/i.test(text)) return tooLarge;
  if (/^-inf(inity)?$/i.test(text)) return { key: 'errors.arg_negative', params: {}, message: NOT_A_POSITIVE_NUMBER };
  if (!NUMBER_LIKE.test(text)) return { key: 'errors.arg_not_number', params: {}, message: notNumber };
  const value = new Decimal(text);
  if (value.isNegative() && !value.isZero()) {
    return { key: 'errors.arg_negative', params: {}, message: NOT_A_POSITIVE_NUMBER };
  }
  if (!value.greaterThan(0)) return { key: 'errors.arg_positive', params: {}, message: 'must be greater than 0' };
  if (value.greaterThanOrEqualTo(MAX_TYPED_DECIMAL)) return tooLarge;
  return undefined;
}

/** A schema step that turns a typed positive number into a Decimal, or names its problem as a zod issue. */
export function toPositiveDecimal(text: string, ctx: z.RefinementCtx, notNumber?: string): Decimal {
  const problem = decimalProblem(text, notNumber);
  if (!problem) return new Decimal(text);
  ctx.issues.push({
    code: 'custom',
    message: problem.message,
    input: text,
    params: { key: problem.key, ...problem.params },
  });
  return z.NEVER;
}

/** A positive decimal typed by a trader: `0.01`, `60000`, `61000.5`. */
export const decimalSchema = z.string().trim().transform(toPositiveDecimal);
