import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BinanceUsdmClient } from './ccxt-clients.ts';
import { EmulatorHarness, idOf } from './harness.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

const BTC = 'BTC/USDT:USDT';

async function hedgedAccount(usdt = '10000'): Promise<{ id: string; ex: BinanceUsdmClient }> {
  const acct = h.binanceAccount({}, { USDT: usdt });
  const ex = acct.usdm();
  await ex.setPositionMode(true);
  return { id: acct.id, ex };
}

describe('Binance USDT-M in hedge mode through ccxt', () => {
  it('loads markets with one request', async () => {
    const ex = h.binanceAccount().usdm();
    h.em.resetRequests();
    await ex.loadMarkets();
    expect(h.em.requests()).toEqual({ 'GET /fapi/v1/exchangeInfo': 1 });
    expect(ex.market(BTC)).toMatchObject({ swap: true, linear: true, precision: { amount: 0.001, price: 0.1 } });
  });

  it('opens a LONG, averages its entry, closes it by positionSide and books realized PnL minus fees', async () => {
    const { id, ex } = await hedgedAccount();
    h.em.setPrice('BTCUSDT', '60000');
    const open = await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { positionSide: 'LONG' });
    expect(open).toMatchObject({ status: 'closed', filled: 0.01, average: 60000 });
    h.em.setPrice('BTCUSDT', '62000');
    await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { positionSide: 'LONG' });

    const [position] = await ex.fetchPositions([BTC]);
    expect(position).toMatchObject({
      side: 'long',
      contracts: 0.02,
      entryPrice: 61000,
      hedged: true,
      unrealizedPnl: 20,
    });

    h.em.setPrice('BTCUSDT', '63000');
    const close = await ex.createOrder(BTC, 'market', 'sell', 0.02, undefined, { positionSide: 'LONG' });
    expect(close.status).toBe('closed');
    expect(await ex.fetchPositions([BTC])).toEqual([]);

    const trades = await ex.fetchMyTrades(BTC);
    expect(trades.map((t) => (t.info as { realizedPnl: string }).realizedPnl)).toEqual([
      '0.00000000',
      '0.00000000',
      '40.00000000',
    ]);
    // fees 0.04% taker: 0.24 + 0.248 + 0.504 = 0.992
    expect(h.em.balances(id).futures['USDT']?.wallet).toBe('10039.008');
    expect((await ex.fetchBalance())['USDT']?.total).toBe(10039.008);
  });

  it('reports a SHORT with a negative amount and its entry price in positionRisk', async () => {
    const { ex } = await hedgedAccount();
    h.em.setPrice('ETHUSDT', '3000');
    await ex.createOrder('ETH/USDT:USDT', 'market', 'sell', 0.5, undefined, { positionSide: 'SHORT' });
    h.em.setPrice('ETHUSDT', '2900');
    const [short] = await ex.fetchPositions(['ETH/USDT:USDT']);
    expect(short).toMatchObject({ side: 'short', contracts: 0.5, entryPrice: 3000, unrealizedPnl: 50 });
    expect((short?.info as { positionAmt: string }).positionAmt).toBe('-0.500');
  });

  it('refuses reduceOnly in hedge mode with -1106, like Binance', async () => {
    const { ex } = await hedgedAccount();
    await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { positionSide: 'LONG' });
    const attempt = ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, { positionSide: 'LONG', reduceOnly: true });
    await expect(attempt).rejects.toThrow(ccxt.BadRequest);
    await expect(attempt).rejects.toThrow(/-1106.*reduceOnly/);
  });

  it('refuses an opening order under the minimum notional with -4164', async () => {
    const { ex } = await hedgedAccount();
    h.em.setPrice('BTCUSDT', '60000');
    await expect(ex.createOrder(BTC, 'market', 'buy', 0.001, undefined, { positionSide: 'LONG' })).rejects.toThrow(
      /-4164/,
    );
  });

  it('refuses a position side that does not match the mode with -4061', async () => {
    const { ex } = await hedgedAccount();
    await expect(ex.createOrder(BTC, 'market', 'buy', 0.01)).rejects.toThrow(/-4061/);
  });

  it('places a STOP_MARKET on the algo service and fires it when the price falls through the trigger', async () => {
    const { id, ex } = await hedgedAccount();
    h.em.setPrice('BTCUSDT', '60000');
    await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { positionSide: 'LONG' });
    const stop = await ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, {
      positionSide: 'LONG',
      stopLossPrice: 58000,
      clientOrderId: 'sl-1',
    });
    expect(stop).toMatchObject({ status: 'open', triggerPrice: 58000, clientOrderId: 'sl-1' });
    expect((await ex.fetchOpenOrders(BTC, undefined, undefined, { trigger: true })).map((o) => o.id)).toEqual([
      stop.id,
    ]);

    h.em.setPrice('BTCUSDT', '58500');
    expect(h.em.positions(id)).toHaveLength(1);
    h.em.setPrice('BTCUSDT', '57990');
    expect(h.em.positions(id)).toEqual([]);
    const fired = await ex.fetchOrder(idOf(stop), BTC, { trigger: true });
    expect(fired.status).toBe('closed');
    const closing = await ex.fetchOrder('', BTC, { clientOrderId: 'sl-1' });
    expect(closing).toMatchObject({ status: 'closed', filled: 0.01, average: 57990 });
    expect(await ex.fetchOpenOrders(BTC, undefined, undefined, { trigger: true })).toEqual([]);
  });

  it('closes the whole position with a TAKE_PROFIT_MARKET closePosition order', async () => {
    const { id, ex } = await hedgedAccount();
    h.em.setPrice('SOLUSDT', '150');
    await ex.createOrder('SOL/USDT:USDT', 'market', 'sell', 3, undefined, { positionSide: 'SHORT' });
    await ex.createOrder('SOL/USDT:USDT', 'market', 'buy', 0, undefined, {
      positionSide: 'SHORT',
      takeProfitPrice: 140,
      closePosition: true,
    });
    h.em.setPrice('SOLUSDT', '139.5');
    expect(h.em.positions(id)).toEqual([]);
    const [, closing] = await ex.fetchMyTrades('SOL/USDT:USDT');
    expect((closing?.info as { realizedPnl: string }).realizedPnl).toBe('31.50000000');
  });

  it('refuses a conditional order that would trigger at once (-2021) and cancels one by id', async () => {
    const { ex } = await hedgedAccount();
    h.em.setPrice('BTCUSDT', '60000');
    await expect(
      ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, { positionSide: 'LONG', stopLossPrice: 61000 }),
    ).rejects.toThrow(/-2021/);
    const stop = await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, {
      positionSide: 'LONG',
      triggerPrice: 65000,
    });
    const canceled = await ex.cancelOrder(idOf(stop), BTC, { trigger: true });
    expect(canceled.id).toBe(stop.id);
    await expect(ex.cancelOrder(idOf(stop), BTC, { trigger: true })).rejects.toThrow(ccxt.OrderNotFound);
  });

  it('fills a resting limit order as maker when the price reaches it', async () => {
    const { id, ex } = await hedgedAccount();
    h.em.setPrice('BTCUSDT', '60000');
    const order = await ex.createOrder(BTC, 'limit', 'buy', 0.01, 59500, { positionSide: 'LONG' });
    expect(order.status).toBe('open');
    h.em.setPrice('BTCUSDT', '59400');
    expect(await ex.fetchOrder(idOf(order), BTC)).toMatchObject({ status: 'closed', average: 59500 });
    expect(h.em.positions(id)[0]).toMatchObject({ positionSide: 'LONG', positionAmt: '0.01', entryPrice: '59500' });
    const [trade] = await ex.fetchMyTrades(BTC);
    expect(trade?.takerOrMaker).toBe('maker');
    expect(trade?.fee?.cost).toBe(0.119);
  });

  it('refuses an opening order it cannot margin with -2019, as Binance does, and closes whatever the margin', async () => {
    const { id, ex } = await hedgedAccount('1000');
    h.em.setPrice('BTCUSDT', '60000');
    // 0.4 BTC at 20x needs 1200 USDT of margin; 1000 is there.
    await expect(ex.createOrder(BTC, 'market', 'buy', 0.4, undefined, { positionSide: 'LONG' })).rejects.toThrow(
      /-2019.*Margin is insufficient\./,
    );
    await ex.createOrder(BTC, 'market', 'buy', 0.3, undefined, { positionSide: 'LONG' });
    // 1000 - 900 margin - 7.2 fee.
    expect((await ex.fetchBalance()).USDT?.free).toBe(92.8);
    await expect(ex.createOrder(BTC, 'market', 'sell', 0.1, undefined, { positionSide: 'SHORT' })).rejects.toThrow(
      /-2019/,
    );
    h.em.setPrice('BTCUSDT', '57000');
    expect((await ex.fetchBalance()).USDT?.free).toBe(0);
    await ex.createOrder(BTC, 'market', 'sell', 0.3, undefined, { positionSide: 'LONG' });
    expect(h.em.positions(id)).toEqual([]);
  });

  it('reads the leverage per symbol through ccxt fetchLeverage (GET /fapi/v1/symbolConfig)', async () => {
    const { ex } = await hedgedAccount();
    await ex.setLeverage(7, BTC);
    h.em.resetRequests();
    expect(await ex.fetchLeverage(BTC, { symbol: 'BTCUSDT' })).toMatchObject({
      symbol: BTC,
      marginMode: 'cross',
      longLeverage: 7,
      shortLeverage: 7,
    });
    expect(await ex.fetchLeverage('ETH/USDT:USDT')).toMatchObject({ longLeverage: 20, shortLeverage: 20 });
    // The brackets once (ccxt keeps them), then one symbolConfig per read.
    expect(h.em.requests()).toEqual({ 'GET /fapi/v1/leverageBracket': 1, 'GET /fapi/v1/symbolConfig': 2 });
  });

  it('in one-way mode an order against the position needs margin only past twice its size, as Binance counts it', async () => {
    const acct = h.binanceAccount({}, { USDT: '1000' });
    const ex = acct.usdm();
    h.em.setPrice('BTCUSDT', '60000');
    await ex.createOrder(BTC, 'market', 'buy', 0.3);
    expect((await ex.fetchBalance()).USDT?.free).toBe(92.8);
    // A resting sell against the long holds no margin: max(|18000|, |18000 - 21000|) is the position's own.
    const resting = await ex.createOrder(BTC, 'limit', 'sell', 0.3, 70000);
    expect((await ex.fetchBalance()).USDT?.free).toBe(92.8);
    await ex.cancelOrder(idOf(resting), BTC);
    // Selling 0.6 against a long of 0.3 lands on a short of 0.3: no margin beyond what the long held.
    await ex.createOrder(BTC, 'market', 'sell', 0.6);
    expect(h.em.positions(acct.id)).toMatchObject([{ positionSide: 'BOTH', positionAmt: '-0.3' }]);
    // 0.7 against the short of 0.3 leaves a long of 0.4: 0.1 BTC more exposure, 300 USDT, is not there.
    await expect(ex.createOrder(BTC, 'market', 'buy', 0.7)).rejects.toThrow(/-2019.*Margin is insufficient\./);
    await ex.createOrder(BTC, 'market', 'buy', 0.6);
    expect(h.em.positions(acct.id)).toMatchObject([{ positionSide: 'BOTH', positionAmt: '0.3' }]);
  });

  it('in one-way mode reduces with reduceOnly and refuses a reduceOnly larger than the position (-2022)', async () => {
    const acct = h.binanceAccount({}, { USDT: '10000' });
    const ex = acct.usdm();
    h.em.setPrice('ETHUSDT', '3000');
    await ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.2);
    await expect(
      ex.createOrder('ETH/USDT:USDT', 'market', 'sell', 0.3, undefined, { reduceOnly: true }),
    ).rejects.toThrow(/-2022/);
    await ex.createOrder('ETH/USDT:USDT', 'market', 'sell', 0.1, undefined, { reduceOnly: true });
    expect(h.em.positions(acct.id)).toMatchObject([{ positionSide: 'BOTH', positionAmt: '0.1', entryPrice: '3000' }]);
    const [position] = await ex.fetchPositions(['ETH/USDT:USDT']);
    expect(position).toMatchObject({ side: 'long', hedged: false, contracts: 0.1 });
  });
});
