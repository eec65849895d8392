import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleSession } from '../../src/adapters/console/session.ts';
import { CONSOLE_CALLER } from '../../src/app.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import type { ExchangeOrder } from '../../src/exchange/types.ts';
import type { DeskEvent } from '../../src/services/events.ts';
import { FAST_STREAMS } from '../support/paper-desk.ts';
import { startTestApp, tempDir, type TestApp } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Managing followers and their failures end to end: console lines, real ccxt, the emulator.
 * Leader `lead` (Binance spot), followers f1 (Binance), f2 (Bitget) and f3 (Bitget, a demo-trading
 * key on the paper exchange, created here); sub_b (Binance spot) joins and leaves at runtime.
 * BTC at 50000, so every amount here is a whole number of lots and the checks are exact.
 */
const FAST_COPY = { balancePollCron: '*/2 * * * * *', orderGraceMs: 150 };

let desk: TestApp;
let emulator: Emulator;
let console: ConsoleSession;
let alerts: Extract<DeskEvent, { type: 'alert' }>[];

async function say(line: string): Promise<string> {
  return (await console.input(line)) ?? '';
}

async function confirmed(line: string): Promise<string> {
  const ask = await say(line);
  expect(ask).toContain('Type yes');
  return say('yes');
}

const spot = (account: string, asset: string) => new Decimal(emulator.balances(account).spot[asset]?.free ?? '0');

async function leaderMarket(side: 'buy' | 'sell', size: Decimal, symbol = 'BTC/USDT'): Promise<ExchangeOrder> {
  const exchange = await desk.app.services.exchanges.for('lead');
  return exchange.placeOrder({
    symbol,
    side,
    type: 'market',
    ...(side === 'buy' ? { cost: size } : { amount: size }),
    clientOrderId: `web_${randomBytes(6).toString('hex')}`,
  });
}

/** Waits until the leader order's event exists and none of its intents is still under way. */
async function settledEvent(leaderOrderId: string) {
  const { db } = desk.app.services;
  const where = { leaderId: 'lead', leaderOrderId };
  await waitFor(async () => {
    const event = await db.copyEvent.findFirst({ where, include: { intents: true } });
    return event !== null && event.intents.every((i) => i.status !== 'PENDING' && i.status !== 'SENT');
  }, 15_000);
  await desk.app.services.copy.idle();
  return db.copyEvent.findFirstOrThrow({ where, include: { intents: { orderBy: { followerId: 'asc' } } } });
}

const byFollower = <T extends { followerId: string }>(intents: T[]) =>
  Object.fromEntries(intents.map((i) => [i.followerId, i]));

beforeAll(async () => {
  desk = await startTestApp({ DATA_DIR: tempDir() }, { streamTiming: FAST_STREAMS, copyTiming: FAST_COPY });
  const { accounts, paper, streams, tracker, copy, bus } = desk.app.services;
  if (!paper) throw new Error('paper exchange not running');
  emulator = paper.emulator;
  emulator.setPrice('BTCUSDT', '50000');
  console = new ConsoleSession(desk.app.dispatcher, desk.app.services.identity, CONSOLE_CALLER);
  alerts = [];
  bus.on('alert', (e) => {
    alerts.push(e);
  });
  const f3 = await accounts.create(
    {
      id: 'f3',
      name: 'Follower 3 (Bitget demo)',
      exchange: 'bitget',
      market: 'spot',
      env: 'demo',
      copyRole: 'FOLLOWER',
    },
    { apiKey: randomBytes(16).toString('hex'), secret: randomBytes(16).toString('hex'), passphrase: 'pass-f3' },
  );
  await paper.register(f3);
  await streams.start();
  await tracker.recover();
  await copy.start();
  expect(await confirmed('/copy start')).toBe('Copying is running.');
});
afterAll(async () => desk.close());

