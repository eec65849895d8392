import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleSession } from '../../src/adapters/console/session.ts';
import { CONSOLE_CALLER } from '../../src/app.ts';
import { copyClientOrderId } from '../../src/domain/client-order-id.ts';
import { floorToStep } from '../../src/domain/copy-sizing.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import type { ExchangeOrder } from '../../src/exchange/types.ts';
import type { DeskEvent } from '../../src/services/events.ts';
import { startTestApp, tempDir, type TestApp } from '../support/harness.ts';
import { staleLeaderBuy } from '../support/leader-orders.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The copy engine end to end: console lines, real ccxt, the emulator. Leader `lead` (Binance
 * spot), followers f1 (Binance), f2 (Bitget) and f3 (Bitget, created here). BTC at 50000 so that
 * every quote amount buys a whole number of lots and the exact checks hold to the last digit.
 */
const FAST_STREAMS = {
  // Each watchdog pass costs Binance request weight (6000 a minute per IP, which the emulator
  // and our budget enforce): every 300 ms for two Binance accounts used it up within this file.
  watchdogMs: 1_000,
  pollMs: 200,
  // A fan-out holds its followers' streams for up to half of this (1 s here, as in production).
  silenceGraceMs: 2_000,
  backoffInitialMs: 50,
  backoffMaxMs: 400,
  reconnectSettleMs: 300,
};
// The exchanges' request-validity windows (10 s, 30 s) shortened, as seen by a restart.
const IN_DOUBT_MS = 2_000;
const FAST_COPY = {
  balancePollCron: '*/2 * * * * *',
  orderGraceMs: 150,
  inDoubtWindowMs: IN_DOUBT_MS,
  streamSettleMs: 500,
};
const FOLLOWERS = ['f1', 'f2', 'f3'] as const;
const LOT = { f1: new Decimal('0.00001'), f2: new Decimal('0.000001'), f3: new Decimal('0.000001') };

let desk: TestApp;
let emulator: Emulator;
let console: ConsoleSession;
let alerts: Extract<DeskEvent, { type: 'alert' }>[];
const dataDir = tempDir();

async function open(): Promise<void> {
  desk = await startTestApp({ DATA_DIR: dataDir }, { streamTiming: FAST_STREAMS, copyTiming: FAST_COPY });
  const paper = desk.app.services.paper;
  if (!paper) throw new Error('paper exchange not running');
  emulator = paper.emulator;
  emulator.setPrice('BTCUSDT', '50000');
  console = new ConsoleSession(desk.app.dispatcher, desk.app.services.identity, CONSOLE_CALLER);
  alerts = [];
  desk.app.services.bus.on('alert', (e) => {
    alerts.push(e);
  });
}

/** What app.start() does for copying, without the paper market's random walk. */
async function startCopying(): Promise<void> {
  const { streams, tracker, copy } = desk.app.services;
  await streams.start();
  await tracker.recover();
  await copy.start();
}

async function say(line: string): Promise<string> {
  return (await console.input(line)) ?? '';
}

async function confirmed(line: string): Promise<string> {
  const ask = await say(line);
  expect(ask).toContain('Type yes');
  return say('yes');
}

const spot = (account: string, asset: string) => new Decimal(emulator.balances(account).spot[asset]?.free ?? '0');

async function leaderMarket(side: 'buy' | 'sell', size: Decimal): Promise<ExchangeOrder> {
  const exchange = await desk.app.services.exchanges.for('lead');
  return exchange.placeOrder({
    symbol: 'BTC/USDT',
    side,
    type: 'market',
    ...(side === 'buy' ? { cost: size } : { amount: size }),
    clientOrderId: `web_${randomBytes(6).toString('hex')}`,
  });
}

/** Waits until the leader order's event exists and none of its intents is still under way. */
async function settledEvent(leaderOrderId: string) {
  const { db } = desk.app.services;
  await waitFor(async () => {
    const event = await db.copyEvent.findFirst({
      where: { leaderId: 'lead', leaderOrderId },
      include: { intents: true },
    });
    return event !== null && event.intents.every((i) => i.status !== 'PENDING' && i.status !== 'SENT');
  }, 8_000);
  await desk.app.services.copy.idle();
  return db.copyEvent.findFirstOrThrow({
    where: { leaderId: 'lead', leaderOrderId },
    include: { intents: { orderBy: { followerId: 'asc' } } },
  });
}

