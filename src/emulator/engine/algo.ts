import type { EngineContext } from './context.ts';
import { dec, str, ZERO, type Dec } from './decimal.ts';
import { Rejection } from './errors.ts';
import { checkPrice, checkQuantity } from './filters.ts';
import { clientIdTaken } from './resting-orders.ts';
import type { FuturesEngine } from './futures.ts';
import type { Account, AlgoOrder, AlgoType, PositionSide, Side, TimeInForce } from './types.ts';

export interface AlgoOrderRequest {
  symbol: string;
  side: Side;
  positionSide?: PositionSide;
  type: AlgoType;
  quantity?: Dec;
  closePosition: boolean;
  reduceOnly: boolean;
  reduceOnlySent: boolean;
  triggerPrice: Dec;
  workingType: string;
  timeInForce?: TimeInForce;
  priceProtect: boolean;
  clientAlgoId: string;
  /** The venue's own name for the order's kind (Bitget planType), kept as given. */
  planType?: string;
}

export interface AlgoRef {
  algoId?: number;
  clientAlgoId?: string;
}

/**
 * STOP_MARKET fires when the price reaches the trigger against you (buy at or above, sell at or
 * below); TAKE_PROFIT_MARKET when it reaches it in your favour (buy at or below, sell at or above).
 */
function triggered(type: AlgoType, side: Side, trigger: Dec, price: Dec): boolean {
  const rising = (type === 'STOP_MARKET') === (side === 'BUY');
  return rising ? price.gte(trigger) : price.lte(trigger);
}

/** Conditional orders (Binance's algo service): they wait outside the book and place a market order when triggered. */
export class AlgoEngine {
  constructor(
    private readonly ctx: EngineContext,
    private readonly futures: FuturesEngine,
  ) {}

  place(accountId: string, req: AlgoOrderRequest): AlgoOrder {
    const account = this.ctx.account(accountId);
    const market = this.futures.market(req.symbol, account.venue);
    if (!account.canTrade) throw new Rejection('TRADING_DISABLED');
    const positionSide = req.positionSide ?? 'BOTH';
    this.futures.checkPositionSide(account, positionSide, req.reduceOnlySent);
    if (this.clientAlgoIdTaken(account, req.clientAlgoId)) throw new Rejection('DUPLICATE_CLIENT_ID');
    checkPrice(market, req.triggerPrice);
    if (!req.closePosition) checkQuantity(market, req.quantity ?? ZERO);
    if (triggered(req.type, req.side, req.triggerPrice, this.ctx.price(req.symbol)))
      throw new Rejection('WOULD_TRIGGER');

    const now = this.ctx.now();
    const algo: AlgoOrder = {
      algoId: this.ctx.nextAlgoId(),
      clientAlgoId: req.clientAlgoId,
      symbol: req.symbol,
      side: req.side,
      positionSide,
      orderType: req.type,
      quantity: req.closePosition ? '0' : str(req.quantity ?? ZERO),
      closePosition: req.closePosition,
      reduceOnly: req.reduceOnly,
      triggerPrice: str(req.triggerPrice),
      workingType: req.workingType,
      timeInForce: req.timeInForce ?? 'GTC',
      priceProtect: req.priceProtect,
      status: 'NEW',
      executedQty: '0',
      avgPrice: '0',
      createdAt: now,
      updatedAt: now,
      triggeredAt: 0,
      ...(req.planType === undefined ? {} : { planType: req.planType }),
    };
    account.futures.algoOrders[String(algo.algoId)] = algo;
    account.futures.clientAlgoIds[algo.clientAlgoId] = algo.algoId;
    this.emit(account, algo);
    this.ctx.changed();
    return algo;
  }

  /**
   * Binance's New Algo Order: clientAlgoId is "a unique id among open orders". The id maps to the
   * latest conditional order placed with it, the only one that can still wait (or be triggering).
   */
  private clientAlgoIdTaken(account: Account, clientAlgoId: string): boolean {
    const id = account.futures.clientAlgoIds[clientAlgoId];
    const algo = id === undefined ? undefined : account.futures.algoOrders[String(id)];
    return algo?.status === 'NEW' || algo?.status === 'TRIGGERING';
  }

