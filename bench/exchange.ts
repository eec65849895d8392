/**
 * npm run bench — exchange-layer figures, each against a baseline measured in the same run:
 * 1. order round trip: a market order through our layer and real ccxt to the emulator, versus a
 *    bare HTTP round trip to the same server (the floor any order pays);
 * 2. memory per account client at 200 accounts sharing one market table, versus one client
 *    that loads its own markets;
 * 3. fill ingestion: fills attributed by client id, applied to the VP ledger and persisted, one
 *    at a time and in bursts, versus the bare insert of the same fill row, one at a time (the
 *    database's floor for a row);
 * 4. the emulator's durable state: the same signed market orders (raw HTTP, no library) against
 *    an emulator with a state file (every answer waits for its write-ahead log record's
 *    fdatasync) and one in memory, one at a time and 100 at once (group commit).
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { ClientOrderIdFactory } from '../src/domain/client-order-id.ts';
import { startEmulator, type Emulator } from '../src/emulator/index.ts';
import { ExchangeClients } from '../src/exchange/clients.ts';

// Binance allows 100 orders per 10 s per account and our budget enforces it (an order beyond it
// waits): spread the orders over the demo spot accounts so the figure is latency, not the limit.
const ORDER_ACCOUNTS = ['sub_b', 'f1', 'lead'];
const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 240);
const ACCOUNTS = Number(process.env['BENCH_ACCOUNTS'] ?? 200);
const FILLS = Number(process.env['BENCH_FILLS'] ?? 5000);
const BURST = Number(process.env['BENCH_FILL_BURST'] ?? 100);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const gc = (globalThis as { gc?: () => void }).gc;
function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hedgestack-bench-'));
  const logger = pino({ level: 'silent' });
  const app = await createApp(loadConfig({ DATA_DIR: dataDir, PORT: '0' }), { logger });
  const paper = app.services.paper;
  if (!paper) throw new Error('paper exchange not running');
  paper.emulator.setPrice('BTCUSDT', '60000');
  try {
    // 1. Order round trip.
    const exchanges = await Promise.all(ORDER_ACCOUNTS.map((id) => app.services.exchanges.for(id)));
    const ex = exchanges[0];
    if (!ex) throw new Error('no account');
    const ping = `${paper.urls.httpUrl}/api/v3/ping`;
    const bare: number[] = [];
    const orders: number[] = [];
    for (let i = 0; i < 50; i++) await fetch(ping).then((r) => r.text()); // warm-up
    for (let i = 0; i < 10; i++) {
      await ex.placeOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'market',
        cost: new Decimal('10'),
        clientOrderId: `benchwarm${i}`,
      });
    }
    for (let i = 0; i < ORDERS; i++) {
      const t0 = performance.now();
      await fetch(ping).then((r) => r.text());
      bare.push(performance.now() - t0);
      const t1 = performance.now();
      await (exchanges[i % exchanges.length] ?? ex).placeOrder({
        symbol: 'BTC/USDT',
        side: i % 2 === 0 ? 'buy' : 'sell',
        type: 'market',
        ...(i % 2 === 0 ? { cost: new Decimal('10') } : { amount: new Decimal('0.0001') }),
        clientOrderId: `bench${i}`,
      });
      orders.push(performance.now() - t1);
    }
    const o = summary(orders);
    const b = summary(bare);
    console.log(
      `order round trip (${ORDERS} market orders over ${exchanges.length} binance spot accounts, ccxt -> emulator):`,
    );
    console.log(`  order  p50 ${o.p50.toFixed(2)} ms  p99 ${o.p99.toFixed(2)} ms`);
    console.log(`  bare HTTP p50 ${b.p50.toFixed(2)} ms  p99 ${b.p99.toFixed(2)} ms   (baseline, same server)`);
    console.log(`  ratio order/bare: p50 ${(o.p50 / b.p50).toFixed(1)}x  p99 ${(o.p99 / b.p99).toFixed(1)}x`);

    await benchFillIngestion(app);
    await benchDurableState();

    // 2. Memory per account client.
    const { accounts } = app.services;
    for (let i = 0; i < ACCOUNTS; i++) {
      const account = await accounts.create(
        { id: `bench_${i}`, name: `bench ${i}`, exchange: 'binance', market: 'spot', env: 'paper' },
        { apiKey: `benchkey${i.toString().padStart(12, '0')}`, secret: `benchsecret${i.toString().padStart(12, '0')}` },
      );
      await paper.register(account);
    }
    const clients = new ExchangeClients({ accounts, logger, paper: paper.urls });
    await clients.for('bench_0'); // the shared market table itself is not per-client cost
    const before = heapUsed();
    for (let i = 1; i < ACCOUNTS; i++) await clients.for(`bench_${i}`);
    const shared = (heapUsed() - before) / (ACCOUNTS - 1);

    const solo = new ExchangeClients({ accounts, logger, paper: paper.urls });
    const beforeSolo = heapUsed();
    await solo.for('bench_0');
    const alone = heapUsed() - beforeSolo;
    console.log(`memory per account client (${ACCOUNTS} binance spot accounts, markets shared):`);
    console.log(`  shared markets: ${(shared / 1024).toFixed(0)} KiB per client`);
    console.log(`  first client with its own market table: ${(alone / 1024).toFixed(0)} KiB   (baseline)`);
    console.log(`  ratio shared/alone: ${(shared / alone).toFixed(2)}`);
    await clients.close();
    await solo.close();
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchFillIngestion(app: Awaited<ReturnType<typeof createApp>>): Promise<void> {
  const { vps, codes, fills, db } = app.services;
  const vp = await vps.open({ accountId: 'main', symbol: 'BTC/USDT:USDT', positionSide: 'LONG', name: 'bench' });
  const ids = new ClientOrderIdFactory();
  const code = await codes.codeOf('main');
  const trade = (i: number) => ({
    id: `bench${i}`,
    orderId: `o${i}`,
    // Three buys for every sell keep the VP long while exercising both ledger paths.
    clientOrderId: ids.next({ accountCode: code, vpId: vp.id, purpose: 'trade' as const }),
    symbol: 'BTC/USDT:USDT',
    side: i % 4 === 3 ? ('sell' as const) : ('buy' as const),
    price: new Decimal(60000 + (i % 100)),
    amount: new Decimal('0.001'),
    cost: new Decimal('60'),
    fee: { cost: new Decimal('0.024'), currency: 'USDT' },
    positionSide: 'LONG' as const,
    timestamp: Date.now(),
  });
  for (let i = 0; i < 200; i++) await fills.ingest('main', trade(-1 - i)); // warm-up
  const perFill: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < FILLS; i++) {
    const t = performance.now();
    await fills.ingest('main', trade(i));
    perFill.push(performance.now() - t);
  }
  const total = performance.now() - t0;
  // The same fills as they arrive in bursts (a market order sweeping levels, a REST catch-up after
  // a gap, a fan-out's answers): BURST at a time, booked together.
  const b0t = performance.now();
  for (let i = 0; i < FILLS; i += BURST) {
    await Promise.all(
      Array.from({ length: Math.min(BURST, FILLS - i) }, (_, k) => fills.ingest('main', trade(FILLS + i + k))),
    );
  }
  const burstTotal = performance.now() - b0t;
  const bare: number[] = [];
  const b0 = performance.now();
  for (let i = 0; i < FILLS; i++) {
    const t = performance.now();
    await db.fill.create({
      data: {
        accountId: 'sub_a',
        symbol: 'BTC/USDT:USDT',
        tradeId: `bare${i}`,
        exchangeOrderId: `o${i}`,
        side: 'buy',
        positionSide: 'LONG',
        qty: '0.001',
        price: '60000',
        fee: '0.024',
        at: new Date(),
      },
    });
    bare.push(performance.now() - t);
  }
  const bareTotal = performance.now() - b0;
  const f = summary(perFill);
  const b = summary(bare);
  console.log(
    `fill ingestion (${FILLS} fills into one VP: decode client id, ledger, fill + VP rows in one transaction):`,
  );
  console.log(
    `  ingest   ${((FILLS / total) * 1000).toFixed(0)} fills/s  p50 ${f.p50.toFixed(3)} ms  p99 ${f.p99.toFixed(3)} ms`,
  );
  console.log(
    `  bare insert ${((FILLS / bareTotal) * 1000).toFixed(0)} rows/s  p50 ${b.p50.toFixed(3)} ms  p99 ${b.p99.toFixed(3)} ms   (baseline)`,
  );
  const rate = (FILLS / total) * 1000;
  const burstRate = (FILLS / burstTotal) * 1000;
  const bareRate = (FILLS / bareTotal) * 1000;
  console.log(
    `  in bursts of ${BURST}: ${burstRate.toFixed(0)} fills/s (the same ledger path, a burst booked in one transaction)`,
  );
  console.log(
    `  ratio ingest/bare: one at a time ${(rate / bareRate).toFixed(2)}x, in bursts ${(burstRate / bareRate).toFixed(2)}x of bare inserts' throughput; p99 ${(f.p99 / b.p99).toFixed(1)}x`,
  );
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `  target >= 2000 fills/s and >= 0.5x bare: one at a time ${met(rate >= 2000)} / ${met(rate >= 0.5 * bareRate)}, in bursts ${met(burstRate >= 2000)} / ${met(burstRate >= 0.5 * bareRate)}`,
  );
}

const DURABLE_ORDERS = Number(process.env['BENCH_DURABLE_ORDERS'] ?? 400);
const DURABLE_ROUNDS = Number(process.env['BENCH_DURABLE_ROUNDS'] ?? 20);

/**
 * 4. What durable state costs an order: a Binance spot market order signed here and sent with
 * undici, against an emulator in memory (the baseline) and one with a state file, in the same
 * run, alternating order by order; then rounds of 100 at once, where one fdatasync serves every
 * order of the same event-loop turn. The durable one's log is not compacted during the run, so
 * its lines count the commits (fdatasyncs).
 */