/** Spot orders the emulator has been sent, the leader's own included. */
const spotOrders = () => {
  const r = emulator.requests();
  return (r['POST /api/v3/order'] ?? 0) + (r['POST /api/v2/spot/trade/place-order'] ?? 0);
};

beforeAll(async () => {
  await open();
  const { accounts, paper } = desk.app.services;
  const f3 = await accounts.create(
    {
      id: 'f3',
      name: 'Follower 3 (Bitget spot)',
      exchange: 'bitget',
      market: 'spot',
      env: 'paper',
      copyRole: 'FOLLOWER',
    },
    { apiKey: randomBytes(16).toString('hex'), secret: randomBytes(16).toString('hex'), passphrase: 'pass-f3' },
  );
  await paper?.register(f3);
  await startCopying();
  expect(await confirmed('/copy start')).toBe('Copying is running.');
});
afterAll(async () => desk.close());

describe('a leader market order is copied by share of free balance', () => {
  it('a leader buy of 25% of its USDT makes each follower spend exactly 25% of its own', async () => {
    const before = Object.fromEntries(FOLLOWERS.map((f) => [f, spot(f, 'USDT')]));
    const leaderUsdt = spot('lead', 'USDT');
    const order = await leaderMarket('buy', leaderUsdt.times('0.25'));
    const event = await settledEvent(order.id);
    expect(event).toMatchObject({ side: 'buy', fraction: '0.25', status: 'DISPATCHED' });
    expect(event.freeBefore).toBe(leaderUsdt.toFixed());
    for (const intent of event.intents) {
      const f = intent.followerId as (typeof FOLLOWERS)[number];
      const quarter = before[f]?.times('0.25');
      expect(intent).toMatchObject({ status: 'FILLED', freeBefore: before[f]?.toFixed(), amount: quarter?.toFixed() });
      // 2000 → 500, 1500 → 375, 10000 → 2500: whole lots at 50000, so the spend is exact too.
      expect(spot(f, 'USDT').toFixed()).toBe(before[f]?.minus(quarter ?? 0).toFixed());
    }
    expect(event.intents.map((i) => i.followerId)).toEqual([...FOLLOWERS]);
  });

  it('a leader sell of 40% of its BTC makes each follower sell 40% of its own (down to its lot)', async () => {
    const before = Object.fromEntries(FOLLOWERS.map((f) => [f, spot(f, 'BTC')]));
    const order = await leaderMarket('sell', spot('lead', 'BTC').times('0.4'));
    const event = await settledEvent(order.id);
    expect(event).toMatchObject({ side: 'sell', fraction: '0.4' });
    for (const intent of event.intents) {
      const f = intent.followerId as (typeof FOLLOWERS)[number];
      const exact = (before[f] ?? new Decimal(0)).times('0.4');
      const sold = floorToStep(exact, LOT[f]);
      expect(exact.minus(sold).lessThan(LOT[f])).toBe(true);
      expect(intent).toMatchObject({ status: 'FILLED', amount: sold.toFixed(), filledQty: sold.toFixed() });
      expect(spot(f, 'BTC').toFixed()).toBe(before[f]?.minus(sold).toFixed());
    }
  });
});

