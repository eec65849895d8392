import { chmodSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import { ConfigError } from '../domain/errors.ts';

/**
 * The data directory holds the database, the master key, the paper exchange and the console
 * socket: it is its owner's alone (0700), and so is every file the desk writes in it (0600).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the directory (and any missing parent) 0700; an existing one is left as it is. A
 * directory that cannot be created is a configuration error naming `variable`.
 */
export function makePrivateDir(dir: string, variable = 'DATA_DIR'): void {
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`${variable}: ${dir} cannot be created (${code})`);
  }
  // mkdir's mode passes through the umask, which may also take bits from the owner.
  if (created !== undefined) chmodSync(dir, PRIVATE_DIR_MODE);
}

/**
 * The warning for a directory others may read or enter (mode & 0o077), naming it and the fix;
 * undefined when it is private. The desk does not change a directory it did not create: the
 * owner may have reasons (a shared volume); it says so instead.
 */
export function looseDirWarning(dir: string): string | undefined {
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `data directory ${dir} is open to other users (mode ${mode.toString(8).padStart(4, '0')}): it holds the database and the master key; run: chmod 700 ${dir}`;
}

/** Takes group and other bits off a file the desk writes (one an older version left 0644); absent is fine. */
export function tightenFile(file: string): void {
  let mode: number;
  try {
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) return;
    mode = stat.mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((mode & 0o077) !== 0) chmodSync(file, PRIVATE_FILE_MODE);
}
