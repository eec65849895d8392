import { addWallet } from './accounts.ts';
import { clientIdTaken, crosses, findInBook, RestingOrders } from './resting-orders.ts';
import type { EngineContext } from './context.ts';
import { Dec, dec, str, ZERO } from './decimal.ts';
import { marketDepth, placementFills, restingShare, totalCost, type LevelFill } from './depth.ts';
import { Rejection } from './errors.ts';
import type { ExecutionType } from './events.ts';
import { checkNotional, checkPrice, checkQuantity, feeOf } from './filters.ts';
import { addedMargin, futuresSummary, isOpening, leverageOf, MARGIN_ASSET } from './futures-margin.ts';
import { FEES, findMarket, futuresBook, type MarketSpec } from './markets.ts';
import { applyFill, emptyPosition, positionKey, storeChange } from './positions.ts';
import { selectTrades, type OrderRef, type TradeQuery } from './queries.ts';
import type {
  Account,
  FuturesOrder,
  FuturesTrade,
  OrderType,
  Position,
  PositionSide,
  Side,
  TimeInForce,
} from './types.ts';

export interface FuturesOrderRequest {
  symbol: string;
  side: Side;
  /** Absent means BOTH, as on Binance. */
  positionSide?: PositionSide;
  type: OrderType;
  timeInForce?: TimeInForce;
  quantity?: Dec;
  price?: Dec;
  reduceOnly?: boolean;
  /** The request carried a reduceOnly parameter at all (Binance refuses that in hedge mode). */
  reduceOnlySent?: boolean;
  closePosition?: boolean;
  clientOrderId: string;
  /** Set when a triggered conditional order places this market order. */
  origType?: string;
  stopPrice?: string;
}

function isOpen(order: FuturesOrder): boolean {
  return order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
}

/**
 * USDT-M perpetuals in cross margin: positions per (symbol, LONG/SHORT) in hedge mode or per
 * (symbol, BOTH) in one-way mode, weighted-average entry, realized PnL and fees booked into the
 * USDT wallet. Matching is the same as spot: the current price, with infinite or limited depth.
 */
export class FuturesEngine {
  private readonly open = new RestingOrders();

  constructor(private readonly ctx: EngineContext) {
    this.reindex();
  }

  reindex(): void {
    this.open.clear();
    for (const account of Object.values(this.ctx.state.accounts)) {
      for (const order of Object.values(account.futures.orders)) if (isOpen(order)) this.open.add(account.id, order);
    }
  }

  /** The perpetual's filters on the account's venue (Binance USDT-M or Bitget USDT-FUTURES). */
  market(symbol: string, venue: Account['venue'] = 'binance'): MarketSpec {
    const market = findMarket(futuresBook(venue), symbol);
    if (!market) throw new Rejection('UNKNOWN_SYMBOL', { symbol });
    return market;
  }

  position(account: Account, symbol: string, positionSide: PositionSide): Position {
    const key = positionKey(symbol, positionSide);
    let position = account.futures.positions[key];
    if (!position) {
      position = emptyPosition(symbol, positionSide, this.ctx.now());
      account.futures.positions[key] = position;
    }
    return position;
  }

  /** Hedge mode needs LONG/SHORT and no reduceOnly; one-way mode needs BOTH. */
  checkPositionSide(account: Account, positionSide: PositionSide, reduceOnlySent: boolean): void {
    if (account.futures.hedgeMode) {
      if (positionSide === 'BOTH') throw new Rejection('POSITION_SIDE_MISMATCH');
      if (reduceOnlySent) throw new Rejection('REDUCE_ONLY_IN_HEDGE_MODE');
    } else if (positionSide !== 'BOTH') {
      throw new Rejection('POSITION_SIDE_MISMATCH');
    }
  }

  /** How much of the position an order on this side can close (0 when it would open instead). */
  closable(account: Account, symbol: string, side: Side, positionSide: PositionSide): Dec {
    const amount = dec(account.futures.positions[positionKey(symbol, positionSide)]?.amount ?? '0');
    if (side === 'SELL' && amount.gt(0)) return amount;
    if (side === 'BUY' && amount.lt(0)) return amount.abs();
    return ZERO;
  }

