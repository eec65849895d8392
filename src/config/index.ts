import { existsSync } from 'node:fs';
import path from 'node:path';
import { validate as isCronExpression } from 'node-cron';
import { z } from 'zod';
import { ConfigError } from '../domain/errors.ts';

const idList = z
  .string()
  .trim()
  .regex(/^(\d+(\s*,\s*\d+)*)?$/, 'a comma-separated list of numeric ids')
  .transform((s) => (s === '' ? [] : s.split(',').map((id) => id.trim())));

const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const urlWithoutTrailingSlash = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .pipe(z.url({ protocol: /^https?$/ }))
    .transform((s) => s.replace(/\/+$/, ''));

const masterKey = z
  .string()
  .trim()
  .refine((s) => Buffer.from(s, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(s), {
    message: '32 random bytes in base64 (generate with: openssl rand -base64 32)',
  })
  .optional();

/** Every environment variable hedgestack reads; `.env.example` documents each one. */
export const envSchema = z.object({
  TRADING_MODE: z.enum(['paper', 'live']).default('paper'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^file:.+/, 'a SQLite URL such as file:./data/hedgestack.db')
    .optional(),
  MASTER_KEY: masterKey,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_LANGUAGE: z.enum(['en', 'zh']).default('en'),
  /** Show balances and positions only to the caller (Discord ephemeral replies). */
  PRIVATE_BALANCES: z.enum(['true', 'false']).default('false'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ADMIN_HOST: z.string().trim().min(1).default('127.0.0.1'),
  ADMIN_PASSWORD: optionalText,
  /** The TLS reverse proxy in front of the admin, trusted for X-Forwarded-Proto/-For (off when unset). */
  ADMIN_TRUST_PROXY: z
    .string()
    .trim()
    .regex(
      /^(loopback|uniquelocal|linklocal|[0-9a-fA-F.:]+(\/\d{1,3})?)(\s*,\s*(loopback|uniquelocal|linklocal|[0-9a-fA-F.:]+(\/\d{1,3})?))*$/,
      'loopback, or comma-separated proxy addresses/subnets such as 10.0.0.2 or 10.0.0.0/8',
    )
    .optional(),
  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_API_ROOT: urlWithoutTrailingSlash('https://api.telegram.org'),
  /** Webhook mode: the public HTTPS address Telegram posts updates to (long polling when unset). */
  TELEGRAM_WEBHOOK_URL: z
    .string()
    .trim()
    .transform((s) => (s === '' ? undefined : s))
    .pipe(z.url({ protocol: /^https$/ }).optional())
    .optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, '16 to 256 letters, digits, _ or -')
    .optional(),
  DISCORD_TOKEN: optionalText,
  DISCORD_APP_ID: z
    .string()
    .trim()
    .regex(/^(\d{5,25})?$/, 'a numeric Discord application id')
    .transform((s) => (s === '' ? undefined : s))
    .optional(),
  DISCORD_GUILD_ID: z
    .string()
    .trim()
    .regex(/^(\d{5,25})?$/, 'a numeric Discord guild id')
    .transform((s) => (s === '' ? undefined : s))
    .optional(),
  DISCORD_API_BASE: urlWithoutTrailingSlash('https://discord.com/api'),
  OWNER_TELEGRAM_IDS: idList.default([]),
  OWNER_DISCORD_IDS: idList.default([]),
  RECONCILE_CRON: z
    .string()
    .trim()
    .default('*/5 * * * *')
    .refine((s) => isCronExpression(s), 'a cron expression such as */5 * * * * (minute hour day month weekday)'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  mode: 'paper' | 'live';
  dataDir: string;
  databaseFile: string;
  masterKey: Buffer | undefined;
  logLevel: Env['LOG_LEVEL'];
  defaultLanguage: Env['DEFAULT_LANGUAGE'];
  privateBalances: boolean;
  http: { host: string; port: number };
  adminPassword: string | undefined;
  /** Express `trust proxy` value: the TLS proxy whose X-Forwarded-* headers are believed. */
  adminTrustProxy: string[] | undefined;
  telegram: {
    token: string | undefined;
    apiRoot: string;
    ownerIds: string[];
    /** Webhook mode; the secret is generated at start when not configured. */
    webhook: { url: string; secret: string | undefined } | undefined;
  };
  discord: {
    token: string | undefined;
    appId: string | undefined;
    guildId: string | undefined;
    apiBase: string;
    ownerIds: string[];
  };
  /** When the reconciliation job runs (node-cron expression). */
  reconcileCron: string;
}

/**
 * Reads the configuration once. A bad value throws a ConfigError whose message is one line
 * naming the variable, e.g. `PORT: expected a number between 0 and 65535 (got "abc")`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // `NAME=` in a .env file means "not set", as it does for most tools.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const got = env[name];
    throw new ConfigError(`${name}: ${issue?.message ?? 'invalid'}${describeGot(name, got)}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.DATA_DIR);
  const databaseFile = e.DATABASE_URL
    ? path.resolve(cwd, e.DATABASE_URL.replace(/^file:/, ''))
    : path.join(dataDir, 'hedgestack.db');
  if (e.DISCORD_TOKEN && !e.DISCORD_APP_ID) {
    throw new ConfigError('DISCORD_APP_ID: required when DISCORD_TOKEN is set');
  }
  return {
    mode: e.TRADING_MODE,
    dataDir,
    databaseFile,
    masterKey: e.MASTER_KEY ? Buffer.from(e.MASTER_KEY, 'base64') : undefined,
    logLevel: e.LOG_LEVEL,
    defaultLanguage: e.DEFAULT_LANGUAGE,
    privateBalances: e.PRIVATE_BALANCES === 'true',
    http: { host: e.ADMIN_HOST, port: e.PORT },
    adminPassword: e.ADMIN_PASSWORD,
    adminTrustProxy: e.ADMIN_TRUST_PROXY?.split(',').map((s) => s.trim()),
    telegram: {
      token: e.TELEGRAM_BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT,
      ownerIds: e.OWNER_TELEGRAM_IDS,
      webhook: e.TELEGRAM_WEBHOOK_URL ? { url: e.TELEGRAM_WEBHOOK_URL, secret: e.TELEGRAM_WEBHOOK_SECRET } : undefined,
    },
    discord: {
      token: e.DISCORD_TOKEN,
      appId: e.DISCORD_APP_ID,
      guildId: e.DISCORD_GUILD_ID,
      apiBase: e.DISCORD_API_BASE,
      ownerIds: e.OWNER_DISCORD_IDS,
    },
    reconcileCron: e.RECONCILE_CRON,
  };
}

const SECRET_VARIABLES = new Set([
  'MASTER_KEY',
  'ADMIN_PASSWORD',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'DISCORD_TOKEN',
]);

function describeGot(name: string, got: string | undefined): string {
  if (got === undefined || SECRET_VARIABLES.has(name)) return '';
  return ` (got ${JSON.stringify(got.length > 60 ? `${got.slice(0, 57)}...` : got)})`;
}

/** Loads `.env` from the working directory when present; real environment variables win. */
export function loadDotEnv(cwd = process.cwd()): void {
  const file = path.join(cwd, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}
