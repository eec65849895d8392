import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertSender } from '../../src/services/alerts/alert-service.ts';
import { AlertService } from '../../src/services/alerts/alert-service.ts';
import { startTestApp, telegramUser, grantUser, type TestApp } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

/** A chat platform stand-in: records what it was sent and when, and can be down. */
class RecordingSender implements AlertSender {
  readonly platform = 'telegram' as const;
  readonly sent: { destination: string; text: string; at: number }[] = [];
  down = false;
  attempts = 0;
  constructor(private readonly intervalMs: number) {}
  send(destination: string, text: string): Promise<void> {
    this.attempts++;
    if (this.down) return Promise.reject(new Error('502 Bad Gateway'));
    this.sent.push({ destination, text, at: Date.now() });
    return Promise.resolve();
  }
  minIntervalMs(): number {
    return this.intervalMs;
  }
}

let desk: TestApp;
let alerts: AlertService;
let sender: RecordingSender;

beforeEach(async () => {
  desk = await startTestApp({}, {});
  const { db, bus, logger } = desk.app.services;
  alerts = new AlertService({ db, bus, logger, gatherMs: 30, retryInitialMs: 20, retryMaxMs: 50, dedupeMs: 10_000 });
  await alerts.start();
  sender = new RecordingSender(60);
  alerts.registerSender(sender);
});
afterEach(async () => {
  alerts.stop();
  await desk.close();
});

const copyFailure = (follower: string) => ({
  category: 'copy',
  severity: 'warning' as const,
  key: 'alerts.order_failed',
  params: { account: follower, clientOrderId: `hs1c-${follower}`, reason: 'exchange.insufficient_funds' },
});

describe('push alerts', () => {
  it('a burst becomes one message, and nothing is lost', async () => {
    await alerts.subscribe('telegram', '100', { categories: '*', minSeverity: 'info', language: 'en' });
    for (const f of ['f1', 'f2', 'f3', 'f4', 'f5']) alerts.publish(copyFailure(f));
    await waitFor(() => sender.sent.length === 1);
    const text = sender.sent[0]?.text ?? '';
    expect(text).toMatch(/^🟠 5 copy alerts in \d+ s:/);
    for (const f of ['f1', 'f2', 'f3', 'f4', 'f5']) expect(text).toContain(`Account ${f}: order hs1c-${f} failed`);
  });

  it('messages to one chat keep the platform pace', async () => {
    await alerts.subscribe('telegram', '100', { categories: '*', minSeverity: 'info', language: 'en' });
    for (const category of ['copy', 'tpsl', 'risk_limit']) alerts.publish({ ...copyFailure(category), category });
    await waitFor(() => sender.sent.length === 3);
    const gaps = sender.sent.slice(1).map((m, i) => m.at - (sender.sent[i]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(55);
  });

  it('while the platform is down, trading is not held up and alerts wait; after recovery they arrive', async () => {
    await alerts.subscribe('telegram', '100', { categories: '*', minSeverity: 'info', language: 'en' });
    sender.down = true;
    // publish hands the alert to the chat's queue and returns: nothing to await, nothing to block.
    expect(alerts.publish(copyFailure('f1'))).toBeUndefined();
    alerts.publish({ ...copyFailure('f2'), category: 'tpsl' });
    await waitFor(() => sender.attempts >= 3);
    expect(sender.sent).toEqual([]);
    expect(alerts.subscription('telegram', '100')?.pending).toBe(2);
    sender.down = false;
    await waitFor(() => sender.sent.length === 2);
    expect(sender.sent.map((m) => m.text).join('\n')).toMatch(/f1[\s\S]*f2/);
  });

  it('repeats are folded into one line with a count', async () => {
    await alerts.subscribe('telegram', '100', { categories: '*', minSeverity: 'info', language: 'en' });
    sender.down = true;
    alerts.publish(copyFailure('f1'));
    alerts.publish(copyFailure('f1'));
    alerts.publish(copyFailure('f1'));
    await new Promise((r) => setTimeout(r, 50));
    sender.down = false;
    await waitFor(() => sender.sent.length === 1);
    expect(sender.sent[0]?.text).toContain('(repeated 3×)');
  });

  it('each chat gets only its categories and severities, in its own language', async () => {
    await alerts.subscribe('telegram', 'zh-chat', { categories: ['tpsl'], minSeverity: 'warning', language: 'zh' });
    await alerts.subscribe('telegram', 'all', { categories: '*', minSeverity: 'critical', language: 'en' });
    alerts.publish({ ...copyFailure('f1'), category: 'tpsl' });
    alerts.publish({ ...copyFailure('f2'), category: 'copy' });
    alerts.publish({ ...copyFailure('f3'), category: 'tpsl', severity: 'info' });
    await waitFor(() => sender.sent.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]).toMatchObject({ destination: 'zh-chat' });
    expect(sender.sent[0]?.text).toContain('账户 f1：订单');
  });

  it('a stream going down and coming back is reported once each', async () => {
    await alerts.subscribe('telegram', '100', { categories: ['stream'], minSeverity: 'info', language: 'en' });
    const { bus } = desk.app.services;
    bus.emit({ type: 'stream', accountId: 'sub_a', health: 'polling', reason: 'socket closed' });
    bus.emit({ type: 'stream', accountId: 'sub_a', health: 'live', reason: undefined });
    bus.emit({ type: 'stream', accountId: 'sub_a', health: 'live', reason: undefined });
    await waitFor(() => sender.sent.length >= 1);
    await new Promise((r) => setTimeout(r, 150));
    const text = sender.sent.map((m) => m.text).join('\n');
    expect(text).toContain('Account sub_a: its exchange stream is down (socket closed)');
    expect(text.match(/stream is back/g)).toHaveLength(1);
  });
});

describe('/alerts', () => {
  it('subscribes the chat it is sent in, reports status, and turns off', async () => {
    const trader = { ...telegramUser('555'), chat: { id: '-100200', group: true } };
    await grantUser(desk.app, trader, 'trader');
    const say = async (line: string) => (await desk.app.dispatcher.handleLine(trader, line))?.text ?? '';
    expect(await say('/alerts')).toBe('This chat receives no alerts. /alerts on turns them on.');
    expect(await say('/alerts on copy,tpsl warning')).toBe(
      'This chat now receives alerts: copy, tpsl, from warning up.',
    );
    expect(await say('/alerts status')).toContain('copy,tpsl, from warning up; 0 waiting');
    expect(await say('/alerts off')).toBe('Alerts are off for this chat.');
    expect(await desk.app.services.db.alertSubscription.count()).toBe(0);
  });

  it('the console has no chat to send alerts to, and says so', async () => {
    const reply = await desk.app.dispatcher.handleLine({ platform: 'console', externalId: 'local' }, '/alerts on');
    expect(reply?.text).toBe('Alerts go to a Telegram or Discord chat: send this command there.');
  });
});

describe('engine alerts', () => {
  it('starting and stopping copy trading is announced once each', async () => {
    const seen: string[] = [];
    desk.app.services.bus.on('alert', (e) => {
      seen.push(e.key);
    });
    await desk.app.services.copy.setRunning(true);
    await desk.app.services.copy.setRunning(true);
    await desk.app.services.copy.setRunning(false);
    expect(seen).toEqual(['alerts.copy_started', 'alerts.copy_stopped']);
  });
});
