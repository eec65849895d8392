import { pino, type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import { scrubSecrets } from './secret-scrubber.ts';

export type { Logger };

/** Field names that may hold a secret anywhere in a log object, at any of the first levels. */
const SECRET_FIELDS = [
  'apiKey',
  'secret',
  'passphrase',
  'password',
  'credentials',
  'masterKey',
  'token',
  'authorization',
  'signature',
  'cookie',
];

const SECRET_HEADERS = ['X-MBX-APIKEY', 'ACCESS-KEY', 'ACCESS-PASSPHRASE', 'ACCESS-SIGN'].flatMap((h) => [
  h,
  h.toLowerCase(),
]);

export const REDACT_PATHS = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  ...SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`]),
];

/** Options shared by every logger the program builds, tests included. */
export const LOGGER_OPTIONS: PinoOptions = {
  base: { app: 'hedgestack' },
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  timestamp: pino.stdTimeFunctions.isoTime,
  hooks: { streamWrite: scrubSecrets },
};

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout by default. The console writes its logs to stderr. */
  destination?: DestinationStream;
}

/**
 * Structured JSON logs. Secret-bearing fields are replaced by `[redacted]`, and any credential the
 * vault has handled is scrubbed from the finished line, wherever it appears.
 */
export function createLogger({ level, destination }: LoggerOptions): Logger {
  return pino({ ...LOGGER_OPTIONS, level }, destination ?? pino.destination({ dest: 1, sync: false }));
}
