import { addFree, freeOf, lock, unlock } from './accounts.ts';
import { crosses, findInBook, RestingOrders } from './resting-orders.ts';
import type { EngineContext } from './context.ts';
import { dec, floorToStep, str, ZERO, type Dec } from './decimal.ts';
import { Rejection } from './errors.ts';
import type { ExecutionType } from './events.ts';
import { checkNotional, checkPrice, checkQuantity, feeOf } from './filters.ts';
import { FEES, findMarket, type MarketBook, type MarketSpec } from './markets.ts';
import type { Account, OrderType, Side, SpotOrder, SpotTrade, TimeInForce } from './types.ts';

export interface SpotOrderRequest {
  symbol: string;
  side: Side;
  type: OrderType;
  timeInForce?: TimeInForce;
  quantity?: Dec;
  /** Market orders only: size in quote currency instead of base. */
  quoteOrderQty?: Dec;
  price?: Dec;
  clientOrderId: string;
}

export interface OrderRef {
  orderId?: number;
  clientOrderId?: string;
}

export interface TradeQuery {
  symbol?: string;
  orderId?: number;
  startTime?: number;
  endTime?: number;
  fromId?: number;
  limit?: number;
}

function bookOf(account: Account): MarketBook {
  return account.venue === 'binance' ? 'binanceSpot' : 'bitgetSpot';
}

function remainingOf(order: SpotOrder): Dec {
  return dec(order.origQty).sub(order.executedQty);
}

/** A limit order crosses when the market trades at or through its price. */
/**
 * Spot matching against an infinitely deep book at the current price: market orders fill at once
 * (taker), limit orders that cross fill at once at the current price (taker), the rest wait with
 * their funds locked and fill at their own price (maker) when the price crosses them.
 */
export class SpotEngine {
  /** Open orders by symbol → order id → account id, rebuilt from state on load. */
  private readonly open = new RestingOrders();

  constructor(private readonly ctx: EngineContext) {
    this.reindex();
  }

  reindex(): void {
    this.open.clear();
    for (const account of Object.values(this.ctx.state.accounts)) {
      for (const order of Object.values(account.spot.orders)) {
        if (order.status === 'NEW' || order.status === 'PARTIALLY_FILLED') this.open.add(account.id, order);
      }
    }
  }

  market(account: Account, symbol: string): MarketSpec {
    const market = findMarket(bookOf(account), symbol);
    if (!market) throw new Rejection('UNKNOWN_SYMBOL', { symbol });
    return market;
  }

  place(accountId: string, req: SpotOrderRequest): { order: SpotOrder; trades: SpotTrade[] } {
    const account = this.ctx.account(accountId);
    const market = this.market(account, req.symbol);
    if (!account.canTrade) throw new Rejection('TRADING_DISABLED');
    if (account.spot.clientOrderIds[req.clientOrderId] !== undefined) throw new Rejection('DUPLICATE_CLIENT_ID');
    const current = this.ctx.price(req.symbol);
    const order =
      req.type === 'MARKET'
        ? this.marketOrder(account, market, req, current)
        : this.limitOrder(account, market, req, current);

    account.spot.orders[String(order.id)] = order;
    account.spot.clientOrderIds[order.clientOrderId] = order.id;
    this.emitOrder(account, order, 'NEW');
    const trades: SpotTrade[] = [];
    const immediate = req.type === 'MARKET' || crosses(req.side, dec(order.price), current);
    if (immediate) {
      trades.push(this.fill(account, market, order, current, false));
    } else if (order.timeInForce === 'IOC' || order.timeInForce === 'FOK') {
      this.release(account, order);
      order.status = 'EXPIRED';
      this.emitOrder(account, order, 'EXPIRED');
    } else {
      this.open.add(account.id, order);
    }
    this.emitBalance(account, market);
    this.ctx.changed();
    return { order, trades };
  }

