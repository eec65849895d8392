import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createApp, type App, type AppOptions } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { LOGGER_OPTIONS } from '../../src/infra/logger.ts';
import type { CallerRef } from '../../src/services/identity.ts';

export function tempDir(prefix = 'hedgestack-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A logger that keeps every line it writes, with the same redaction and scrubbing as production. */
export function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ ...LOGGER_OPTIONS, level: 'trace' }, stream);
  return { logger, lines };
}

export interface TestApp {
  app: App;
  config: Config;
  dataDir: string;
  logs: string[];
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  const dataDir = env['DATA_DIR'] ?? tempDir();
  return loadConfig({ PORT: '0', ...env, DATA_DIR: dataDir });
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: Partial<AppOptions> = {},
): Promise<TestApp> {
  const config = testConfig(env);
  const { logger, lines } = capturingLogger();
  const app = await createApp(config, { logger, ...options });
  return {
    app,
    config,
    dataDir: config.dataDir,
    logs: lines,
    async close() {
      await app.close();
      if (!env['DATA_DIR']) rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export const telegramUser = (id: string, locale?: string): CallerRef => ({
  platform: 'telegram',
  externalId: id,
  displayName: `tg ${id}`,
  locale,
});

/** Links a chat identity to a new user with a role and account grants. */
export async function grantUser(
  app: App,
  ref: CallerRef,
  role: 'owner' | 'trader' | 'viewer',
  accounts: string[] = [],
) {
  const { db } = app.services;
  const user = await db.user.create({
    data: { name: `${role} ${ref.externalId}`, role, grants: { create: accounts.map((accountId) => ({ accountId })) } },
  });
  await db.chatIdentity.upsert({
    where: { platform_externalId: { platform: ref.platform, externalId: ref.externalId } },
    create: { platform: ref.platform, externalId: ref.externalId, userId: user.id },
    update: { userId: user.id },
  });
  return user;
}
