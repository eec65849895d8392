import { pino, type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import pretty from 'pino-pretty';
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

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  /** 1 (stdout, the default) or 2 (stderr: the console keeps stdout for replies). */
  fd?: 1 | 2;
  /** LOG_FORMAT; undefined: pretty when the log goes to a terminal, else JSON. */
  format?: LogFormat | undefined;
  /** Where JSON lines go instead of `fd` (tests). */
  destination?: DestinationStream;
}

/** Colored lines for a person at a terminal; JSON for everything that reads logs as data. */
export function logFormatFor(fd: 1 | 2, format: LogFormat | undefined): LogFormat {
  if (format) return format;
  return (fd === 1 ? process.stdout : process.stderr).isTTY ? 'pretty' : 'json';
}

/**
 * Structured logs: JSON lines, or pino-pretty's colored lines on a terminal. Secret-bearing fields
 * are replaced by `[redacted]`, and any credential the vault has handled is scrubbed from the
 * finished line, wherever it appears — before either format writes it.
 */
export function createLogger({ level, fd = 1, format, destination }: LoggerOptions): Logger {
  if (destination) return pino({ ...LOGGER_OPTIONS, level }, destination);
  if (logFormatFor(fd, format) === 'pretty') {
    const stream = pretty({
      destination: fd,
      // A terminal is read as it scrolls: written at once, so nothing is lost at exit.
      sync: true,
      colorize: (fd === 1 ? process.stdout : process.stderr).isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,app',
    });
    return pino({ ...LOGGER_OPTIONS, level }, stream);
  }
  return pino({ ...LOGGER_OPTIONS, level }, pino.destination({ dest: fd, sync: fd === 2 }));
}
