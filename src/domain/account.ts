import { z } from 'zod';

/** Account ids are short slugs the trader types in chat: `main`, `sub_a`, `f1`. */
export const accountIdSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9_]{0,23}$/, 'a short id: a letter, then letters, digits or _ (at most 24)');

export const EXCHANGES = ['binance', 'bitget'] as const;
export const MARKETS = ['spot', 'usdm'] as const;
export const ENVS = ['prod', 'testnet', 'demo', 'paper'] as const;
export const KINDS = ['MAIN', 'SUB'] as const;
export const COPY_ROLES = ['LEADER', 'FOLLOWER', 'NONE'] as const;
export const STATUSES = ['ACTIVE', 'PAUSED', 'DISABLED'] as const;

export type AccountStatus = (typeof STATUSES)[number];
export type AccountKind = (typeof KINDS)[number];
export type CopyRole = (typeof COPY_ROLES)[number];

export const newAccountSchema = z
  .object({
    id: accountIdSchema,
    name: z.string().trim().min(1).max(64),
    exchange: z.enum(EXCHANGES),
    market: z.enum(MARKETS),
    env: z.enum(ENVS),
    kind: z.enum(KINDS).default('MAIN'),
    copyRole: z.enum(COPY_ROLES).default('NONE'),
  })
  .refine((a) => !(a.exchange === 'bitget' && a.env === 'testnet'), {
    message: 'Bitget has no testnet; use demo',
    path: ['env'],
  });
export type NewAccount = z.infer<typeof newAccountSchema>;
export type NewAccountInput = z.input<typeof newAccountSchema>;
