import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../domain/errors.ts';
import { makePrivateDir } from '../../infra/data-dir.ts';
import { masterKeyId } from './envelope.ts';

export interface MasterKeys {
  /** The key new records are sealed with. */
  current: Buffer;
  /** Every key that may have sealed a stored record, by key id. */
  byId: Map<string, Buffer>;
  source: 'env' | 'file';
  /** A key written by a rotation that did not finish; records are being moved to it. */
  pending?: Buffer;
}

export const MASTER_KEY_FILE = 'master.key';
export const PENDING_KEY_FILE = 'master.key.next';

function readKeyFile(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(`${file}: not a 32-byte base64 master key`);
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return key;
}

export function writeKeyFile(file: string, key: Buffer): void {
  makePrivateDir(path.dirname(file));
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
}

/**
 * The master key comes from MASTER_KEY or, when that is absent, from `<dataDir>/master.key`,
 * generated once (mode 0600) and reused on every later start.
 */
export function loadMasterKeys(dataDir: string, fromEnv: Buffer | undefined): MasterKeys {
  const pendingFile = path.join(dataDir, PENDING_KEY_FILE);
  let current: Buffer;
  let source: MasterKeys['source'];
  if (fromEnv) {
    current = fromEnv;
    source = 'env';
  } else {
    const file = path.join(dataDir, MASTER_KEY_FILE);
    if (!existsSync(file)) writeKeyFile(file, randomBytes(32));
    current = readKeyFile(file);
    source = 'file';
  }
  const keys: MasterKeys = { current, byId: new Map([[masterKeyId(current), current]]), source };
  if (source === 'file' && existsSync(pendingFile)) {
    keys.pending = readKeyFile(pendingFile);
    keys.byId.set(masterKeyId(keys.pending), keys.pending);
  }
  return keys;
}

/** Makes the pending key the master key once every record has been moved to it. */
export function promotePendingKey(dataDir: string): void {
  renameSync(path.join(dataDir, PENDING_KEY_FILE), path.join(dataDir, MASTER_KEY_FILE));
}

export function discardPendingKey(dataDir: string): void {
  const file = path.join(dataDir, PENDING_KEY_FILE);
  if (existsSync(file)) unlinkSync(file);
}
