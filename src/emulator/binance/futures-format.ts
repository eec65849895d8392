import type { EngineContext } from '../engine/context.ts';
import { dec, fixed, str } from '../engine/decimal.ts';
import type { ExecutionType } from '../engine/events.ts';
import { futuresSummary, MAINT_MARGIN_RATE, MARGIN_ASSET, type PositionMetrics } from '../engine/futures-margin.ts';
import { findMarket } from '../engine/markets.ts';
import type { Account, AlgoOrder, FuturesOrder, FuturesTrade, Position } from '../engine/types.ts';

function qtyText(symbol: string, value: string): string {
  const market = findMarket('binanceFutures', symbol);
  return market ? fixed(value, market.quantityPrecision) : str(value);
}

function priceText(symbol: string, value: string): string {
  const market = findMarket('binanceFutures', symbol);
  return market ? fixed(value, market.pricePrecision) : str(value);
}

const money = (value: string): string => fixed(value, 8);

/** /fapi/v1/order (GET, POST with RESULT, DELETE) and openOrders. */
export function futuresOrderJson(order: FuturesOrder): Record<string, unknown> {
  return {
    orderId: order.id,
    symbol: order.symbol,
    status: order.status,
    clientOrderId: order.clientOrderId,
    price: priceText(order.symbol, order.price),
    avgPrice: str(order.avgPrice),
    origQty: qtyText(order.symbol, order.origQty),
    executedQty: qtyText(order.symbol, order.executedQty),
    cumQty: qtyText(order.symbol, order.executedQty),
    cumQuote: money(order.cumQuote),
    timeInForce: order.timeInForce,
    type: order.type,
    reduceOnly: order.reduceOnly,
    closePosition: order.closePosition,
    side: order.side,
    positionSide: order.positionSide,
    stopPrice: priceText(order.symbol, order.stopPrice),
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: order.origType,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: order.createdAt,
    updateTime: order.updatedAt,
  };
}

export function futuresTradeJson(t: FuturesTrade): Record<string, unknown> {
  return {
    buyer: t.side === 'BUY',
    commission: money(t.commission),
    commissionAsset: t.commissionAsset,
    id: t.id,
    maker: t.isMaker,
    orderId: t.orderId,
    price: str(t.price),
    qty: qtyText(t.symbol, t.qty),
    quoteQty: money(t.quoteQty),
    realizedPnl: money(t.realizedPnl),
    side: t.side,
    positionSide: t.positionSide,
    symbol: t.symbol,
    time: t.time,
  };
}

export function algoOrderJson(a: AlgoOrder): Record<string, unknown> {
  return {
    algoId: a.algoId,
    clientAlgoId: a.clientAlgoId,
    algoType: 'CONDITIONAL',
    orderType: a.orderType,
    symbol: a.symbol,
    side: a.side,
    positionSide: a.positionSide,
    timeInForce: a.timeInForce,
    quantity: qtyText(a.symbol, a.quantity),
    algoStatus: a.status,
    actualOrderId: a.orderId === undefined ? '' : String(a.orderId),
    actualPrice: str(a.avgPrice),
    triggerPrice: priceText(a.symbol, a.triggerPrice),
    price: priceText(a.symbol, '0'),
    icebergQuantity: null,
    tpTriggerPrice: '0.00',
    tpPrice: '0.00',
    slTriggerPrice: '0.00',
    slPrice: '0.00',
    tpOrderType: '',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    workingType: a.workingType,
    priceMatch: 'NONE',
    closePosition: a.closePosition,
    priceProtect: a.priceProtect,
    reduceOnly: a.reduceOnly,
    createTime: a.createdAt,
    updateTime: a.updatedAt,
    triggerTime: a.triggeredAt,
    goodTillDate: 0,
  };
}

export function orderTradeUpdate(
  order: FuturesOrder,
  execution: ExecutionType,
  trade: FuturesTrade | undefined,
  now: number,
): Record<string, unknown> {
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: now,
    T: trade?.time ?? order.updatedAt,
    o: {
      s: order.symbol,
      c: order.clientOrderId,
      S: order.side,
      o: order.type,
      f: order.timeInForce,
      q: qtyText(order.symbol, order.origQty),
      p: priceText(order.symbol, order.price),
      ap: str(order.avgPrice),
      sp: priceText(order.symbol, order.stopPrice),
      x: execution,
      X: order.status,
      i: order.id,
      l: qtyText(order.symbol, trade?.qty ?? '0'),
      z: qtyText(order.symbol, order.executedQty),
      L: str(trade?.price ?? '0'),
      ...(trade ? { N: trade.commissionAsset, n: money(trade.commission) } : {}),
      T: trade?.time ?? order.updatedAt,
      t: trade?.id ?? 0,
      b: '0',
      a: '0',
      m: trade?.isMaker ?? false,
      R: order.reduceOnly,
      wt: 'CONTRACT_PRICE',
      ot: order.origType,
      ps: order.positionSide,
      cp: order.closePosition,
      rp: money(trade?.realizedPnl ?? '0'),
      pP: false,
      si: 0,
      ss: 0,
      V: 'EXPIRE_MAKER',
      pm: 'NONE',
      gtd: 0,
    },
  };
}

