import ccxt, { type Order } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bitgetSwap } from './ccxt-clients.ts';
import { EmulatorHarness, eventually, idOf, settle } from './harness.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const TPSL = { trigger: true, planType: 'profit_loss' };

describe('Bitget USDT-M futures (v2 mix) through ccxt', () => {
  it('loads the swap markets from /api/v2/mix/market/contracts, one request per product type', async () => {
    const ex = h.bitgetFuturesAccount().client();
    h.em.resetRequests();
    await ex.loadMarkets();
    // ccxt asks for USDT-, COIN-, USDC-FUTURES and their demo twins; only USDT-FUTURES lists contracts.
    expect(h.em.requests()).toEqual({ 'GET /api/v2/mix/market/contracts': 6 });
    expect(ex.market(BTC)).toMatchObject({
      swap: true,
      linear: true,
      settle: 'USDT',
      contractSize: 1,
      precision: { amount: 0.0001, price: 0.1 },
      limits: { amount: { min: 0.0001 }, cost: { min: 5 }, leverage: { max: 125 } },
    });
    expect(Object.keys(ex.markets ?? {}).sort()).toEqual([BTC, ETH, 'SOL/USDT:USDT']);
  });

  it('reads the USDT-FUTURES account: free is maxTransferOut, total the equity', async () => {
    const ex = h.bitgetFuturesAccount({ USDT: '2500' }).client();
    expect((await ex.fetchBalance())['USDT']).toMatchObject({ free: 2500, used: 0, total: 2500 });
  });

  it('a profitable position: crossedMaxAvailable counts its profit, available and maxTransferOut (ccxt free) do not', async () => {
    const ex = h.bitgetFuturesAccount().client();
    h.em.setPrice('BTCUSDT', '60000');
    // 2 BTC at 20x: 6000 of margin, 72 of fee.
    await ex.createOrder(BTC, 'market', 'buy', 2, undefined, { hedged: true });
    // At 110000: 100000 of profit, 11000 of margin at the mark, beside a wallet of 9928.
    h.em.setPrice('BTCUSDT', '110000');
    const balance = await ex.fetchBalance();
    expect((balance.info as unknown[])[0]).toMatchObject({
      available: '-1072',
      crossedMaxAvailable: '98928',
      isolatedMaxAvailable: '0',
      maxTransferOut: '0',
    });
    expect(balance['USDT']).toMatchObject({ free: 0, total: 109928 });
    expect((await ex.fetchLeverage(BTC)).info).toMatchObject({ available: '-1072', crossedMaxAvailable: '98928' });
    // Opening 4 more needs 22000 and the fee: Bitget takes it against crossedMaxAvailable.
    await ex.createOrder(BTC, 'market', 'buy', 4, undefined, { hedged: true });
    await expect(ex.createOrder(BTC, 'market', 'buy', 20, undefined, { hedged: true })).rejects.toThrow(/40762/);
    h.em.setPrice('BTCUSDT', '60000');
  });

  it('hedge mode: opens a long, averages its entry, closes it (side buy, tradeSide close) and books PnL minus fees', async () => {
    const acct = h.bitgetFuturesAccount();
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '60000');
    const open = await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { hedged: true, clientOrderId: 'bgf-o1' });
    expect(open.clientOrderId).toBe('bgf-o1');
    h.em.setPrice('BTCUSDT', '62000');
    await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { hedged: true });
    const [position] = await ex.fetchPositions([BTC]);
    expect(position).toMatchObject({
      side: 'long',
      contracts: 0.02,
      entryPrice: 61000,
      hedged: true,
      unrealizedPnl: 20,
    });

    h.em.setPrice('BTCUSDT', '63000');
    const close = await ex.createOrder(BTC, 'market', 'sell', 0.02, undefined, { hedged: true, reduceOnly: true });
    const closed = await ex.fetchOrder(idOf(close), BTC);
    // Bitget names the position in `side`; ccxt turns a hedge-mode reduce-only back into a sell.
    expect(closed.info).toMatchObject({ side: 'buy', tradeSide: 'close', posSide: 'long', reduceOnly: 'YES' });
    expect(closed).toMatchObject({ status: 'closed', side: 'sell', filled: 0.02, average: 63000, reduceOnly: true });
    expect(await ex.fetchPositions([BTC])).toEqual([]);

    const trades = await ex.fetchMyTrades(BTC);
    expect(trades.map((t) => (t.info as { profit: string }).profit)).toEqual(['0', '0', '40']);
    // taker 0.06%: 0.36 + 0.372 + 0.756 = 1.488
    expect(h.em.balances(acct.id).futures['USDT']?.wallet).toBe('10038.512');
    expect((await ex.fetchBalance())['USDT']?.total).toBe(10038.512);
  });

  it('hedge mode: holds a long and a short at once, each closed by its own side', async () => {
    const acct = h.bitgetFuturesAccount();
    const ex = acct.client();
    h.em.setPrice('ETHUSDT', '3000');
    await ex.createOrder(ETH, 'market', 'buy', 0.5, undefined, { hedged: true });
    await ex.createOrder(ETH, 'market', 'sell', 0.3, undefined, { hedged: true });
    h.em.setPrice('ETHUSDT', '2900');
    const positions = await ex.fetchPositions([ETH]);
    expect(positions.find((p) => p.side === 'long')).toMatchObject({ contracts: 0.5, unrealizedPnl: -50 });
    expect(positions.find((p) => p.side === 'short')).toMatchObject({ contracts: 0.3, unrealizedPnl: 30 });
    await ex.createOrder(ETH, 'market', 'buy', 0.3, undefined, { hedged: true, reduceOnly: true });
    expect(h.em.positions(acct.id)).toMatchObject([{ positionSide: 'LONG', positionAmt: '0.5' }]);
  });

  it('hedge mode: refuses a close with nothing to close (22002) and one larger than the position (40757)', async () => {
    const ex = h.bitgetFuturesAccount().client();
    h.em.setPrice('BTCUSDT', '60000');
    await expect(
      ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, { hedged: true, reduceOnly: true }),
    ).rejects.toThrow(/22002/);
    await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { hedged: true });
    await expect(
      ex.createOrder(BTC, 'market', 'sell', 0.02, undefined, { hedged: true, reduceOnly: true }),
    ).rejects.toThrow(/40757/);
  });

  it('one-way mode: reduceOnly shrinks the net position; a hedge-mode order is refused with 40774', async () => {
    const acct = h.bitgetFuturesAccount({ USDT: '10000' }, { hedge: false });
    const ex = acct.client();
    h.em.setPrice('ETHUSDT', '3000');
    await ex.createOrder(ETH, 'market', 'buy', 0.2);
    await expect(ex.createOrder(ETH, 'market', 'sell', 0.1, undefined, { hedged: true })).rejects.toThrow(/40774/);
    await expect(ex.createOrder(ETH, 'market', 'sell', 0.3, undefined, { reduceOnly: true })).rejects.toThrow(/40757/);
    const reduce = await ex.createOrder(ETH, 'market', 'sell', 0.1, undefined, { reduceOnly: true });
    expect((await ex.fetchOrder(idOf(reduce), ETH)).info).toMatchObject({
      side: 'sell',
      tradeSide: 'sell_single',
      posSide: 'net',
      posMode: 'one_way_mode',
      reduceOnly: 'YES',
    });
    const [position] = await ex.fetchPositions([ETH]);
    expect(position).toMatchObject({ side: 'long', hedged: false, contracts: 0.1, entryPrice: 3000 });
    // Selling more than the long without reduceOnly turns it into a short.
    await ex.createOrder(ETH, 'market', 'sell', 0.3);
    expect((await ex.fetchPositions([ETH]))[0]).toMatchObject({ side: 'short', contracts: 0.2 });
  });

  it('switches the position mode with set-position-mode, refused while a position is open', async () => {
    const acct = h.bitgetFuturesAccount();
    const ex = acct.client();
    await ex.setPositionMode(false);
    h.em.setPrice('BTCUSDT', '60000');
    await ex.createOrder(BTC, 'market', 'buy', 0.01);
    expect((await ex.fetchPositions([BTC]))[0]?.hedged).toBe(false);
    await expect(ex.setPositionMode(true)).rejects.toThrow(/40920/);
    await ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, { reduceOnly: true });
    await ex.setPositionMode(true);
    expect((await ex.fetchLeverage(BTC)).info).toMatchObject({ posMode: 'hedge_mode', marginMode: 'crossed' });
  });

  it('sets leverage per symbol; only cross margin is emulated', async () => {
    const ex = h.bitgetFuturesAccount().client();
    await ex.setLeverage(10, BTC);
    expect(await ex.fetchLeverage(BTC)).toMatchObject({ marginMode: 'cross', longLeverage: 10, shortLeverage: 10 });
    h.em.setPrice('BTCUSDT', '60000');
    await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { hedged: true });
    const [position] = await ex.fetchPositions([BTC]);
    expect(position).toMatchObject({ leverage: 10, initialMargin: 60 });
    await expect(ex.setMarginMode('isolated', BTC)).rejects.toThrow(ccxt.BadRequest);
  });

  it('rests a limit order, lists it, fills it as maker when the price crosses, and cancels another', async () => {
    const acct = h.bitgetFuturesAccount();
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '60000');
    const order = await ex.createOrder(BTC, 'limit', 'buy', 0.01, 59500, { hedged: true, clientOrderId: 'bgf-l1' });
    const other = await ex.createOrder(BTC, 'limit', 'buy', 0.01, 50000, { hedged: true });
    const open = await ex.fetchOpenOrders(BTC);
    expect(open.map((o) => o.id).sort()).toEqual([order.id, other.id].sort());
    expect(open.find((o) => o.id === order.id)).toMatchObject({
      status: 'open',
      price: 59500,
      amount: 0.01,
      side: 'buy',
    });
    // Open orders hold margin: 0.02 BTC at their prices / 20x.
    expect((await ex.fetchBalance())['USDT']).toMatchObject({ free: 9945.25, total: 10000 });

    h.em.setPrice('BTCUSDT', '59400');
    const filled = await ex.fetchOrder('', BTC, { clientOrderId: 'bgf-l1' });
    expect(filled).toMatchObject({ status: 'closed', average: 59500, filled: 0.01 });
    const [trade] = await ex.fetchMyTrades(BTC);
    expect(trade).toMatchObject({ order: order.id, takerOrMaker: 'maker', fee: { cost: 0.119, currency: 'USDT' } });

    await ex.cancelOrder(idOf(other), BTC);
    expect((await ex.fetchOrder(idOf(other), BTC)).status).toBe('canceled');
    await expect(ex.cancelOrder(idOf(other), BTC)).rejects.toThrow(ccxt.OrderNotFound);
    await expect(ex.fetchOrder('1100000000000000042', BTC)).rejects.toThrow(ccxt.OrderNotFound);
    expect((await ex.fetchClosedOrders(BTC)).map((o) => o.id)).toContain(order.id);
    expect((await ex.fetchCanceledOrders(BTC)).map((o) => o.id)).toEqual([other.id]);
  });

  it('refuses an order larger than the margin (40762), under 5 USDT (45110), and a reused open clientOid (40786)', async () => {
    const ex = h.bitgetFuturesAccount({ USDT: '100' }).client();
    h.em.setPrice('BTCUSDT', '60000');
    await expect(ex.createOrder(BTC, 'market', 'buy', 0.1, undefined, { hedged: true })).rejects.toThrow(
      ccxt.InsufficientFunds,
    );
    await expect(ex.createOrder(BTC, 'limit', 'buy', 0.0001, 40000, { hedged: true })).rejects.toThrow(/45110/);
    await ex.createOrder(BTC, 'limit', 'buy', 0.001, 50000, { hedged: true, clientOrderId: 'bgf-dup' });
    await expect(
      ex.createOrder(BTC, 'limit', 'buy', 0.001, 50000, { hedged: true, clientOrderId: 'bgf-dup' }),
    ).rejects.toThrow(/40786/);
  });

  it('serves tickers and the mark price from the emulator price', async () => {
    const ex = h.bitgetFuturesAccount().client();
    h.em.setPrice('SOLUSDT', '151.5');
    expect(await ex.fetchTicker('SOL/USDT:USDT')).toMatchObject({ last: 151.5, markPrice: 151.5 });
    const tickers = await ex.fetchTickers([BTC, 'SOL/USDT:USDT']);
    expect(tickers['SOL/USDT:USDT']?.last).toBe(151.5);
    expect((await ex.fetchMarkPrice('SOL/USDT:USDT')).markPrice).toBe(151.5);
  });

  it('a key without futures trading is refused with 40014; a demo key needs the paptrading header', async () => {
    const acct = h.bitgetFuturesAccount();
    h.em.setKeyPermissions(acct.id, { futuresTrading: false });
    const ex = acct.client();
    await expect(ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { hedged: true })).rejects.toThrow(/40014/);
    await expect(ex.fetchBalance()).resolves.toBeDefined();
    const demo = h.bitgetFuturesAccount({ USDT: '300' }, { demo: true });
    expect((await demo.client().fetchBalance())['USDT']?.total).toBe(300);
    await expect(h.track(bitgetSwap(h.em, demo.creds, false)).fetchBalance()).rejects.toThrow(/40099/);
  });
});

