import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleSession } from '../../src/adapters/console/session.ts';
import { CONSOLE_CALLER } from '../../src/app.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import type { ExchangeOrder } from '../../src/exchange/types.ts';
import { FAST_STREAMS } from '../support/paper-desk.ts';
import { startTestApp, tempDir, type TestApp } from '../support/harness.ts';
import { staleLeaderBuy } from '../support/leader-orders.ts';
import { waitFor } from '../support/wait.ts';

/**
 * `/events` as a trader reads it while copies are under way and after: console lines, real ccxt,
 * the emulator. Leader `lead` (10000 USDT), f1 (Binance, 2000 USDT, share mode) and f2 (Bitget,
 * 1500 USDT, ratio 0.2). BTC at 50000, so every amount is a whole number of lots.
 */
const FAST_COPY = { balancePollCron: '*/2 * * * * *', orderGraceMs: 150 };

let desk: TestApp;
let emulator: Emulator;
let console: ConsoleSession;

const say = async (line: string) => (await console.input(line)) ?? '';

async function confirmed(line: string): Promise<string> {
  expect(await say(line)).toContain('Type yes');
  return say('yes');
}

/** The reply in Chinese, the console's language set back to English afterwards. */
async function inChinese(line: string): Promise<string> {
  await say('/lang zh');
  try {
    return await say(line);
  } finally {
    await say('/lang en');
  }
}

async function leaderBuy(cost: string): Promise<ExchangeOrder> {
  const exchange = await desk.app.services.exchanges.for('lead');
  return exchange.placeOrder({
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'market',
    cost: new Decimal(cost),
    clientOrderId: `web_${randomBytes(6).toString('hex')}`,
  });
}

const intentsOf = (leaderOrderId: string) =>
  desk.app.services.db.copyIntent.findMany({
    where: { event: { leaderId: 'lead', leaderOrderId } },
    orderBy: { followerId: 'asc' },
  });

const statusesOf = async (leaderOrderId: string) => (await intentsOf(leaderOrderId)).map((i) => i.status).join();

beforeAll(async () => {
  desk = await startTestApp({ DATA_DIR: tempDir() }, { streamTiming: FAST_STREAMS, copyTiming: FAST_COPY });
  const { paper, streams, tracker, copy } = desk.app.services;
  if (!paper) throw new Error('paper exchange not running');
  emulator = paper.emulator;
  emulator.setPrice('BTCUSDT', '50000');
  console = new ConsoleSession(desk.app.dispatcher, desk.app.services.identity, CONSOLE_CALLER);
  await streams.start();
  await tracker.recover();
  await copy.start();
  expect(await confirmed('/copy start')).toBe('Copying is running.');
  expect(await confirmed('/followers set f2 ratio 0.2')).toContain('f2 copies the leader');
});
afterAll(async () => desk.close());

describe('/events', () => {
  let orderId = '';

  it('counts a copy still under way as pending, not as nothing', async () => {
    // f1's order takes its time at the exchange; f2's does not.
    emulator.fault('f1', { endpoint: 'POST /api/v3/order', latencyMs: 2_000 });
    orderId = (await leaderBuy('1000')).id;
    await waitFor(async () => (await statusesOf(orderId)) === 'SENT,FILLED', 8_000);
    const during = await say('/events 1 detail');
    expect(during).toMatch(/lead buy BTC\/USDT 10% — copied: 1 ok, 0 failed, 0 skipped, 1 pending/);
    expect(during).toContain('f1: buy 200 USDT (10% of 2000 USDT free) → sent');
    expect(await inChinese('/events 1')).toMatch(/lead 买入 BTC\/USDT 10% — 已复制：1 成功，0 失败，0 跳过，1 处理中/);
    emulator.fault('f1', { endpoint: 'POST /api/v3/order', latencyMs: 0 });
    await waitFor(async () => (await statusesOf(orderId)) === 'FILLED,FILLED', 8_000);
    await desk.app.services.copy.idle();
  });

  it('shows each follower what it traded: a ratio follower its own amount and share, not the leader’s', async () => {
    const settled = await say('/events 1 detail');
    expect(settled).toContain('2 ok, 0 failed, 0 skipped, 0 pending');
    // Leader 1000 of 10000 USDT (10%); f1 10% of its 2000; f2 1000 × 0.2 = 200 of its 1500.
    expect(settled).toContain('f1: buy 200 USDT (10% of 2000 USDT free) → filled 0.004 BTC for 200 USDT');
    expect(settled).toContain('f2: buy 200 USDT (13.33% of 1500 USDT free) → filled 0.004 BTC for 200 USDT');

    const zh = await inChinese('/events 1 detail');
    expect(zh).toContain('2 成功，0 失败，0 跳过，0 处理中');
    expect(zh).toContain('f2: 买入 200 USDT（可用 1500 USDT 的 13.33%） → 已成交 0.004 BTC，成交额 200 USDT');
    expect(zh).not.toMatch(/\b(buy|filled|ok|pending)\b/);
  });

  it('a follower that was paused reads as skipped with the reason, in both languages', async () => {
    expect(await confirmed('/pause f1')).toBe('Follower f1 is paused.');
    const id = (await leaderBuy('500')).id;
    await waitFor(async () => (await statusesOf(id)) === 'SKIPPED,FILLED', 8_000);
    await desk.app.services.copy.idle();
    expect(await say('/events 1 detail')).toMatch(
      /1 ok, 0 failed, 1 skipped, 0 pending[\s\S]*f1: buy → skipped: follower paused/,
    );
    expect(await inChinese('/events 1 detail')).toContain('f1: 买入 → 已跳过：跟单账户已暂停');
    await confirmed('/resume f1');
  });

  it('an event seen too late says why it was not copied, per event and per follower, in both languages', async () => {
    const old = staleLeaderBuy('990001');
    await desk.app.services.copy.copyLeaderOrder('lead', old);
    await waitFor(async () => (await statusesOf('990001')) === 'FAILED,FAILED', 8_000);
    const en = await say('/events 1 detail');
    expect(en).toMatch(
      /not copied \(seen too late\) \(seen 6\d s after its fill, past the 30 s window: not copied\): 0 ok, 2 failed, 0 skipped, 0 pending/,
    );
    expect(en).toContain('f1: buy → failed: expired: the leader event was too old to copy');
    const zh = await inChinese('/events 1 detail');
    expect(zh).toMatch(
      /未复制（发现太晚）（成交 6\d 秒后才处理，超过 30 秒时限：未复制）：0 成功，2 失败，0 跳过，0 处理中/,
    );
    expect(zh).toContain('f2: 买入 → 失败：已过期：主账户事件太旧，不再复制');
  });
});