  cancel(accountId: string, ref: AlgoRef): AlgoOrder {
    const account = this.ctx.account(accountId);
    const algo = this.find(accountId, ref);
    if (algo?.status !== 'NEW') throw new Rejection('ORDER_NOT_FOUND');
    algo.status = 'CANCELED';
    algo.updatedAt = this.ctx.now();
    this.emit(account, algo);
    this.ctx.changed();
    return algo;
  }

  find(accountId: string, ref: AlgoRef): AlgoOrder | undefined {
    const account = this.ctx.account(accountId);
    const id =
      ref.algoId ?? (ref.clientAlgoId === undefined ? undefined : account.futures.clientAlgoIds[ref.clientAlgoId]);
    return id === undefined ? undefined : account.futures.algoOrders[String(id)];
  }

  openOrders(accountId: string, symbol?: string): AlgoOrder[] {
    return Object.values(this.ctx.account(accountId).futures.algoOrders).filter(
      (a) => a.status === 'NEW' && (symbol === undefined || a.symbol === symbol),
    );
  }

  onPrice(symbol: string, price: Dec): void {
    for (const account of Object.values(this.ctx.state.accounts)) {
      for (const algo of Object.values(account.futures.algoOrders)) {
        if (algo.symbol !== symbol || algo.status !== 'NEW') continue;
        if (triggered(algo.orderType, algo.side, dec(algo.triggerPrice), price)) this.trigger(account, algo);
      }
    }
  }

  /** Places the market order; the algo order finishes with its fill, or expires if nothing is left to close. */
  private trigger(account: Account, algo: AlgoOrder): void {
    const now = this.ctx.now();
    algo.status = 'TRIGGERING';
    algo.triggeredAt = now;
    algo.updatedAt = now;
    this.emit(account, algo);
    const closing = algo.closePosition || algo.reduceOnly || (account.futures.hedgeMode && this.isHedgeClose(algo));
    const closable = this.futures.closable(account, algo.symbol, algo.side, algo.positionSide);
    const quantity = algo.closePosition ? closable : dec(algo.quantity);
    if (closing && closable.isZero()) {
      this.settle(account, algo, 'EXPIRED');
      return;
    }
    // The triggered order keeps the conditional order's client id, so a fill is attributable from it.
    const taken = clientIdTaken(account.futures, algo.clientAlgoId);
    try {
      const { order } = this.futures.place(account.id, {
        symbol: algo.symbol,
        side: algo.side,
        positionSide: algo.positionSide,
        type: 'MARKET',
        quantity: closing && quantity.gt(closable) ? closable : quantity,
        reduceOnly: !account.futures.hedgeMode && (algo.reduceOnly || algo.closePosition),
        closePosition: algo.closePosition,
        clientOrderId: taken ? `${algo.clientAlgoId}-${algo.algoId}` : algo.clientAlgoId,
        origType: algo.orderType,
        stopPrice: algo.triggerPrice,
      });
      algo.orderId = order.id;
      algo.executedQty = order.executedQty;
      algo.avgPrice = order.avgPrice;
      algo.status = 'TRIGGERED';
      algo.updatedAt = this.ctx.now();
      this.emit(account, algo);
      this.settle(account, algo, 'FINISHED');
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      this.settle(account, algo, 'REJECTED');
    }
  }

  private isHedgeClose(algo: AlgoOrder): boolean {
    return (
      (algo.positionSide === 'LONG' && algo.side === 'SELL') || (algo.positionSide === 'SHORT' && algo.side === 'BUY')
    );
  }

  private settle(account: Account, algo: AlgoOrder, status: 'FINISHED' | 'EXPIRED' | 'REJECTED'): void {
    algo.status = status;
    algo.updatedAt = this.ctx.now();
    this.emit(account, algo);
    this.ctx.changed();
  }

  private emit(account: Account, algo: AlgoOrder): void {
    this.ctx.events.emit({ kind: 'algoOrder', accountId: account.id, algo: { ...algo } });
  }
}
