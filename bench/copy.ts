/**
 * npm run bench (copy part) — a leader fill event until every follower's copy order is
 * acknowledged, for 10, 100 and 500 followers, against one single order's round trip measured in
 * the same run. The emulator runs in its own process (`src/emulator/main.ts`) and adds a fixed
 * latency L to every order placement; the desk (real ccxt, our exchange layer, the copy engine,
 * SQLite) runs here.
 *
 * Timing: from the leader order's answer (handed to the engine as the stream would hand it)
 * until every follower's copy is acknowledged (the exchange took its order, or refused it). That
 * includes the leader fill read (balance + trades), the event + intents transaction, each
 * follower's sizing and its order with L. Each copy's fill (from the follower's stream) and its
 * intent's FILLED are awaited after the clock stops, and checked, before the next event. Also
 * printed: when the first copy reaches the exchange layer (what every follower waits for), and at
 * 100 followers two floors from the same emulator: bare ccxt, and raw signed HTTP with no library.
 *
 * Followers are Bitget spot: Binance counts request weight per IP (6000/min, which the emulator
 * and our RateBudget both enforce), and the leader's fill read alone costs 40 weight per event,
 * so events are paced (BENCH_COPY_GAP_MS) to stay inside it and the figure stays latency, not
 * the limit; Binance followers on the same IP would add weight to every event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Exchange } from 'ccxt';
import { Decimal } from 'decimal.js';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { ExchangeClients } from '../src/exchange/clients.ts';
import { ccxtConfig } from '../src/exchange/endpoints.ts';
import { venueOf } from '../src/exchange/venues.ts';
import type { Db } from '../src/infra/db/client.ts';
import { CopyEngine } from '../src/services/copy/copy-engine.ts';
import { readLeaderFill } from '../src/services/copy/leader-events.ts';
import { FillIngestion } from '../src/services/orders/fill-ingestion.ts';
import { FanOutWindow } from '../src/services/orders/fan-out-window.ts';
import { OrderTracker } from '../src/services/orders/order-tracker.ts';
import { EventBus } from '../src/services/events.ts';
import { StreamSupervisor } from '../src/services/streams/supervisor.ts';

const LATENCY_MS = Number(process.env['BENCH_COPY_LATENCY_MS'] ?? 25);
const EVENTS = Number(process.env['BENCH_COPY_EVENTS'] ?? 200);
// The issue asks for p95 over at least 200 events at every size; at 500 followers that takes a few
// minutes (BENCH_COPY_EVENTS_500 shortens it, with a p95 that is then little more than the maximum).
const EVENTS_500 = Number(process.env['BENCH_COPY_EVENTS_500'] ?? 200);
const GAP_MS = Number(process.env['BENCH_COPY_GAP_MS'] ?? 450);
const SIZES = (process.env['BENCH_COPY_FOLLOWERS'] ?? '10,100,500').split(',').map(Number);
const BASELINE_ORDERS = 40;
// The floors at 100 followers (bare ccxt, raw HTTP): rounds of 100 orders at once.
const FLOOR_ROUNDS = 40;
// Followers on their private streams (as the desk runs them); BENCH_COPY_STREAMS=0 measures the
// REST-only path (every follower's balance read before its copy).
const STREAMS = process.env['BENCH_COPY_STREAMS'] !== '0';
const LEADER = 'bench_leader';
const BITGET_PLACE = 'POST /api/v2/spot/trade/place-order';

/** CPU time (ms) the emulator process has used so far, from /proc (Linux; 10 ms ticks). */
function childCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/${String(child?.pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p95: at(95), p99: at(99) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const binanceKey = (n: number) => `BenchCopyKey${String(n).padStart(52, '0')}`;

let child: ChildProcess | undefined;
let dataDir: string | undefined;
function killChild(): void {
  if (child && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
process.once('exit', killChild);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChild();
    process.exit(130);
  });
}

/**
 * Every filled copy's fill in the books (they are written after the clock stops): waits up to
 * 15 s for them, then says how many made it.
 */
async function fillsBooked(db: Db): Promise<{ filled: number; fills: number }> {
  const count = async () => {
    const [row] = await db.$queryRaw<{ filled: bigint; fills: bigint }[]>`
      SELECT (SELECT COUNT(*) FROM "Order" WHERE "purpose" = 'copy' AND "status" = 'FILLED') AS filled,
        (SELECT COUNT(*) FROM (SELECT DISTINCT "accountId", "exchangeOrderId" FROM "Fill"
          WHERE "accountId" LIKE 'bench_f%')) AS fills`;
    return { filled: Number(row?.filled ?? 0), fills: Number(row?.fills ?? 0) };
  };
  const until = Date.now() + 15_000;
  let now = await count();
  while (now.fills < now.filled && Date.now() < until) {
    await sleep(200);
    now = await count();
  }
  return now;
}

/** The emulator in its own process on a free port; resolves with its URLs once it listens. */
function startEmulatorProcess(): Promise<{ httpUrl: string; wsUrl: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/emulator/main.ts'], {
      env: { ...process.env, EMULATOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = proc;
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      out += chunk;
      const http = /HTTP\s+(http:\/\/\S+)/.exec(out)?.[1];
      const ws = /WS\s+(ws:\/\/\S+)/.exec(out)?.[1];
      if (http && ws) resolve({ httpUrl: http, wsUrl: ws });
    });
    proc.once('exit', (code) => reject(new Error(`emulator exited (${String(code)}) before listening`)));
    proc.once('error', reject);
  });
}

