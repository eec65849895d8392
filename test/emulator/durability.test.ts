import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEMO_ACCOUNTS } from '../../src/emulator/index.ts';
import { engineId } from '../../src/emulator/bitget/format.ts';
import { DurableState } from '../../src/emulator/persistence.ts';
import { binanceKey } from './ccxt-clients.ts';
import { EmulatorHarness } from './harness.ts';

/**
 * Issue 17 point 3: an order, a cancel, a fill, a balance change is answered only once it is on
 * disk (write-ahead log, fdatasync'd, group commit), and after kill -9 nothing answered is lost and
 * no order or trade id is handed out again. See src/emulator/README.md, "Durable state".
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'hedgestack-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Params = Record<string, string | number>;
interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** Raw signed Binance requests (spot /api/v3, USDT-M /fapi): HMAC-SHA256 over the query string. */
function binanceSigner(httpUrl: string, apiKey: string, secret: string) {
  return async (method: string, route: string, params: Params = {}): Promise<Answer> => {
    const query = new URLSearchParams({
      ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
      timestamp: String(Date.now()),
      recvWindow: '60000',
    }).toString();
    const signature = createHmac('sha256', secret).update(query).digest('hex');
    const res = await fetch(`${httpUrl}${route}?${query}&signature=${signature}`, {
      method,
      headers: { 'X-MBX-APIKEY': apiKey },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

/** Raw signed Bitget v2 requests: base64 HMAC-SHA256 over timestamp, method, path, query and body. */
function bitgetSigner(httpUrl: string, apiKey: string, secret: string, passphrase: string) {
  return async (method: 'GET' | 'POST', route: string, params: Params = {}): Promise<Answer> => {
    const timestamp = String(Date.now());
    const query =
      method === 'GET'
        ? new URLSearchParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]))).toString()
        : '';
    const body = method === 'POST' ? JSON.stringify(params) : '';
    const target = `${route}${query ? `?${query}` : ''}`;
    const sign = createHmac('sha256', secret).update(`${timestamp}${method}${target}${body}`).digest('base64');
    const res = await fetch(`${httpUrl}${target}`, {
      method,
      headers: {
        'ACCESS-KEY': apiKey,
        'ACCESS-SIGN': sign,
        'ACCESS-TIMESTAMP': timestamp,
        'ACCESS-PASSPHRASE': passphrase,
        'Content-Type': 'application/json',
      },
      ...(method === 'POST' ? { body } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

/** Every answer before it is sent waits for its changes to be on disk: a gated answer is a barrier. */
async function durable(httpUrl: string): Promise<void> {
  await fetch(`${httpUrl}/_control/health`).then((r) => r.text());
}

/** Snapshot and log as a crash would leave them: read now, loaded later. */
interface Image {
  snapshot: string;
  wal: string;
}

function image(stateFile: string): Image {
  return { snapshot: readFileSync(stateFile, 'utf8'), wal: readFileSync(`${stateFile}.wal`, 'utf8') };
}

let images = 0;
/** Loads a crash image as a restarted emulator would. */
function loadImage({ snapshot, wal }: Image, persistCredentials = true) {
  const file = path.join(dir, `image-${String(++images)}`, 'state.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, snapshot);
  writeFileSync(`${file}.wal`, wal);
  return new DurableState(file, { persistCredentials }).load();
}

/** The state a snapshot holds, without the log position it was written at. */
function stateOf(snapshot: string): unknown {
  const { walSeq: _walSeq, ...state } = JSON.parse(snapshot) as Record<string, unknown>;
  return state;
}

describe('durable state: write-ahead log', () => {
  it('answers and pushed events leave only once what they report is on disk, and no credential reaches it', async () => {
    const stateFile = path.join(dir, 'acks', 'state.json');
    const h = await EmulatorHarness.start({ stateFile, persistCredentials: false });
    try {
      const bn = h.binanceAccount({ USDT: '1000' }, { USDT: '1000' });
      const bg = h.bitgetAccount({ USDT: '1000' });
      h.em.setPrice('BTCUSDT', '60000');
      const binance = binanceSigner(h.em.httpUrl, bn.creds.apiKey, bn.creds.secret);
      const bitget = bitgetSigner(h.em.httpUrl, bg.creds.apiKey, bg.creds.secret, bg.creds.password ?? '');
      const onDisk = () => new DurableState(stateFile, { persistCredentials: false }).load();

      // A REST answer: the order, its fills and balances were in the files before it was sent.
      const spot = await binance('POST', '/api/v3/order', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quoteOrderQty: '60',
        newClientOrderId: 'ack-spot',
      });
      expect(spot.status).toBe(200);
      const seen = onDisk()?.accounts[bn.id]?.spot;
      expect(seen?.orders[String(spot.body['orderId'])]).toMatchObject({ status: 'FILLED', clientOrderId: 'ack-spot' });
      expect(seen?.trades.map((t) => t.id)).toEqual(
        (spot.body['fills'] as { tradeId: number }[]).map((f) => f.tradeId),
      );
      expect(seen?.balances).toEqual(h.em.balances(bn.id).spot);

      const placed = await bitget('POST', '/api/v2/spot/trade/place-order', {
        symbol: 'BTCUSDT',
        side: 'buy',
        orderType: 'limit',
        force: 'gtc',
        price: '30000',
        size: '0.001',
        clientOid: 'ack-bitget',
      });
      expect(placed.body['code']).toBe('00000');
      expect(onDisk()?.accounts[bg.id]?.spot.balances['USDT']).toEqual({ free: '970', locked: '30' });

      // A pushed event: ORDER_TRADE_UPDATE FILLED arrives after the fill is on disk.
      const listenKey = (await binance('POST', '/fapi/v1/listenKey')).body['listenKey'] as string;
      const ws = new WebSocket(`${h.em.wsUrl}/private/ws?listenKey=${listenKey}`);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const pushed = new Promise<unknown>((resolve) => {
        ws.on('message', (data: Buffer) => {
          const event = JSON.parse(data.toString()) as { e?: string; o?: { X?: string; i?: number } };
          if (event.e === 'ORDER_TRADE_UPDATE' && event.o?.X === 'FILLED')
            resolve(onDisk()?.accounts[bn.id]?.futures.orders[String(event.o.i)]?.status);
        });
      });
      await binance('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002' });
      expect(await pushed).toBe('FILLED');
      ws.close();

      // Nothing of any key on disk, in the snapshot or the log (written while the emulator runs).
      await durable(h.em.httpUrl);
      const bytes = readFileSync(stateFile, 'utf8') + readFileSync(`${stateFile}.wal`, 'utf8');
      expect(readFileSync(`${stateFile}.wal`, 'utf8')).toContain('ack-bitget');
      for (const secret of [
        bn.creds.apiKey,
        bn.creds.secret,
        bg.creds.apiKey,
        bg.creds.secret,
        bg.creds.password,
        listenKey,
      ])
        expect(bytes).not.toContain(secret);
      for (const file of [stateFile, `${stateFile}.wal`]) expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await h.close();
    }
  });

  it('replays to the live state: a torn tail, an older log beside a newer snapshot, a crash before the rename', async () => {
    const stateFile = path.join(dir, 'replay', 'state.json');
    const h = await EmulatorHarness.start({ stateFile });
    const url = h.em.httpUrl;
    try {
      // Phase 1: every kind of change — accounts and keys, spot (partial fills on limited depth,
      // resting orders, a cancel), futures with leverage and a conditional order, Bitget.
      const bn = h.binanceAccount({ USDT: '5000', BTC: '0.1' }, { USDT: '5000' });
      const bg = h.bitgetAccount({ USDT: '1000' });
      h.em.addKey(bn.id, { apiKey: binanceKey('replay-extra'), secret: 'extra-secret' });
      h.em.setKeyPermissions(bn.id, { withdrawals: true });
      h.em.setPrice('BTCUSDT', '60000');
      h.em.setDepth('BTCUSDT', { qty: '0.001', step: '10' });
      const spot = bn.spot();
      await spot.createOrder('BTC/USDT', 'market', 'buy', 0.003);
      await spot.createOrder('BTC/USDT', 'limit', 'buy', 0.002, 59000, { clientOrderId: 'rest-buy' });
      const sell = await spot.createOrder('BTC/USDT', 'limit', 'sell', 0.002, 61000);
      await spot.cancelOrder(sell.id ?? '', 'BTC/USDT');
      const usdm = bn.usdm();
      await usdm.setLeverage(10, 'BTC/USDT:USDT');
      await usdm.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.01);
      await usdm.createOrder('BTC/USDT:USDT', 'market', 'sell', 0.01, undefined, { stopLossPrice: 58000 });
      await usdm.createOrder('BTC/USDT:USDT', 'limit', 'buy', 0.005, 59500);
      const bitget = bg.client();
      await bitget.createOrder('BTC/USDT', 'market', 'buy', 0.001, 60000);
      await bitget.createOrder('BTC/USDT', 'limit', 'buy', 0.002, 58500);
      await durable(url);
      const crash1 = image(stateFile);
      h.em.flush();
      const live1 = readFileSync(stateFile, 'utf8');
      expect(loadImage(crash1)).toEqual(stateOf(live1));

      // Phase 2: the price falls through resting orders and the stop; the resting buys fill level
      // by level, the stop closes the position, a key goes.
      h.em.setPrice('BTCUSDT', '58990');
      h.em.setPrice('BTCUSDT', '57900');
      h.em.removeKey(bn.id, binanceKey('replay-extra'));
      h.em.clearDepth();
      await spot.createOrder('BTC/USDT', 'market', 'sell', 0.001);
      await durable(url);
      const wal2 = readFileSync(`${stateFile}.wal`, 'utf8');
      expect(wal2).not.toBe('');
      h.em.flush();
      const live2 = readFileSync(stateFile, 'utf8');
      // Killed before the new snapshot's rename: the old snapshot and the whole log.
      expect(loadImage({ snapshot: live1, wal: wal2 })).toEqual(stateOf(live2));
      // Killed after the rename, before the log was emptied: its records are in the snapshot already,
      // and replaying them again (orders back to NEW, balances back) would be wrong.
      expect(loadImage({ snapshot: live2, wal: wal2 })).toEqual(stateOf(live2));
      expect(loadImage({ snapshot: live2, wal: crash1.wal })).toEqual(stateOf(live2));

      // Phase 3: more orders; a record cut off mid-write (never synced, never answered) is dropped.
      await spot.createOrder('BTC/USDT', 'market', 'buy', 0.001);
      await bitget.cancelOrder((await bitget.fetchOpenOrders('BTC/USDT'))[0]?.id ?? '', 'BTC/USDT');
      await durable(url);
      const crash3 = image(stateFile);
      await h.close();
      const final = readFileSync(stateFile, 'utf8');
      expect(() => statSync(`${stateFile}.wal`)).toThrow(/ENOENT/); // a clean stop leaves the snapshot only
      expect(loadImage(crash3)).toEqual(stateOf(final));
      expect(loadImage({ ...crash3, wal: `${crash3.wal}{"s":99,"o":[[["prices","BTCUSDT"],"1` })).toEqual(
        stateOf(final),
      );
    } finally {
      await h.close();
    }
  });
});

/** The standalone emulator as a child process on the given state file, its HTTP URL read from its start lines. */
async function startChild(stateFile: string): Promise<{ child: ChildProcess; httpUrl: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/emulator/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      EMULATOR_PORT: '0',
      EMULATOR_STATE_FILE: stateFile,
      // Small, so the log is folded into the snapshot several times during the burst.
      EMULATOR_COMPACT_BYTES: '65536',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${output}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /HTTP\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`emulator exited (${String(code)}): ${output}`)));
  });
  return { child, httpUrl, output: () => output };
}