function positionUpdate(ctx: EngineContext, p: Position): Record<string, unknown> {
  const mark = ctx.price(p.symbol);
  return {
    s: p.symbol,
    pa: qtyText(p.symbol, p.amount),
    ep: str(p.entryPrice),
    bep: str(p.entryPrice),
    cr: money(p.realizedPnl),
    up: money(str(dec(p.amount).mul(mark.sub(p.entryPrice)))),
    mt: 'cross',
    iw: '0',
    ps: p.positionSide,
    ma: MARGIN_ASSET,
  };
}

export function accountUpdate(
  ctx: EngineContext,
  account: Account,
  assets: string[],
  positionKeys: string[],
  now: number,
): Record<string, unknown> {
  return {
    e: 'ACCOUNT_UPDATE',
    E: now,
    T: now,
    a: {
      m: 'ORDER',
      B: assets.map((asset) => {
        const wallet = money(account.futures.wallet[asset] ?? '0');
        return { a: asset, wb: wallet, cw: wallet, bc: '0' };
      }),
      P: positionKeys.flatMap((key) => {
        const position = account.futures.positions[key];
        return position ? [positionUpdate(ctx, position)] : [];
      }),
    },
  };
}

export function algoUpdate(a: AlgoOrder, now: number): Record<string, unknown> {
  const done = a.orderId !== undefined;
  return {
    e: 'ALGO_UPDATE',
    T: a.updatedAt,
    E: now,
    o: {
      caid: a.clientAlgoId,
      aid: a.algoId,
      at: 'CONDITIONAL',
      o: a.orderType,
      s: a.symbol,
      S: a.side,
      ps: a.positionSide,
      f: a.timeInForce,
      q: qtyText(a.symbol, a.quantity),
      X: a.status,
      ai: done ? String(a.orderId) : '',
      ap: str(a.avgPrice),
      aq: qtyText(a.symbol, a.executedQty),
      act: done ? 'MARKET' : '0',
      tp: priceText(a.symbol, a.triggerPrice),
      p: priceText(a.symbol, '0'),
      V: 'EXPIRE_MAKER',
      wt: a.workingType,
      pm: 'NONE',
      cp: a.closePosition,
      pP: a.priceProtect,
      R: a.reduceOnly,
      tt: a.triggeredAt,
      gtd: 0,
      rm: a.status === 'REJECTED' ? 'Reduce Only reject' : '',
    },
  };
}

function positionRiskRow(m: PositionMetrics, version: 2 | 3): Record<string, unknown> {
  const p = m.position;
  const base = {
    symbol: p.symbol,
    positionSide: p.positionSide,
    positionAmt: qtyText(p.symbol, p.amount),
    entryPrice: str(p.entryPrice),
    breakEvenPrice: str(p.entryPrice),
    markPrice: money(str(m.markPrice)),
    unRealizedProfit: money(str(m.unrealized)),
    liquidationPrice: '0',
    isolatedMargin: '0',
    notional: money(str(m.notional)),
    isolatedWallet: '0',
    updateTime: p.updatedAt,
  };
  if (version === 2) {
    return {
      ...base,
      leverage: String(m.leverage),
      maxNotionalValue: '80000000',
      marginType: 'cross',
      isAutoAddMargin: 'false',
      isolated: false,
      adlQuantile: 0,
    };
  }
  return {
    ...base,
    marginAsset: MARGIN_ASSET,
    initialMargin: money(str(m.initialMargin)),
    maintMargin: money(str(m.maintMargin)),
    positionInitialMargin: money(str(m.initialMargin)),
    openOrderInitialMargin: money(str(m.openOrderInitialMargin)),
    adl: 0,
    bidNotional: '0',
    askNotional: '0',
  };
}

/** v3 lists positions that are open; v2 lists every position row the account has. */
export function positionRiskJson(ctx: EngineContext, account: Account, version: 2 | 3, symbol?: string): unknown[] {
  return futuresSummary(ctx, account)
    .positions.filter(
      (m) =>
        (symbol === undefined || m.position.symbol === symbol) && (version === 2 || !dec(m.position.amount).isZero()),
    )
    .map((m) => positionRiskRow(m, version));
}

