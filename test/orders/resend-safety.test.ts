import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../src/emulator/index.ts';
import { ExchangeRateLimitError } from '../../src/exchange/errors.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The desk against the emulator's Binance rules: a client id is taken again once its order has
 * ended, so a resend after a lost answer would place a second, real order — the desk must look
 * the order up by its client id instead. And a 429 names how long to wait: the desk must wait it.
 */
let paper: PaperDesk;
afterEach(async () => paper.close());

async function confirmed(line: string): Promise<string> {
  const ask = await paper.say(line);
  return ask.includes('Type yes') ? paper.say('yes') : ask;
}

const since = (log: RequestLogEntry[], from: number) => log.slice(from);
const named = (entries: RequestLogEntry[], method: string, path: string) =>
  entries.filter((e) => e.method === method && e.path === path);

describe('an order whose answer is lost on the way back', () => {
  it('is looked up by its client id before anything is sent again: one order on the exchange', async () => {
    // The desk gives up on an answer after 1 s (10 s by default).
    paper = await startPaperDesk({ app: { exchangeTimeoutMs: 1_000 } });
    const { emulator } = paper;
    emulator.fault('main', { endpoint: 'POST /fapi/v1/order', dropAnswerNext: 1 });
    const from = emulator.requestLog().length;
    const reply = await confirmed('/order main BTCUSDT buy 0.01 vp=lost');
    expect(reply).toMatch(/^Account main: order #\d+ \((hs1\w+)\) FILLED, filled 0\.01 at 60000\./);
    const clientOrderId = /\((hs1\w+)\)/.exec(reply)?.[1] ?? '';

    const log = since(emulator.requestLog(), from);
    const posts = named(log, 'POST', '/fapi/v1/order');
    expect(posts).toHaveLength(1);
    // The answer never came (the request is still held, unanswered), then the look-up by client id.
    expect(posts[0]?.status).toBe(0);
    const lookups = named(log, 'GET', '/fapi/v1/order');
    expect(lookups.length).toBeGreaterThan(0);
    expect(log.indexOf(lookups[0] as RequestLogEntry)).toBeGreaterThan(log.indexOf(posts[0] as RequestLogEntry));
    // One order: the position is the order's 0.01, not twice that.
    expect(emulator.positions('main')).toEqual([
      expect.objectContaining({ positionSide: 'LONG', positionAmt: '0.01' }),
    ]);
    const row = await paper.app.services.db.order.findUniqueOrThrow({ where: { clientOrderId } });
    expect(row).toMatchObject({ status: 'FILLED', filledQty: '0.01' });
  });

  it('a copy whose answer is lost is looked up, not sent again: each follower holds one order', async () => {
    paper = await startPaperDesk({ app: { exchangeTimeoutMs: 1_000 } });
    const { app, emulator } = paper;
    await app.start();
    expect(await confirmed('/copy start')).toBe('Copying is running.');
    emulator.fault('f1', { endpoint: 'POST /api/v3/order', dropAnswerNext: 1 });
    emulator.fault('f2', { endpoint: 'POST /api/v2/spot/trade/place-order', dropAnswerNext: 1 });
    const before = emulator.requests();
    const posts = (path: string) => (emulator.requests()[path] ?? 0) - (before[path] ?? 0);

    const lead = await app.services.exchanges.for('lead');
    const leaderOrder = await lead.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      cost: new Decimal(100),
      clientOrderId: `web_${randomBytes(6).toString('hex')}`,
    });
    const { db } = app.services;
    const event = async () =>
      db.copyEvent.findFirst({
        where: { leaderId: 'lead', leaderOrderId: leaderOrder.id },
        include: { intents: true },
      });
    await waitFor(async () => {
      const found = await event();
      return found !== null && found.intents.length === 2 && found.intents.every((i) => i.status === 'FILLED');
    }, 15_000);

    // The leader's order and one copy each: nothing was sent twice.
    expect(posts('POST /api/v3/order')).toBe(2);
    expect(posts('POST /api/v2/spot/trade/place-order')).toBe(1);
    for (const intent of (await event())?.intents ?? []) {
      const exchange = await app.services.exchanges.for(intent.followerId);
      expect((await exchange.fetchOrder('BTC/USDT', { clientOrderId: intent.clientOrderId }))?.status).toBe('closed');
    }
  });
});

describe('an order refused because its client id is taken', () => {
  it.each([
    ['Binance spot (-2010)', 'sub_b'],
    ['Bitget spot (43118)', 'f2'],
  ])('%s: the order holding the id is open, so it is looked up and followed, not called refused', async (_, id) => {
    paper = await startPaperDesk();
    const { tracker, exchanges } = paper.app.services;
    const exchange = await exchanges.for(id);
    const clientOrderId = `dup_${randomBytes(4).toString('hex')}`;
    const request = {
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      amount: new Decimal('0.001'),
      price: new Decimal('50000'),
      clientOrderId,
    } as const;
    // Already resting under this id (sent by a desk that died before recording it, say).
    const resting = await exchange.placeOrder(request);
    const row = await tracker.open({
      clientOrderId,
      accountId: id,
      purpose: 'trade',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      amount: '0.001',
      price: '50000',
    });
    const after = await tracker.send(row, () => exchange.placeOrder(request));
    expect(after).toMatchObject({ status: 'OPEN', exchangeOrderId: resting.id, filledQty: '0' });
    expect((await exchange.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual([clientOrderId]);
  });
});

describe("a 429's Retry-After", () => {
  it('holds every request to that host until it has passed, as the emulator sees them arrive', async () => {
    paper = await startPaperDesk();
    const { app, emulator } = paper;
    const subB = await app.services.exchanges.for('sub_b');
    const lead = await app.services.exchanges.for('lead');
    // Markets first: the measured requests below are the account reads alone.
    await Promise.all([subB.fetchBalance(), lead.fetchBalance()]);
    emulator.fault('sub_b', {
      endpoint: 'GET /api/v3/account',
      failNext: { count: 1, httpStatus: 429, code: -1003, msg: 'Too much request weight used.', retryAfterSeconds: 2 },
    });
    const from = emulator.requestLog().length;
    const err = await subB.fetchBalance().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExchangeRateLimitError);
    expect((err as ExchangeRateLimitError).key).toBe('exchange.rate_limited');
    expect((err as ExchangeRateLimitError).message).toContain('wait 2 s');

    // Another account on the same host, at once: it goes out only once the 2 s have passed.
    await lead.fetchBalance();
    const log = since(emulator.requestLog(), from).filter((e) => e.path.startsWith('/api/v3/'));
    const refused = log.find((e) => e.status === 429);
    expect(refused).toBeDefined();
    const after = log.filter((e) => e.at >= (refused?.at ?? 0) && e !== refused);
    expect(after.length).toBeGreaterThan(0);
    for (const entry of after) expect(entry.at - (refused?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
  });
});
