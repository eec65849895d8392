import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/harness.ts';
import { FAST_STREAMS, startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The desk's book follows every order to its end, on every venue: a resting limit cancelled from
 * chat or on the exchange itself, filled later when the price crosses, filled in part then
 * cancelled, filled while its stream was down, filled while the desk was down. Driven through the
 * console, real ccxt and the emulator; the book is what the trader's limits and reports read.
 */

// Each watchdog pass costs Binance request weight (all accounts share one IP budget): once a second.
const STREAMS = { ...FAST_STREAMS, watchdogMs: 1_000, pollMs: 500 };

const VENUES = [
  { venue: 'Binance spot', account: 'sub_b', symbol: 'BTC/USDT', input: 'BTCUSDT', side: '' },
  { venue: 'Binance USDT-M, hedge mode', account: 'sub_a', symbol: 'BTC/USDT:USDT', input: 'BTC/USDT', side: 'long' },
  { venue: 'Binance USDT-M, one-way mode', account: 'ow', symbol: 'BTC/USDT:USDT', input: 'BTCUSDT', side: '' },
  { venue: 'Bitget spot', account: 'f2', symbol: 'BTC/USDT', input: 'btcusdt', side: '' },
] as const;

let paper: PaperDesk;
afterEach(async () => paper.close());

async function open(options: { dataDir?: string; streamTiming?: typeof STREAMS } = {}) {
  paper = await startPaperDesk({
    streams: true,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    app: { streamTiming: options.streamTiming ?? STREAMS },
  });
  const { streams, accounts, exchanges } = paper.app.services;
  if (!(await accounts.find('ow'))) {
    // A USDT-M account in one-way mode: one net position per symbol, orders name no side.
    const ow = await accounts.create(
      { id: 'ow', name: 'One-way (USDT-M futures)', exchange: 'binance', market: 'usdm', env: 'paper' },
      { apiKey: `OneWayKey${'0'.repeat(54)}1`, secret: 'one-way-secret' },
    );
    await paper.app.services.paper?.register(ow);
    await (await exchanges.for('ow')).setPositionMode('oneway');
    await streams.watch(ow);
  }
  await waitFor(() => VENUES.every((v) => streams.status(v.account)?.health === 'live'), 8_000);
}

async function confirmed(line: string): Promise<string> {
  const ask = await paper.say(line);
  expect(ask, line).toContain('Type yes');
  return paper.say('yes');
}

/** Places a limit buy through /order; returns its client order id once the exchange has it open. */
async function restingBuy(v: (typeof VENUES)[number], price: string, vp: string, qty = '0.01'): Promise<string> {
  const reply = await confirmed(
    `/order ${v.account} ${v.input} buy ${qty} ${price} ${v.side} vp=${vp}`.replace('  ', ' '),
  );
  expect(reply).toMatch(/\bOPEN\b/);
  return /\((hs1\w+)\)/.exec(reply)?.[1] ?? '';
}

const row = (clientOrderId: string) => paper.app.services.db.order.findUniqueOrThrow({ where: { clientOrderId } });
const rowBecomes = (clientOrderId: string, status: string, timeoutMs = 6_000) =>
  waitFor(async () => (await row(clientOrderId)).status === status, timeoutMs);
const fillsOf = (clientOrderId: string) => paper.app.services.db.fill.findMany({ where: { clientOrderId } });

async function vpQty(v: (typeof VENUES)[number], name: string): Promise<string | undefined> {
  const vp = await paper.app.services.vps.find({
    accountId: v.account,
    symbol: v.symbol,
    positionSide: 'LONG',
    name,
  });
  return vp?.netQty;
}

/** A spot buy's fee is charged in BTC (0.1%): the VP holds what arrived. */
const held = (v: (typeof VENUES)[number], qty: string) =>
  v.symbol.includes(':') ? qty : new Decimal(qty).times('0.999').toFixed();

describe.each(VENUES)('$venue', (v) => {
  it('a resting limit cancelled with /cancel is CANCELED in the book and no longer counts as open', async () => {
    await open();
    expect(await paper.say(`/risk ${v.account} open_orders 1`)).toContain('max open orders 1');
    const id = await restingBuy(v, '50000', 'cx');
    const refused = await paper.say(`/order ${v.account} ${v.input} buy 0.01 50001 ${v.side}`);
    expect(refused).toContain('this order would make 2 open orders; the maximum is 1');
    expect(await confirmed(`/cancel ${v.account} ${id}`)).toContain(id);
    expect(await row(id)).toMatchObject({ status: 'CANCELED', filledQty: '0' });
    // Nothing is open on the exchange, and the book agrees: the next order is accepted.
    await restingBuy(v, '50001', 'cx2');
    // The unfilled order leaves no empty VP behind.
    expect(await vpQty(v, 'cx')).toBeUndefined();
  });

  it('an order cancelled on the exchange itself (not through the desk) is seen as CANCELED', async () => {
    await open();
    const id = await restingBuy(v, '50000', 'site');
    const exchange = await paper.app.services.exchanges.for(v.account);
    await exchange.cancelOrder(v.symbol, { clientOrderId: id }); // as the exchange's own site would
    await rowBecomes(id, 'CANCELED');
    expect(await paper.app.services.orders.liveOrderCount(v.account)).toBe(0);
  });

  it('a resting limit that crosses later is FILLED, its fill booked on its VP once; the next order under open_orders 1 goes', async () => {
    await open();
    await paper.say(`/risk ${v.account} open_orders 1`);
    const id = await restingBuy(v, '59000', 'later');
    paper.emulator.setPrice('BTCUSDT', '58900');
    await rowBecomes(id, 'FILLED');
    await waitFor(async () => (await vpQty(v, 'later')) === held(v, '0.01'));
    expect(await row(id)).toMatchObject({ filledQty: '0.01', avgPrice: '59000' });
    expect(await fillsOf(id)).toHaveLength(1);
    await restingBuy(v, '50000', 'next');
  });

  it('filled in part, then cancelled: the VP holds the part, the book says CANCELED with it', async () => {
    await open();
    paper.emulator.setDepth('BTCUSDT', { qty: '0.004' });
    try {
      const id = await restingBuy(v, '59000', 'part');
      paper.emulator.setPrice('BTCUSDT', '58900');
      await rowBecomes(id, 'PARTIALLY_FILLED');
      expect((await row(id)).filledQty).toBe('0.004');
      expect(await confirmed(`/cancel ${v.account} ${id}`)).toContain(id);
      expect(await row(id)).toMatchObject({ status: 'CANCELED', filledQty: '0.004' });
      await waitFor(async () => (await vpQty(v, 'part')) === held(v, '0.004'));
      expect(await fillsOf(id)).toHaveLength(1);
    } finally {
      paper.emulator.clearDepth();
    }
  });

  it('a fill while the stream is silent is caught up from REST: FILLED and booked once', async () => {
    await open();
    const id = await restingBuy(v, '59000', 'gap');
    paper.emulator.silenceStreams(v.account, true);
    try {
      paper.emulator.setPrice('BTCUSDT', '58900');
      await rowBecomes(id, 'FILLED', 10_000);
      await waitFor(async () => (await vpQty(v, 'gap')) === held(v, '0.01'), 10_000);
      expect(await fillsOf(id)).toHaveLength(1);
    } finally {
      paper.emulator.silenceStreams(v.account, false);
    }
  });
});

describe('a one-way USDT-M account', () => {
  it('opens and closes a SHORT VP inside the net position, and its take-profit is a reduce-only order', async () => {
    await open();
    const exchange = await paper.app.services.exchanges.for('ow');
    expect(await exchange.positionMode()).toBe('oneway');
    expect(await confirmed('/order ow BTCUSDT sell 0.01 short vp=s1')).toContain('FILLED');
    const short = () =>
      paper.app.services.vps.find({ accountId: 'ow', symbol: 'BTC/USDT:USDT', positionSide: 'SHORT', name: 's1' });
    expect((await short())?.netQty).toBe('0.01');
    expect(paper.emulator.positions('ow').map((p) => [p.positionSide, p.positionAmt])).toEqual([['BOTH', '-0.01']]);
    await confirmed('/vp tpsl ow s1 tp=50000');
    const legs = await exchange.fetchOpenConditionalOrders('BTC/USDT:USDT');
    expect(legs.map((o) => [o.side, o.amount.toFixed(), o.reduceOnly])).toEqual([['buy', '0.01', true]]);
    expect(await confirmed('/vp close ow s1 short')).toContain('FILLED');
    expect((await short())?.netQty).toBe('0');
    expect(paper.emulator.positions('ow')).toEqual([]);
    await waitFor(async () => (await exchange.fetchOpenConditionalOrders('BTC/USDT:USDT')).length === 0);
  });
});

describe('across a restart', () => {
  it('an order that fills while the desk is down is FILLED at the next start, its fill booked once', async () => {
    const dataDir = tempDir();
    // No watchdog pass before the desk goes down.
    await open({ dataDir, streamTiming: { ...STREAMS, watchdogMs: 60_000 } });
    const v = VENUES[1];
    const id = await restingBuy(v, '59000', 'down');
    paper.emulator.silenceStreams(v.account, true);
    paper.emulator.setPrice('BTCUSDT', '58900');
    await new Promise((r) => setTimeout(r, 100));
    expect((await row(id)).status).toBe('OPEN'); // the desk heard nothing
    await paper.close();

    await open({ dataDir });
    await rowBecomes(id, 'FILLED', 10_000);
    await waitFor(async () => (await vpQty(v, 'down')) === '0.01', 10_000);
    expect(await fillsOf(id)).toHaveLength(1);
  });
});

describe('TP/SL legs follow an order that fills later', () => {
  it('a resting add to a VP with a take-profit resizes its leg once it fills', async () => {
    await open();
    const v = VENUES[1];
    expect(await confirmed('/order sub_a BTCUSDT buy 0.01 vp=grow')).toContain('FILLED');
    expect(await confirmed('/vp tpsl sub_a grow tp=70000')).toContain('take-profit');
    const exchange = await paper.app.services.exchanges.for('sub_a');
    const legQty = async () => (await exchange.fetchOpenConditionalOrders(v.symbol)).map((o) => o.amount.toFixed());
    expect(await legQty()).toEqual(['0.01']);
    const id = await restingBuy(v, '59000', 'grow');
    paper.emulator.setPrice('BTCUSDT', '58900');
    await rowBecomes(id, 'FILLED');
    await waitFor(async () => (await legQty()).join() === '0.02', 6_000);
  });
});

describe('/orders and /cancel cover TP/SL orders', () => {
  it('futures: the conditional orders are listed with their VP; cancelling one takes that leg off the VP', async () => {
    await open();
    expect(await confirmed('/order sub_a BTCUSDT buy 0.01 vp=guard')).toContain('FILLED');
    await confirmed('/vp tpsl sub_a guard tp=70000 sl=50000');
    const listed = await paper.say('/orders sub_a');
    expect(listed).toContain('sub_a: 2 open order(s)');
    expect(listed).toMatch(/take_profit_market 0\/0\.01 at @70000, open · take-profit of VP guard \(LONG\)/);
    expect(listed).toMatch(/stop_market 0\/0\.01 at @50000, open · stop-loss of VP guard \(LONG\)/);
    const tpId = /#(\d+) \((hs1\w+)\) [^\n]*take_profit/.exec(listed)?.[2] ?? '';
    expect(await confirmed(`/cancel sub_a ${tpId}`)).toMatch(/Cancelled on sub_a: .*take-profit of VP guard/);
    const vp = await paper.app.services.vps.find({
      accountId: 'sub_a',
      symbol: 'BTC/USDT:USDT',
      positionSide: 'LONG',
      name: 'guard',
    });
    expect(vp).toMatchObject({ tpPrice: null, slPrice: '50000' });
    expect(await row(tpId)).toMatchObject({ status: 'CANCELED' });
    const exchange = await paper.app.services.exchanges.for('sub_a');
    expect((await exchange.fetchOpenConditionalOrders('BTC/USDT:USDT')).map((o) => o.type)).toEqual(['stop_market']);
    expect(await paper.say('/orders sub_a')).toContain('sub_a: 1 open order(s)');
  });

  it('spot: the legs the desk watches are listed and can be cancelled like an order', async () => {
    await open();
    expect(await confirmed('/order sub_b BTCUSDT buy 0.01 vp=watch')).toContain('FILLED');
    await confirmed('/vp tpsl sub_b watch tp=70000');
    const vp = await paper.app.services.vps.find({
      accountId: 'sub_b',
      symbol: 'BTC/USDT',
      positionSide: 'LONG',
      name: 'watch',
    });
    const ref = `tp-${vp?.id ?? 0}`;
    expect(await paper.say('/orders sub_b')).toContain(
      `${ref} BTC/USDT sell 0.00999 when the price reaches 70000 (take-profit, watched by the desk: no order rests on the exchange) · take-profit of VP watch (LONG)`,
    );
    expect(await confirmed(`/cancel sub_b ${ref}`)).toContain('Cancelled on sub_b');
    expect(
      await paper.app.services.vps.find({
        accountId: 'sub_b',
        symbol: 'BTC/USDT',
        positionSide: 'LONG',
        name: 'watch',
      }),
    ).toMatchObject({ tpPrice: null });
    expect(await paper.say('/orders sub_b')).toContain('sub_b: 0 open order(s)');
  });
});

describe('orders in doubt that are not trades, and failures before anything is sent', () => {
  it('a spot stop-loss exit whose answer never came is settled by the in-doubt sweep, and the stop fires again', async () => {
    await open();
    const { tpsl, inDoubt, db } = paper.app.services;
    expect(await confirmed('/order sub_b BTCUSDT buy 0.01 vp=slx')).toContain('FILLED');
    await confirmed('/vp tpsl sub_b slx sl=59000');
    paper.emulator.fault('sub_b', {
      endpoint: 'POST /api/v3/order',
      failNext: { count: 1, httpStatus: 408, code: -1007, msg: 'Timeout waiting for response from backend server.' },
    });
    paper.emulator.setPrice('BTCUSDT', '58900');
    await tpsl.checkSpotPrices();
    const exits = () => db.order.findMany({ where: { accountId: 'sub_b', purpose: 'sl' }, orderBy: { id: 'asc' } });
    expect((await exits()).map((o) => o.status)).toEqual(['UNKNOWN']);
    // Its request window passed: the sweep calls it never placed and says so.
    const [exit] = await exits();
    await db.order.update({ where: { id: exit?.id ?? 0 }, data: { updatedAt: new Date(Date.now() - 20_000) } });
    expect((await inDoubt.run()).orders).toBe(1);
    expect((await exits()).map((o) => [o.status, o.error])).toEqual([['REJECTED', 'orders.never_placed']]);
    expect(paper.alerts.some((a) => a.key === 'alerts.order_never_placed' && a.accountId === 'sub_b')).toBe(true);
    await tpsl.checkSpotPrices();
    await waitFor(async () => (await vpQty(VENUES[0], 'slx')) === '0');
    expect((await exits()).map((o) => o.status)).toEqual(['REJECTED', 'FILLED']);
  });

  it('a failure before the order goes out (the position mode cannot be read) leaves nothing open in the book', async () => {
    await open();
    const { db, exchanges } = paper.app.services;
    await exchanges.invalidate('sub_a'); // a fresh client: the position mode is read again
    // Every read fails until cleared: the margin check before confirming lets the order through
    // without it, and the read right before sending is the one that stops the order.
    paper.emulator.fault('sub_a', {
      endpoint: 'GET /fapi/v1/positionSide/dual',
      failNext: { count: 100, httpStatus: 503, code: -1001, msg: 'Internal error; unable to process your request.' },
    });
    const before = await db.order.count({ where: { accountId: 'sub_a' } });
    expect(await confirmed('/order sub_a BTCUSDT buy 0.01 vp=nomode')).not.toContain('OPEN');
    expect(await db.order.count({ where: { accountId: 'sub_a' } })).toBe(before);
    expect(await paper.app.services.orders.liveOrderCount('sub_a')).toBe(0);
    paper.emulator.clearFaults('sub_a');
    expect(await confirmed('/order sub_a BTCUSDT buy 0.01 vp=nomode')).toContain('FILLED');
  });
});