describe('a demo Bitget follower', () => {
  it('copies a leader buy of 25% like the prod-like followers, exact to the last digit', async () => {
    const followers = ['f1', 'f2', 'f3'];
    const before = Object.fromEntries(followers.map((f) => [f, spot(f, 'USDT')]));
    const event = await settledEvent((await leaderMarket('buy', spot('lead', 'USDT').times('0.25'))).id);
    expect(event.fraction).toBe('0.25');
    for (const intent of event.intents) {
      const quarter = before[intent.followerId]?.times('0.25');
      expect(intent).toMatchObject({ status: 'FILLED', amount: quarter?.toFixed() });
      expect(spot(intent.followerId, 'USDT').toFixed()).toBe(before[intent.followerId]?.minus(quarter ?? 0).toFixed());
    }
    expect(event.intents.map((i) => i.followerId)).toEqual(followers);
    expect(await say('/followers')).toMatch(/f3\s+bitget demo\s+ACTIVE\s+share/);
  });
});

describe('ratio mode and the per-trade cap', () => {
  it('each follower gets the leader amount × its ratio, never more than its cap', async () => {
    expect(await confirmed('/followers set f1 ratio 0.5')).toContain('f1 copies the leader');
    expect(await confirmed('/followers set f2 ratio ratio=0.2 cap=150')).toContain('cap per trade: 150 USDT');
    expect(await confirmed('/followers set f3 ratio 1 300')).toContain('× 1');
    expect(await say('/followers')).toMatch(/f2\s+bitget paper\s+ACTIVE\s+ratio ×0\.2\s+150/);

    const usdt = { f1: spot('f1', 'USDT'), f2: spot('f2', 'USDT'), f3: spot('f3', 'USDT') };
    const buy = byFollower((await settledEvent((await leaderMarket('buy', new Decimal(1000))).id)).intents);
    // 1000 × 0.5; 1000 × 0.2 = 200 capped at 150; 1000 × 1 capped at 300.
    const spent = { f1: '500', f2: '150', f3: '300' };
    for (const [f, amount] of Object.entries(spent)) {
      expect(buy[f]).toMatchObject({ status: 'FILLED', mode: 'ratio', amount });
      expect(spot(f, 'USDT').toFixed()).toBe(usdt[f as keyof typeof usdt].minus(amount).toFixed());
    }

    const btc = { f1: spot('f1', 'BTC'), f2: spot('f2', 'BTC'), f3: spot('f3', 'BTC') };
    const sell = byFollower((await settledEvent((await leaderMarket('sell', new Decimal('0.02'))).id)).intents);
    // 0.02 × 0.5; 0.02 × 0.2 = 0.004 capped at 150 USDT = 0.003; 0.02 × 1 capped at 300 USDT = 0.006.
    const sold = { f1: '0.01', f2: '0.003', f3: '0.006' };
    for (const [f, amount] of Object.entries(sold)) {
      expect(sell[f]).toMatchObject({ status: 'FILLED', amount, filledQty: amount });
      expect(spot(f, 'BTC').toFixed()).toBe(btc[f as keyof typeof btc].minus(amount).toFixed());
    }
  });

  it('a ratio needs ratio mode, and share mode drops the ratio and can drop the cap', async () => {
    expect(await say('/followers set f1 share 200')).toContain('only in ratio mode');
    expect(await say('/followers set f1 ratio')).toContain('needs a ratio');
    for (const f of ['f1', 'f2', 'f3']) {
      expect(await confirmed(`/followers set ${f} share cap=off`)).toContain('cap per trade: none');
    }
    expect(await desk.app.services.copy.settings.policies(['f2'])).toEqual(
      new Map([['f2', { mode: 'share', ratio: null, maxPerTrade: null }]]),
    );
  });
});

describe('followers added and removed at runtime', () => {
  it('an added follower gets the next copy; a removed one does not', async () => {
    expect(await say('/followers add lead')).toContain('is the leader');
    expect(await say('/followers add main')).toContain('not a spot account');
    expect(await confirmed('/followers add sub_b')).toContain('sub_b is a follower');

    const usdt = spot('sub_b', 'USDT');
    const added = byFollower((await settledEvent((await leaderMarket('buy', new Decimal(400))).id)).intents);
    expect(added['sub_b']?.status).toBe('FILLED');
    expect(spot('sub_b', 'USDT').lessThan(usdt)).toBe(true);

    expect(await confirmed('/followers remove sub_b')).toBe('sub_b is no longer a follower.');
    const held = spot('sub_b', 'USDT');
    const removed = await settledEvent((await leaderMarket('buy', new Decimal(400))).id);
    expect(removed.intents.map((i) => i.followerId)).toEqual(['f1', 'f2', 'f3']);
    expect(spot('sub_b', 'USDT').toFixed()).toBe(held.toFixed());
    expect(await say('/followers remove sub_b')).toContain('not a follower');
  });
});

