import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.ts';
import { decodeOwnClientOrderId } from '../../src/domain/client-order-id.ts';
import { startPaperDesk, type AlertEvent, type PaperDesk } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

/** TP/SL per virtual position, driven as a trader does: console lines, real ccxt, the emulator. */
let paper: PaperDesk;
let emulator: Emulator;
let alerts: AlertEvent[] = [];
const FUTURES = 'BTC/USDT:USDT';

beforeAll(async () => {
  paper = await startPaperDesk({ streams: true });
  emulator = paper.emulator;
});
afterAll(async () => paper.close());
beforeEach(() => {
  emulator.setPrice('BTCUSDT', '60000');
  paper.alerts.length = 0;
  alerts = paper.alerts;
});

const confirmed = (line: string) => paper.confirmed(line);

async function vp(account: string, name: string, symbol = FUTURES, side: 'LONG' | 'SHORT' = 'LONG') {
  const row = await paper.app.services.vps.find({ accountId: account, symbol, positionSide: side, name });
  if (!row) throw new Error(`no VP ${account}/${name}`);
  return row;
}

/** The conditional orders resting on the emulator for one VP, as our exchange layer reads them. */
async function legsOf(account: string, vpId: number) {
  const exchange = await paper.app.services.exchanges.for(account);
  const open = await exchange.fetchOpenConditionalOrders(FUTURES);
  return open
    .filter((o) => o.clientOrderId && decodeOwnClientOrderId(o.clientOrderId)?.vpId === vpId)
    .map((o) => ({
      purpose: decodeOwnClientOrderId(o.clientOrderId ?? '')?.purpose,
      side: o.side,
      positionSide: o.positionSide,
      amount: o.amount.toFixed(),
      trigger: o.triggerPrice?.toFixed(),
      clientOrderId: o.clientOrderId,
    }))
    .sort((a, b) => String(a.purpose).localeCompare(String(b.purpose)));
}

const algoOrdersSent = () => emulator.requests()['POST /fapi/v1/algoOrder'] ?? 0;