  private newOrder(req: SpotOrderRequest, fields: Partial<SpotOrder>): SpotOrder {
    const now = this.ctx.now();
    return {
      id: this.ctx.nextOrderId(),
      clientOrderId: req.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce ?? 'GTC',
      price: '0',
      origQty: '0',
      origQuoteOrderQty: '0',
      executedQty: '0',
      cumQuote: '0',
      status: 'NEW',
      lockedAsset: '',
      lockedAmount: '0',
      commission: '0',
      commissionAsset: '',
      createdAt: now,
      updatedAt: now,
      ...fields,
    };
  }

  private marketOrder(account: Account, market: MarketSpec, req: SpotOrderRequest, current: Dec): SpotOrder {
    let qty: Dec;
    if (req.quoteOrderQty !== undefined) {
      checkNotional(market, req.quoteOrderQty);
      qty = floorToStep(req.quoteOrderQty.div(current), dec(market.stepSize));
      checkQuantity(market, qty);
    } else if (req.quantity !== undefined) {
      qty = req.quantity;
      checkQuantity(market, qty);
      checkNotional(market, qty.mul(current));
    } else {
      throw new Rejection('QTY_ZERO');
    }
    this.requireFree(
      account,
      req.side === 'BUY' ? market.quote : market.base,
      req.side === 'BUY' ? qty.mul(current) : qty,
    );
    return this.newOrder(req, {
      origQty: str(qty),
      origQuoteOrderQty: req.quoteOrderQty === undefined ? '0' : str(req.quoteOrderQty),
    });
  }

  private limitOrder(account: Account, market: MarketSpec, req: SpotOrderRequest, current: Dec): SpotOrder {
    const price = req.price ?? ZERO;
    const qty = req.quantity ?? ZERO;
    checkPrice(market, price);
    checkQuantity(market, qty);
    checkNotional(market, qty.mul(price));
    const makerOnly = req.type === 'LIMIT_MAKER' || req.timeInForce === 'GTX';
    if (makerOnly && crosses(req.side, price, current)) throw new Rejection('WOULD_TAKE');
    const lockedAsset = req.side === 'BUY' ? market.quote : market.base;
    const lockedAmount = req.side === 'BUY' ? qty.mul(price) : qty;
    this.requireFree(account, lockedAsset, lockedAmount);
    lock(account, lockedAsset, lockedAmount);
    return this.newOrder(req, { price: str(price), origQty: str(qty), lockedAsset, lockedAmount: str(lockedAmount) });
  }

  private requireFree(account: Account, asset: string, amount: Dec): void {
    if (freeOf(account, asset).lt(amount)) throw new Rejection('INSUFFICIENT_BALANCE', { asset });
  }

  /** Fills the whole remaining quantity at `price`, moving balances and charging the fee. */
  private fill(account: Account, market: MarketSpec, order: SpotOrder, price: Dec, isMaker: boolean): SpotTrade {
    const qty = remainingOf(order);
    const quoteQty = qty.mul(price);
    const rate = FEES[bookOf(account)][isMaker ? 'maker' : 'taker'];
    const paidAsset = order.side === 'BUY' ? market.quote : market.base;
    const paid = order.side === 'BUY' ? quoteQty : qty;
    const received = order.side === 'BUY' ? qty : quoteQty;
    const receivedAsset = order.side === 'BUY' ? market.base : market.quote;
    const commission = feeOf(received, rate);

    if (dec(order.lockedAmount).gt(0)) {
      unlock(account, paidAsset, paid, true);
      order.lockedAmount = str(dec(order.lockedAmount).sub(paid));
    } else {
      addFree(account, paidAsset, paid.neg());
    }
    addFree(account, receivedAsset, received.sub(commission));

    const now = this.ctx.now();
    const trade: SpotTrade = {
      id: this.ctx.nextTradeId(),
      orderId: order.id,
      symbol: order.symbol,
      side: order.side,
      price: str(price),
      qty: str(qty),
      quoteQty: str(quoteQty),
      commission: str(commission),
      commissionAsset: receivedAsset,
      isMaker,
      time: now,
    };
    account.spot.trades.push(trade);
    order.executedQty = str(dec(order.executedQty).add(qty));
    order.cumQuote = str(dec(order.cumQuote).add(quoteQty));
    order.commission = str(dec(order.commission).add(commission));
    order.commissionAsset = receivedAsset;
    order.status = 'FILLED';
    order.updatedAt = now;
    // A buy that filled below its limit price leaves some of the locked quote behind.
    this.release(account, order);
    this.open.remove(order);
    this.emitOrder(account, order, 'TRADE', trade);
    return trade;
  }