describe('Bitget USDT-M TP/SL and trigger plan orders', () => {
  it('a partial stop-loss (loss_plan) closes its size when the price falls through the trigger', async () => {
    const acct = h.bitgetFuturesAccount();
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '60000');
    await ex.createOrder(BTC, 'market', 'buy', 0.02, undefined, { hedged: true });
    const sl = await ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, {
      hedged: true,
      stopLossPrice: 58000,
      planType: 'loss_plan',
      clientOrderId: 'bgf-sl1',
    });
    expect(sl).toMatchObject({ clientOrderId: 'bgf-sl1' });
    const [pending] = await ex.fetchOpenOrders(BTC, undefined, undefined, TPSL);
    expect(pending).toMatchObject({
      id: sl.id,
      clientOrderId: 'bgf-sl1',
      triggerPrice: 58000,
      status: 'open',
      amount: 0.01,
    });
    expect(pending?.info).toMatchObject({ planType: 'loss_plan', planStatus: 'live', side: 'buy', tradeSide: 'close' });
    // The default plan type of the pending list is normal_plan: TP/SL plans are not there.
    expect(await ex.fetchOpenOrders(BTC, undefined, undefined, { trigger: true })).toEqual([]);

    h.em.setPrice('BTCUSDT', '58500');
    expect(h.em.positions(acct.id)[0]?.positionAmt).toBe('0.02');
    h.em.setPrice('BTCUSDT', '57990');
    expect(h.em.positions(acct.id)[0]?.positionAmt).toBe('0.01');
    expect(await ex.fetchOpenOrders(BTC, undefined, undefined, TPSL)).toEqual([]);
    const [done] = await ex.fetchCanceledAndClosedOrders(BTC, undefined, undefined, TPSL);
    const executeOrderId = (done?.info as { executeOrderId: string }).executeOrderId;
    expect(done).toMatchObject({ id: sl.id, status: 'closed' });
    const closing = await ex.fetchOrder(executeOrderId, BTC);
    expect(closing).toMatchObject({ status: 'closed', filled: 0.01, average: 57990, side: 'sell' });
    expect(closing.info).toMatchObject({ orderSource: 'loss_market', clientOid: 'bgf-sl1' });
  });

  it('a position take-profit (pos_profit) closes the whole short', async () => {
    const acct = h.bitgetFuturesAccount();
    const ex = acct.client();
    h.em.setPrice('SOLUSDT', '150');
    await ex.createOrder('SOL/USDT:USDT', 'market', 'sell', 3, undefined, { hedged: true });
    await ex.createOrder('SOL/USDT:USDT', 'market', 'buy', 3, undefined, { hedged: true, takeProfitPrice: 140 });
    h.em.setPrice('SOLUSDT', '139.5');
    expect(h.em.positions(acct.id)).toEqual([]);
    const trades = await ex.fetchMyTrades('SOL/USDT:USDT');
    expect((trades.at(-1)?.info as { profit: string }).profit).toBe('31.5');
  });

  it('one-way mode: holdSide names the position (buy = long) and the stop sells it', async () => {
    const acct = h.bitgetFuturesAccount({ USDT: '10000' }, { hedge: false });
    const ex = acct.client();
    h.em.setPrice('ETHUSDT', '3000');
    await ex.createOrder(ETH, 'market', 'buy', 0.4);
    const sl = await ex.createOrder(ETH, 'market', 'sell', 0.4, undefined, {
      stopLossPrice: 2900,
      planType: 'loss_plan',
    });
    const [pending] = await ex.fetchOpenOrders(ETH, undefined, undefined, TPSL);
    expect(pending?.info).toMatchObject({ side: 'sell', posSide: 'net', posMode: 'one_way_mode' });
    h.em.setPrice('ETHUSDT', '2899');
    expect(h.em.positions(acct.id)).toEqual([]);
    expect((await ex.fetchCanceledAndClosedOrders(ETH, undefined, undefined, TPSL))[0]?.id).toBe(sl.id);
  });

  it('refuses a stop the price has passed already (40917), and cancels a plan only by its own plan type', async () => {
    const ex = h.bitgetFuturesAccount().client();
    h.em.setPrice('BTCUSDT', '60000');
    await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { hedged: true });
    await expect(
      ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, {
        hedged: true,
        stopLossPrice: 61000,
        planType: 'loss_plan',
      }),
    ).rejects.toThrow(/40917/);
    const tp = await ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, {
      hedged: true,
      takeProfitPrice: 65000,
      planType: 'profit_plan',
      clientOrderId: 'bgf-tp1',
    });
    // cancel-plan-order's default plan type is normal_plan: the TP is not found, and the answer says so.
    const missed = await ex.cancelOrder('', BTC, { trigger: true, clientOrderId: 'bgf-tp1' });
    expect(missed.id).toBeUndefined();
    expect(await ex.fetchOpenOrders(BTC, undefined, undefined, TPSL)).toHaveLength(1);
    const canceled = await ex.cancelOrder('', BTC, {
      trigger: true,
      clientOrderId: 'bgf-tp1',
      planType: 'profit_plan',
    });
    expect(canceled.id).toBe(tp.id);
    expect(await ex.fetchOpenOrders(BTC, undefined, undefined, TPSL)).toEqual([]);
    const [history] = await ex.fetchCanceledAndClosedOrders(BTC, undefined, undefined, TPSL);
    expect(history).toMatchObject({ id: tp.id, status: 'canceled' });
  });

  it('a trigger order (normal_plan) opens a position when the price rises to it', async () => {
    const acct = h.bitgetFuturesAccount();
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '60000');
    const plan = await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { hedged: true, triggerPrice: 61000 });
    const [pending] = await ex.fetchOpenOrders(BTC, undefined, undefined, { trigger: true });
    expect(pending).toMatchObject({ id: plan.id, triggerPrice: 61000 });
    h.em.setPrice('BTCUSDT', '60500');
    expect(h.em.positions(acct.id)).toEqual([]);
    h.em.setPrice('BTCUSDT', '61000');
    expect(h.em.positions(acct.id)).toMatchObject([{ positionSide: 'LONG', positionAmt: '0.01', entryPrice: '61000' }]);
  });
});

