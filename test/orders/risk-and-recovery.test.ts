import { Decimal } from 'decimal.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientOrderIdFactory } from '../../src/domain/client-order-id.ts';
import { grantUser, telegramUser, tempDir } from '../support/harness.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

let paper: PaperDesk;

async function open(dataDir?: string) {
  paper = await startPaperDesk(dataDir ? { dataDir } : {});
}

/** The reply a trader ends with: the refusal when nothing was asked, else the answer to `yes`. */
async function confirmed(line: string): Promise<string> {
  const ask = await paper.say(line);
  return ask.includes('Type yes') ? paper.say('yes') : ask;
}

const futuresOrders = () => paper.futuresOrders();

describe('pre-trade risk limits', () => {
  beforeEach(() => open());
  afterEach(() => paper.close());

  it('max order notional blocks with the limit and the figure, and nothing reaches the exchange', async () => {
    expect(await confirmed('/risk main order_notional 500')).toContain('max order 500 USDT');
    const before = futuresOrders();
    const reply = await confirmed('/order main BTCUSDT buy 0.01');
    expect(reply).toBe(
      'Blocked by the risk limit: this order is worth 600 USDT, above the maximum order notional of 500 USDT. Nothing was sent.',
    );
    expect(futuresOrders()).toBe(before);
    expect(paper.alerts.at(-1)).toMatchObject({
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
    paper.emulator.setPrice('BTCUSDT', '59000');
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
    await grantUser(paper.app, trader, 'trader', ['main']);
    expect((await paper.app.dispatcher.handleLine(trader, '/risk main'))?.text).toContain('Account main risk limits');
    expect((await paper.app.dispatcher.handleLine(trader, '/risk main daily_loss 1'))?.text).toContain(
      'needs the owner role',
    );
    const row = await paper.app.services.db.auditLog.findFirst({ orderBy: { id: 'desc' } });
    expect(row).toMatchObject({ command: 'risk', outcome: 'refused', accountId: 'main' });
  });
});

/** A VP on sub_a's BTC futures, and client ids of trade orders on it as the desk makes them. */
async function subAVp(name: string) {
  const { codes, vps } = paper.app.services;
  const vp = await vps.open({ accountId: 'sub_a', symbol: 'BTC/USDT:USDT', positionSide: 'LONG', name });
  const accountCode = await codes.codeOf('sub_a');
  const ids = new ClientOrderIdFactory();
  return { vp, nextId: () => ids.next({ accountCode, vpId: vp.id, purpose: 'trade' }) };
}

/** The order row of a 0.01 BTC market buy on a sub_a VP, as the desk writes it before sending. */
const subABuyRow = (clientOrderId: string, vpId: number, status: string, at: Date) => ({
  clientOrderId,
  accountId: 'sub_a',
  vpId,
  purpose: 'trade',
  symbol: 'BTC/USDT:USDT',
  side: 'buy',
  positionSide: 'LONG',
  type: 'market',
  amount: '0.01',
  status,
  createdAt: at,
  updatedAt: at,
});

/** That buy as it reached the exchange (a desk sent it, then never recorded the answer). */
async function subABuyReachedExchange(clientOrderId: string): Promise<void> {
  const exchange = await paper.app.services.exchanges.for('sub_a');
  await exchange.placeOrder({
    symbol: 'BTC/USDT:USDT',
    side: 'buy',
    type: 'market',
    amount: new Decimal('0.01'),
    positionSide: 'LONG',
    clientOrderId,
  });
}

describe('orders across a crash and an unanswered request', () => {
  afterEach(() => paper.close());

  it('an order sent just before a crash is found by its client id after the restart: recorded once, never resent', async () => {
    const dataDir = tempDir();
    await open(dataDir);
    const { db } = paper.app.services;
    const { vp, nextId } = await subAVp('crash');
    const [sent, lost] = [nextId(), nextId()];
    // The desk comes back 20 s after it died: past Binance's 10 s request window, so what the
    // exchange does not know by now never reached it.
    const diedAt = new Date(Date.now() - 20_000);
    await db.order.create({ data: subABuyRow(sent, vp.id, 'PENDING', diedAt) });
    await db.order.create({ data: subABuyRow(lost, vp.id, 'PENDING', diedAt) });
    // The first reached the exchange; then the process died before recording the answer.
    await subABuyReachedExchange(sent);
    await paper.app.close();

    await open(dataDir);
    const ordersBefore = futuresOrders();
    await paper.app.start();
    const byId = async (id: string) => paper.app.services.db.order.findUniqueOrThrow({ where: { clientOrderId: id } });
    expect(await byId(sent)).toMatchObject({ status: 'FILLED', filledQty: '0.01' });
    expect(await byId(lost)).toMatchObject({ status: 'REJECTED', error: 'orders.never_placed' });
    expect(futuresOrders()).toBe(ordersBefore);
    const after = await paper.app.services.vps.find({
      accountId: 'sub_a',
      symbol: 'BTC/USDT:USDT',
      positionSide: 'LONG',
      name: 'crash',
    });
    expect(after?.netQty).toBe('0.01');
    const ex = await paper.app.services.exchanges.for('sub_a');
    const order = await ex.fetchOrder('BTC/USDT:USDT', { clientOrderId: sent });
    const trades = await ex.fetchTrades('BTC/USDT:USDT');
    expect(trades.filter((t) => t.orderId === order?.id)).toHaveLength(1);
    expect(await ex.fetchOrder('BTC/USDT:USDT', { clientOrderId: lost })).toBeUndefined();
  });

  it('an order whose answer never came is looked up by its client id, not sent again', async () => {
    await open();
    paper.emulator.fault('main', { endpoint: 'POST /fapi/v1/order', unknownStatusNext: 1 });
    const before = futuresOrders();
    const reply = await confirmed('/order main BTCUSDT buy 0.01 vp=unknown');
    expect(reply).toMatch(/^Account main: order #\d+ \(hs1\w+\) FILLED, filled 0\.01 at 60000\./);
    expect(futuresOrders()).toBe(before + 1);
    const vp = await paper.app.services.vps.find({
      accountId: 'main',
      symbol: 'BTC/USDT:USDT',
      positionSide: 'LONG',
      name: 'unknown',
    });
    expect(vp?.netQty).toBe('0.01');
  });

  it('an order whose answer never came and that is not found stays UNKNOWN until its request window has passed, then is called never placed', async () => {
    // The in-doubt sweep every second here (every 30 s by default).
    paper = await startPaperDesk({ app: { inDoubtCron: '* * * * * *' } });
    await paper.app.start();
    const { db, exchanges } = paper.app.services;
    // Binance's "execution status unknown": this time the order did not make it.
    paper.emulator.fault('main', {
      endpoint: 'POST /fapi/v1/order',
      failNext: { count: 1, httpStatus: 408, code: -1007, msg: 'Timeout waiting for response from backend server.' },
    });
    const reply = await confirmed('/order main BTCUSDT buy 0.01 vp=silent');
    expect(reply).toMatch(
      /^Account main: order #— \((hs1\w+)\) UNKNOWN, filled 0 at —\.\nThe exchange has not confirmed it yet/,
    );
    const clientOrderId = /\((hs1\w+)\)/.exec(reply)?.[1] ?? '';
    const byId = () => db.order.findUniqueOrThrow({ where: { clientOrderId } });
    const ex = await exchanges.for('main');
    expect(await ex.fetchOrder('BTC/USDT:USDT', { clientOrderId })).toBeUndefined();
    // Not found, but Binance may still be processing it: two sweeps later it is still in doubt.
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await byId()).toMatchObject({ status: 'UNKNOWN' });
    expect(paper.alerts.filter((a) => a.key === 'alerts.order_never_placed')).toEqual([]);

    // Its 10 s window over (the row's last write moved back), the next sweep settles it.
    await db.order.update({ where: { clientOrderId }, data: { updatedAt: new Date(Date.now() - 20_000) } });
    const told = () => paper.alerts.filter((a) => a.category === 'order_failed');
    await waitFor(() => told().length > 0, 5_000);
    expect(await byId()).toMatchObject({ status: 'REJECTED', error: 'orders.never_placed' });
    expect(told().map((a) => [a.key, a.params])).toEqual([
      ['alerts.order_never_placed', expect.objectContaining({ account: 'main', clientOrderId })],
    ]);
    expect(await ex.fetchOrder('BTC/USDT:USDT', { clientOrderId })).toBeUndefined();
  });

  it('while the desk runs, an order left UNKNOWN that did reach the exchange is recorded with its fill, and the trader is told', async () => {
    paper = await startPaperDesk({ app: { inDoubtCron: '* * * * * *' } });
    await paper.app.start();
    const { db, vps } = paper.app.services;
    const { vp, nextId } = await subAVp('late');
    const clientOrderId = nextId();
    // Its answer never came 20 s ago and the look-ups right after found nothing; it was placed.
    await subABuyReachedExchange(clientOrderId);
    const before = futuresOrders();
    const at = new Date(Date.now() - 20_000);
    await db.order.create({
      data: { ...subABuyRow(clientOrderId, vp.id, 'UNKNOWN', at), error: 'exchange.order_status_unknown' },
    });
    const told = () => paper.alerts.filter((a) => a.category === 'order_failed').map((a) => [a.key, a.params]);
    // The trader is told once the order and its fill are recorded.
    await waitFor(() => told().length > 0, 5_000);
    expect(told()).toEqual([
      ['alerts.order_resolved', { account: 'sub_a', clientOrderId, status: 'FILLED', filled: '0.01' }],
    ]);
    expect(await db.order.findUniqueOrThrow({ where: { clientOrderId } })).toMatchObject({
      status: 'FILLED',
      filledQty: '0.01',
    });
    const after = await vps.find({ accountId: 'sub_a', symbol: 'BTC/USDT:USDT', positionSide: 'LONG', name: 'late' });
    expect(after?.netQty).toBe('0.01');
    expect(futuresOrders()).toBe(before);
  });
});
