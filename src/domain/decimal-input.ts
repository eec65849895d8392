import { Decimal } from 'decimal.js';
import { z } from 'zod';

const DECIMAL = /^\d+(\.\d+)?$/;

/** A positive decimal typed by a trader: `0.01`, `60000`, `61000.5`. */
export const decimalSchema = z
  .string()
  .trim()
  .regex(DECIMAL, 'a positive number such as 0.01')
  .transform((s) => new Decimal(s))
  .refine((d) => d.greaterThan(0), 'must be greater than 0');
