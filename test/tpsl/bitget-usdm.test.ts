import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeOwnClientOrderId } from '../../src/domain/client-order-id.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import { startPaperDesk, type AlertEvent, type PaperDesk } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A Bitget USDT-M account on the desk, driven as a trader does (console lines, real ccxt, the
 * emulator's v2 mix): orders into VPs per LONG/SHORT side, TP/SL as Bitget TP/SL plans for
 * exactly each VP's quantity, in hedge and one-way mode, and reconciliation.
 */
let paper: PaperDesk;
let emulator: Emulator;
let alerts: AlertEvent[] = [];
const FUTURES = 'BTC/USDT:USDT';
const HEDGE = 'bgf';
const ONE_WAY = 'bgf_ow';

async function openAccount(id: string, name: string): Promise<void> {
  const { accounts, streams } = paper.app.services;
  const account = await accounts.create(
    { id, name, exchange: 'bitget', market: 'usdm', env: 'paper' },
    { apiKey: `${id}-api-key-0001`, secret: `${id}-api-secret-0001`, passphrase: `${id}-passphrase` },
  );
  await paper.app.services.paper?.register(account);
  if (id === ONE_WAY) await (await paper.app.services.exchanges.for(id)).setPositionMode('oneway');
  await streams.watch(account);
}

beforeAll(async () => {
  paper = await startPaperDesk({ streams: true });
  emulator = paper.emulator;
  await openAccount(HEDGE, 'Bitget USDT-M (hedge)');
  await openAccount(ONE_WAY, 'Bitget USDT-M (one-way)');
  const { streams } = paper.app.services;
  await waitFor(() => [HEDGE, ONE_WAY].every((id) => streams.status(id)?.health === 'live'), 8_000);
});
afterAll(async () => paper.close());
beforeEach(() => {
  emulator.setPrice('BTCUSDT', '60000');
  paper.alerts.length = 0;
  alerts = paper.alerts;
});

const confirmed = (line: string) => paper.confirmed(line);

async function vp(account: string, name: string, side: 'LONG' | 'SHORT' = 'LONG') {
  const row = await paper.app.services.vps.find({ accountId: account, symbol: FUTURES, positionSide: side, name });
  if (!row) throw new Error(`no VP ${account}/${name}`);
  return row;
}

/** The TP/SL plans resting on the emulator for one VP, as our exchange layer reads them. */
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
      type: o.type,
    }))
    .sort((a, b) => String(a.purpose).localeCompare(String(b.purpose)));
}