describe('Bitget USDT-M private WebSocket (instType USDT-FUTURES) through ccxt.pro', () => {
  it('pushes orders, fills and the futures account to watchOrders, watchMyTrades and watchBalance', async () => {
    const acct = h.bitgetFuturesAccount({ USDT: '5000' });
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '60000');
    // Subscribing to `account` answers with the account as it is.
    expect((await ex.watchBalance())['USDT']).toMatchObject({ free: 5000, total: 5000 });
    const seen = new Map<string | undefined, Order>();
    const collecting = (async () => {
      while (![...seen.values()].some((o) => o.status === 'closed'))
        for (const o of await ex.watchOrders()) seen.set(o.id, o);
    })();
    const trades = ex.watchMyTrades();
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    await settle(100);
    const nextBalance = ex.watchBalance();
    const placed = await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, {
      hedged: true,
      clientOrderId: 'bgf-ws1',
    });
    await collecting;
    expect(seen.get(placed.id)).toMatchObject({
      symbol: BTC,
      status: 'closed',
      side: 'buy',
      amount: 0.01,
      filled: 0.01,
      average: 60000,
      clientOrderId: 'bgf-ws1',
      fee: { cost: 0.36, currency: 'USDT' },
    });
    expect(seen.get(placed.id)?.info).toMatchObject({ posSide: 'long', tradeSide: 'open', posMode: 'hedge_mode' });
    const [trade] = await trades;
    expect(trade).toMatchObject({ order: placed.id, symbol: BTC, amount: 0.01, price: 60000, cost: 600 });
    expect(trade?.fee).toEqual({ cost: 0.36, currency: 'USDT' });
    // Margin 600 / 20 and the fee come off what is free.
    expect((await nextBalance)['USDT']).toMatchObject({ free: 4969.64, total: 4999.64 });
  });

  it('pushes every open position to watchPositions, and the list without it once it is closed', async () => {
    const acct = h.bitgetFuturesAccount();
    const ex = acct.client();
    h.em.setPrice('ETHUSDT', '3000');
    expect(await ex.watchPositions()).toEqual([]);
    const opened = ex.watchPositions();
    await ex.createOrder(ETH, 'market', 'sell', 0.5, undefined, { hedged: true });
    expect(await opened).toMatchObject([
      { symbol: ETH, side: 'short', contracts: 0.5, entryPrice: 3000, hedged: true },
    ]);
    const closed = ex.watchPositions();
    await ex.createOrder(ETH, 'market', 'buy', 0.5, undefined, { hedged: true, reduceOnly: true });
    expect(await closed).toEqual([]);
  });

  // With a symbol: ccxt.pro resolves a swap trigger-order watch without one under a hash it never fills.
  it('pushes plan orders on orders-algo (watchOrders with trigger: true)', async () => {
    const acct = h.bitgetFuturesAccount();
    const ex = acct.client();
    h.em.setPrice('BTCUSDT', '60000');
    await ex.createOrder(BTC, 'market', 'buy', 0.01, undefined, { hedged: true });
    const live = ex.watchOrders(BTC, undefined, undefined, { trigger: true });
    await eventually(() => expect(h.em.connectedStreams(acct.id)).toBe(1));
    await settle(100);
    const sl = await ex.createOrder(BTC, 'market', 'sell', 0.01, undefined, {
      hedged: true,
      stopLossPrice: 59000,
      planType: 'loss_plan',
      clientOrderId: 'bgf-ws-sl',
    });
    const [pending] = await live;
    expect(pending).toMatchObject({ id: sl.id, clientOrderId: 'bgf-ws-sl', status: 'open', triggerPrice: 59000 });
    const fired = ex.watchOrders(BTC, undefined, undefined, { trigger: true });
    h.em.setPrice('BTCUSDT', '58900');
    // ccxt.pro leaves the plan channel's "executed" as it is (it maps only live, filled and cancelled).
    expect((await fired).find((o) => o.id === sl.id)?.info).toMatchObject({
      status: 'executed',
      planType: 'loss_plan',
    });
  });
});