describe('the leader symbol', () => {
  it('is set with /copy symbol; the leader is then copied on that symbol', async () => {
    expect(await confirmed('/copy symbol ethusdt')).toBe('Leader lead is copied on ETH/USDT.');
    expect(await say('/copy status')).toContain('ETH/USDT');
    const event = await settledEvent((await leaderMarket('buy', new Decimal(100), 'ETH/USDT')).id);
    expect(event.symbol).toBe('ETH/USDT');
    expect(event.intents.map((i) => i.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
    expect(await confirmed('/copy symbol BTC/USDT')).toBe('Leader lead is copied on BTC/USDT.');
  });
});

describe('follower failures', () => {
  const rateLimited = (count: number) =>
    emulator.fault('f1', {
      endpoint: 'POST /api/v3/order',
      failNext: {
        count,
        httpStatus: 429,
        code: -1003,
        msg: 'Too many requests; current limit is 6000 request weight.',
      },
    });

  it('insufficient funds: the copy fails with the reason and an alert naming follower, event and reason', async () => {
    emulator.fault('f2', {
      endpoint: 'POST /api/v2/spot/trade/place-order',
      failNext: { count: 1, httpStatus: 400, code: '43012', msg: 'Insufficient balance' },
    });
    const event = await settledEvent((await leaderMarket('buy', new Decimal(200))).id);
    const intents = byFollower(event.intents);
    expect(intents['f2']).toMatchObject({ status: 'FAILED', reason: 'exchange.insufficient_funds' });
    expect([intents['f1']?.status, intents['f3']?.status]).toEqual(['FILLED', 'FILLED']);
    const alert = alerts.find((a) => a.category === 'copy' && a.params['event'] === String(event.id));
    expect(alert).toMatchObject({
      accountId: 'f2',
      key: 'alerts.copy_failed',
      params: { follower: 'f2', leader: 'lead', reason: 'exchange.insufficient_funds' },
    });
    expect(await say('/events 1 detail')).toMatch(/1 failed[\s\S]*f2: buy .* failed: /);
  });

  // Binance answers -1003 for the whole IP: the desk holds every request to its host for 10 s
  // (no Retry-After from the emulator), so these two are slow by design and come last.
  it('a rate-limited follower order is retried once after a backoff and fills', async () => {
    rateLimited(1);
    const event = await settledEvent((await leaderMarket('buy', new Decimal(200))).id);
    expect(event.intents.map((i) => i.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
    const f1 = await desk.app.services.exchanges.for('f1');
    const copy = await f1.fetchOrder('BTC/USDT', {
      clientOrderId: byFollower(event.intents)['f1']?.clientOrderId ?? '',
    });
    expect(copy?.status).toBe('closed');
    expect(alerts.filter((a) => a.category === 'copy' && a.params['event'] === String(event.id))).toEqual([]);
  });

  it('rate-limited twice, the copy fails with an alert while the others fill', async () => {
    rateLimited(2);
    const event = await settledEvent((await leaderMarket('buy', new Decimal(200))).id);
    const intents = byFollower(event.intents);
    expect(intents['f1']).toMatchObject({ status: 'FAILED', reason: 'exchange.rate_limited' });
    expect([intents['f2']?.status, intents['f3']?.status]).toEqual(['FILLED', 'FILLED']);
    expect(alerts.find((a) => a.category === 'copy' && a.params['event'] === String(event.id))).toMatchObject({
      accountId: 'f1',
      key: 'alerts.copy_failed',
      params: { follower: 'f1', leader: 'lead', reason: 'exchange.rate_limited' },
    });
  });
});