describe('/vp tpsl on futures', () => {
  it('a take-profit on one of two VPs in the same LONG closes exactly that VP, cancels its stop and tells the trader', async () => {
    await confirmed('/order main BTCUSDT buy 0.01 vp=tp_a');
    await confirmed('/order main BTCUSDT buy 0.02 vp=tp_b');
    const a = await vp('main', 'tp_a');

    const { ask, done } = await confirmed('/vp tpsl main tp_a tp=62000 sl=58000');
    expect(ask).toContain('Account main: VP tp_a (BTC/USDT:USDT LONG, 0.01, entry 60000, mark 60000)');
    expect(ask).toContain('take-profit 62000, stop-loss 58000');
    expect(ask).toContain('Conditional sell orders for exactly 0.01');
    expect(done).toContain('Account main: VP tp_a (BTC/USDT:USDT LONG) take-profit 62000, stop-loss 58000.');
    expect(done).toMatch(/take-profit: conditional order hs1p\w+ is on the exchange/);
    expect(await legsOf('main', a.id)).toEqual([
      expect.objectContaining({ purpose: 'sl', side: 'sell', positionSide: 'LONG', amount: '0.01', trigger: '58000' }),
      expect.objectContaining({ purpose: 'tp', side: 'sell', positionSide: 'LONG', amount: '0.01', trigger: '62000' }),
    ]);
    expect(await paper.say('/vp list main')).toMatch(/tp_a\s+0\.01\s+60000\s+0\s+[\d.]+\s+62000\s+58000/);

    emulator.setPrice('BTCUSDT', '62500');
    await waitFor(async () => (await vp('main', 'tp_a')).netQty === '0');
    await waitFor(async () => (await legsOf('main', a.id)).length === 0);

    const closed = await vp('main', 'tp_a');
    expect(closed).toMatchObject({
      realizedPnl: '25',
      tpPrice: null,
      slPrice: null,
      tpClientId: null,
      slClientId: null,
    });
    expect((await vp('main', 'tp_b')).netQty).toBe('0.02');
    const exchange = await paper.app.services.exchanges.for('main');
    const long = (await exchange.fetchPositions()).find((p) => p.symbol === FUTURES && p.side === 'LONG');
    expect(long?.contracts.toFixed()).toBe('0.02');

    const rows = await paper.app.services.db.order.findMany({ where: { vpId: a.id, purpose: { in: ['tp', 'sl'] } } });
    expect(rows.map((r) => [r.purpose, r.status])).toEqual([
      ['tp', 'FILLED'],
      ['sl', 'CANCELED'],
    ]);
    const triggered = alerts.filter((e) => e.category === 'tpsl');
    expect(triggered).toHaveLength(1);
    expect(triggered[0]).toMatchObject({
      accountId: 'main',
      key: 'alerts.tp_triggered',
      params: { vp: 'tp_a', price: '62500', qty: '0.01', realized: '25', remaining: '0' },
    });
  });

  it('adding to a VP or closing part of it replaces its TP/SL with the new quantity; flat cancels both', async () => {
    await confirmed('/order main BTCUSDT buy 0.01 vp=grow');
    const grow = await vp('main', 'grow');
    await confirmed('/vp tpsl main grow tp=65000 sl=55000');
    const first = await legsOf('main', grow.id);
    expect(first.map((l) => l.amount)).toEqual(['0.01', '0.01']);

    await confirmed('/order main BTCUSDT buy 0.02 vp=grow');
    await waitFor(async () => (await legsOf('main', grow.id)).every((l) => l.amount === '0.03'));
    const grown = await legsOf('main', grow.id);
    expect(grown.map((l) => [l.purpose, l.amount, l.trigger])).toEqual([
      ['sl', '0.03', '55000'],
      ['tp', '0.03', '65000'],
    ]);
    expect(grown.map((l) => l.clientOrderId)).not.toContain(first[0]?.clientOrderId);
    expect(grown.map((l) => l.clientOrderId)).not.toContain(first[1]?.clientOrderId);
    const row = await vp('main', 'grow');
    expect([row.tpClientId, row.slClientId].sort()).toEqual(grown.map((l) => l.clientOrderId).sort());

    await confirmed('/vp close main grow 50');
    await waitFor(async () => (await legsOf('main', grow.id)).every((l) => l.amount === '0.015'));
    expect(await legsOf('main', grow.id)).toHaveLength(2);

    await confirmed('/vp close main grow');
    await waitFor(async () => (await legsOf('main', grow.id)).length === 0);
    await waitFor(async () => (await vp('main', 'grow')).tpPrice === null);
    expect(await vp('main', 'grow')).toMatchObject({ netQty: '0', slPrice: null, tpClientId: null, slClientId: null });
    expect(alerts.filter((e) => e.category === 'tpsl')).toEqual([]);
  });

  it('a SHORT VP gets buy orders: take-profit below, stop above; off removes them', async () => {
    await confirmed('/order sub_a BTCUSDT sell 0.01 short vp=hedge');
    const hedge = await vp('sub_a', 'hedge', FUTURES, 'SHORT');
    const { done } = await confirmed('/vp tpsl sub_a hedge tp=57000 sl=61000');
    expect(done).toContain('take-profit 57000, stop-loss 61000');
    expect((await legsOf('sub_a', hedge.id)).map((l) => [l.purpose, l.side, l.positionSide, l.trigger])).toEqual([
      ['sl', 'buy', 'SHORT', '61000'],
      ['tp', 'buy', 'SHORT', '57000'],
    ]);
    const off = await confirmed('/vp tpsl sub_a hedge off');
    expect(off.ask).toContain('remove the take-profit and stop-loss of VP hedge');
    expect(off.done).toContain('has no take-profit or stop-loss now');
    expect(await legsOf('sub_a', hedge.id)).toEqual([]);
  });

  it('a leg cancelled on the exchange itself is not placed again behind the trader: it is reported and disarmed', async () => {
    await confirmed('/order sub_a BTCUSDT buy 0.01 vp=site');
    await confirmed('/vp tpsl sub_a site tp=64000 sl=57000');
    const site = await vp('sub_a', 'site');
    const exchange = await paper.app.services.exchanges.for('sub_a');
    await exchange.cancelConditionalOrder(FUTURES, { clientOrderId: site.tpClientId ?? '' });

    await paper.app.services.tpsl.resyncAll(); // as after a restart
    expect(alerts.filter((e) => e.category === 'tpsl').map((e) => [e.key, e.params['leg']])).toEqual([
      ['alerts.tpsl_left_book', 'tp'],
    ]);
    expect(await vp('sub_a', 'site')).toMatchObject({ tpPrice: null, tpClientId: null, slPrice: '57000' });
    expect((await legsOf('sub_a', site.id)).map((l) => l.purpose)).toEqual(['sl']);
  });

  it('a trigger price on the wrong side is refused before anything is sent', async () => {
    await confirmed('/order main BTCUSDT buy 0.01 vp=wrong');
    await confirmed('/order main BTCUSDT sell 0.01 short vp=wrong_s');
    const before = algoOrdersSent();
    const refusals = [
      ['/vp tpsl main wrong tp=59000', 'VP wrong is LONG, so its take-profit 59000 must be above'],
      ['/vp tpsl main wrong sl=60500', 'VP wrong is LONG, so its stop-loss 60500 must be below the mark 60000'],
      ['/vp tpsl main wrong_s tp=61000', 'VP wrong_s is SHORT, so its take-profit 61000 must be below'],
      ['/vp tpsl main wrong_s sl=59000', 'VP wrong_s is SHORT, so its stop-loss 59000 must be above the mark 60000'],
      ['/vp tpsl main wrong', 'give tp=<price>, sl=<price> or off'],
      ['/vp tpsl main wrong tp=65000 off', 'give tp=/sl= prices or off, not both'],
    ];
    for (const [line, message] of refusals) {
      const reply = await paper.say(line ?? '');
      expect(reply, line).toContain(message);
      expect(reply, line).toContain('main');
      expect(reply, line).not.toContain('Type yes');
    }
    expect(algoOrdersSent()).toBe(before);
    expect((await vp('main', 'wrong')).tpPrice).toBeNull();
  });
});

