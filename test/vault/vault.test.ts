import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../src/domain/errors.ts';
import { open, seal } from '../../src/services/vault/envelope.ts';
import { loadMasterKeys, PENDING_KEY_FILE } from '../../src/services/vault/master-key.ts';
import { rotateFileMasterKey } from '../../src/services/vault/rotation.ts';
import { Vault } from '../../src/services/vault/vault.ts';
import { startTestApp, tempDir, type TestApp } from '../support/harness.ts';

const creds = { apiKey: 'AKIAEXAMPLEKEY00001234', secret: 'S3cr3t-abcdefghijklmnop-wxyz' };

function flipByte(envelope: string, partIndex: number): string {
  const parts = envelope.split('.');
  const bytes = Buffer.from(parts[partIndex] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

describe('AES-256-GCM envelopes', () => {
  const key = randomBytes(32);

  it('round-trips, with a fresh IV every time', () => {
    const a = seal(key, 'sub_a', 'hello');
    const b = seal(key, 'sub_a', 'hello');
    expect(a).not.toBe(b);
    expect(open(key, 'sub_a', a)).toBe('hello');
  });

  it('refuses the wrong master key', () => {
    expect(() => open(randomBytes(32), 'sub_a', seal(key, 'sub_a', 'x'))).toThrow(VaultError);
  });

  it('refuses a flipped byte in the ciphertext, the IV or the tag', () => {
    const envelope = seal(key, 'sub_a', 'some credentials');
    for (const part of [2, 3, 4]) expect(() => open(key, 'sub_a', flipByte(envelope, part))).toThrow(VaultError);
  });

  it('binds the record to its account: copied onto another account it does not open', () => {
    expect(() => open(key, 'sub_b', seal(key, 'sub_a', 'x'))).toThrow(/vault.undecryptable/);
  });
});

describe('master key', () => {
  it('is generated once into the data directory with mode 0600, then reused', () => {
    const dir = tempDir();
    const first = loadMasterKeys(dir, undefined);
    const file = path.join(dir, 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadMasterKeys(dir, undefined).current.equals(first.current)).toBe(true);
    expect(first.source).toBe('file');
  });

  it('comes from MASTER_KEY when set, and then no file is written', () => {
    const dir = tempDir();
    const keys = loadMasterKeys(dir, randomBytes(32));
    expect(keys.source).toBe('env');
    expect(existsSync(path.join(dir, 'master.key'))).toBe(false);
  });
});

describe('vault in the app', () => {
  let t: TestApp;
  afterEach(async () => t.close());

  it('stores credentials encrypted and decrypts them only on request', async () => {
    t = await startTestApp({ TRADING_MODE: 'live' });
    const { accounts, db } = t.app.services;
    await accounts.create({ id: 'acc', name: 'A', exchange: 'binance', market: 'spot', env: 'testnet' }, creds);
    const row = await db.account.findUniqueOrThrow({ where: { id: 'acc' } });
    expect(row.credentials).toMatch(/^v1\./);
    expect(row.credentials).not.toContain(creds.secret);
    expect(row.apiKeyHint).toBe('1234');
    expect(await accounts.credentialsFor('acc')).toEqual(creds);
    expect(JSON.stringify(await accounts.get('acc'))).not.toContain('v1.');
  });

  it('with a different master key, decryption fails with a message naming the account', async () => {
    t = await startTestApp({ TRADING_MODE: 'live' });
    await t.app.services.accounts.create(
      { id: 'acc', name: 'A', exchange: 'binance', market: 'spot', env: 'testnet' },
      creds,
    );
    const other = new Vault(loadMasterKeys(tempDir(), randomBytes(32)));
    const row = await t.app.services.db.account.findUniqueOrThrow({ where: { id: 'acc' } });
    expect(() => other.open('acc', row.credentials ?? '')).toThrow(VaultError);
  });

  it('rotation re-encrypts every record; the old key no longer opens them', async () => {
    t = await startTestApp();
    const { db, vault, accounts } = t.app.services;
    const before = await db.account.findMany({ orderBy: { id: 'asc' } });
    const oldKey = readFileSync(path.join(t.dataDir, 'master.key'), 'utf8');
    const plain = await Promise.all(before.map((a) => accounts.credentialsFor(a.id)));

    const keys = loadMasterKeys(t.dataDir, undefined);
    const result = await rotateFileMasterKey(db, vault, keys, t.dataDir);
    expect(result.resealed).toBe(before.length);

    const after = await db.account.findMany({ orderBy: { id: 'asc' } });
    const newVault = new Vault(loadMasterKeys(t.dataDir, undefined));
    expect(readFileSync(path.join(t.dataDir, 'master.key'), 'utf8')).not.toBe(oldKey);
    expect(existsSync(path.join(t.dataDir, PENDING_KEY_FILE))).toBe(false);
    for (const [i, a] of after.entries()) {
      expect(a.credentials).not.toBe(before[i]?.credentials);
      expect(newVault.open(a.id, a.credentials ?? '')).toEqual(plain[i]);
      const oldOnly = Buffer.from(oldKey.trim(), 'base64');
      expect(() => open(oldOnly, a.id, a.credentials ?? '')).toThrow(VaultError);
    }
  });

  it('a rotation interrupted after writing the new key is finished on the next start', async () => {
    const dataDir = tempDir();
    t = await startTestApp({ DATA_DIR: dataDir });
    const plain = await t.app.services.accounts.credentialsFor('main');
    await t.app.close();
    const newKey = randomBytes(32);
    writeFileSync(path.join(dataDir, PENDING_KEY_FILE), `${newKey.toString('base64')}\n`, { mode: 0o600 });

    t = await startTestApp({ DATA_DIR: dataDir });
    expect(t.logs.join('')).toContain('finished a master-key rotation');
    expect(readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim()).toBe(newKey.toString('base64'));
    expect(await t.app.services.accounts.credentialsFor('main')).toEqual(plain);
  });
});
