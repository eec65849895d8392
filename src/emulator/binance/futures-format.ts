import type { EngineContext } from '../engine/context.ts';
import { dec, fixed, str } from '../engine/decimal.ts';
import type { ExecutionType } from '../engine/events.ts';
import { MARGIN_ASSET } from '../engine/futures-margin.ts';
import { findMarket } from '../engine/markets.ts';
import type { Account, FuturesOrder, FuturesTrade, Position } from '../engine/types.ts';

export function qtyText(symbol: string, value: string): string {
  const market = findMarket('binanceFutures', symbol);
  return market ? fixed(value, market.quantityPrecision) : str(value);
}

export function priceText(symbol: string, value: string): string {
  const market = findMarket('binanceFutures', symbol);
  return market ? fixed(value, market.pricePrecision) : str(value);
}

export const money = (value: string): string => fixed(value, 8);

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