  place(accountId: string, req: FuturesOrderRequest): { order: FuturesOrder; trades: FuturesTrade[] } {
    const account = this.ctx.account(accountId);
    const market = this.market(req.symbol, account.venue);
    if (!account.canTrade) throw new Rejection('TRADING_DISABLED');
    const positionSide = req.positionSide ?? 'BOTH';
    this.checkPositionSide(account, positionSide, req.reduceOnlySent ?? false);
    if (clientIdTaken(account.futures, req.clientOrderId)) throw new Rejection('DUPLICATE_CLIENT_ID');
    const qty = req.quantity ?? ZERO;
    checkQuantity(market, qty);
    if (req.type !== 'MARKET') checkPrice(market, req.price ?? ZERO);

    const current = this.ctx.price(req.symbol);
    const reference = req.type === 'MARKET' ? current : (req.price ?? current);
    const depth = marketDepth(this.ctx.depth(req.symbol), market);
    const fills = placementFills(depth, req, current, qty, req.type === 'MARKET' ? undefined : reference);
    const draft = {
      side: req.side,
      positionSide,
      reduceOnly: req.reduceOnly ?? false,
      closePosition: req.closePosition ?? false,
    };
    const hedgeClose = account.futures.hedgeMode && !isOpening(account, draft);
    if (draft.reduceOnly || hedgeClose) {
      if (qty.gt(this.closable(account, req.symbol, req.side, positionSide)))
        throw new Rejection('REDUCE_ONLY_REJECTED');
    } else {
      checkNotional(market, qty.mul(reference));
      // A market order pays what its sweep through the levels costs.
      const notional = req.type === 'MARKET' ? Dec.max(totalCost(fills), qty.mul(current)) : qty.mul(reference);
      const margin = addedMargin(this.ctx, account, { symbol: req.symbol, side: req.side, positionSide }, notional);
      if (margin.gt(0)) {
        // The fee of what the order opens: all of it, or (one-way) the part past the position.
        const opened = margin.mul(leverageOf(account, req.symbol));
        const needed = margin.add(feeOf(opened, FEES[futuresBook(account.venue)].taker));
        if (futuresSummary(this.ctx, account).available.lt(needed)) throw new Rejection('MARGIN_INSUFFICIENT');
      }
    }
    const postOnly = req.timeInForce === 'GTX';
    if (postOnly && req.type !== 'MARKET' && crosses(req.side, reference, current)) throw new Rejection('WOULD_TAKE');

    const order = this.newOrder(req, positionSide, qty);
    account.futures.orders[String(order.id)] = order;
    account.futures.clientOrderIds[order.clientOrderId] = order.id;
    this.emitOrder(account, order, 'NEW');
    const trades: FuturesTrade[] = [];
    for (const fill of fills) {
      if (!isOpen(order)) break;
      const trade = this.fill(account, order, fill, false);
      if (trade) trades.push(trade);
    }
    if (isOpen(order)) {
      // A market order the levels could not fill, and IOC / FOK remainders, expire; the rest rests.
      if (order.type === 'MARKET' || order.timeInForce === 'IOC' || order.timeInForce === 'FOK') {
        this.finish(account, order, 'EXPIRED');
      } else {
        this.open.add(account.id, order);
      }
    }
    this.ctx.changed();
    return { order, trades };
  }