describe('control', () => {
  it('a paused follower gets nothing and keeps its assets; resumed, it copies again', async () => {
    expect(await confirmed('/pause f2')).toBe('Follower f2 is paused.');
    const usdt = spot('f2', 'USDT');
    const sent = spotOrders();
    const event = await settledEvent((await leaderMarket('buy', new Decimal(500))).id);
    expect(event.intents.find((i) => i.followerId === 'f2')).toMatchObject({
      status: 'SKIPPED',
      reason: 'copy.skipped.paused',
    });
    expect(spotOrders() - sent).toBe(1 + 2); // the leader's, then f1 and f3
    expect(spot('f2', 'USDT').toFixed()).toBe(usdt.toFixed());
    expect(await say('/events 1 detail')).toMatch(
      /2 ok, 0 failed, 1 skipped[\s\S]*f2: buy .* skipped: follower paused/,
    );

    expect(await confirmed('/resume f2')).toBe('Follower f2 copies again.');
    const again = await settledEvent((await leaderMarket('buy', new Decimal(500))).id);
    expect(again.intents.every((i) => i.status === 'FILLED')).toBe(true);
  });

  it('stopped: leader orders are recorded and not copied; started again, they are', async () => {
    expect(await confirmed('/copy stop')).toContain('Copying is stopped');
    const sent = spotOrders();
    const stopped = await settledEvent((await leaderMarket('buy', new Decimal(300))).id);
    expect(stopped).toMatchObject({ status: 'STOPPED', intents: [] });
    expect(spotOrders()).toBe(sent + 1); // the leader's only
    expect(await say('/copy status')).toContain('Copying: stopped.');

    await confirmed('/copy start');
    const copied = await settledEvent((await leaderMarket('buy', new Decimal(300))).id);
    expect(copied.intents.map((i) => i.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
    expect(spotOrders()).toBe(sent + 2 + 3);
  });

  it('/followers shows each follower with its state, free balance and last copy', async () => {
    const text = await say('/followers');
    expect(text).toMatch(/f1\s+binance paper\s+ACTIVE\s+share/);
    expect(text).toMatch(/f3\s+bitget paper\s+ACTIVE/);
    expect(text).toMatch(/buy [\d.]+ USDT \([\d.]+% of [\d.]+ USDT free\) → filled [\d.]+ BTC/);
  });

  it('a leader fill the desk comes to past the copy window is not copied, and nobody is left unaware', async () => {
    const sent = spotOrders();
    alerts.length = 0;
    const old = staleLeaderBuy('880001');
    await desk.app.services.copy.copyLeaderOrder('lead', old);
    const event = await settledEvent('880001');
    expect(event.status).toBe('EXPIRED');
    expect(event.intents.map((i) => [i.followerId, i.status, i.reason])).toEqual(
      FOLLOWERS.map((f) => [f, 'FAILED', 'copy.failed.expired']),
    );
    expect(spotOrders()).toBe(sent);
    const expired = alerts.filter((a) => a.key === 'alerts.copy_event_expired');
    expect(expired.map((a) => a.accountId).sort()).toEqual([...FOLLOWERS]);
    expect(expired[0]?.params).toMatchObject({ event: String(event.id), leader: 'lead', window: '30' });
    expect(Number(expired[0]?.params['age'])).toBeGreaterThanOrEqual(60);
    const events = await say('/events 1 detail');
    expect(events).toMatch(/EXPIRED|expired/);
    expect(events).toMatch(/seen 6\d s after its fill, past the 30 s window: not copied/);
    expect(events).toContain('0 ok, 3 failed');
    expect(events).toContain('f1: buy');
    alerts.length = 0;
  });
});

describe('exactly once', () => {
  it('the same leader order delivered again (replay, reconnect) gives no follower a second order', async () => {
    const order = await leaderMarket('buy', new Decimal(400));
    const event = await settledEvent(order.id);
    const sent = spotOrders();
    const { copy, bus, db } = desk.app.services;
    bus.emit({ type: 'order', accountId: 'lead', order, source: 'stream' });
    bus.emit({ type: 'order', accountId: 'lead', order, source: 'rest' });
    await Promise.all([copy.copyLeaderOrder('lead', order), copy.copyLeaderOrder('lead', order)]);
    await copy.idle();
    expect(spotOrders()).toBe(sent);
    expect(await db.copyIntent.count({ where: { eventId: event.id } })).toBe(3);
    expect(await db.copyEvent.count({ where: { leaderOrderId: order.id } })).toBe(1);
  });

  it('two markets whose leader orders share an exchange order id (Binance ids are per symbol) are both copied, each once', async () => {
    const { copy, db } = desk.app.services;
    const btc = await leaderMarket('buy', new Decimal(200));
    await settledEvent(btc.id);
    // The same order id on ETH/USDT, as Binance may well hand out: a different leader order.
    const eth: ExchangeOrder = {
      ...btc,
      symbol: 'ETH/USDT',
      price: new Decimal(3000),
      average: new Decimal(3000),
      filled: new Decimal('0.05'),
      amount: new Decimal('0.05'),
      cost: new Decimal(150),
      clientOrderId: `web_${randomBytes(6).toString('hex')}`,
      timestamp: Date.now(),
    };
    await copy.setLeaderSymbol('ETH/USDT');
    try {
      const sent = spotOrders();
      await copy.copyLeaderOrder('lead', eth);
      await copy.copyLeaderOrder('lead', eth);
      await copy.idle();
      const events = await db.copyEvent.findMany({
        where: { leaderId: 'lead', leaderOrderId: btc.id },
        include: { intents: true },
        orderBy: { id: 'asc' },
      });
      expect(events.map((e) => [e.symbol, e.leaderKey])).toEqual([
        ['BTC/USDT', `o:BTC/USDT:${btc.id}`],
        ['ETH/USDT', `o:ETH/USDT:${btc.id}`],
      ]);
      expect(events[1]?.intents.map((i) => i.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
      expect(spotOrders()).toBe(sent + FOLLOWERS.length);
    } finally {
      await copy.setLeaderSymbol('BTC/USDT');
    }
  });

  it('replayed deliveries of a copied leader order cost no exchange request: they are known from the book', async () => {
    const { bus, copy } = desk.app.services;
    const order = await leaderMarket('buy', new Decimal(100));
    await settledEvent(order.id);
    const exchange = await desk.app.services.exchanges.for('lead');
    const trades = (await exchange.fetchTrades('BTC/USDT', { since: order.timestamp - 1_000 })).filter(
      (t) => t.orderId === order.id,
    );
    expect(trades.length).toBeGreaterThan(0);
    // As after a restart: nothing of this order is in the engine's memory, only in the database.
    copy.forgetHandled();
    emulator.resetRequests();
    for (let i = 0; i < 50; i++) bus.emit({ type: 'order', accountId: 'lead', order, source: 'rest' });
    await copy.idle();
    // A REST catch-up brings trades, not orders: each one of a leader order known as an event.
    copy.forgetHandled();
    for (let i = 0; i < 50; i++) {
      for (const trade of trades) {
        bus.emit({ type: 'fill', accountId: 'lead', trade: { ...trade, clientOrderId: undefined }, source: 'rest' });
      }
    }
    await new Promise((r) => setTimeout(r, FAST_COPY.orderGraceMs * 3));
    await copy.idle();
    const requests = emulator.requests();
    expect(requests['GET /api/v3/order']).toBeUndefined();
    expect(requests['POST /api/v3/order']).toBeUndefined();
    expect(requests['POST /api/v2/spot/trade/place-order']).toBeUndefined();
  });

  it('a leader fill during a dropped stream is found over REST and copied once', async () => {
    emulator.dropStreams('lead');
    const sent = spotOrders();
    const event = await settledEvent((await leaderMarket('buy', new Decimal(200))).id);
    expect(event.intents.map((i) => i.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
    expect(spotOrders()).toBe(sent + 1 + 3);
  });
});

describe('fan-out', () => {
  it('followers whose stream vouches for their balance are sized from the cache: no balance read on the copy path', async () => {
    const { copy, db } = desk.app.services;
    await Promise.all(FOLLOWERS.map((f) => desk.app.services.accounts.setStatus(f, 'ACTIVE')));
    await copy.refreshRoster();
    await waitFor(() => FOLLOWERS.every((f) => copy.balances.isFresh(f)), 8_000);
    const cached = Object.fromEntries(FOLLOWERS.map((f) => [f, copy.balances.snapshot(f, 'USDT')?.toFixed()]));
    const reads: string[] = [];
    const free = copy.balances.free.bind(copy.balances);
    copy.balances.free = (accountId, asset) => {
      reads.push(accountId);
      return free(accountId, asset);
    };
    try {
      const leaderOrder = await leaderMarket('buy', new Decimal(100));
      const event = await settledEvent(leaderOrder.id);
      expect(event.intents.map((i) => i.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
      expect(reads).toEqual([]);
      for (const intent of event.intents) expect(intent.freeBefore).toBe(cached[intent.followerId]);
      const rows = await db.order.findMany({
        where: { clientOrderId: { in: event.intents.map((i) => i.clientOrderId) } },
      });
      expect(rows.map((r) => r.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
    } finally {
      copy.balances.free = free;
    }
  });
  it("a Bitget copy is answered when the exchange takes it; its fill comes on the follower's stream, nothing is read back", async () => {
    const { db, streams } = desk.app.services;
    await waitFor(() => ['f2', 'f3'].every((f) => streams.status(f)?.health === 'live'), 8_000);
    emulator.resetRequests();
    const before = { f2: spot('f2', 'USDT'), f3: spot('f3', 'USDT') };
    const settled = await settledEvent((await leaderMarket('buy', new Decimal(200))).id);
    const rows = await db.order.findMany({
      where: { clientOrderId: { in: settled.intents.map((i) => i.clientOrderId) } },
      orderBy: { accountId: 'asc' },
    });
    for (const f of ['f2', 'f3'] as const) {
      const intent = settled.intents.find((i) => i.followerId === f);
      const row = rows.find((r) => r.accountId === f);
      const spent = before[f].minus(spot(f, 'USDT'));
      expect(intent).toMatchObject({ status: 'FILLED', reason: null });
      // The stream's final order state, recorded on the row and the intent alike: what the
      // follower's USDT really paid (its quote amount bought whole lots, the rest stays).
      expect(row).toMatchObject({ status: 'FILLED', filledQty: intent?.filledQty, avgPrice: '50000' });
      expect(new Decimal(intent?.cost ?? 0).toFixed()).toBe(spent.toFixed());
      expect(spent.lessThanOrEqualTo(intent?.amount ?? 0)).toBe(true);
    }
    expect(emulator.requests()['POST /api/v2/spot/trade/place-order']).toBe(2);
    expect(emulator.requests()['GET /api/v2/spot/trade/orderInfo']).toBeUndefined();
  });

  it("while a fan-out waits for its answers, its followers' streams wait in their sockets; nothing they say is lost", async () => {
    const { streams, tracker, bus } = desk.app.services;
    await waitFor(() => ['f2', 'f3'].every((f) => streams.status(f)?.health === 'live'), 8_000);
    // Bitget answers 150 ms after it took the order; its stream pushes the order at once.
    for (const f of ['f2', 'f3']) {
      emulator.fault(f, { endpoint: 'POST /api/v2/spot/trade/place-order', latencyMs: 150 });
    }
    const answeredAt: number[] = [];
    const send = tracker.send.bind(tracker);
    tracker.send = async (row, place, options) => {
      const answer = await send(row, place, options);
      if (row.purpose === 'copy') answeredAt.push(performance.now());
      return answer;
    };
    const pushedAt = new Map<string, number>();
    const off = bus.on('order', (e) => {
      const id = e.order.clientOrderId;
      if (e.source === 'stream' && id && (e.accountId === 'f2' || e.accountId === 'f3') && !pushedAt.has(id)) {
        pushedAt.set(id, performance.now());
      }
    });
    try {
      const settled = await settledEvent((await leaderMarket('buy', new Decimal(100))).id);
      const copies = settled.intents.filter((i) => i.followerId !== 'f1');
      expect(copies.map((i) => i.status)).toEqual(['FILLED', 'FILLED']);
      const lastAnswer = Math.max(...answeredAt);
      for (const intent of copies) {
        // Heard from the stream (not read back), and only once every follower had its answer.
        expect(pushedAt.get(intent.clientOrderId)).toBeGreaterThanOrEqual(lastAnswer);
      }
    } finally {
      Reflect.deleteProperty(tracker, 'send'); // the prototype's again
      off();
      for (const f of ['f2', 'f3'])
        emulator.fault(f, { endpoint: 'POST /api/v2/spot/trade/place-order', latencyMs: 0 });
    }
  });

  it("a slow follower holds up the others' records and fills for one second at most", async () => {
    const { db } = desk.app.services;
    // f3's exchange answers after 3 s; the fan-out's holds end after 1 s (fanOutHoldMaxMs).
    emulator.fault('f3', { endpoint: 'POST /api/v2/spot/trade/place-order', latencyMs: 3_000 });
    try {
      const started = Date.now();
      const order = await leaderMarket('buy', new Decimal(100));
      const intentsOf = (followerIds: string[]) =>
        db.copyIntent.findMany({ where: { event: { leaderOrderId: order.id }, followerId: { in: followerIds } } });
      await waitFor(async () => {
        const others = await intentsOf(['f1', 'f2']);
        return others.length === 2 && others.every((i) => i.status === 'FILLED');
      }, 2_500);
      const [f3] = await intentsOf(['f3']);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(f3?.status).toBe('SENT'); // its answer is still on its way
      const event = await settledEvent(order.id);
      expect(event.intents.map((i) => i.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
    } finally {
      emulator.fault('f3', { endpoint: 'POST /api/v2/spot/trade/place-order', latencyMs: 0 });
    }
  });

  it('a follower whose stream says nothing of its copy has it read back: FILLED all the same', async () => {
    const { streams } = desk.app.services;
    await waitFor(() => streams.status('f2')?.health === 'live', 8_000);
    emulator.silenceStreams('f2', true);
    try {
      emulator.resetRequests();
      const before = spot('f2', 'USDT');
      const settled = await settledEvent((await leaderMarket('buy', new Decimal(200))).id);
      const intent = settled.intents.find((i) => i.followerId === 'f2');
      expect(intent?.status).toBe('FILLED');
      expect(new Decimal(intent?.cost ?? 0).toFixed()).toBe(before.minus(spot('f2', 'USDT')).toFixed());
      expect(emulator.requests()['GET /api/v2/spot/trade/orderInfo']).toBeGreaterThanOrEqual(1);
    } finally {
      emulator.silenceStreams('f2', false);
    }
  });
});

describe('failures', () => {
  it('a follower whose key is revoked becomes DISABLED while the others complete', async () => {
    emulator.fault('f1', {
      endpoint: 'POST /api/v3/order',
      failNext: { count: 1, httpStatus: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' },
    });
    const event = await settledEvent((await leaderMarket('buy', new Decimal(250))).id);
    const byFollower = Object.fromEntries(event.intents.map((i) => [i.followerId, i]));
    expect(byFollower['f1']).toMatchObject({ status: 'FAILED', reason: 'exchange.auth_rejected' });
    expect(byFollower['f2']?.status).toBe('FILLED');
    expect(byFollower['f3']?.status).toBe('FILLED');
    await waitFor(async () => (await desk.app.services.accounts.get('f1')).status === 'DISABLED');
    expect(alerts.find((a) => a.category === 'copy' && a.accountId === 'f1')).toMatchObject({
      accountId: 'f1',
      key: 'alerts.copy_follower_disabled',
      params: { follower: 'f1', event: String(event.id), leader: 'lead' },
    });
    const next = await settledEvent((await leaderMarket('buy', new Decimal(250))).id);
    expect(next.intents.find((i) => i.followerId === 'f1')).toMatchObject({
      status: 'SKIPPED',
      reason: 'copy.skipped.disabled',
    });
  });
});

/** A leader event (a buy of 100 USDT, 10% of the leader's) as a desk wrote it before it died. */
function deadDeskEvent(leaderOrderId: string, filledAt: Date) {
  return desk.app.services.db.copyEvent.create({
    data: {
      leaderId: 'lead',
      leaderOrderId,
      leaderKey: `o:BTC/USDT:${leaderOrderId}`,
      symbol: 'BTC/USDT',
      side: 'buy',
      fraction: '0.1',
      quoteFilled: '100',
      baseFilled: '0.002',
      freeBefore: '1000',
      filledAt,
      status: 'DISPATCHED',
    },
  });
}

/** A copy's order row as written before sending: a 50 USDT market buy, PENDING. */
const pendingCopyRow = (clientOrderId: string, accountId: string) => ({
  clientOrderId,
  accountId,
  purpose: 'copy',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'market',
  cost: '50',
  status: 'PENDING',
});

describe('a leader order whose event cannot be made at once', () => {
  it('is tried again while it is young, and copied once the leader can be read', async () => {
    emulator.fault('lead', {
      endpoint: 'GET /api/v3/account',
      failNext: { count: 1, httpStatus: 503, code: -1001, msg: 'Internal error; unable to process your request.' },
    });
    const event = await settledEvent((await leaderMarket('buy', new Decimal(100))).id);
    // f1's key was revoked above: it is skipped; the others copy.
    expect(event.intents.map((i) => [i.followerId, i.status])).toEqual([
      ['f1', 'SKIPPED'],
      ['f2', 'FILLED'],
      ['f3', 'FILLED'],
    ]);
  });

  it('given up, the trader is told: the followers now differ from the leader', async () => {
    emulator.fault('lead', {
      endpoint: 'GET /api/v3/account',
      failNext: { count: 10, httpStatus: 503, code: -1001, msg: 'Internal error; unable to process your request.' },
    });
    try {
      alerts.length = 0;
      const order = await leaderMarket('buy', new Decimal(100));
      await waitFor(() => alerts.some((a) => a.key === 'alerts.leader_not_copied'), 8_000);
      expect(alerts.find((a) => a.key === 'alerts.leader_not_copied')).toMatchObject({
        category: 'copy',
        severity: 'critical',
        params: { leader: 'lead', order: order.id, symbol: 'BTC/USDT', side: 'buy' },
      });
      expect(await desk.app.services.db.copyEvent.count({ where: { leaderOrderId: order.id } })).toBe(0);
    } finally {
      emulator.clearFaults('lead');
    }
  });
});

describe('a crash between the intents and the orders', () => {
  it('after the restart every follower holds exactly one order for the event', async () => {
    const { db, codes, accounts, exchanges } = desk.app.services;
    await accounts.setStatus('f1', 'ACTIVE');
    await exchanges.invalidate('f1');
    // The leader's order filled; the engine wrote the event, its intents and the order rows of the
    // copies it could size at once (f2, f3), sent f2's copy and died before recording the answer —
    // f3's row was written but never sent, f1 was never sized.
    const leaderOrder = await leaderMarket('buy', new Decimal(100));
    await settledEvent(leaderOrder.id);
    const event = await deadDeskEvent(`${leaderOrder.id}-crash`, new Date());
    const ids = Object.fromEntries(
      await Promise.all(FOLLOWERS.map(async (f) => [f, copyClientOrderId(await codes.codeOf(f), event.id)] as const)),
    );
    await db.copyIntent.createMany({
      data: FOLLOWERS.map((f) => ({
        eventId: event.id,
        followerId: f,
        clientOrderId: ids[f] ?? '',
        mode: 'share',
        status: f === 'f1' ? 'PENDING' : 'SENT',
        ...(f === 'f1' ? {} : { amount: '50', freeBefore: '500' }),
      })),
    });
    const rowsWrittenAt = Date.now();
    await db.order.createMany({
      data: (['f2', 'f3'] as const).map((f) => pendingCopyRow(ids[f] ?? '', f)),
    });
    await (
      await exchanges.for('f2')
    ).placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      cost: new Decimal(50),
      clientOrderId: ids['f2'] ?? '',
    });
    await desk.app.close();

    await open();
    const sent = spotOrders();
    await startCopying();
    await desk.app.services.copy.idle();
    const intents = await desk.app.services.db.copyIntent.findMany({
      where: { eventId: event.id },
      orderBy: { followerId: 'asc' },
    });
    expect(intents.map((i) => i.status)).toEqual(['FILLED', 'FILLED', 'FILLED']);
    expect(spotOrders()).toBe(sent + 2);
    for (const f of FOLLOWERS) {
      const exchange = await desk.app.services.exchanges.for(f);
      const order = await exchange.fetchOrder('BTC/USDT', { clientOrderId: ids[f] ?? '' });
      expect(order?.status).toBe('closed');
      // f3's row was written, then nothing was found under its client id: it went out only once a
      // request the dead process might have put on the wire could no longer reach the exchange.
      if (f === 'f3') expect(order?.timestamp).toBeGreaterThanOrEqual(rowsWrittenAt + IN_DOUBT_MS);
    }
  });

  it('a copy sent just before the crash whose intent was still PENDING is found after the restart, even once its event expired', async () => {
    const { db, codes, exchanges } = desk.app.services;
    const leaderOrder = await leaderMarket('buy', new Decimal(100));
    await settledEvent(leaderOrder.id);
    // The engine sized f2 on its own path, wrote the order row and sent it; the intent's SENT
    // write was still queued when the process died. The desk comes back two minutes later.
    const event = await deadDeskEvent(`${leaderOrder.id}-lost-write`, new Date(Date.now() - 120_000));
    const clientOrderId = copyClientOrderId(await codes.codeOf('f2'), event.id);
    await db.copyIntent.create({
      data: { eventId: event.id, followerId: 'f2', clientOrderId, mode: 'share', status: 'PENDING' },
    });
    await db.order.create({ data: pendingCopyRow(clientOrderId, 'f2') });
    const f2 = await exchanges.for('f2');
    await f2.placeOrder({ symbol: 'BTC/USDT', side: 'buy', type: 'market', cost: new Decimal(50), clientOrderId });
    await desk.app.close();

    await open();
    const sent = spotOrders();
    await startCopying();
    await desk.app.services.copy.idle();
    const intent = await desk.app.services.db.copyIntent.findFirstOrThrow({ where: { eventId: event.id } });
    // Found by its client id and recorded as the fill it was — not "expired", and not sent again.
    expect(intent).toMatchObject({ status: 'FILLED', amount: '50', reason: null });
    expect(spotOrders()).toBe(sent);
  });
});

describe('copies whose answer never came, while the desk runs', () => {
  it('the in-doubt sweep looks each up: the copy the exchange has is FILLED, the one it never got fails with an alert, nothing is sent', async () => {
    const { db, codes, exchanges, inDoubt } = desk.app.services;
    const leaderOrder = await leaderMarket('buy', new Decimal(100));
    await settledEvent(leaderOrder.id);
    // Two minutes ago the engine sent f2's and f3's copies; neither answer came (the rows are
    // UNKNOWN, the intents SENT). f2's order reached the exchange, f3's did not. f1's copy was
    // sent a moment ago and is still in its exchange's window: not the sweep's yet.
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    const event = await deadDeskEvent(`${leaderOrder.id}-no-answer`, twoMinutesAgo);
    const ids = Object.fromEntries(
      await Promise.all(FOLLOWERS.map(async (f) => [f, copyClientOrderId(await codes.codeOf(f), event.id)] as const)),
    );
    for (const f of FOLLOWERS) {
      const at = f === 'f1' ? new Date() : twoMinutesAgo;
      const clientOrderId = ids[f] ?? '';
      await db.copyIntent.create({
        data: {
          eventId: event.id,
          followerId: f,
          clientOrderId,
          mode: 'share',
          status: 'SENT',
          amount: '50',
          freeBefore: '500',
          reason: 'copy.unresolved',
          createdAt: at,
          updatedAt: at,
        },
      });
      await db.order.create({
        data: { ...pendingCopyRow(clientOrderId, f), status: 'UNKNOWN', createdAt: at, updatedAt: at },
      });
    }
    // f2's order reached the exchange while its stream said nothing (the answer was lost on the way).
    emulator.silenceStreams('f2', true);
    const f2 = await exchanges.for('f2');
    await f2.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      cost: new Decimal(50),
      clientOrderId: ids['f2'] ?? '',
    });
    const sent = spotOrders();
    alerts.length = 0;

    expect(await inDoubt.run()).toEqual({ orders: 0, intents: 2 });
    await desk.app.services.copy.idle();
    emulator.silenceStreams('f2', false);

    const intents = await db.copyIntent.findMany({ where: { eventId: event.id }, orderBy: { followerId: 'asc' } });
    expect(intents.map((i) => [i.followerId, i.status, i.reason])).toEqual([
      ['f1', 'SENT', 'copy.unresolved'],
      ['f2', 'FILLED', null],
      ['f3', 'FAILED', 'copy.failed.expired'],
    ]);
    const rows = await db.order.findMany({
      where: { clientOrderId: { in: Object.values(ids) } },
      orderBy: { accountId: 'asc' },
    });
    expect(rows.map((r) => [r.accountId, r.status, r.error])).toEqual([
      ['f1', 'UNKNOWN', null],
      ['f2', 'FILLED', null],
      ['f3', 'REJECTED', 'orders.never_placed'],
    ]);
    expect(alerts.map((a) => [a.category, a.key, a.params['follower'], a.params['event'], a.params['reason']])).toEqual(
      [['copy', 'alerts.copy_failed', 'f3', String(event.id), 'copy.failed.expired']],
    );
    // Looked up, never sent: the event is two minutes old.
    expect(spotOrders()).toBe(sent);
    // Settled copies are not looked up again.
    expect(await inDoubt.run()).toEqual({ orders: 0, intents: 0 });
  });
});