async function control(httpUrl: string, method: string, route: string, body?: unknown): Promise<void> {
  const res = await fetch(`${httpUrl}/_control/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`control ${method} ${route}: ${res.status} ${await res.text()}`);
}

/** A Bitget spot account on the emulator (10000 USDT, 0.2 BTC) whose orders are answered after L. */
async function emulatorBitgetAccount(httpUrl: string, id: string) {
  const key = { apiKey: `bg_${id}`, secret: `secret-${id}`, passphrase: 'bench-pass' };
  await control(httpUrl, 'POST', 'accounts', { id, exchange: 'bitget', ...key, spot: { USDT: '10000', BTC: '0.2' } });
  await control(httpUrl, 'POST', 'faults', { accountId: id, endpoint: BITGET_PLACE, latencyMs: LATENCY_MS });
  return key;
}

/** A floor's rounds: each one's time until its last answer, and the desk's CPU per round. */
interface Floor {
  samples: number[];
  cpuMs: number;
}

/**
 * The library's own floor, same run and emulator: `n` bare ccxt clients (no desk code — no request
 * lanes, budget, database, streams) each sending one market order at once, `rounds` times, on
 * accounts of their own. Each round's time is until the last answer.
 */
async function bareCcxtFanOut(urls: { httpUrl: string; wsUrl: string }, n: number, rounds: number): Promise<Floor> {
  const venue = venueOf('bitget');
  const spec = { exchange: 'bitget', market: 'spot', env: 'paper' } as const;
  const clients: Exchange[] = [];
  for (let i = 0; i < n; i++) {
    const key = await emulatorBitgetAccount(urls.httpUrl, `bench_bare${i}`);
    const client = venue.newClient('spot', ccxtConfig(spec, key, { paper: urls }));
    if (clients[0]) client.setMarkets(clients[0].markets);
    else await client.loadMarkets();
    clients.push(client);
  }
  let k = 0;
  const timed = await fanOutRounds(rounds, (buy) =>
    Promise.all(
      clients.map((c) =>
        buy
          ? // a market buy sized by `cost`: ccxt's amount argument is unused (typed as a number)
            c.createOrder('BTC/USDT', 'market', 'buy', undefined as unknown as number, undefined, {
              cost: '20',
              clientOid: `bare${k++}`,
            })
          : c.createOrder('BTC/USDT', 'market', 'sell', 0.0003, undefined, { clientOid: `bare${k++}` }),
      ),
    ),
  );
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  return timed;
}

/**
 * The machine's floor, same run and emulator: `n` Bitget accounts whose market orders are signed
 * here (HMAC, as Bitget v2 wants) and sent with undici through one keep-alive pool — no ccxt,
 * no desk code. What is left is HTTP and JSON on both sides, the emulator's matching and L.
 */
async function rawHttpFanOut(urls: { httpUrl: string }, n: number, rounds: number): Promise<Floor> {
  const keys: Awaited<ReturnType<typeof emulatorBitgetAccount>>[] = [];
  for (let i = 0; i < n; i++) keys.push(await emulatorBitgetAccount(urls.httpUrl, `bench_raw${i}`));
  // undici's request: the leanest HTTP client Node has (node:http costs more CPU per request).
  const pool = new Agent({ keepAliveTimeout: 60_000, connections: 256 });
  const placePath = '/api/v2/spot/trade/place-order';
  let k = 0;
  const post = async (headers: Record<string, string>, body: string) => {
    const res = await request(`${urls.httpUrl}${placePath}`, { method: 'POST', dispatcher: pool, headers, body });
    return res.body.text();
  };
  const place = async (key: (typeof keys)[number], buy: boolean) => {
    const body = JSON.stringify({
      symbol: 'BTCUSDT',
      side: buy ? 'buy' : 'sell',
      orderType: 'market',
      force: 'gtc',
      size: buy ? '20' : '0.0003',
      clientOid: `raw${k++}`,
    });
    const timestamp = String(Date.now());
    const sign = createHmac('sha256', key.secret).update(`${timestamp}POST${placePath}${body}`).digest('base64');
    const answer = JSON.parse(
      await post(
        {
          'ACCESS-KEY': key.apiKey,
          'ACCESS-SIGN': sign,
          'ACCESS-TIMESTAMP': timestamp,
          'ACCESS-PASSPHRASE': key.passphrase,
          'Content-Type': 'application/json',
        },
        body,
      ),
    ) as { code?: string; msg?: string };
    if (answer.code !== '00000') throw new Error(`raw order refused: ${String(answer.code)} ${String(answer.msg)}`);
  };
  try {
    return await fanOutRounds(rounds, (buy) => Promise.all(keys.map((key) => place(key, buy))));
  } finally {
    await pool.close();
  }
}

/**
 * Times `rounds` fan-outs (after 3 that warm connections), buys and sells in turn, 200 ms apart:
 * each round until its last answer, and the desk's CPU per round.
 */
async function fanOutRounds(rounds: number, fanOut: (buy: boolean) => Promise<unknown>): Promise<Floor> {
  const samples: number[] = [];
  let cpuMs = 0;
  for (let round = 0; round < rounds + 3; round++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fanOut(round % 2 === 0);
    const cpu = process.cpuUsage(c0);
    if (round >= 3) {
      samples.push(performance.now() - t0);
      cpuMs += (cpu.user + cpu.system) / 1000;
    }
    await sleep(200);
  }
  return { samples, cpuMs: cpuMs / rounds };
}

async function main(): Promise<void> {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'hedgestack-bench-copy-'));
  // Errors reach stderr (a fill the books refused is a finding); BENCH_LOG=warn|info shows more.
  const logger = pino({ level: process.env['BENCH_LOG'] ?? 'error' }, pino.destination(2));
  const started = performance.now();
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let clients: ExchangeClients | undefined;
  let copy: CopyEngine | undefined;
  let supervisor: StreamSupervisor | undefined;
  try {
    const urls = await startEmulatorProcess();
    await control(urls.httpUrl, 'DELETE', 'random-walk');
    await control(urls.httpUrl, 'POST', 'price', { symbol: 'BTCUSDT', price: '60000' });

    // The desk: live mode (no in-process paper exchange), its paper accounts on the child emulator.
    app = await createApp(loadConfig({ DATA_DIR: dataDir, PORT: '0', TRADING_MODE: 'live' }), { logger });
    const { accounts, codes, risk } = app.services;
    // The bench desk's own bus: the app's listeners (built for live exchanges) stay out of it.
    const bus = new EventBus(logger);
    // The desk's database, counting its queries (how many one event costs is part of the answer).
    let queries = 0;
    let writes = 0;
    const db = app.services.db.$extends({
      query: {
        $allOperations({ operation, args, query }) {
          queries++;
          if (/^(create|update|upsert|delete|\$executeRaw)/.test(operation)) writes++;
          return query(args);
        },
      },
    }) as unknown as Db;
    clients = new ExchangeClients({ accounts, logger, paper: urls });
    const streams = new StreamSupervisor({ clients, bus, logger, listAccounts: () => accounts.list() });
    supervisor = streams;
    const window = new FanOutWindow();
    const fills = new FillIngestion(db, codes, clients, bus, logger);
    window.addFollower(fills);
    fills.listen();
    const tracker = new OrderTracker({ db, exchanges: clients, fills, bus, logger, window });
    tracker.listen();
    copy = new CopyEngine({
      db,
      accounts,
      exchanges: clients,
      streams,
      tracker,
      window,
      fills,
      risk,
      codes,
      bus,
      logger,
    });

    const leaderKey = { apiKey: binanceKey(0), secret: 'bench-leader-secret' };
    await control(urls.httpUrl, 'POST', 'accounts', {
      id: LEADER,
      exchange: 'binance',
      ...leaderKey,
      spot: { USDT: '1000000', BTC: '20' },
    });
    await control(urls.httpUrl, 'POST', 'faults', {
      accountId: LEADER,
      endpoint: 'POST /api/v3/order',
      latencyMs: LATENCY_MS,
    });
    await accounts.create({ id: LEADER, name: LEADER, exchange: 'binance', market: 'spot', env: 'paper' }, leaderKey);
    await db.account.update({ where: { id: LEADER }, data: { copyRole: 'LEADER' } });

    let created = 0;
    const addBitget = async (id: string, copyRole: 'FOLLOWER' | 'NONE') => {
      const key = await emulatorBitgetAccount(urls.httpUrl, id);
      await accounts.create({ id, name: id, exchange: 'bitget', market: 'spot', env: 'paper' }, key);
      await db.account.update({ where: { id }, data: { copyRole } });
    };
    const addFollower = (i: number) => addBitget(`bench_f${i}`, 'FOLLOWER');
    const addFollowers = async (upTo: number) => {
      while (created < upTo) {
        const batch = Array.from({ length: Math.min(25, upTo - created) }, (_, k) => created + k);
        await Promise.all(batch.map(addFollower));
        created += batch.length;
      }
      await copy?.refreshRoster();
    };
    // As the desk runs them: every follower on its private stream, which keeps its balance fresh.
    const watchFollowers = async (upTo: number) => {
      if (!STREAMS) return;
      for (let i = 0; i < upTo; i++) await streams.watch(await accounts.get(`bench_f${i}`));
      const deadline = Date.now() + 60_000;
      const live = () => Array.from({ length: upTo }, (_, i) => streams.status(`bench_f${i}`)?.health === 'live');
      while (!live().every(Boolean)) {
        if (Date.now() > deadline) throw new Error(`follower streams not live: ${live().filter((x) => !x).length}`);
        await sleep(100);
      }
    };

    // Baseline: one market order through the same layer to the same emulator, with the same L.
    // (its own account: a follower's copies would queue behind lookups of the baseline's fills)
    await addBitget('bench_base', 'NONE');
    const one = await clients.for('bench_base');
    const single: number[] = [];
    let baseCpu = 0;
    for (let i = 0; i < BASELINE_ORDERS + 5; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await one.placeOrder({
        symbol: 'BTC/USDT',
        side: i % 2 === 0 ? 'buy' : 'sell',
        type: 'market',
        ...(i % 2 === 0 ? { cost: new Decimal('20') } : { amount: new Decimal('0.0003') }),
        clientOrderId: `benchbase${i}`,
        // The request each copy makes: answered when the exchange takes the order.
        answer: 'ack',
      });
      const cpu = process.cpuUsage(c0);
      if (i >= 5) {
        // the first few warm the connection
        single.push(performance.now() - t0);
        baseCpu += (cpu.user + cpu.system) / 1000;
      }
      await sleep(150); // Bitget takes 10 orders a second per account; our budget would make it wait
    }
    const base = summary(single);
    console.log(
      `copy fan-out (leader binance spot -> bitget spot followers, emulator in its own process, L = ${LATENCY_MS} ms per order):`,
    );
    console.log(
      `  one order round trip (baseline, ${BASELINE_ORDERS} orders): p50 ${base.p50.toFixed(1)} ms  p95 ${base.p95.toFixed(1)} ms  p99 ${base.p99.toFixed(1)} ms  (desk CPU ${(baseCpu / BASELINE_ORDERS).toFixed(1)} ms per order)`,
    );

    // Components, same run: the leader fill read (balance + trades, both at once), one follower
    // balance read, one database round trip.
    const leaderRead: number[] = [];
    const followerRead: number[] = [];
    const dbTrip: number[] = [];
    const dbWrite: number[] = [];
    const leaderEx = await clients.for(LEADER);
    const probe = await leaderEx.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      cost: new Decimal('100'),
      clientOrderId: 'benchprobe',
    });
    for (let i = 0; i < 25; i++) {
      let t = performance.now();
      await readLeaderFill(leaderEx, probe);
      leaderRead.push(performance.now() - t);
      t = performance.now();
      await one.fetchBalance();
      followerRead.push(performance.now() - t);
      for (let k = 0; k < 20; k++) {
        t = performance.now();
        await db.account.findUnique({ where: { id: LEADER } });
        dbTrip.push(performance.now() - t);
        t = performance.now();
        await db.setting.upsert({
          where: { key: 'bench.probe' },
          create: { key: 'bench.probe', value: String(k) },
          update: { value: String(k) },
        });
        dbWrite.push(performance.now() - t);
      }
      await sleep(100);
    }
    const lr = summary(leaderRead);
    const fr = summary(followerRead);
    const dt = summary(dbTrip);
    const dw = summary(dbWrite);
    console.log(
      `  leader fill read p50 ${lr.p50.toFixed(1)} ms · one follower balance read p50 ${fr.p50.toFixed(1)} ms · one database read p50 ${dt.p50.toFixed(2)} ms, write p50 ${dw.p50.toFixed(2)} ms`,
    );

    await copy.start();
    await copy.setRunning(true);
    const leader = await clients.for(LEADER);
    let leaderOrders = 0;
    const sentAt: number[] = []; // this event's first copy handed to the exchange layer
    let sentCpu: NodeJS.CpuUsage | undefined; // the desk's CPU then
    clients.onSymbolTraded((accountId) => {
      if (sentAt.length === 0 && accountId.startsWith('bench_f')) {
        sentAt.push(performance.now());
        sentCpu = process.cpuUsage();
      }
    });
    const results = new Map<
      number,
      { p95: number; cpuPerFollower: number; dbFloor: number; deskCpu: number; emulatorCpu: number }
    >();
    let bare: ReturnType<typeof summary> | undefined;
    let bareCpuPerOrder: number | undefined;
    let raw: ReturnType<typeof summary> | undefined;
    for (const n of SIZES) {
      await addFollowers(n);
      await watchFollowers(n);
      // Idle followers warm their clients (one market table shared) and balances before timing.
      await Promise.all(Array.from({ length: n }, async (_, i) => copy?.balances.refresh(`bench_f${i}`)));
      const events = n >= 500 ? EVENTS_500 : EVENTS;
      const samples: number[] = [];
      // When the first copy reaches the exchange layer: everything before it (the leader's fill
      // read, sizing, the event's transaction) delays every follower.
      const firstSends: number[] = [];
      let failed = 0;
      let eventQueries = 0;
      let eventWrites = 0;
      let eventCpu = 0;
      let preSendCpu = 0;
      let emulatorCpu = 0;
      for (let i = 0; i < events; i++) {
        const cycle = performance.now();
        const buy = i % 2 === 0;
        const order = await leader.placeOrder({
          symbol: 'BTC/USDT',
          side: buy ? 'buy' : 'sell',
          type: 'market',
          // ~1% of the leader's free USDT, then about the same back in BTC: balances hold.
          ...(buy ? { cost: new Decimal('10000') } : { amount: new Decimal('0.1666') }),
          clientOrderId: `benchlead${leaderOrders++}`,
        });
        const t0 = performance.now();
        const q0 = queries;
        const c0 = process.cpuUsage();
        const e0 = childCpuMs();
        const w0 = writes;
        sentAt.length = 0;
        // Resolves when every follower's copy has its answer (acknowledged, filled or failed).
        const event = await copy.copyLeaderOrder(LEADER, order);
        const cpu = process.cpuUsage(c0);
        if (sentCpu) preSendCpu += (sentCpu.user - c0.user + (sentCpu.system - c0.system)) / 1000;
        sentCpu = undefined;
        samples.push(performance.now() - t0);
        const firstAt = sentAt[0];
        if (firstAt !== undefined) firstSends.push(firstAt - t0);
        eventQueries += queries - q0;
        eventWrites += writes - w0;
        emulatorCpu += childCpuMs() - e0;
        await copy.idle();
        eventCpu += (cpu.user + cpu.system) / 1000;
        if (!event) throw new Error('the leader order did not become a copy event');
        const intents = await db.copyIntent.findMany({ where: { eventId: event.id } });
        const ok = intents.filter((x) => x.status === 'FILLED').length;
        if (intents.length !== n) throw new Error(`event ${event.id}: ${intents.length} intents for ${n} followers`);
        failed += n - ok;
        const rest = GAP_MS - (performance.now() - cycle);
        if (rest > 0) await sleep(rest);
      }
      const booked = await fillsBooked(db);
      const s = summary(samples);
      const ratio = (v: number) => (v / base.p50).toFixed(2);
      console.log(
        `  ${String(n).padStart(3)} followers, ${events} events: p50 ${s.p50.toFixed(1)} ms  p95 ${s.p95.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms` +
          `   ratio to one order: p50 ${ratio(s.p50)}x  p95 ${ratio(s.p95)}x  p99 ${ratio(s.p99)}x` +
          `   seed bar p95 < 500 ms: ${s.p95 < 500 ? 'met' : 'MISSED'}` +
          (failed > 0 ? `   (${failed} copies not FILLED)` : ''),
      );
      console.log(
        `       books: ${booked.fills} of ${booked.filled} filled copies so far have their fill recorded` +
          (booked.fills < booked.filled ? '   (FILLS MISSING: see the errors above)' : ''),
      );
      const first = summary(firstSends);
      console.log(
        `       first copy handed to the exchange after p50 ${first.p50.toFixed(1)} ms  p95 ${first.p95.toFixed(1)} ms (the leader's fill read, sizing, the event's transaction), ` +
          `the last answer p50 ${(s.p50 - first.p50).toFixed(1)} ms after it`,
      );
      const writesPer = eventWrites / events;
      const readsPer = eventQueries / events - writesPer;
      const dbFloor = readsPer * dt.p50 + writesPer * dw.p50;
      console.log(
        `       Prisma queries in the timed window: ${readsPer.toFixed(0)} reads + ${writesPer.toFixed(0)} writes, ~${dbFloor.toFixed(0)} ms = ${(dbFloor / base.p50).toFixed(1)}x one order ` +
          `(the event, its intents and order rows go straight to SQLite through infra/db/connection.ts and are not counted here; their CPU is in "before the first copy went out" below)`,
      );
      const cpuPer = eventCpu / events;
      const wall = samples.reduce((a, b) => a + b, 0) / events;
      const preSend = preSendCpu / events;
      console.log(
        `       desk CPU per event ${cpuPer.toFixed(0)} ms (${(cpuPer / n).toFixed(2)} ms per follower) = ${((cpuPer / wall) * 100).toFixed(0)}% of its mean wall time ${wall.toFixed(0)} ms: the fan-out is CPU-bound when this nears 100%; ` +
          `${preSend.toFixed(0)} ms of it before the first copy went out (the leader's fill read, sizing, the event's transaction), then ${((cpuPer - preSend) / n).toFixed(2)} ms per follower`,
      );
      console.log(
        `       emulator CPU per event ${(emulatorCpu / events).toFixed(0)} ms (its own process, one thread: matching, ${STREAMS ? 'stream pushes, ' : ''}answers)`,
      );
      results.set(n, {
        p95: s.p95,
        cpuPerFollower: cpuPer / n,
        dbFloor,
        deskCpu: cpuPer,
        emulatorCpu: emulatorCpu / events,
      });
      if (n === 100) {
        // Right after, on the same emulator before more followers join it.
        const floorLine = (label: string, floor: Floor) => {
          const f = summary(floor.samples);
          console.log(
            `  ${label}, ${FLOOR_ROUNDS} rounds): p50 ${f.p50.toFixed(1)} ms  p95 ${f.p95.toFixed(1)} ms` +
              `   ratio to one order: p50 ${(f.p50 / base.p50).toFixed(2)}x  p95 ${(f.p95 / base.p50).toFixed(2)}x  (desk CPU ${floor.cpuMs.toFixed(0)} ms per round)`,
          );
          return f;
        };
        const bareFloor = await bareCcxtFanOut(urls, 100, FLOOR_ROUNDS);
        bare = floorLine('bare ccxt, no desk code (100 clients of their own, one market order each at once', bareFloor);
        bareCpuPerOrder = bareFloor.cpuMs / 100;
        raw = floorLine(
          'raw HTTP, no library (100 orders signed here, one keep-alive pool, at once',
          await rawHttpFanOut(urls, 100, FLOOR_ROUNDS),
        );
      }
    }
    const at100 = results.get(100);
    if (at100 && bare && bareCpuPerOrder !== undefined) {
      const p95Ratio = at100.p95 / bare.p95;
      const cpuRatio = at100.cpuPerFollower / bareCpuPerOrder;
      console.log(
        `  target p95 <= 1.3x bare ccxt's p95 at 100 followers: ${p95Ratio <= 1.3 ? 'met' : 'MISSED'} (${p95Ratio.toFixed(2)}x: ${at100.p95.toFixed(1)} ms against ${bare.p95.toFixed(1)} ms)`,
      );
      console.log(
        `  target desk CPU per follower copy <= 1.5x bare ccxt's CPU per order: ${cpuRatio <= 1.5 ? 'met' : 'MISSED'} (${cpuRatio.toFixed(2)}x: ${at100.cpuPerFollower.toFixed(2)} ms against ${bareCpuPerOrder.toFixed(2)} ms)`,
      );
    }
    if (at100) {
      const meets = at100.p95 <= 1.5 * base.p50;
      console.log(
        `  target p95 <= 1.5x one order at 100 followers: ${meets ? 'met' : 'MISSED'} (${(at100.p95 / base.p50).toFixed(2)}x); seed bar p95 < 500 ms: ${at100.p95 < 500 ? 'met' : 'MISSED'} (${at100.p95.toFixed(0)} ms)`,
      );
      if (!meets && bare && raw) {
        console.log(
          `  # the desk's copy fan-out at 100 followers is ${(at100.p95 / bare.p95).toFixed(2)}x bare ccxt's p95 and ${(at100.p95 / raw.p95).toFixed(2)}x raw HTTP's in this run; ` +
            `bare ccxt alone is ${(bare.p95 / base.p50).toFixed(2)}x one order at p95, raw HTTP with no library ${(raw.p95 / base.p50).toFixed(2)}x` +
            (raw.p95 > 1.5 * base.p50
              ? ': on this machine the target is below what a hundred plain signed requests reach'
              : ''),
        );
      }
      if (!meets) {
        const cores = os.availableParallelism();
        const floor = (at100.deskCpu + at100.emulatorCpu) / cores;
        console.log(
          `  # what dominates: CPU, not the exchange's latency (the orders go out together, L overlaps). The desk spends ` +
            `~${at100.cpuPerFollower.toFixed(1)} ms of CPU per follower on one Node thread (ccxt building and signing each order ` +
            `and reading its answer, the leader's fill read, sizing and bookkeeping; ` +
            `the database is ~${at100.dbFloor.toFixed(0)} ms per event), ~${at100.deskCpu.toFixed(0)} ms per event at 100 followers, ` +
            `and the emulator ~${at100.emulatorCpu.toFixed(0)} ms. Spread perfectly over this machine's ${cores} cores that is ` +
            `${floor.toFixed(0)} ms = ${(floor / base.p50).toFixed(1)}x one order before any latency, against a 1.5x budget of ` +
            `${(1.5 * base.p50).toFixed(0)} ms`,
        );
      }
    }
    console.log(`  copy bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await copy?.stop().catch(() => undefined);
    await supervisor?.stop().catch(() => undefined);
    await clients?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    killChild();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  killChild();
  process.exit(1);
});
