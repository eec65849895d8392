import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EmulatorHarness, settle } from './harness.ts';

/**
 * Binance's own stream routes, opened with a plain `ws` client (not ccxt): the USDT-M user data
 * stream on fstream's routed /private endpoint (ws and stream modes, `events` filter) and on the
 * legacy unrouted routes, market streams on /public and /market (USDT-M) and unrouted (spot),
 * payload shapes as documented, and unknown or expired listenKeys refused or closed.
 */
let h: EmulatorHarness;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
  h.em.clearDepth();
});
afterAll(async () => {
  await h.close();
});

type Json = Record<string, unknown>;

interface Client {
  ws: WebSocket;
  messages: Json[];
  /** The first message (already received or still to come) that `match` accepts. */
  next(match?: (m: Json) => boolean, timeoutMs?: number): Promise<Json>;
  closed: Promise<{ code: number; reason: string }>;
}

function open(path: string): Promise<Client> {
  const ws = new WebSocket(`${h.em.wsUrl}${path}`);
  sockets.push(ws);
  const messages: Json[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    messages.push(JSON.parse(data.toString()) as Json);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const next = (match: (m: Json) => boolean = () => true, timeoutMs = 2000): Promise<Json> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = messages.find(match);
        if (!found) return false;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no matching message on ${path} (got ${JSON.stringify(messages)})`));
      }, timeoutMs);
      if (!check()) waiters.add(wake);
    });
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve({ ws, messages, next, closed }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`refused: ${String(res.statusCode)}`)));
    ws.on('error', reject);
  });
}

async function listenKeyOf(apiKey: string): Promise<string> {
  const res = await fetch(`${h.em.httpUrl}/fapi/v1/listenKey`, { method: 'POST', headers: { 'X-MBX-APIKEY': apiKey } });
  return ((await res.json()) as { listenKey: string }).listenKey;
}

const event = (name: string) => (m: Json) => m['e'] === name;
const streamOf = (name: string) => (m: Json) => m['stream'] === name;

describe('USDT-M user data on Binance routes', () => {
  it('serves /private/ws, /private/stream, /private/ws/<key>, /ws/<key> and /stream?streams=<key>', async () => {
    const acct = h.binanceAccount({}, { USDT: '5000' });
    const key = await listenKeyOf(acct.creds.apiKey);
    const raw = [
      await open(`/private/ws?listenKey=${key}`),
      await open(`/private/ws/${key}`),
      await open(`/ws/${key}`),
    ];
    const combined = [await open(`/private/stream?listenKey=${key}`), await open(`/stream?streams=${key}`)];
    const filtered = await open(`/private/ws?listenKey=${key}&events=ORDER_TRADE_UPDATE`);
    expect(h.em.connectedStreams(acct.id)).toBe(6);

    h.em.setPrice('BTCUSDT', '60000');
    const ex = acct.usdm();
    await ex.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'route-1' });

    const filled = (m: Json): boolean => m['e'] === 'ORDER_TRADE_UPDATE' && (m['o'] as Json)['X'] === 'FILLED';
    for (const client of [...raw, filtered]) {
      const update = await client.next(filled);
      expect(update).toMatchObject({
        e: 'ORDER_TRADE_UPDATE',
        o: { s: 'BTCUSDT', c: 'route-1', S: 'BUY', x: 'TRADE' },
      });
      expect(typeof update['E']).toBe('number');
      expect((update['o'] as Json)['L']).toBe('60000');
    }
    for (const client of raw) await client.next(event('ACCOUNT_UPDATE'));
    for (const client of combined) {
      const frame = await client.next((m) => m['stream'] === key && filled(m['data'] as Json));
      expect(Object.keys(frame)).toEqual(['stream', 'data']);
      await client.next((m) => (m['data'] as Json)['e'] === 'ACCOUNT_UPDATE');
    }
    await settle(50);
    // events= is an allow list: the filtered socket saw orders only.
    expect(filtered.messages.every((m) => m['e'] === 'ORDER_TRADE_UPDATE')).toBe(true);
  });

  it('refuses unknown listenKeys on every route, and a /private route without one', async () => {
    const unknown = 'Z'.repeat(64);
    for (const path of [
      `/private/ws?listenKey=${unknown}`,
      `/private/ws/${unknown}`,
      `/private/stream?listenKey=${unknown}`,
      `/ws/${unknown}`,
      `/stream?streams=${unknown}`,
      '/private/ws',
      '/private/stream',
    ])
      await expect(open(path)).rejects.toThrow('refused: 400');
  });

  it('an expired listenKey ends with listenKeyExpired, then the close; a reconnect with it is refused', async () => {
    const acct = h.binanceAccount({}, { USDT: '1000' });
    const key = await listenKeyOf(acct.creds.apiKey);
    const raw = await open(`/private/ws?listenKey=${key}`);
    const combined = await open(`/private/stream?listenKey=${key}&events=ORDER_TRADE_UPDATE/listenKeyExpired`);
    h.em.expireListenKeys(acct.id);
    expect(await raw.next(event('listenKeyExpired'))).toMatchObject({ e: 'listenKeyExpired', listenKey: key });
    expect(await combined.next(streamOf(key))).toMatchObject({ data: { e: 'listenKeyExpired', listenKey: key } });
    expect(await raw.closed).toMatchObject({ code: 1000 });
    await combined.closed;
    await expect(open(`/private/ws?listenKey=${key}`)).rejects.toThrow('refused: 400');
  });

  it('several listenKeys on one /private/stream, each with its own events', async () => {
    const a = h.binanceAccount({}, { USDT: '5000' });
    const b = h.binanceAccount({}, { USDT: '5000' });
    const [keyA, keyB] = [await listenKeyOf(a.creds.apiKey), await listenKeyOf(b.creds.apiKey)];
    const both = await open(
      `/private/stream?listenKey=${keyA}&events=ORDER_TRADE_UPDATE&listenKey=${keyB}&events=ACCOUNT_UPDATE`,
    );
    h.em.setPrice('ETHUSDT', '3000');
    await a.usdm().createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1);
    await b.usdm().createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1);
    await both.next((m) => m['stream'] === keyA && (m['data'] as Json)['e'] === 'ORDER_TRADE_UPDATE');
    await both.next((m) => m['stream'] === keyB && (m['data'] as Json)['e'] === 'ACCOUNT_UPDATE');
    await settle(50);
    const kinds = both.messages.map((m) => `${m['stream'] === keyA ? 'A' : 'B'}:${String((m['data'] as Json)['e'])}`);
    expect(new Set(kinds)).toEqual(new Set(['A:ORDER_TRADE_UPDATE', 'B:ACCOUNT_UPDATE']));
  });
});

describe('market streams', () => {
  it('spot (unrouted): aggTrade and trade from fills; bookTicker and partial depth from the price, combined framing', async () => {
    const acct = h.binanceAccount({ USDT: '5000' });
    const trades = await open('/ws/btcusdt@aggTrade/btcusdt@trade');
    const book = await open('/stream?streams=btcusdt@bookTicker/btcusdt@depth5');
    h.em.setPrice('BTCUSDT', '61000');
    const ticker = await book.next(streamOf('btcusdt@bookTicker'));
    expect(ticker['data']).toEqual({
      u: expect.any(Number) as number,
      s: 'BTCUSDT',
      b: '61000.00000000',
      B: '9000.00000000',
      a: '61000.00000000',
      A: '9000.00000000',
    });
    const depth = await book.next(streamOf('btcusdt@depth5'));
    expect(Object.keys(depth['data'] as Json)).toEqual(['lastUpdateId', 'bids', 'asks']);
    expect((depth['data'] as { asks: unknown[] }).asks).toHaveLength(5);

    await acct.spot().createOrder('BTC/USDT', 'market', 'buy', 0.001);
    const agg = await trades.next(event('aggTrade'));
    expect(Object.keys(agg)).toEqual(['e', 'E', 's', 'a', 'p', 'q', 'f', 'l', 'T', 'm', 'M']);
    expect(agg).toMatchObject({ s: 'BTCUSDT', p: '61000.00000000', q: '0.00100000', m: false });
    const trade = await trades.next(event('trade'));
    expect(trade).toMatchObject({ s: 'BTCUSDT', t: agg['a'], p: '61000.00000000', m: false });
    // The same trade as REST aggTrades shows it.
    const rest = (await (await fetch(`${h.em.httpUrl}/api/v3/aggTrades?symbol=BTCUSDT&limit=1`)).json()) as Json[];
    expect(rest[0]).toMatchObject({ a: agg['a'], p: agg['p'], q: agg['q'], T: agg['T'] });
  });

  it('USDT-M: /market carries markPrice and aggTrade, /public the book; a stream on the wrong route stays silent', async () => {
    const mark = await open('/market/ws/btcusdt@markPrice@1s');
    const wrong = await open('/public/ws/btcusdt@markPrice');
    const book = await open('/public/stream?streams=btcusdt@bookTicker');
    h.em.setPrice('BTCUSDT', '62000');
    const update = await mark.next(event('markPriceUpdate'));
    expect(update).toMatchObject({ s: 'BTCUSDT', p: '62000.00000000', i: '62000.00000000', r: '0.00000000' });
    expect(Object.keys(update)).toEqual(['e', 'E', 's', 'p', 'i', 'P', 'r', 'T']);
    const bookTicker = await book.next(streamOf('btcusdt@bookTicker'));
    expect(bookTicker['data']).toMatchObject({
      e: 'bookTicker',
      s: 'BTCUSDT',
      b: '62000.0',
      B: '1000.000',
      a: '62000.0',
    });
    await settle(1100);
    expect(wrong.messages).toEqual([]);

    // Live SUBSCRIBE on a bare /market/ws, then a USDT-M fill.
    const live = await open('/market/ws');
    live.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 7 }));
    expect(await live.next((m) => m['id'] === 7)).toEqual({ result: null, id: 7 });
    live.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 8 }));
    expect(await live.next((m) => m['id'] === 8)).toEqual({ result: ['btcusdt@aggTrade'], id: 8 });
    await h.binanceAccount({}, { USDT: '5000' }).usdm().createOrder('BTC/USDT:USDT', 'market', 'sell', 0.002);
    const agg = await live.next(event('aggTrade'));
    expect(Object.keys(agg)).toEqual(['e', 'E', 's', 'a', 'p', 'q', 'f', 'l', 'T', 'm']);
    expect(agg).toMatchObject({ s: 'BTCUSDT', p: '62000.0', q: '0.002', m: true });
  });

  it('USDT-M diff depth applied to the REST snapshot gives the next snapshot', async () => {
    h.em.setPrice('ETHUSDT', '3000');
    h.em.setDepth('ETHUSDT', { qty: '0.5', step: '0.1' });
    const diffs = await open('/public/ws/ethusdt@depth');
    const snapshot = (await (await fetch(`${h.em.httpUrl}/fapi/v1/depth?symbol=ETHUSDT&limit=1000`)).json()) as {
      lastUpdateId: number;
      bids: [string, string][];
      asks: [string, string][];
    };
    h.em.setPrice('ETHUSDT', '3000.35');
    h.em.setPrice('ETHUSDT', '2999.8');
    const first = await diffs.next((m) => Number(m['u']) > snapshot.lastUpdateId);
    expect(Number(first['U'])).toBeLessThanOrEqual(snapshot.lastUpdateId + 1);
    const second = await diffs.next((m) => m['pu'] === first['u']);
    const apply = (levels: Map<string, string>, changes: [string, string][]): void => {
      for (const [price, qty] of changes)
        if (Number(qty) === 0) levels.delete(price);
        else levels.set(price, qty);
    };
    const bids = new Map(snapshot.bids);
    const asks = new Map(snapshot.asks);
    for (const diff of [first, second]) {
      apply(bids, diff['b'] as [string, string][]);
      apply(asks, diff['a'] as [string, string][]);
    }
    const after = (await (await fetch(`${h.em.httpUrl}/fapi/v1/depth?symbol=ETHUSDT&limit=1000`)).json()) as {
      lastUpdateId: number;
      bids: [string, string][];
      asks: [string, string][];
    };
    expect(after.lastUpdateId).toBe(second['u']);
    const byPrice = (m: Map<string, string>, desc: boolean): [string, string][] =>
      [...m].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));
    expect(byPrice(bids, true)).toEqual(after.bids);
    expect(byPrice(asks, false)).toEqual(after.asks);
  });
});

describe('ccxt.pro on the routed endpoints', () => {
  /** Resolves with the watch's first answer, nudging the market until it comes. */
  async function watched<T>(watch: Promise<T>, nudge: () => Promise<unknown>): Promise<T> {
    const state = { done: false };
    const result = watch.finally(() => {
      state.done = true;
    });
    for (let i = 0; i < 30 && !state.done; i++) {
      await nudge();
      await settle(100);
    }
    return result;
  }

  it('binanceusdm watchOrderBook (/public diff depth + REST snapshot), watchTrades and watchMarkPrice (/market)', async () => {
    const acct = h.binanceAccount({}, { USDT: '20000' });
    const ex = acct.usdm();
    h.em.setDepth('BTCUSDT', { qty: '0.01', step: '1' });
    let price = 63000;
    const move = async (): Promise<void> => {
      h.em.setPrice('BTCUSDT', String((price += 1)));
      await Promise.resolve();
    };
    const first = await watched(ex.watchOrderBook('BTC/USDT:USDT'), move);
    expect(first.asks[0]?.[0]).toBeGreaterThanOrEqual(63000);
    // The next update, after one more move: the book is the depth model around the new price.
    const book = await watched(ex.watchOrderBook('BTC/USDT:USDT'), move);
    const current = Number(h.em.price('BTCUSDT'));
    expect(book.asks.slice(0, 2)).toEqual([
      [current, 0.01],
      [current + 1, 0.01],
    ]);
    expect(book.bids[1]).toEqual([current - 1, 0.01]);
    const mark = await watched(ex.watchMarkPrice('BTC/USDT:USDT'), move);
    expect(mark.markPrice).toBeGreaterThanOrEqual(63000);
    const trades = await watched(ex.watchTrades('BTC/USDT:USDT'), () =>
      ex.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.002),
    );
    expect(trades.at(-1)).toMatchObject({ symbol: 'BTC/USDT:USDT', side: 'buy', amount: 0.002 });
  });
});