  private newOrder(req: FuturesOrderRequest, positionSide: PositionSide, qty: Dec): FuturesOrder {
    const now = this.ctx.now();
    return {
      id: this.ctx.nextOrderId(),
      clientOrderId: req.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      positionSide,
      type: req.type,
      origType: req.origType ?? req.type,
      timeInForce: req.timeInForce ?? 'GTC',
      price: req.type === 'MARKET' ? '0' : str(req.price ?? ZERO),
      origQty: str(qty),
      executedQty: '0',
      cumQuote: '0',
      avgPrice: '0',
      reduceOnly: req.reduceOnly ?? false,
      closePosition: req.closePosition ?? false,
      stopPrice: req.stopPrice ?? '0',
      status: 'NEW',
      realizedPnl: '0',
      commission: '0',
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * One trade of up to `fill.qty` at `fill.price`. A closing order never flips the position: it is
   * cut down to what is still open (another order may have closed part of it meanwhile), and is
   * done once the position is closed even though it was larger.
   */
  private fill(account: Account, order: FuturesOrder, fill: LevelFill, isMaker: boolean): FuturesTrade | undefined {
    const price = fill.price;
    let qty = Dec.min(fill.qty, dec(order.origQty).sub(order.executedQty));
    const opening = isOpening(account, order);
    if (!opening) {
      qty = Dec.min(qty, this.closable(account, order.symbol, order.side, order.positionSide));
      if (qty.isZero()) {
        this.finish(account, order, 'EXPIRED');
        return undefined;
      }
    }
    const now = this.ctx.now();
    const notional = qty.mul(price);
    const commission = feeOf(notional, FEES[futuresBook(account.venue)][isMaker ? 'maker' : 'taker']);
    const position = this.position(account, order.symbol, order.positionSide);
    const change = applyFill(
      dec(position.amount),
      dec(position.entryPrice),
      order.side === 'BUY' ? qty : qty.neg(),
      price,
    );
    storeChange(position, change, now);
    addWallet(account, MARGIN_ASSET, change.realized.sub(commission), now);

    const trade: FuturesTrade = {
      id: this.ctx.nextTradeId(),
      orderId: order.id,
      symbol: order.symbol,
      side: order.side,
      positionSide: order.positionSide,
      price: str(price),
      qty: str(qty),
      quoteQty: str(notional),
      commission: str(commission),
      commissionAsset: MARGIN_ASSET,
      realizedPnl: str(change.realized),
      isMaker,
      time: now,
    };
    account.futures.trades.push(trade);
    const executed = dec(order.executedQty).add(qty);
    const cumQuote = dec(order.cumQuote).add(notional);
    order.executedQty = str(executed);
    order.cumQuote = str(cumQuote);
    order.avgPrice = str(cumQuote.div(executed).toDecimalPlaces(8));
    order.realizedPnl = str(dec(order.realizedPnl).add(change.realized));
    order.commission = str(dec(order.commission).add(commission));
    const closedOut = !opening && this.closable(account, order.symbol, order.side, order.positionSide).isZero();
    order.status = executed.gte(order.origQty) || closedOut ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updatedAt = now;
    if (order.status === 'FILLED') this.open.remove(order);
    this.emitOrder(account, order, 'TRADE', trade);
    this.ctx.events.emit({
      kind: 'futuresAccount',
      accountId: account.id,
      assets: [MARGIN_ASSET],
      positionKeys: [positionKey(order.symbol, order.positionSide)],
      time: now,
    });
    return trade;
  }

  private finish(account: Account, order: FuturesOrder, status: 'EXPIRED' | 'CANCELED'): void {
    order.status = status;
    order.updatedAt = this.ctx.now();
    this.open.remove(order);
    this.emitOrder(account, order, status);
  }

  cancel(accountId: string, symbol: string, ref: OrderRef): FuturesOrder {
    const account = this.ctx.account(accountId);
    const order = this.find(accountId, symbol, ref);
    if (!order || !isOpen(order)) throw new Rejection('ORDER_NOT_FOUND');
    this.finish(account, order, 'CANCELED');
    this.ctx.changed();
    return order;
  }

  find(accountId: string, symbol: string | undefined, ref: OrderRef): FuturesOrder | undefined {
    return findInBook(this.ctx.account(accountId).futures, symbol, ref);
  }

  openOrders(accountId: string, symbol?: string): FuturesOrder[] {
    return Object.values(this.ctx.account(accountId).futures.orders).filter(
      (o) => isOpen(o) && (symbol === undefined || o.symbol === symbol),
    );
  }

  allOrders(accountId: string, symbol?: string): FuturesOrder[] {
    return Object.values(this.ctx.account(accountId).futures.orders).filter(
      (o) => symbol === undefined || o.symbol === symbol,
    );
  }

  trades(accountId: string, query: TradeQuery): FuturesTrade[] {
    return selectTrades(this.ctx.account(accountId).futures.trades, query);
  }

  setHedgeMode(accountId: string, hedged: boolean): void {
    const account = this.ctx.account(accountId);
    if (account.futures.hedgeMode === hedged) throw new Rejection('POSITION_MODE_UNCHANGED');
    if (Object.values(account.futures.positions).some((p) => !dec(p.amount).isZero())) {
      throw new Rejection('POSITION_MODE_HAS_POSITION');
    }
    if (this.openOrders(accountId).length > 0) throw new Rejection('POSITION_MODE_HAS_ORDERS');
    account.futures.hedgeMode = hedged;
    this.ctx.changed();
  }

  setLeverage(accountId: string, symbol: string, leverage: number): void {
    this.market(symbol, this.ctx.account(accountId).venue);
    this.ctx.account(accountId).futures.leverage[symbol] = leverage;
    this.ctx.changed();
  }

  onPrice(symbol: string, price: Dec): void {
    for (const [orderId, accountId] of this.open.at(symbol)) {
      const account = this.ctx.findAccount(accountId);
      const order = account?.futures.orders[String(orderId)];
      if (!account || !order || !isOpen(order)) {
        this.open.remove({ id: orderId, symbol });
        continue;
      }
      const limit = dec(order.price);
      if (!crosses(order.side, limit, price)) continue;
      const depth = marketDepth(this.ctx.depth(symbol), this.market(symbol, account.venue));
      const remaining = dec(order.origQty).sub(order.executedQty);
      this.fill(account, order, { price: limit, qty: restingShare(depth, remaining) }, true);
      this.ctx.changed();
    }
  }

  private emitOrder(account: Account, order: FuturesOrder, execution: ExecutionType, trade?: FuturesTrade): void {
    this.ctx.events.emit({
      kind: 'futuresOrder',
      accountId: account.id,
      order: { ...order },
      execution,
      ...(trade ? { trade: { ...trade } } : {}),
    });
  }
}
