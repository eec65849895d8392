import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StreamSupervisor } from '../../src/services/streams/supervisor.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { FAST_STREAMS } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

const FAST = FAST_STREAMS;

let desk: TestApp;
beforeEach(async () => {
  desk = await startTestApp({}, { streamTiming: FAST });
});
afterEach(async () => desk.close());

describe('stream supervisor', () => {
  it('retries an account whose watcher cannot start, without touching the others', async () => {
    const { exchanges, bus, logger, accounts } = desk.app.services;
    let refusals = 2;
    const supervisor = new StreamSupervisor({
      clients: {
        for: (id) => (id === 'f1' && refusals-- > 0 ? Promise.reject(new Error('exchange down')) : exchanges.for(id)),
      },
      bus,
      logger,
      listAccounts: () => accounts.list(),
      timing: FAST,
    });
    const f1: string[] = [];
    bus.on('stream', (e) => {
      if (e.accountId === 'f1') f1.push(`${e.health}${e.reason ? `: ${e.reason}` : ''}`);
    });
    await supervisor.start();
    await waitFor(() => supervisor.status('lead')?.health === 'live');
    await waitFor(() => supervisor.status('f1')?.health === 'live');
    expect(refusals).toBeLessThan(0);
    // Refused twice (reported each time, with the reason), then watched like the others.
    expect(f1.filter((h) => h === 'stopped: exchange down')).toHaveLength(2);
    expect(f1.at(-1)).toBe('live');
    await supervisor.stop();
  });

  it('does not watch a disabled account, and stops watching one whose key is rejected', async () => {
    const { streams, accounts, exchanges, paper, bus } = desk.app.services;
    const alerts: string[] = [];
    bus.on('alert', (e) => {
      alerts.push(`${e.category}:${e.key}:${e.accountId ?? ''}`);
    });
    await accounts.setStatus('sub_b', 'DISABLED', 'paused by the owner');
    await desk.app.start();
    await waitFor(() => streams.status('lead')?.health === 'live');
    expect(streams.status('sub_b')).toBeUndefined();

    paper?.emulator.fault('f1', {
      endpoint: 'GET /api/v3/account',
      failNext: { count: 1, httpStatus: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    });
    await (await exchanges.for('f1')).fetchBalance().catch(() => undefined);
    await waitFor(() => streams.status('f1') === undefined);
    expect((await accounts.get('f1')).status).toBe('DISABLED');
    expect(alerts).toContain('account:alerts.account_disabled:f1');
    expect(streams.status('lead')?.health).toBe('live');
  });
});
