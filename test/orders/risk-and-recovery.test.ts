import { Decimal } from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConsoleSession } from '../../src/adapters/console/session.ts';
import { CONSOLE_CALLER } from '../../src/app.ts';
import { ClientOrderIdFactory } from '../../src/domain/client-order-id.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import type { DeskEvent } from '../../src/services/events.ts';
import { grantUser, startTestApp, telegramUser, tempDir, type TestApp } from '../support/harness.ts';

let desk: TestApp;
let emulator: Emulator;
let console: ConsoleSession;
let alerts: Extract<DeskEvent, { type: 'alert' }>[];

async function open(dataDir?: string) {
  desk = await startTestApp(dataDir ? { DATA_DIR: dataDir } : {});
  const paper = desk.app.services.paper;
  if (!paper) throw new Error('paper exchange not running');
  emulator = paper.emulator;
  emulator.setPrice('BTCUSDT', '60000');
  console = new ConsoleSession(desk.app.dispatcher, desk.app.services.identity, CONSOLE_CALLER);
  alerts = [];
  desk.app.services.bus.on('alert', (e) => {
    alerts.push(e);
  });
}

async function confirmed(line: string): Promise<string> {
  const ask = (await console.input(line)) ?? '';
  if (!ask.includes('Type yes')) return ask;
  return (await console.input('yes')) ?? '';
}

const futuresOrders = () => emulator.requests()['POST /fapi/v1/order'] ?? 0;

describe('pre-trade risk limits', () => {
  beforeEach(() => open());
  afterEach(() => desk.close());

  it('max order notional blocks with the limit and the figure, and nothing reaches the exchange', async () => {
    expect(await confirmed('/risk main order_notional 500')).toContain('max order 500 USDT');
    const before = futuresOrders();
    const reply = await confirmed('/order main BTCUSDT buy 0.01');
    expect(reply).toBe(
      'Blocked by the risk limit: this order is worth 600 USDT, above the maximum order notional of 500 USDT. Nothing was sent.',
    );
    expect(futuresOrders()).toBe(before);
    expect(alerts.at(-1)).toMatchObject({
      category: 'risk_limit',
      accountId: 'main',
      key: 'risk.blocked.max_order_notional',
    });
  });

  it('max position notional counts what the account already holds', async () => {
    await confirmed('/risk main position_notional 1000');
    expect(await confirmed('/order main BTCUSDT buy 0.01')).toContain('FILLED');
    const before = futuresOrders();
    expect(await confirmed('/order main BTCUSDT buy 0.01')).toContain(
      'the position would be worth 1200 USDT, above the maximum of 1000',
    );
    expect(futuresOrders()).toBe(before);
  });

  it('max open orders counts resting orders; market orders never rest', async () => {
    await confirmed('/risk main open_orders 1');
    expect(await confirmed('/order main BTCUSDT buy 0.01 50000')).toContain('OPEN');
    const before = futuresOrders();
    expect(await confirmed('/order main BTCUSDT buy 0.01 50001')).toContain(
      'this order would make 2 open orders; the maximum is 1',
    );
    expect(futuresOrders()).toBe(before);
  });

  it('max daily loss stops new exposure but still lets the trader reduce', async () => {
    await confirmed('/order main BTCUSDT buy 0.02 vp=loser');
    emulator.setPrice('BTCUSDT', '59000');
    await confirmed('/vp close main loser 50'); // −10 USDT realized (plus fees)
    await confirmed('/risk main daily_loss 5');
    const before = futuresOrders();
    expect(await confirmed('/order main BTCUSDT buy 0.01 vp=loser')).toMatch(
      /the realized loss today is 10\.\d+ USDT, at or beyond the daily loss limit of 5 USDT/,
    );
    expect(futuresOrders()).toBe(before);
    expect(await confirmed('/vp close main loser')).toContain('FILLED');
  });

  it('only owners set limits; a trader sees them and is refused, audited', async () => {
    const trader = telegramUser('9001');
    await grantUser(desk.app, trader, 'trader', ['main']);
    expect((await desk.app.dispatcher.handleLine(trader, '/risk main'))?.text).toContain('Account main risk limits');
    expect((await desk.app.dispatcher.handleLine(trader, '/risk main daily_loss 1'))?.text).toContain(
      'needs the owner role',
    );
    const row = await desk.app.services.db.auditLog.findFirst({ orderBy: { id: 'desc' } });
    expect(row).toMatchObject({ command: 'risk', outcome: 'refused', accountId: 'main' });
  });
});

