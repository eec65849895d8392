import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { makePrivateDir } from './data-dir.ts';

/**
 * One process trades from a data directory. The lock file holds the owner's PID and the path of
 * its console socket, so a second `npm start` refuses (naming the PID) and `npm run console`
 * attaches to the running process instead of opening the database itself.
 */
export const LOCK_FILE = 'hedgestack.lock';

export interface LockInfo {
  pid: number;
  socket?: string | undefined;
}

export class LockHeldError extends Error {
  constructor(
    readonly holder: LockInfo,
    readonly dataDir: string,
  ) {
    super(
      `another hedgestack process (PID ${holder.pid}) is using ${dataDir}; stop it first, or use "npm run console" to talk to it`,
    );
    this.name = 'LockHeldError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
    return Number.isInteger(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The running process that holds the data directory, if any. */
export function liveLockHolder(dataDir: string): LockInfo | undefined {
  const info = readLock(dataDir);
  return info && isAlive(info.pid) && info.pid !== process.pid ? info : undefined;
}

export class DataDirLock {
  private constructor(
    readonly dataDir: string,
    private info: LockInfo,
  ) {}

  static acquire(dataDir: string): DataDirLock {
    makePrivateDir(dataDir);
    const file = path.join(dataDir, LOCK_FILE);
    const info: LockInfo = { pid: process.pid };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, JSON.stringify(info));
        closeSync(fd);
        return new DataDirLock(dataDir, info);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = readLock(dataDir);
        if (holder && isAlive(holder.pid) && holder.pid !== process.pid) throw new LockHeldError(holder, dataDir);
        unlinkSync(file); // left behind by a process that died
      }
    }
    throw new Error(`could not take the lock ${file}`);
  }

  /** Records the console socket so that `npm run console` can attach. */
  advertiseSocket(socket: string): void {
    this.info = { ...this.info, socket };
    const fd = openSync(path.join(this.dataDir, LOCK_FILE), 'w', 0o600);
    writeSync(fd, JSON.stringify(this.info));
    closeSync(fd);
  }

  release(): void {
    if (readLock(this.dataDir)?.pid !== process.pid) return;
    try {
      unlinkSync(path.join(this.dataDir, LOCK_FILE));
    } catch {
      // already gone
    }
  }
}
