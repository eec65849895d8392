import { dec, fixed, str } from '../engine/decimal.ts';
import { numericUserId } from '../engine/accounts.ts';
import type { ExecutionType } from '../engine/events.ts';
import type { Account, SpotOrder, SpotTrade } from '../engine/types.ts';

/** Binance spot prints every amount with 8 decimals. */
const f8 = (value: string): string => fixed(value, 8);

/** GET /api/v3/order, openOrders: the order as it stands. */
export function spotOrderJson(order: SpotOrder): Record<string, unknown> {
  return {
    symbol: order.symbol,
    orderId: order.id,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    price: f8(order.price),
    origQty: f8(order.origQty),
    executedQty: f8(order.executedQty),
    cummulativeQuoteQty: f8(order.cumQuote),
    status: order.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
    stopPrice: '0.00000000',
    icebergQty: '0.00000000',
    time: order.createdAt,
    updateTime: order.updatedAt,
    isWorking: true,
    workingTime: order.createdAt,
    origQuoteOrderQty: f8(order.origQuoteOrderQty),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** POST /api/v3/order answer for newOrderRespType ACK, RESULT or FULL (fills included). */
export function spotNewOrderJson(order: SpotOrder, trades: SpotTrade[], respType: string): Record<string, unknown> {
  const ack = {
    symbol: order.symbol,
    orderId: order.id,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    transactTime: order.createdAt,
  };
  if (respType === 'ACK') return ack;
  const result = {
    ...ack,
    price: f8(order.price),
    origQty: f8(order.origQty),
    executedQty: f8(order.executedQty),
    origQuoteOrderQty: f8(order.origQuoteOrderQty),
    cummulativeQuoteQty: f8(order.cumQuote),
    status: order.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
    workingTime: order.createdAt,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (respType === 'RESULT') return result;
  return {
    ...result,
    fills: trades.map((t) => ({
      price: f8(t.price),
      qty: f8(t.qty),
      commission: f8(t.commission),
      commissionAsset: t.commissionAsset,
      tradeId: t.id,
    })),
  };
}

/** DELETE /api/v3/order: clientOrderId is the cancel request's own id, origClientOrderId the order's. */
export function spotCancelJson(order: SpotOrder, cancelClientId: string, now: number): Record<string, unknown> {
  return {
    symbol: order.symbol,
    origClientOrderId: order.clientOrderId,
    orderId: order.id,
    orderListId: -1,
    clientOrderId: cancelClientId,
    transactTime: now,
    price: f8(order.price),
    origQty: f8(order.origQty),
    executedQty: f8(order.executedQty),
    origQuoteOrderQty: f8(order.origQuoteOrderQty),
    cummulativeQuoteQty: f8(order.cumQuote),
    status: order.status,
    timeInForce: order.timeInForce,
    type: order.type,
    side: order.side,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

export function spotTradeJson(t: SpotTrade): Record<string, unknown> {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: -1,
    price: f8(t.price),
    qty: f8(t.qty),
    quoteQty: f8(t.quoteQty),
    commission: f8(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer: t.side === 'BUY',
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

export function spotAccountJson(account: Account, now: number): Record<string, unknown> {
  return {
    makerCommission: 10,
    takerCommission: 10,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
    canTrade: account.canTrade,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: 'SPOT',
    balances: Object.entries(account.spot.balances).map(([asset, b]) => ({
      asset,
      free: f8(b.free),
      locked: f8(b.locked),
    })),
    permissions: ['SPOT'],
    uid: numericUserId(account.id),
  };
}

/**
 * executionReport, with the fields ccxt reads: l/L/t/n/N/m for the trade, z/Z cumulative, and
 * C (original client id) empty except on a cancel, where c is the cancel request's own
 * newClientOrderId (the one its REST answer returned as clientOrderId) and C the order's
 * ("Original client order ID; This is the ID of the order being canceled").
 */
export function executionReport(
  order: SpotOrder,
  execution: ExecutionType,
  trade: SpotTrade | undefined,
  now: number,
  cancelClientOrderId?: string,
): Record<string, unknown> {
  const canceled = execution === 'CANCELED' && cancelClientOrderId !== undefined;
  return {
    e: 'executionReport',
    E: now,
    s: order.symbol,
    c: canceled ? cancelClientOrderId : order.clientOrderId,
    S: order.side,
    o: order.type,
    f: order.timeInForce,
    q: f8(order.origQty),
    p: f8(order.price),
    P: '0.00000000',
    F: '0.00000000',
    g: -1,
    C: canceled ? order.clientOrderId : '',
    x: execution,
    X: order.status,
    r: 'NONE',
    i: order.id,
    l: f8(trade?.qty ?? '0'),
    z: f8(order.executedQty),
    L: f8(trade?.price ?? '0'),
    n: f8(trade?.commission ?? '0'),
    N: trade?.commissionAsset ?? null,
    T: trade?.time ?? order.updatedAt,
    t: trade?.id ?? -1,
    v: 0,
    I: order.id * 2 + (trade ? 1 : 0),
    // Still on the book: new, or partly filled and resting.
    w: order.status === 'NEW' || order.status === 'PARTIALLY_FILLED',
    m: trade?.isMaker ?? false,
    M: false,
    O: order.createdAt,
    Z: f8(order.cumQuote),
    Y: f8(trade ? str(dec(trade.quoteQty)) : '0'),
    Q: f8(order.origQuoteOrderQty),
    W: order.createdAt,
    V: 'EXPIRE_MAKER',
  };
}

export function outboundAccountPosition(account: Account, assets: string[], now: number): Record<string, unknown> {
  return {
    e: 'outboundAccountPosition',
    E: now,
    u: now,
    B: assets.map((asset) => {
      const b = account.spot.balances[asset] ?? { free: '0', locked: '0' };
      return { a: asset, f: f8(b.free), l: f8(b.locked) };
    }),
  };
}
