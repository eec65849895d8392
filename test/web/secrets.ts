import { expect } from 'vitest';
import type { WebDesk } from './web-desk.ts';

/**
 * The credentials of every account the desk holds, plus those of accounts a test created and
 * deleted, must appear in no HTML response and no log line of the run.
 */
export async function expectNoSecretLeaks(web: WebDesk, created: string[]): Promise<void> {
  const { accounts } = web.desk.app.services;
  const secrets = new Set(created);
  for (const account of await accounts.list()) {
    if (!account.hasCredentials) continue;
    const c = await accounts.credentialsFor(account.id);
    for (const value of [c.apiKey, c.secret, c.passphrase]) if (value) secrets.add(value);
  }
  expect(secrets.size).toBeGreaterThan(0);
  expect(web.bodies.length).toBeGreaterThan(0);
  const logs = web.desk.desk.logs;
  for (const secret of secrets) {
    const inBody = web.bodies.findIndex((b) => b.includes(secret));
    expect(inBody, `a secret appeared in response #${inBody}`).toBe(-1);
    const inLog = logs.findIndex((l) => l.includes(secret));
    expect(inLog, `a secret appeared in log line ${logs[inLog] ?? ''}`).toBe(-1);
  }
}