describe('Bitget USDT-M in hedge mode', () => {
  it('a take-profit on one of two VPs in the same LONG closes exactly that VP, cancels its stop and tells the trader', async () => {
    const { done: bought } = await confirmed(`/order ${HEDGE} BTCUSDT buy 0.01 vp=tp_a`);
    expect(bought).toMatch(/FILLED, filled 0\.01 at 60000/);
    await confirmed(`/order ${HEDGE} BTCUSDT buy 0.02 vp=tp_b`);
    const a = await vp(HEDGE, 'tp_a');

    const { done } = await confirmed(`/vp tpsl ${HEDGE} tp_a tp=62000 sl=58000`);
    expect(done).toContain(`Account ${HEDGE}: VP tp_a (BTC/USDT:USDT LONG) take-profit 62000, stop-loss 58000.`);
    // Bitget names the long in `side` ("buy", tradeSide close); the desk reads the sell it is.
    expect(await legsOf(HEDGE, a.id)).toEqual([
      { purpose: 'sl', side: 'sell', positionSide: 'LONG', amount: '0.01', trigger: '58000', type: 'loss_plan' },
      { purpose: 'tp', side: 'sell', positionSide: 'LONG', amount: '0.01', trigger: '62000', type: 'profit_plan' },
    ]);
    expect(emulator.requests()['POST /api/v2/mix/order/place-tpsl-order']).toBe(2);

    emulator.setPrice('BTCUSDT', '62500');
    await waitFor(async () => (await vp(HEDGE, 'tp_a')).netQty === '0');
    await waitFor(async () => (await legsOf(HEDGE, a.id)).length === 0);
    expect(await vp(HEDGE, 'tp_a')).toMatchObject({ realizedPnl: '25', tpPrice: null, slPrice: null });
    expect((await vp(HEDGE, 'tp_b')).netQty).toBe('0.02');
    const exchange = await paper.app.services.exchanges.for(HEDGE);
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
      accountId: HEDGE,
      key: 'alerts.tp_triggered',
      params: { vp: 'tp_a', price: '62500', qty: '0.01', realized: '25', remaining: '0' },
    });
  });

  it('a SHORT VP: sell to open, buy legs (take-profit below, stop above) resized as it grows, gone when flat', async () => {
    await confirmed(`/order ${HEDGE} BTCUSDT sell 0.01 short vp=bear`);
    const bear = await vp(HEDGE, 'bear', 'SHORT');
    expect(bear.netQty).toBe('0.01');
    await confirmed(`/vp tpsl ${HEDGE} bear tp=57000 sl=63000 short`);
    expect(await legsOf(HEDGE, bear.id)).toEqual([
      expect.objectContaining({ purpose: 'sl', side: 'buy', positionSide: 'SHORT', amount: '0.01', trigger: '63000' }),
      expect.objectContaining({ purpose: 'tp', side: 'buy', positionSide: 'SHORT', amount: '0.01', trigger: '57000' }),
    ]);
    await confirmed(`/order ${HEDGE} BTCUSDT sell 0.02 short vp=bear`);
    await waitFor(async () => {
      const legs = await legsOf(HEDGE, bear.id);
      return legs.length === 2 && legs.every((l) => l.amount === '0.03');
    });

    await confirmed(`/vp close ${HEDGE} bear short`);
    await waitFor(async () => (await legsOf(HEDGE, bear.id)).length === 0);
    await waitFor(async () => (await vp(HEDGE, 'bear', 'SHORT')).tpPrice === null);
    expect(await vp(HEDGE, 'bear', 'SHORT')).toMatchObject({ netQty: '0', slPrice: null });
    expect(alerts.filter((e) => e.category === 'tpsl')).toEqual([]);
  });

  it('reconcile compares the exchange position with the VPs and names a trade the desk never sent', async () => {
    const exchange = await paper.app.services.exchanges.for(HEDGE);
    await exchange.placeOrder({
      symbol: FUTURES,
      side: 'sell',
      type: 'market',
      amount: new Decimal('0.003'),
      positionSide: 'SHORT',
      clientOrderId: 'web_bitget_1',
    });
    const shown = await paper.say(`/reconcile ${HEDGE}`);
    expect(shown).toContain(`${HEDGE} (bitget usdm): 1 difference(s)`);
    const row = shown
      .split('\n')
      .map((line) => line.trim().split(/\s{2,}/))
      .find((cells) => cells[0] === FUTURES && cells[1] === 'SHORT');
    expect(row?.slice(0, 3)).toEqual([FUTURES, 'SHORT', '0.003']);
  });
});

describe('Bitget USDT-M in one-way mode', () => {
  it('a VP inside the net position: its stop is a reduce-only plan and closing it leaves the net flat', async () => {
    await confirmed(`/order ${ONE_WAY} BTCUSDT buy 0.01 vp=net`);
    const net = await vp(ONE_WAY, 'net');
    await confirmed(`/vp tpsl ${ONE_WAY} net sl=58000`);
    expect(await legsOf(ONE_WAY, net.id)).toEqual([
      { purpose: 'sl', side: 'sell', positionSide: undefined, amount: '0.01', trigger: '58000', type: 'loss_plan' },
    ]);
    emulator.setPrice('BTCUSDT', '57900');
    await waitFor(async () => (await vp(ONE_WAY, 'net')).netQty === '0');
    const exchange = await paper.app.services.exchanges.for(ONE_WAY);
    expect(await exchange.fetchPositions()).toEqual([]);
    expect(alerts.filter((e) => e.key === 'alerts.sl_triggered')).toHaveLength(1);
  });
});