interface Ack {
  venue: 'spot' | 'usdm' | 'bitget';
  account: string;
  kind: 'market' | 'limit' | 'cancel';
  clientId: string;
  orderId: string;
  /** Spot market orders: what the answer said was filled, and the trade ids it named. */
  executedQty?: string;
  tradeIds?: number[];
}

const sum = (values: Decimal.Value[]) => values.reduce<Decimal>((a, v) => a.add(v), new Decimal(0));

describe('durable state: kill -9 during a burst of orders', () => {
  it('loses nothing acknowledged on Binance spot, USDT-M and Bitget, and hands out no id twice', async () => {
    const stateFile = path.join(dir, 'kill', 'state.json');
    const first = await startChild(stateFile);
    const control = (url: string, route: string, body?: unknown) =>
      fetch(`${url}/_control/${route}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);

    const binanceAccounts = DEMO_ACCOUNTS.filter((a) => a.exchange === 'binance');
    const bitgetAccounts = Array.from({ length: 4 }, (_, i) => ({
      id: `kill-bg${String(i)}`,
      exchange: 'bitget' as const,
      apiKey: `bg_kill_${String(i)}_key`,
      secret: `kill-bg-secret-${String(i)}`,
      passphrase: `kill-pass-${String(i)}`,
      spot: { USDT: '1000' },
    }));
    for (const spec of bitgetAccounts) await control(first.httpUrl, 'accounts', spec);
    const initial: Record<string, Record<string, unknown>> = {};
    for (const a of [...binanceAccounts, ...bitgetAccounts])
      initial[a.id] = await control(first.httpUrl, `accounts/${a.id}`);

    const acks: Ack[] = [];
    const resting: Ack[] = [];
    // Requests sent and not yet answered; an answer that arrives even after the kill was sent before it.
    let inFlight = 0;
    const counted = <T>(request: Promise<T>): Promise<T> => {
      inFlight++;
      return request.finally(() => inFlight--);
    };
    let seq = 0;
    const target = 150;
    const price = Number(((await control(first.httpUrl, 'prices')) as Record<string, string>)['BTCUSDT']);
    const lowBuy = String(Math.floor(price / 2)); // resting buys far below the market: they stay open

    const spotLane = async (spec: (typeof binanceAccounts)[number], n: number) => {
      const send = binanceSigner(first.httpUrl, spec.apiKey, spec.secret);
      for (let i = 0; i < n; i++) {
        const clientId = `k-s-${spec.id.slice(5, 9)}-${String(++seq)}`;
        const cancel = i % 3 === 2 ? resting.find((r) => r.account === spec.id && r.venue === 'spot') : undefined;
        if (cancel) {
          resting.splice(resting.indexOf(cancel), 1);
          const res = await counted(send('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId: cancel.orderId }));
          if (res.status === 200)
            acks.push({ ...cancel, kind: 'cancel', clientId: cancel.clientId, orderId: cancel.orderId });
          continue;
        }
        const limit = i % 3 === 1;
        const res = await counted(
          send('POST', '/api/v3/order', {
            symbol: 'BTCUSDT',
            side: 'BUY',
            newClientOrderId: clientId,
            ...(limit
              ? { type: 'LIMIT', timeInForce: 'GTC', price: lowBuy, quantity: '0.0002' }
              : { type: 'MARKET', quoteOrderQty: '15' }),
          }),
        );
        if (res.status !== 200) continue;
        const ack: Ack = {
          venue: 'spot',
          account: spec.id,
          kind: limit ? 'limit' : 'market',
          clientId,
          orderId: String(res.body['orderId']),
          executedQty: String(res.body['executedQty']),
          tradeIds: ((res.body['fills'] as { tradeId: number }[] | undefined) ?? []).map((f) => f.tradeId),
        };
        acks.push(ack);
        if (limit) resting.push(ack);
      }
    };
    const usdmLane = async (spec: (typeof binanceAccounts)[number], n: number) => {
      const send = binanceSigner(first.httpUrl, spec.apiKey, spec.secret);
      for (let i = 0; i < n; i++) {
        const clientId = `k-f-${spec.id.slice(5, 9)}-${String(++seq)}`;
        const res = await counted(
          send('POST', '/fapi/v1/order', {
            symbol: 'BTCUSDT',
            side: i % 3 === 2 ? 'SELL' : 'BUY',
            positionSide: 'LONG',
            type: 'MARKET',
            quantity: i % 3 === 2 ? '0.001' : '0.002',
            newClientOrderId: clientId,
          }),
        );
        if (res.status === 200)
          acks.push({
            venue: 'usdm',
            account: spec.id,
            kind: 'market',
            clientId,
            orderId: String(res.body['orderId']),
          });
      }
    };
    const bitgetLane = async (spec: (typeof bitgetAccounts)[number], n: number) => {
      const send = bitgetSigner(first.httpUrl, spec.apiKey, spec.secret, spec.passphrase);
      for (let i = 0; i < n; i++) {
        const clientId = `k-b-${spec.id}-${String(++seq)}`;
        const limit = i % 2 === 1;
        const started = Date.now();
        const res = await counted(
          send('POST', '/api/v2/spot/trade/place-order', {
            symbol: 'BTCUSDT',
            side: 'buy',
            orderType: limit ? 'limit' : 'market',
            force: 'gtc',
            size: limit ? '0.0002' : '12',
            ...(limit ? { price: lowBuy } : {}),
            clientOid: clientId,
          }),
        );
        const data = res.body['data'] as { orderId?: string } | null;
        if (res.body['code'] === '00000' && data?.orderId)
          acks.push({
            venue: 'bitget',
            account: spec.id,
            kind: limit ? 'limit' : 'market',
            clientId,
            orderId: data.orderId,
          });
        // Bitget allows 10 orders per second per account on this endpoint.
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 110 - (Date.now() - started))));
      }
    };

    // Lanes of one request at a time: two per Binance account and market, one per Bitget account.
    // SIGKILL once `target` answers arrived; every answer that arrives, even after the kill, was sent
    // before it, so it is checked too.
    const lanes: Promise<void>[] = [];
    for (const spec of binanceAccounts)
      lanes.push(spotLane(spec, 40), spotLane(spec, 40), usdmLane(spec, 60), usdmLane(spec, 60));
    for (const spec of bitgetAccounts) lanes.push(bitgetLane(spec, 40));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.child.once('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (acks.length < target) return;
        clearInterval(check);
        first.child.kill('SIGKILL');
        resolve();
      }, 1);
    });
    const inFlightAtKill = inFlight;
    await Promise.allSettled(lanes);
    const acked = acks;
    expect(await exited).toBe('SIGKILL');
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(new Set(acked.map((a) => a.venue))).toEqual(new Set(['spot', 'usdm', 'bitget']));

    const second = await startChild(stateFile);
    try {
      const url = second.httpUrl;
      const ids: { venue: string; id: bigint }[] = [];
      const tradeIds: bigint[] = [];

      for (const spec of binanceAccounts) {
        const send = binanceSigner(url, spec.apiKey, spec.secret);
        const view = await control(url, `accounts/${spec.id}`);
        const start = initial[spec.id] as {
          balances: {
            spot: Record<string, { free: string; locked: string }>;
            futures: Record<string, { wallet: string }>;
          };
        };
        const now = view as typeof start & { positions: { positionSide: string; positionAmt: string }[] };

        // Spot: every acknowledged order with its fills; balances are what the fills and open orders make them.
        const orders = (await send('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' })).body as unknown as {
          orderId: number;
          clientOrderId: string;
          status: string;
          executedQty: string;
          price: string;
          origQty: string;
        }[];
        const trades = (await send('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT', limit: 1000 })).body as unknown as {
          id: number;
          orderId: number;
          qty: string;
          quoteQty: string;
          commission: string;
          commissionAsset: string;
          isBuyer: boolean;
        }[];
        const byId = new Map(orders.map((o) => [String(o.orderId), o]));
        for (const ack of acked.filter((a) => a.venue === 'spot' && a.account === spec.id)) {
          const order = byId.get(ack.orderId);
          expect(order, `${ack.kind} ${ack.clientId}`).toBeDefined();
          expect(order?.clientOrderId).toBe(ack.clientId);
          if (ack.kind === 'market') {
            expect(order).toMatchObject({ status: 'FILLED', executedQty: ack.executedQty });
            const own = trades.filter((t) => String(t.orderId) === ack.orderId).map((t) => t.id);
            expect(own).toEqual(ack.tradeIds);
          }
          if (ack.kind === 'cancel') expect(order?.status).toBe('CANCELED');
        }
        const bought = trades.filter((t) => t.isBuyer);
        const expectUsdt = new Decimal(start.balances.spot['USDT']?.free ?? '0').sub(
          sum(bought.map((t) => t.quoteQty)),
        );
        const expectBtc = new Decimal(start.balances.spot['BTC']?.free ?? '0').add(
          sum(bought.map((t) => new Decimal(t.qty).sub(t.commission))),
        );
        const locked = sum(
          orders.filter((o) => o.status === 'NEW').map((o) => new Decimal(o.origQty).sub(o.executedQty).mul(o.price)),
        );
        const usdt = now.balances.spot['USDT'];
        expect(new Decimal(usdt?.free ?? '0').add(usdt?.locked ?? '0').toFixed()).toBe(expectUsdt.toFixed());
        expect(new Decimal(usdt?.locked ?? '0').toFixed()).toBe(locked.toFixed());
        expect(new Decimal(now.balances.spot['BTC']?.free ?? '0').toFixed()).toBe(expectBtc.toFixed());
        for (const o of orders) ids.push({ venue: 'spot', id: BigInt(o.orderId) });
        for (const t of trades) tradeIds.push(BigInt(t.id));

        // USDT-M: every acknowledged order filled; wallet and LONG position are what the trades make them.
        const fOrders = (await send('GET', '/fapi/v1/allOrders', { symbol: 'BTCUSDT' })).body as unknown as {
          orderId: number;
          clientOrderId: string;
          status: string;
        }[];
        const fTrades = (await send('GET', '/fapi/v1/userTrades', { symbol: 'BTCUSDT', limit: 1000 }))
          .body as unknown as {
          id: number;
          orderId: number;
          side: string;
          qty: string;
          realizedPnl: string;
          commission: string;
        }[];
        const fById = new Map(fOrders.map((o) => [String(o.orderId), o]));
        for (const ack of acked.filter((a) => a.venue === 'usdm' && a.account === spec.id)) {
          expect(fById.get(ack.orderId), ack.clientId).toMatchObject({ clientOrderId: ack.clientId, status: 'FILLED' });
          expect(fTrades.some((t) => String(t.orderId) === ack.orderId)).toBe(true);
        }
        const wallet = new Decimal(start.balances.futures['USDT']?.wallet ?? '0')
          .add(sum(fTrades.map((t) => t.realizedPnl)))
          .sub(sum(fTrades.map((t) => t.commission)));
        // userTrades prints realizedPnl to 8 decimals, the wallet keeps them all: a lost trade is off by far more.
        const off = new Decimal(now.balances.futures['USDT']?.wallet ?? '0').sub(wallet).abs();
        expect(off.lte(new Decimal('1e-8').mul(fTrades.length + 1)), `wallet off by ${off.toString()}`).toBe(true);
        const long = sum(fTrades.map((t) => (t.side === 'BUY' ? new Decimal(t.qty) : new Decimal(t.qty).neg())));
        const position = now.positions.find((p) => p.positionSide === 'LONG');
        expect(new Decimal(position?.positionAmt ?? '0').toFixed()).toBe(long.toFixed());
        for (const o of fOrders) ids.push({ venue: 'usdm', id: BigInt(o.orderId) });
        for (const t of fTrades) tradeIds.push(BigInt(t.id));
      }

      for (const spec of bitgetAccounts) {
        const send = bitgetSigner(url, spec.apiKey, spec.secret, spec.passphrase);
        const open = (await send('GET', '/api/v2/spot/trade/unfilled-orders', { symbol: 'BTCUSDT' })).body['data'] as {
          orderId: string;
          clientOid: string;
          price: string;
          size: string;
        }[];
        const done = (await send('GET', '/api/v2/spot/trade/history-orders', { symbol: 'BTCUSDT' })).body['data'] as {
          orderId: string;
          clientOid: string;
          status: string;
        }[];
        const fills = (await send('GET', '/api/v2/spot/trade/fills', { symbol: 'BTCUSDT' })).body['data'] as {
          orderId: string;
          tradeId: string;
          size: string;
          amount: string;
          feeDetail: { totalFee: string };
        }[];
        for (const ack of acked.filter((a) => a.venue === 'bitget' && a.account === spec.id)) {
          if (ack.kind === 'limit')
            expect(open.find((o) => o.orderId === ack.orderId)?.clientOid, ack.clientId).toBe(ack.clientId);
          else {
            expect(
              done.find((o) => o.orderId === ack.orderId),
              ack.clientId,
            ).toMatchObject({ clientOid: ack.clientId, status: 'filled' });
            expect(fills.some((f) => f.orderId === ack.orderId)).toBe(true);
          }
        }
        const view = (await control(url, `accounts/${spec.id}`)) as {
          balances: { spot: Record<string, { free: string; locked: string }> };
        };
        const locked = sum(open.map((o) => new Decimal(o.size).mul(o.price)));
        const usdt = view.balances.spot['USDT'];
        expect(new Decimal(usdt?.free ?? '0').add(usdt?.locked ?? '0').toFixed()).toBe(
          new Decimal(1000).sub(sum(fills.map((f) => f.amount))).toFixed(),
        );
        expect(new Decimal(usdt?.locked ?? '0').toFixed()).toBe(locked.toFixed());
        expect(new Decimal(view.balances.spot['BTC']?.free ?? '0').toFixed()).toBe(
          sum(fills.map((f) => new Decimal(f.size).add(f.feeDetail.totalFee))).toFixed(),
        );
        for (const o of [...open, ...done]) ids.push({ venue: 'bitget', id: BigInt(o.orderId) });
        for (const f of fills) tradeIds.push(BigInt(engineId(f.tradeId) ?? -1));
      }

      // No id was handed out twice, and a new order on every venue gets an id above all of them.
      const engineIds = ids.map(({ venue, id }) => (venue === 'bitget' ? BigInt(engineId(String(id)) ?? -1) : id));
      expect(new Set(engineIds).size).toBe(engineIds.length);
      const highest = engineIds.reduce((a, b) => (a > b ? a : b));
      const [leader] = binanceAccounts;
      const [bgSpec] = bitgetAccounts;
      if (!leader || !bgSpec) throw new Error('no accounts');
      const send = binanceSigner(url, leader.apiKey, leader.secret);
      const after = [
        (await send('POST', '/api/v3/order', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '15' }))
          .body,
        (
          await send('POST', '/fapi/v1/order', {
            symbol: 'BTCUSDT',
            side: 'BUY',
            positionSide: 'LONG',
            type: 'MARKET',
            quantity: '0.002',
          })
        ).body,
      ];
      const bgAfter = await bitgetSigner(
        url,
        bgSpec.apiKey,
        bgSpec.secret,
        bgSpec.passphrase,
      )('POST', '/api/v2/spot/trade/place-order', {
        symbol: 'BTCUSDT',
        side: 'buy',
        orderType: 'market',
        force: 'gtc',
        size: '12',
      });
      for (const body of after) expect(BigInt(body['orderId'] as number)).toBeGreaterThan(highest);
      expect(BigInt(engineId((bgAfter.body['data'] as { orderId: string }).orderId) ?? -1)).toBeGreaterThan(highest);
      const newTrade = BigInt((after[0]?.['fills'] as { tradeId: number }[])[0]?.tradeId ?? 0);
      expect(newTrade).toBeGreaterThan(tradeIds.reduce((a, b) => (a > b ? a : b)));
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((resolve) => second.child.once('exit', resolve));
    }
  }, 90_000);
});
