import { z } from 'zod';
import type { ArgDef } from '../types.ts';

/** BTCUSDT or BTC/USDT (or BTC/USDT:USDT); the account's exchange resolves it. */
export const symbolSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{2,20}(\/[A-Z0-9]{2,20}(:[A-Z0-9]{2,20})?)?$/, 'a symbol such as BTC/USDT or BTCUSDT');

export const symbolRequiredArg = {
  schema: symbolSchema,
  descriptionKey: 'args.symbol',
  example: 'BTC/USDT',
} satisfies ArgDef;

export const symbolArg = {
  schema: symbolSchema.optional(),
  descriptionKey: 'args.symbol',
  example: 'BTC/USDT',
} satisfies ArgDef;

/** An optional symbol after other optional words, recognised by its form. */
export const flexibleSymbolArg = { ...symbolArg, flexible: true } satisfies ArgDef;