async function benchDurableState(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hedgestack-bench-durable-'));
  const stateFile = path.join(dir, 'paper-exchange.json');
  const limits = { spotOrdersPer10s: 1_000_000_000, spotWeightPerMinute: 1_000_000_000 };
  const memory = await startEmulator({ rateLimits: limits });
  const durable = await startEmulator({
    rateLimits: limits,
    stateFile,
    persistCredentials: false,
    compactAfterBytes: 1024 * 1024 * 1024,
  });
  const pool = new Agent({ keepAliveTimeout: 60_000, connections: 128 });
  const apiKey = 'BenchDurableKey'.padEnd(64, '0');
  const secret = 'bench-durable-secret';
  let k = 0;
  const order = async (em: Emulator, buy: boolean): Promise<void> => {
    const query = new URLSearchParams({
      symbol: 'BTCUSDT',
      side: buy ? 'BUY' : 'SELL',
      type: 'MARKET',
      ...(buy ? { quoteOrderQty: '12' } : { quantity: '0.0002' }),
      newClientOrderId: `dur${String(k++)}`,
      timestamp: String(Date.now()),
    }).toString();
    const signature = createHmac('sha256', secret).update(query).digest('hex');
    const res = await request(`${em.httpUrl}/api/v3/order?${query}&signature=${signature}`, {
      method: 'POST',
      dispatcher: pool,
      headers: { 'X-MBX-APIKEY': apiKey },
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`bench order refused: ${text}`);
  };
  const walLines = () => readFileSync(`${stateFile}.wal`, 'utf8').split('\n').length - 1;
  try {
    for (const em of [memory, durable]) {
      em.createAccount({ id: 'bench', exchange: 'binance', apiKey, secret, spot: { USDT: '100000000', BTC: '1000' } });
      em.setPrice('BTCUSDT', '60000');
      for (let i = 0; i < 50; i++) await order(em, i % 2 === 0); // warm-up
    }
    const one = { memory: [] as number[], durable: [] as number[] };
    for (let i = 0; i < DURABLE_ORDERS; i++) {
      for (const [name, em] of [
        ['memory', memory],
        ['durable', durable],
      ] as const) {
        const t = performance.now();
        await order(em, i % 2 === 0);
        one[name].push(performance.now() - t);
      }
    }
    const burst = { memory: [] as number[], durable: [] as number[] };
    const linesBefore = walLines();
    for (let r = 0; r < DURABLE_ROUNDS; r++) {
      for (const [name, em] of [
        ['memory', memory],
        ['durable', durable],
      ] as const) {
        const t = performance.now();
        await Promise.all(Array.from({ length: 100 }, (_, i) => order(em, (r + i) % 2 === 0)));
        burst[name].push(performance.now() - t);
      }
    }
    const commits = (walLines() - linesBefore) / DURABLE_ROUNDS;
    const m = summary(one.memory);
    const d = summary(one.durable);
    const bm = summary(burst.memory);
    const bd = summary(burst.durable);
    console.log(
      `durable emulator state (${DURABLE_ORDERS} binance spot market orders one at a time, then ${DURABLE_ROUNDS} rounds of 100 at once; raw signed HTTP):`,
    );
    console.log(`  in memory  p50 ${m.p50.toFixed(2)} ms  p99 ${m.p99.toFixed(2)} ms   (baseline, same run)`);
    console.log(
      `  durable    p50 ${d.p50.toFixed(2)} ms  p99 ${d.p99.toFixed(2)} ms   (answered after its log record's fdatasync)`,
    );
    console.log(`  ratio durable/in memory: p50 ${(d.p50 / m.p50).toFixed(2)}x  p99 ${(d.p99 / m.p99).toFixed(2)}x`);
    console.log(
      `  100 at once: in memory p50 ${bm.p50.toFixed(1)} ms (${(bm.p50 / 100).toFixed(3)} ms/order), durable p50 ${bd.p50.toFixed(1)} ms (${(bd.p50 / 100).toFixed(3)} ms/order), ratio ${(bd.p50 / bm.p50).toFixed(2)}x; ${commits.toFixed(1)} commits (fdatasyncs) per 100 orders`,
    );
  } finally {
    await pool.close();
    await memory.stop();
    await durable.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