describe('orders across a crash and an unanswered request', () => {
  afterEach(() => desk.close());

  it('an order sent just before a crash is found by its client id after the restart: recorded once, never resent', async () => {
    const dataDir = tempDir();
    await open(dataDir);
    const { db, codes, vps, exchanges } = desk.app.services;
    const vp = await vps.open({ accountId: 'sub_a', symbol: 'BTC/USDT:USDT', positionSide: 'LONG', name: 'crash' });
    const sent = new ClientOrderIdFactory().next({
      accountCode: await codes.codeOf('sub_a'),
      vpId: vp.id,
      purpose: 'trade',
    });
    const lost = new ClientOrderIdFactory().next({
      accountCode: await codes.codeOf('sub_a'),
      vpId: vp.id,
      purpose: 'trade',
    });
    const row = {
      accountId: 'sub_a',
      vpId: vp.id,
      purpose: 'trade',
      symbol: 'BTC/USDT:USDT',
      side: 'buy',
      positionSide: 'LONG',
      type: 'market',
      amount: '0.01',
      status: 'PENDING',
    };
    await db.order.create({ data: { ...row, clientOrderId: sent } });
    await db.order.create({ data: { ...row, clientOrderId: lost } });
    // The first reached the exchange; then the process died before recording the answer.
    await (
      await exchanges.for('sub_a')
    ).placeOrder({
      symbol: 'BTC/USDT:USDT',
      side: 'buy',
      type: 'market',
      amount: new Decimal('0.01'),
      positionSide: 'LONG',
      clientOrderId: sent,
    });
    await desk.app.close();

    await open(dataDir);
    const ordersBefore = futuresOrders();
    await desk.app.start();
    const byId = async (id: string) => desk.app.services.db.order.findUniqueOrThrow({ where: { clientOrderId: id } });
    expect(await byId(sent)).toMatchObject({ status: 'FILLED', filledQty: '0.01' });
    expect(await byId(lost)).toMatchObject({ status: 'REJECTED', error: 'orders.never_placed' });
    expect(futuresOrders()).toBe(ordersBefore);
    const after = await desk.app.services.vps.find({
      accountId: 'sub_a',
      symbol: 'BTC/USDT:USDT',
      positionSide: 'LONG',
      name: 'crash',
    });
    expect(after?.netQty).toBe('0.01');
    const ex = await desk.app.services.exchanges.for('sub_a');
    const order = await ex.fetchOrder('BTC/USDT:USDT', { clientOrderId: sent });
    const trades = await ex.fetchTrades('BTC/USDT:USDT');
    expect(trades.filter((t) => t.orderId === order?.id)).toHaveLength(1);
    expect(await ex.fetchOrder('BTC/USDT:USDT', { clientOrderId: lost })).toBeUndefined();
  });

  it('an order whose answer never came is looked up by its client id, not sent again', async () => {
    await open();
    emulator.fault('main', { endpoint: 'POST /fapi/v1/order', unknownStatusNext: 1 });
    const before = futuresOrders();
    const reply = await confirmed('/order main BTCUSDT buy 0.01 vp=unknown');
    expect(reply).toMatch(/^Account main: order #\d+ \(hs1\w+\) FILLED, filled 0\.01 at 60000\./);
    expect(futuresOrders()).toBe(before + 1);
    const vp = await desk.app.services.vps.find({
      accountId: 'main',
      symbol: 'BTC/USDT:USDT',
      positionSide: 'LONG',
      name: 'unknown',
    });
    expect(vp?.netQty).toBe('0.01');
  });
});
