import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CALLER } from '../src/app.ts';
import { argShapes } from '../src/commands/args.ts';
import { COMMANDS } from '../src/commands/catalog/index.ts';
import { leafCommands } from '../src/commands/types.ts';
import { startHedgestack, type Running } from '../src/runtime.ts';
import { capturingLogger, grantUser, telegramUser, testConfig } from './support/harness.ts';

const CANARY = {
  apiKey: 'canaryApiKey0000000000000000000000000000KEY1',
  secret: 'canarySecret9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
  passphrase: 'canaryPassphrase77',
};
const SECRET_PARTS = [CANARY.apiKey, CANARY.secret, CANARY.passphrase];

/**
 * Runs the whole desk — start-up, every declared command for every kind of caller, confirmations,
 * failures, logging of credential-bearing objects — and then searches every output for the
 * secrets: the log, the audit table, each reply, /healthz and the raw database files.
 */
describe('a stored secret never leaks', () => {
  let running: Running;
  const replies: string[] = [];
  const { logger, lines } = capturingLogger();
  const config = testConfig();

  beforeAll(async () => {
    running = await startHedgestack(config, { logger });
    const { accounts } = running.app.services;
    const canary = await accounts.create(
      { id: 'canary', name: 'Canary', exchange: 'bitget', market: 'spot', env: 'paper' },
      CANARY,
    );
    // The canary trades on the paper exchange, so every command below really signs with it.
    await running.app.services.paper?.register(canary);

    // Code paths that hold credentials log objects that contain them; redaction must catch it.
    const creds = await accounts.credentialsFor('canary');
    logger.info({ account: 'canary', credentials: creds }, 'built exchange client');
    logger.debug(
      { request: { headers: { 'ACCESS-KEY': creds.apiKey, 'ACCESS-PASSPHRASE': creds.passphrase } }, ...creds },
      'signed request',
    );

    const trader = telegramUser('777');
    await grantUser(running.app, trader, 'trader', ['canary']);
    const callers = [CONSOLE_CALLER, trader, telegramUser('888', 'zh-CN')];
    for (const caller of callers) {
      for (const def of leafCommands(COMMANDS)) {
        const firstChoices = argShapes(def).map((a) => a.choices?.[0] ?? 'canary');
        for (const line of [
          `/${def.name}`,
          `/${def.name} canary`,
          `/${def.name} ${firstChoices.join(' ')}`,
          `/${def.name} x y z w`,
        ]) {
          const reply = await running.app.dispatcher.handleLine(caller, line);
          replies.push(reply?.text ?? '', JSON.stringify(reply?.buttons ?? []));
        }
      }
    }
    const health = await fetch(`${running.httpUrl}/healthz`);
    replies.push(await health.text());
  });

  afterAll(async () => running.stop());

  it('the secrets were really stored and are usable', async () => {
    expect(await running.app.services.accounts.credentialsFor('canary')).toEqual(CANARY);
    expect(replies.join('\n')).toContain('canary');
    expect(replies.join('\n')).toContain('••••'); // /accounts shows the key masked
    expect(replies.join('\n')).toContain('canary (bitget spot paper)'); // /balance signed with them
  });

  it('not in the logs (which did record the attempts, redacted)', () => {
    const log = lines.join('');
    expect(log).toContain('built exchange client');
    expect(log).toContain('[redacted]');
    for (const s of SECRET_PARTS) expect(log).not.toContain(s);
  });

  it('not in any reply or in /healthz', () => {
    const all = replies.join('\n');
    for (const s of SECRET_PARTS) expect(all).not.toContain(s);
  });

  it('not in the audit table', async () => {
    const rows = JSON.stringify(await running.app.services.db.auditLog.findMany());
    expect(rows.length).toBeGreaterThan(100);
    for (const s of SECRET_PARTS) expect(rows).not.toContain(s);
  });

  it('not in plain text anywhere in the database files', () => {
    for (const file of readdirSync(config.dataDir).filter((f) => f.startsWith('hedgestack.db'))) {
      const bytes = readFileSync(path.join(config.dataDir, file));
      for (const s of SECRET_PARTS) expect(bytes.includes(Buffer.from(s)), `${file} holds a secret`).toBe(false);
    }
  });
});