  private release(account: Account, order: SpotOrder): void {
    const rest = dec(order.lockedAmount);
    if (rest.gt(0)) unlock(account, order.lockedAsset, rest);
    order.lockedAmount = '0';
  }

  cancel(accountId: string, symbol: string, ref: OrderRef): SpotOrder {
    const account = this.ctx.account(accountId);
    const order = this.find(accountId, symbol, ref);
    if (!order || (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED')) {
      throw new Rejection('ORDER_NOT_FOUND');
    }
    this.release(account, order);
    order.status = 'CANCELED';
    order.updatedAt = this.ctx.now();
    this.open.remove(order);
    this.emitOrder(account, order, 'CANCELED');
    this.emitBalance(account, this.market(account, order.symbol));
    this.ctx.changed();
    return order;
  }

  find(accountId: string, symbol: string | undefined, ref: OrderRef): SpotOrder | undefined {
    return findInBook(this.ctx.account(accountId).spot, symbol, ref);
  }

  openOrders(accountId: string, symbol?: string): SpotOrder[] {
    return Object.values(this.ctx.account(accountId).spot.orders).filter(
      (o) => (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && (symbol === undefined || o.symbol === symbol),
    );
  }

  allOrders(accountId: string, symbol?: string): SpotOrder[] {
    return Object.values(this.ctx.account(accountId).spot.orders).filter(
      (o) => symbol === undefined || o.symbol === symbol,
    );
  }

  trades(accountId: string, query: TradeQuery): SpotTrade[] {
    return selectTrades(this.ctx.account(accountId).spot.trades, query);
  }

  /** The price moved: fill every resting order it crossed, at the order's own price (maker). */
  onPrice(symbol: string, price: Dec): void {
    for (const [orderId, accountId] of this.open.at(symbol)) {
      const account = this.ctx.findAccount(accountId);
      const order = account?.spot.orders[String(orderId)];
      if (!account || !order) {
        this.open.remove({ id: orderId, symbol });
        continue;
      }
      const limit = dec(order.price);
      if (!crosses(order.side, limit, price)) continue;
      const market = this.market(account, symbol);
      this.fill(account, market, order, limit, true);
      this.emitBalance(account, market);
      this.ctx.changed();
    }
  }

  private emitOrder(account: Account, order: SpotOrder, execution: ExecutionType, trade?: SpotTrade): void {
    this.ctx.events.emit({
      kind: 'spotOrder',
      accountId: account.id,
      order: { ...order },
      execution,
      ...(trade ? { trade: { ...trade } } : {}),
    });
  }

  private emitBalance(account: Account, market: MarketSpec): void {
    this.ctx.events.emit({
      kind: 'spotBalance',
      accountId: account.id,
      assets: [market.base, market.quote],
      time: this.ctx.now(),
    });
  }
}

/** Binance's rules: fromId wins (oldest first from that id); otherwise the most recent `limit`. */
export function selectTrades<T extends { id: number; orderId: number; symbol: string; time: number }>(
  all: readonly T[],
  query: TradeQuery,
): T[] {
  const limit = Math.min(query.limit ?? 500, 1000);
  const matching = all.filter(
    (t) =>
      (query.symbol === undefined || t.symbol === query.symbol) &&
      (query.orderId === undefined || t.orderId === query.orderId) &&
      (query.startTime === undefined || t.time >= query.startTime) &&
      (query.endTime === undefined || t.time <= query.endTime) &&
      (query.fromId === undefined || t.id >= query.fromId),
  );
  const fromStart = query.fromId !== undefined || query.startTime !== undefined;
  return fromStart ? matching.slice(0, limit) : matching.slice(-limit);
}
