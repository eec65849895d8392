import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
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

/**
 * A host name by RFC 1123 (labels of letters, digits and inner hyphens, at most 253 characters).
 * A name whose last label is all digits is a mistyped IPv4 address, not a name (RFC 3696 §2):
 * `999.1.1.1` is neither.
 */
export function isHostname(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (/^\d+$/.test(labels.at(-1) ?? '')) return false;
  return labels.every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}

/** An address a server can bind to: an IPv4 or IPv6 literal, or a host name. */
export function isListenHost(value: string): boolean {
  return isIP(value) !== 0 || isHostname(value);
}

const listenHost = z
  .string()
  .trim()
  .min(1)
  .refine(isListenHost, 'an IP address (127.0.0.1, 0.0.0.0, ::1) or a host name such as localhost');

/** `name`, `name:port`, an IPv4 address with an optional port, `[IPv6]:port` or a bare IPv6 address. */
export function parseHostEntry(entry: string): { host: string; port?: number } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  const [host, port] = bracketed
    ? [bracketed[1] ?? '', bracketed[2]]
    : isIP(entry) === 6
      ? [entry, undefined]
      : (() => {
          const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(entry);
          return m ? [m[1] ?? '', m[2]] : ['', undefined];
        })();
  if (bracketed ? isIP(host) !== 6 : !isListenHost(host) || isIP(host) === 6) return undefined;
  const portNumber = port === undefined ? undefined : Number(port);
  if (portNumber !== undefined && (portNumber < 1 || portNumber > 65535)) return undefined;
  return { host: host.toLowerCase().replace(/\.$/, ''), ...(portNumber === undefined ? {} : { port: portNumber }) };
}

