import { z } from 'zod';
import type { AlertCategory } from '../events.ts';
import { SEVERITIES } from './alert-batching.ts';

/** What a chat can subscribe to; chat `/alerts on` and the admin's Alerts page read the same lists. */
export const ALERT_CATEGORIES = [
  'copy',
  'account',
  'stream',
  'reconciliation',
  'risk_limit',
  'tpsl',
  'order_failed',
] as const satisfies readonly AlertCategory[];

/** `all`, or a comma-separated list of categories: `copy,tpsl`. */
export const alertCategoriesSchema = z
  .string()
  .trim()
  .toLowerCase()
  .refine(
    (s) => s === 'all' || s.split(',').every((c) => (ALERT_CATEGORIES as readonly string[]).includes(c)),
    `all, or a comma-separated list of: ${ALERT_CATEGORIES.join(', ')}`,
  );

/** `all` → `*` (every category); otherwise the list. */
export function chosenCategories(categories: string | undefined): string[] | '*' {
  return !categories || categories === 'all' ? '*' : categories.split(',');
}

export const alertSeveritySchema = z.enum(SEVERITIES);

/** Where an alert goes: a Telegram chat id (negative for groups) or a Discord channel id (a snowflake). */
export const alertDestinationSchema = z
  .object({
    platform: z.enum(['telegram', 'discord'], { error: 'telegram or discord' }),
    destination: z.string().trim().min(1, 'a chat or channel id is required'),
  })
  .superRefine((value, ctx) => {
    const ok =
      value.platform === 'telegram' ? /^-?\d{1,20}$/.test(value.destination) : /^\d{17,20}$/.test(value.destination);
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['destination'],
        message:
          value.platform === 'telegram'
            ? 'a Telegram chat id is a number, negative for groups (e.g. -1001234567890)'
            : 'a Discord channel id is 17 to 20 digits',
      });
    }
  });
