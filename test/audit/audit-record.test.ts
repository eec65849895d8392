import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSecret } from '../../src/infra/secret-scrubber.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

let desk: TestApp;

beforeAll(async () => {
  desk = await startTestApp();
});
afterAll(async () => {
  await desk.close();
});

describe('what an audit row keeps', () => {
  it('never a credential the vault handled: not in a parameter, a list or the detail, even one JSON would escape', async () => {
    const plain = 'auditSecretPlain0001';
    const quoted = 'audit"Secret\\Quoted0002';
    registerSecret(plain);
    registerSecret(quoted);
    await desk.app.services.audit.record({
      platform: 'web',
      externalId: 'admin',
      command: 'accounts.rotate',
      accountId: 'main',
      outcome: 'refused',
      detail: `typed ${plain}`,
      facts: {
        reason: { key: 'web.accounts.credentials_invalid', params: { field: 'secret', problem: quoted } },
        change: [{ key: 'audit.web.invalid_fields', params: { fields: ['apiKey', `x${plain}x`] } }],
      },
    });
    const row = await desk.app.services.db.auditLog.findFirstOrThrow({ where: { command: 'accounts.rotate' } });
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(plain);
    expect(stored).not.toContain(JSON.stringify(quoted).slice(1, -1));
    expect(row.detail).toBe('typed [redacted]');
    expect(JSON.parse(row.facts ?? '{}')).toEqual({
      reason: { key: 'web.accounts.credentials_invalid', params: { field: 'secret', problem: '[redacted]' } },
      change: [{ key: 'audit.web.invalid_fields', params: { fields: ['apiKey', 'x[redacted]x'] } }],
    });
  });
});