const commaList = (s: string) =>
  s
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** What Express's `trust proxy` accepts without throwing: a name, an address, or address/prefix. */
function isTrustedProxy(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Every environment variable hedgestack reads; `.env.example` documents each one. */
export const envSchema = z.object({
  TRADING_MODE: z.enum(['paper', 'live']).default('paper'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^file:(?!:memory:)[^?#]+$/, 'a SQLite URL such as file:./data/hedgestack.db (a file path, no ?options)')
    .optional(),
  MASTER_KEY: masterKey,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json`: one JSON object a line; `pretty`: colored lines for people. Unset: pretty on a terminal, else JSON. */
  LOG_FORMAT: z
    .enum(['json', 'pretty'], { error: 'json or pretty (unset: pretty on a terminal, JSON otherwise)' })
    .optional(),
  DEFAULT_LANGUAGE: z.enum(['en', 'zh']).default('en'),
  /** Show balances and positions only to the caller (Discord ephemeral replies). */
  PRIVATE_BALANCES: z.enum(['true', 'false']).default('false'),
  /** A leader fill the desk comes to later than this is not copied (alerted instead). */
  COPY_MAX_EVENT_AGE_SECONDS: z
    .string()
    .trim()
    .default('30')
    .refine((s) => /^\d{1,4}$/.test(s) && Number(s) >= 1 && Number(s) <= 3600, 'expected whole seconds, 1 to 3600')
    .transform(Number),
  PORT: z
    .string()
    .trim()
    .default('3000')
    .refine((s) => /^\d{1,5}$/.test(s) && Number(s) <= 65535, 'expected a number between 0 and 65535')
    .transform(Number),
  ADMIN_HOST: listenHost.default('127.0.0.1'),
  /** More names the admin answers to (Host header), e.g. the TLS proxy's public name; DNS rebinding is refused. */
  ADMIN_ALLOWED_HOSTS: z
    .string()
    .trim()
    .refine(
      (s) => commaList(s).every((entry) => parseHostEntry(entry) !== undefined),
      'comma-separated host names or addresses, each with an optional :port (desk.example.com, 10.0.0.5:3000)',
    )
    .transform(commaList)
    .optional(),
  ADMIN_PASSWORD: optionalText,
  /** The TLS reverse proxy in front of the admin, trusted for X-Forwarded-Proto/-For (off when unset). */
  ADMIN_TRUST_PROXY: z
    .string()
    .trim()
    .refine(
      (s) => commaList(s).length > 0 && commaList(s).every(isTrustedProxy),
      'loopback, or comma-separated proxy addresses/subnets such as 10.0.0.2 or 10.0.0.0/8',
    )
    .optional(),
  /** Bearer token that unlocks /healthz's per-account detail for a monitor (an admin session does too). */
  HEALTHZ_TOKEN: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, '16 to 256 letters, digits or ._~+/=- (generate with: openssl rand -hex 32)')
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
  /** LOG_FORMAT; undefined: decided by whether the log goes to a terminal. */
  logFormat: Env['LOG_FORMAT'];
  defaultLanguage: Env['DEFAULT_LANGUAGE'];
  privateBalances: boolean;
  /** The copy window (COPY_MAX_EVENT_AGE_SECONDS), in ms. */
  copyMaxEventAgeMs: number;
  http: { host: string; port: number };
  adminPassword: string | undefined;
  /** Express `trust proxy` value: the TLS proxy whose X-Forwarded-* headers are believed. */
  adminTrustProxy: string[] | undefined;
  /** Host names (optionally with :port) the admin answers to besides ADMIN_HOST and loopback. */
  adminAllowedHosts: string[];
  /** Bearer token for /healthz's per-account detail; undefined: only an admin session gets it. */
  healthzToken: string | undefined;
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
  checkDirectory('DATA_DIR', dataDir);
  checkDatabaseFile(e.DATABASE_URL ? 'DATABASE_URL' : 'DATA_DIR', databaseFile);
  return {
    mode: e.TRADING_MODE,
    dataDir,
    databaseFile,
    masterKey: e.MASTER_KEY ? Buffer.from(e.MASTER_KEY, 'base64') : undefined,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    defaultLanguage: e.DEFAULT_LANGUAGE,
    privateBalances: e.PRIVATE_BALANCES === 'true',
    copyMaxEventAgeMs: e.COPY_MAX_EVENT_AGE_SECONDS * 1000,
    http: { host: e.ADMIN_HOST, port: e.PORT },
    adminPassword: e.ADMIN_PASSWORD,
    adminTrustProxy: e.ADMIN_TRUST_PROXY === undefined ? undefined : commaList(e.ADMIN_TRUST_PROXY),
    adminAllowedHosts: e.ADMIN_ALLOWED_HOSTS ?? [],
    healthzToken: e.HEALTHZ_TOKEN,
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
  'HEALTHZ_TOKEN',
]);

/** The nearest path at or above `target` that exists, and whether it is a directory. */
function nearestExisting(name: string, target: string): { at: string; directory: boolean } {
  for (let at = target; ; at = path.dirname(at)) {
    try {
      return { at, directory: statSync(at).isDirectory() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(at) === at)
        throw new ConfigError(`${name}: ${at} cannot be read (${code ?? 'error'})`);
    }
  }
}

/** The directory exists, or can be created: nothing on its path is a file. Read-only: creates nothing. */
function checkDirectory(name: string, dir: string): void {
  const { at, directory } = nearestExisting(name, dir);
  if (directory) return;
  throw new ConfigError(
    at === dir ? `${name}: ${dir} is a file, not a directory` : `${name}: ${dir} cannot be created: ${at} is a file`,
  );
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0');

/** The database file is absent (it will be created), empty, or a SQLite database. */
function checkDatabaseFile(name: string, file: string): void {
  checkDirectory(name, path.dirname(file));
  const { at, directory } = nearestExisting(name, file);
  if (at !== file) return;
  if (directory) throw new ConfigError(`${name}: ${file} is a directory, not a SQLite database file`);
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let read: number;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new ConfigError(`${name}: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (read > 0 && !head.equals(SQLITE_HEADER)) throw new ConfigError(`${name}: ${file} is not a SQLite database`);
}

function describeGot(name: string, got: string | undefined): string {
  if (got === undefined || SECRET_VARIABLES.has(name)) return '';
  return ` (got ${JSON.stringify(got.length > 60 ? `${got.slice(0, 57)}...` : got)})`;
}

/** Loads `.env` from the working directory when present; real environment variables win. */
export function loadDotEnv(cwd = process.cwd()): void {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return;
  try {
    process.loadEnvFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`.env: ${file} cannot be read (${e.code ?? e.message})`);
  }
}
