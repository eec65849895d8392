import { addFree, freeOf, lock, unlock } from './accounts.ts';
import { clientIdTaken, crosses, findInBook, RestingOrders } from './resting-orders.ts';
import type { EngineContext } from './context.ts';
import { dec, str, ZERO, type Dec } from './decimal.ts';
import {
  marketDepth,
  placementFills,
  restingShare,
  sweep,
  sweepQuote,
  totalCost,
  totalQty,
  type LevelFill,
  type MarketDepth,
} from './depth.ts';
import { Rejection } from './errors.ts';
import type { ExecutionType } from './events.ts';
import { checkNotional, checkPrice, checkQuantity, feeOf } from './filters.ts';
import { FEES, findMarket, type MarketBook, type MarketSpec } from './markets.ts';
import { selectTrades, type OrderRef, type TradeQuery } from './queries.ts';
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

/** Bitget's clientOid: "The idempotency time is 6 hours, only valid when orders are unfilled." */
const BITGET_CLIENT_OID_MS = 6 * 60 * 60_000;

function bookOf(account: Account): MarketBook {
  return account.venue === 'binance' ? 'binanceSpot' : 'bitgetSpot';
}

function remainingOf(order: SpotOrder): Dec {
  return dec(order.origQty).sub(order.executedQty);
}

/** The order before it is stored, and the trades its placement takes (taker). */
interface Placement {
  order: SpotOrder;
  fills: LevelFill[];
}