export function futuresAccountJson(ctx: EngineContext, account: Account, version: 2 | 3): Record<string, unknown> {
  const s = futuresSummary(ctx, account);
  const initialMargin = s.positionInitialMargin.add(s.openOrderInitialMargin);
  const assets = Object.entries(account.futures.wallet).map(([asset, wallet]) => {
    const isMargin = asset === MARGIN_ASSET;
    const pick = (value: string): string => money(isMargin ? value : '0');
    return {
      asset,
      walletBalance: money(wallet),
      unrealizedProfit: pick(str(s.unrealized)),
      marginBalance: money(isMargin ? str(s.marginBalance) : wallet),
      maintMargin: pick(str(s.maintMargin)),
      initialMargin: pick(str(initialMargin)),
      positionInitialMargin: pick(str(s.positionInitialMargin)),
      openOrderInitialMargin: pick(str(s.openOrderInitialMargin)),
      crossWalletBalance: money(wallet),
      crossUnPnl: pick(str(s.unrealized)),
      availableBalance: money(isMargin ? str(s.available) : wallet),
      maxWithdrawAmount: money(isMargin ? str(s.available) : wallet),
      marginAvailable: true,
      updateTime: account.futures.walletUpdatedAt,
    };
  });
  const positions = s.positions.map((m) => ({
    symbol: m.position.symbol,
    positionSide: m.position.positionSide,
    positionAmt: qtyText(m.position.symbol, m.position.amount),
    unrealizedProfit: money(str(m.unrealized)),
    isolatedMargin: '0',
    notional: money(str(m.notional)),
    isolatedWallet: '0',
    initialMargin: money(str(m.initialMargin)),
    maintMargin: money(str(m.maintMargin)),
    updateTime: m.position.updatedAt,
    ...(version === 2
      ? {
          leverage: String(m.leverage),
          entryPrice: str(m.position.entryPrice),
          isolated: false,
          maxNotional: '80000000',
        }
      : {}),
  }));
  const totals = {
    totalInitialMargin: money(str(initialMargin)),
    totalMaintMargin: money(str(s.maintMargin)),
    totalWalletBalance: money(str(s.wallet)),
    totalUnrealizedProfit: money(str(s.unrealized)),
    totalMarginBalance: money(str(s.marginBalance)),
    totalPositionInitialMargin: money(str(s.positionInitialMargin)),
    totalOpenOrderInitialMargin: money(str(s.openOrderInitialMargin)),
    totalCrossWalletBalance: money(str(s.wallet)),
    totalCrossUnPnl: money(str(s.unrealized)),
    availableBalance: money(str(s.available)),
    maxWithdrawAmount: money(str(s.available)),
    assets,
    positions,
  };
  if (version === 3) return totals;
  return {
    feeTier: 0,
    feeBurn: false,
    canTrade: account.canTrade,
    canDeposit: true,
    canWithdraw: true,
    updateTime: 0,
    multiAssetsMargin: false,
    tradeGroupId: -1,
    ...totals,
  };
}

export function futuresBalanceJson(ctx: EngineContext, account: Account): unknown[] {
  const s = futuresSummary(ctx, account);
  return Object.entries(account.futures.wallet).map(([asset, wallet]) => ({
    accountAlias: 'SgsR',
    asset,
    balance: money(wallet),
    crossWalletBalance: money(wallet),
    crossUnPnl: money(asset === MARGIN_ASSET ? str(s.unrealized) : '0'),
    availableBalance: money(asset === MARGIN_ASSET ? str(s.available) : wallet),
    maxWithdrawAmount: money(asset === MARGIN_ASSET ? str(s.available) : wallet),
    marginAvailable: true,
    updateTime: account.futures.walletUpdatedAt,
  }));
}

export function leverageBracketJson(symbols: string[]): unknown[] {
  return symbols.map((symbol) => ({
    symbol,
    notionalCoef: 1.0,
    brackets: [
      {
        bracket: 1,
        initialLeverage: 125,
        notionalCap: 50000,
        notionalFloor: 0,
        maintMarginRatio: Number(MAINT_MARGIN_RATE),
        cum: 0.0,
      },
      {
        bracket: 2,
        initialLeverage: 100,
        notionalCap: 600000,
        notionalFloor: 50000,
        maintMarginRatio: 0.005,
        cum: 50.0,
      },
      {
        bracket: 3,
        initialLeverage: 75,
        notionalCap: 3000000,
        notionalFloor: 600000,
        maintMarginRatio: 0.0065,
        cum: 950.0,
      },
    ],
  }));
}
