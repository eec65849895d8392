import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../../infra/db/client.ts';
import { masterKeyId } from './envelope.ts';
import { PENDING_KEY_FILE, promotePendingKey, writeKeyFile, type MasterKeys } from './master-key.ts';
import type { Vault } from './vault.ts';

/**
 * Re-seals every stored credential under `newKey` in one transaction. Everything is decrypted
 * first, so a record that cannot be opened aborts the rotation before anything is written.
 */
export async function resealAll(db: Db, vault: Vault, newKey: Buffer): Promise<number> {
  const rows = await db.account.findMany({
    where: { credentials: { not: null } },
    select: { id: true, credentials: true },
  });
  const changed = rows
    .map((r) => ({ id: r.id, before: r.credentials ?? '', after: vault.reseal(r.id, r.credentials ?? '', newKey) }))
    .filter((r) => r.after !== r.before);
  await db.$transaction(changed.map((r) => db.account.update({ where: { id: r.id }, data: { credentials: r.after } })));
  return changed.length;
}

export interface RotationResult {
  resealed: number;
  newKeyId: string;
}

/**
 * Rotates a file-held master key: the new key is written next to the old one first, records are
 * moved in one transaction, then the new key replaces the old. A crash at any point leaves both
 * keys on disk, and the next start finishes the move (see finishInterruptedRotation).
 */
export async function rotateFileMasterKey(
  db: Db,
  vault: Vault,
  keys: MasterKeys,
  dataDir: string,
): Promise<RotationResult> {
  const newKey = keys.pending ?? randomBytes(32);
  if (!keys.pending) writeKeyFile(path.join(dataDir, PENDING_KEY_FILE), newKey);
  const resealed = await resealAll(db, vault, newKey);
  promotePendingKey(dataDir);
  return { resealed, newKeyId: masterKeyId(newKey) };
}

export async function finishInterruptedRotation(
  db: Db,
  vault: Vault,
  keys: MasterKeys,
  dataDir: string,
): Promise<RotationResult | undefined> {
  if (!keys.pending) return undefined;
  return rotateFileMasterKey(db, vault, keys, dataDir);
}