describe('/vp tpsl on spot: watch and send', () => {
  it('the desk sells the VP at market when the price crosses its take-profit, and says it must be running', async () => {
    await confirmed('/order sub_b BTCUSDT buy 0.01 vp=spot_tp');
    const spot = await vp('sub_b', 'spot_tp', 'BTC/USDT');
    expect(spot.netQty).toBe('0.00999'); // 0.1% fee taken in BTC
    const { ask, done } = await confirmed('/vp tpsl sub_b spot_tp tp=61000 sl=59000');
    expect(ask).toContain('only while the desk is running');
    expect(done).toContain('only while the desk is running');
    expect(done).not.toContain('conditional order');

    await paper.app.services.tpsl.checkSpotPrices();
    expect((await vp('sub_b', 'spot_tp', 'BTC/USDT')).netQty).toBe('0.00999');

    emulator.setPrice('BTCUSDT', '61200');
    await paper.app.services.tpsl.checkSpotPrices();
    await waitFor(async () => (await vp('sub_b', 'spot_tp', 'BTC/USDT')).netQty === '0');
    await waitFor(() => alerts.some((e) => e.key === 'alerts.tp_triggered'));
    const sells = await paper.app.services.db.order.findMany({ where: { vpId: spot.id, purpose: 'tp' } });
    expect(sells.map((o) => [o.side, o.type, o.amount, o.status])).toEqual([['sell', 'market', '0.00999', 'FILLED']]);
    expect(await vp('sub_b', 'spot_tp', 'BTC/USDT')).toMatchObject({ tpPrice: null, slPrice: null });
    expect(alerts.find((e) => e.key === 'alerts.tp_triggered')?.params).toMatchObject({
      account: 'sub_b',
      vp: 'spot_tp',
      price: '61200',
      qty: '0.00999',
      realized: '11.99', // (61200 − 60000) × 0.00999 = 11.988, shown to the cent, rounded half up
    });

    // Crossed again later: nothing is left to sell and nothing is sent.
    const orders = await paper.app.services.db.order.count({ where: { accountId: 'sub_b' } });
    await paper.app.services.tpsl.checkSpotPrices();
    expect(await paper.app.services.db.order.count({ where: { accountId: 'sub_b' } })).toBe(orders);
  });
});

describe('attribution of a triggered conditional order', () => {
  it('Binance names the market order <clientAlgoId>-<algoId> when the id was taken; it still decodes', async () => {
    const id = 'hs1p00c1a_mwq7isw0001m8ytml';
    expect(decodeOwnClientOrderId(`${id}-4711`)).toEqual(decodeOwnClientOrderId(id));
    expect(decodeOwnClientOrderId(id)).toMatchObject({ accountCode: 12, vpId: 46, purpose: 'tp' });
    expect(decodeOwnClientOrderId('web_123-4711')).toBeUndefined();
  });

  it('a fill whose client id carries the suffix reduces its VP', async () => {
    await confirmed('/order main BTCUSDT buy 0.01 vp=suffix');
    await confirmed('/vp tpsl main suffix tp=63000');
    const tpId = (await vp('main', 'suffix')).tpClientId;
    if (!tpId) throw new Error('no take-profit placed');
    const exchange = await paper.app.services.exchanges.for('main');
    const [template] = (await exchange.fetchTrades(FUTURES)).slice(-1);
    if (!template) throw new Error('no trade to copy');
    const result = await paper.app.services.fills.ingest('main', {
      ...template,
      id: 'suffix-test-1',
      orderId: '999999',
      clientOrderId: `${tpId}-987`,
      side: 'sell',
      amount: new Decimal('0.01'),
      price: new Decimal('63000'),
      positionSide: 'LONG',
    });
    expect(result).toBe('applied');
    expect((await vp('main', 'suffix')).netQty).toBe('0');
    await waitFor(() => alerts.some((e) => e.key === 'alerts.tp_triggered' && e.params['vp'] === 'suffix'));
  });
});

describe('along the way', () => {
  it('no TP/SL work failed', () => {
    const failures = paper.desk.logs.filter((line) => /"level":(50|60)/.test(line));
    expect(failures).toEqual([]);
  });
});
