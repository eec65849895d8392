import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { VaultError } from '../../domain/errors.ts';

/**
 * AES-256-GCM envelopes for exchange credentials: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url).
 * The account id is the associated data, so a record copied onto another account fails to
 * decrypt instead of silently trading with the wrong key. keyId names the master key that
 * sealed it, which lets a rotation interrupted half-way be finished on the next start.
 */
const VERSION = 'v1';
const IV_BYTES = 12;

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function associatedData(accountId: string): Buffer {
  return Buffer.from(`hedgestack:account:${accountId}`, 'utf8');
}

export function seal(key: Buffer, accountId: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(accountId));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((b) => b.toString('base64url'));
  return [VERSION, masterKeyId(key), ...parts].join('.');
}

export function envelopeKeyId(envelope: string): string | undefined {
  const [version, keyId] = envelope.split('.');
  return version === VERSION ? keyId : undefined;
}

export function open(key: Buffer, accountId: string, envelope: string): string {
  const [version, , iv, tag, ciphertext, extra] = envelope.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined || extra !== undefined) {
    throw new VaultError('vault.malformed', { account: accountId });
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(associatedData(accountId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // GCM says only "unable to authenticate": the key is wrong or the record was altered.
    throw new VaultError('vault.undecryptable', { account: accountId });
  }
}
