import { z } from 'zod';
import { decimalSchema, NUMERIC_WORD, toPositiveDecimal } from '../../domain/decimal-input.ts';
import { USD_STABLES } from '../../domain/valuation.ts';
import type { ArgDef } from '../types.ts';

export { decimalSchema };

/** `0.01` is base quantity; `$100` is a quote amount (USDT). */
export const amountArg = {
  schema: z
    .string()
    .trim()
    .transform((s, ctx) => {
      const quote = s.startsWith('$');
      return { quote, value: toPositiveDecimal(quote ? s.slice(1).trim() : s, ctx) };
    }),
  descriptionKey: 'args.amount',
  example: '0.01',
} satisfies ArgDef;

export const sideArg = {
  schema: z.enum(['buy', 'sell']),
  descriptionKey: 'args.side',
} satisfies ArgDef;

export const priceArg = {
  schema: decimalSchema.optional(),
  descriptionKey: 'args.price',
  example: '60000',
  flexible: true,
  resembles: NUMERIC_WORD,
} satisfies ArgDef;

export const positionSideArg = {
  schema: z.enum(['long', 'short']).optional(),
  descriptionKey: 'args.position_side',
  flexible: true,
} satisfies ArgDef;

export const reduceArg = {
  schema: z.literal('reduce').optional(),
  descriptionKey: 'args.reduce',
  flexible: true,
} satisfies ArgDef;

/** VP names: short words; `long`, `short` and `reduce` are read as those options first. */
export const vpNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z][\w-]{0,23}$/, 'a name: a letter, then letters, digits, _ or - (at most 24)');

/** `/order … buy 50 USDT` means a quote amount: a stablecoin's name is never read as a VP name. */
const isCurrencyWord = (name: string) => USD_STABLES.has(name.toUpperCase()) || name.toUpperCase() === 'USD';

export const vpArg = {
  schema: vpNameSchema.refine((name) => !isCurrencyWord(name), { params: { key: 'errors.vp_is_currency' } }).optional(),
  descriptionKey: 'args.vp',
  example: 'alpha',
  placeholder: 'vp',
  flexible: true,
  // A word no other argument takes is this one's to refuse (`USDT`, a name too long), not an extra word.
  resembles: /^[A-Za-z]/,
  complete: 'vp',
} satisfies ArgDef;
