import { loadConfig, loadDotEnv, envSchema } from '../config/index.ts';
import { ConfigError } from '../domain/errors.ts';
import { openDatabase } from '../infra/db/client.ts';
import { DataDirLock, LockHeldError } from '../infra/lock.ts';
import { loadMasterKeys } from '../services/vault/master-key.ts';
import { resealAll, rotateFileMasterKey } from '../services/vault/rotation.ts';
import { Vault } from '../services/vault/vault.ts';

/**
 * `npm run vault:rotate`: re-encrypts every stored credential under a new master key.
 * With the key in <DATA_DIR>/master.key a new one is generated and replaces it. With MASTER_KEY
 * in the environment, the new key must be given as NEW_MASTER_KEY (it is never printed); set
 * MASTER_KEY to it before the next start. hedgestack must be stopped while this runs.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const lock = DataDirLock.acquire(config.dataDir);
  try {
    const keys = loadMasterKeys(config.dataDir, config.masterKey);
    const { db } = await openDatabase(config.databaseFile);
    const vault = new Vault(keys);
    try {
      if (keys.source === 'file') {
        const { resealed, newKeyId } = await rotateFileMasterKey(db, vault, keys, config.dataDir);
        console.log(
          `vault: re-encrypted ${resealed} account(s) under new master key ${newKeyId}; ${config.dataDir}/master.key replaced.`,
        );
      } else {
        const parsed = envSchema.shape.MASTER_KEY.safeParse(process.env['NEW_MASTER_KEY']);
        if (!parsed.success || !parsed.data) {
          throw new ConfigError(
            'NEW_MASTER_KEY: set it to the new key (32 random bytes in base64: openssl rand -base64 32) to rotate a MASTER_KEY from the environment',
          );
        }
        const newKey = Buffer.from(parsed.data, 'base64');
        const resealed = await resealAll(db, vault, newKey);
        console.log(
          `vault: re-encrypted ${resealed} account(s). Now set MASTER_KEY to the value of NEW_MASTER_KEY before starting hedgestack.`,
        );
      }
    } finally {
      await db.$disconnect();
    }
  } finally {
    lock.release();
  }
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof LockHeldError;
  console.error(`vault:rotate: ${known || err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
