import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExchangeClients, type ExchangeClientsOptions } from '../../src/exchange/clients.ts';
import type { ExchangeId, MarketKind } from '../../src/exchange/types.ts';
import type { PaperUrls } from '../../src/exchange/venue.ts';
import { openDatabase } from '../../src/infra/db/client.ts';
import { AccountService } from '../../src/services/accounts.ts';
import { Vault } from '../../src/services/vault/vault.ts';
import { masterKeyId } from '../../src/services/vault/envelope.ts';
import { capturingLogger } from '../support/harness.ts';

/**
 * The exchange layer as the desk uses it: real accounts (SQLite + vault) and the client
 * registry, without the rest of the app.
 */
export interface Desk {
  clients: ExchangeClients;
  accounts: AccountService;
  logs: string[];
  addAccount(
    id: string,
    exchange: ExchangeId,
    market: MarketKind,
    credentials?: TestCredentials,
  ): Promise<TestCredentials>;
  close(): Promise<void>;
}

export interface TestCredentials {
  apiKey: string;
  secret: string;
  passphrase?: string;
}

export function credentialsFor(id: string, exchange: ExchangeId): TestCredentials {
  return {
    apiKey: `apikey${id}A1b2C3d4E5`,
    secret: `secret${id}Z9y8X7w6V5u4`,
    ...(exchange === 'bitget' ? { passphrase: `pass${id}Q1` } : {}),
  };
}

export async function startDesk(paper: PaperUrls, options: Partial<ExchangeClientsOptions> = {}): Promise<Desk> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hedgestack-exchange-'));
  const { db } = await openDatabase(path.join(dir, 'test.db'));
  const key = randomBytes(32);
  const vault = new Vault({ current: key, byId: new Map([[masterKeyId(key), key]]), source: 'env' });
  const accounts = new AccountService(db, vault);
  const { logger, lines } = capturingLogger();
  const clients = new ExchangeClients({ accounts, logger, paper, ...options });
  return {
    clients,
    accounts,
    logs: lines,
    async addAccount(id, exchange, market, credentials = credentialsFor(id, exchange)) {
      await accounts.create({ id, name: `test ${id}`, exchange, market, env: 'paper' }, credentials);
      return credentials;
    },
    async close() {
      await clients.close();
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