/**
 * Spot matching at the current price: market orders and crossing limit orders take from the book
 * at once (taker) — all of it at the current price on an infinitely deep book, level by level
 * with limited depth (see depth.ts) — and the rest waits with its funds locked, filling at its
 * own price (maker) when the price crosses it.
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
    // Binance: unique among open orders; Bitget: idempotent for 6 hours, only while unfilled.
    const since = account.venue === 'bitget' ? this.ctx.now() - BITGET_CLIENT_OID_MS : undefined;
    if (clientIdTaken(account.spot, req.clientOrderId, since)) throw new Rejection('DUPLICATE_CLIENT_ID');
    const current = this.ctx.price(req.symbol);
    const depth = marketDepth(this.ctx.depth(req.symbol), market);
    const { order, fills } =
      req.type === 'MARKET'
        ? this.marketOrder(account, market, req, current, depth)
        : this.limitOrder(account, market, req, current, depth);

    account.spot.orders[String(order.id)] = order;
    account.spot.clientOrderIds[order.clientOrderId] = order.id;
    this.emitOrder(account, order, 'NEW');
    const trades = fills.map((f) => this.fill(account, market, order, f, false));
    if (remainingOf(order).gt(0)) {
      // A market order the levels could not fill, and IOC / FOK remainders, expire; the rest rests.
      if (order.type === 'MARKET' || order.timeInForce === 'IOC' || order.timeInForce === 'FOK') {
        this.release(account, order);
        order.status = 'EXPIRED';
        order.updatedAt = this.ctx.now();
        this.emitOrder(account, order, 'EXPIRED');
      } else {
        this.open.add(account.id, order);
      }
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

  private marketOrder(
    account: Account,
    market: MarketSpec,
    req: SpotOrderRequest,
    current: Dec,
    depth: MarketDepth | undefined,
  ): Placement {
    let fills: LevelFill[];
    let qty: Dec;
    if (req.quoteOrderQty !== undefined) {
      checkNotional(market, req.quoteOrderQty);
      fills = sweepQuote(depth, current, req.quoteOrderQty, dec(market.stepSize));
      qty = totalQty(fills);
      checkQuantity(market, qty);
    } else if (req.quantity !== undefined) {
      qty = req.quantity;
      checkQuantity(market, qty);
      checkNotional(market, qty.mul(current));
      fills = sweep(depth, req.side, current, qty);
    } else {
      throw new Rejection('QTY_ZERO');
    }
    this.requireFree(
      account,
      req.side === 'BUY' ? market.quote : market.base,
      req.side === 'BUY' ? totalCost(fills) : qty,
    );
    const order = this.newOrder(req, {
      origQty: str(qty),
      origQuoteOrderQty: req.quoteOrderQty === undefined ? '0' : str(req.quoteOrderQty),
    });
    return { order, fills };
  }

  /** A limit order that crosses takes the levels up to (buy) / down to (sell) its price, taker. */
  private limitOrder(
    account: Account,
    market: MarketSpec,
    req: SpotOrderRequest,
    current: Dec,
    depth: MarketDepth | undefined,
  ): Placement {
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
    const order = this.newOrder(req, {
      price: str(price),
      origQty: str(qty),
      lockedAsset,
      lockedAmount: str(lockedAmount),
    });
    return { order, fills: placementFills(depth, req, current, qty, price) };
  }

  private requireFree(account: Account, asset: string, amount: Dec): void {
    if (freeOf(account, asset).lt(amount)) throw new Rejection('INSUFFICIENT_BALANCE', { asset });
  }

  /** One trade of `fill.qty` at `fill.price`: moves balances, charges the fee, keeps locked what the rest needs. */
  private fill(account: Account, market: MarketSpec, order: SpotOrder, fill: LevelFill, isMaker: boolean): SpotTrade {
    const { price, qty } = fill;
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
    order.status = remainingOf(order).gt(0) ? 'PARTIALLY_FILLED' : 'FILLED';
    order.updatedAt = now;
    this.releaseSurplus(account, order);
    if (order.status === 'FILLED') this.open.remove(order);
    this.emitOrder(account, order, 'TRADE', trade);
    return trade;
  }

  /**
   * A buy that filled below its limit price leaves some of the locked quote behind: keep locked
   * only what the unfilled rest needs at the limit price (all of it is released once filled).
   */
  private releaseSurplus(account: Account, order: SpotOrder): void {
    const rest = remainingOf(order);
    const needed = order.side === 'BUY' ? rest.mul(order.price) : rest;
    const surplus = dec(order.lockedAmount).sub(needed);
    if (surplus.lte(0)) return;
    unlock(account, order.lockedAsset, surplus);
    order.lockedAmount = str(needed);
  }

  private release(account: Account, order: SpotOrder): void {
    const rest = dec(order.lockedAmount);
    if (rest.gt(0)) unlock(account, order.lockedAsset, rest);
    order.lockedAmount = '0';
  }

  /** `cancelClientOrderId`: the cancel request's own id, which its CANCELED event carries. */
  cancel(accountId: string, symbol: string, ref: OrderRef, cancelClientOrderId?: string): SpotOrder {
    const account = this.ctx.account(accountId);
    const order = this.find(accountId, symbol, ref);
    if (!order || (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED')) {
      throw new Rejection('ORDER_NOT_FOUND');
    }
    this.release(account, order);
    order.status = 'CANCELED';
    order.updatedAt = this.ctx.now();
    this.open.remove(order);
    this.emitOrder(account, order, 'CANCELED', undefined, cancelClientOrderId);
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

  /**
   * The price moved: every resting order it crossed trades at its own price (maker), all of its
   * rest on an infinitely deep book, at most one level's quantity with limited depth.
   */
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
      const qty = restingShare(marketDepth(this.ctx.depth(symbol), market), remainingOf(order));
      this.fill(account, market, order, { price: limit, qty }, true);
      this.emitBalance(account, market);
      this.ctx.changed();
    }
  }

  private emitOrder(
    account: Account,
    order: SpotOrder,
    execution: ExecutionType,
    trade?: SpotTrade,
    cancelClientOrderId?: string,
  ): void {
    this.ctx.events.emit({
      kind: 'spotOrder',
      accountId: account.id,
      order: { ...order },
      execution,
      ...(trade ? { trade: { ...trade } } : {}),
      ...(cancelClientOrderId === undefined ? {} : { cancelClientOrderId }),
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
