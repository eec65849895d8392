import { assetsOf } from '../../domain/market-symbol.ts';
import { Decimal } from 'decimal.js';
import { displayHolding, displayNeeded } from '../../domain/display-number.ts';
import { ClientOrderIdFactory } from '../../domain/client-order-id.ts';
import { HedgeError, reasonParams } from '../../domain/errors.ts';
import { checkMargin } from '../../domain/futures-margin.ts';
import { fitOrderToMarket, type OrderFit } from '../../domain/market-filters.ts';
import { assertReducible, isIncrease, type PositionSide } from '../../domain/vp-ledger.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import { marketFiltersOf } from '../../exchange/market-filters.ts';
import { checkOrderShape } from '../../exchange/order-shape.ts';
import type { AccountExchange, ExchangeOrder, OrderRef } from '../../exchange/types.ts';
import type { Order, VirtualPosition } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import type { Logger } from '../../infra/logger.ts';
import type { AccountService, AccountView } from '../accounts.ts';
import type { EventBus } from '../events.ts';
import type { AccountCodes } from './account-codes.ts';
import { optionalColumn } from './decimal-columns.ts';
import { MarginPasses } from './margin-passes.ts';
import { readMarginTerms, type MarginTerms } from './margin-terms.ts';
import type { OrderTracker } from './order-tracker.ts';
import type { RiskService } from './risk-service.ts';
import { ledgerOf, type VirtualPositions } from './virtual-positions.ts';

export const DEFAULT_VP = 'default';

export interface PlaceOrderInput {
  accountId: string;
  /** As the trader typed it: BTCUSDT, BTC/USDT. */
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  /** Base quantity, or `cost` (quote amount, spot market buys). */
  amount?: Decimal;
  cost?: Decimal;
  price?: Decimal;
  vpName?: string;
  positionSide?: PositionSide;
  /** The trader says this must only reduce: refused when it would grow the position. */
  reduce?: boolean;
  userId?: number;
  /** Default trade; tp/sl for the desk's own spot take-profit and stop-loss sells. */
  purpose?: 'trade' | 'tp' | 'sl';
}

/** Everything checked and resolved before the order row is written. */
export interface OrderPlan {
  accountId: string;
  exchange: AccountExchange;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  amount: Decimal | undefined;
  cost: Decimal | undefined;
  price: Decimal | undefined;
  /** What fitting the order to its market changed (rounded to the step or tick), for the confirmation. */
  adjusted?: Extract<OrderFit, { ok: true }>['adjusted'];
  /** The price the order was judged at while fitting it (its limit, or the last price read then). */
  referencePrice?: Decimal | undefined;
  positionSide: PositionSide;
  increases: boolean;
  vpName: string;
  vp: VirtualPosition | null;
  userId: number | undefined;
}

export interface PlacedOrder {
  order: Order;
  vp: VirtualPosition | null;
}

export class OrderRefusedError extends HedgeError {}

/** 'confirm': what the confirmation shows; 'send': right before the order is recorded and sent. */
export type PlanStage = 'confirm' | 'send';

/** An order fitted to its market, with the price it is judged at and its assets. */
type FittedOrder = Extract<OrderFit, { ok: true }> & {
  referencePrice: Decimal | undefined;
  base: string;
  quote: string;
};

/** The last price of the symbol's base asset; undefined when the exchange cannot say (the exchange then judges). */
async function lastPriceOf(exchange: AccountExchange, symbol: string): Promise<Decimal | undefined> {
  const base = symbol.split('/')[0] ?? '';
  try {
    return (await exchange.fetchUsdtPrices([base])).get(base);
  } catch {
    return undefined;
  }
}

/**
 * Trade orders: every order is planned (account, VP, risk), opened in the book with its client
 * order id, then sent through the order tracker, which records the exchange's answer — or its
 * silence — and follows the order to its end. An order whose fate is unknown is looked up by its
 * client id, never sent again.
 */
export class OrderService {
  private readonly ids = new ClientOrderIdFactory();
  private readonly marginPasses = new MarginPasses();

  constructor(
    private readonly deps: {
      db: Db;
      accounts: AccountService;
      exchanges: ExchangeClients;
      codes: AccountCodes;
      vps: VirtualPositions;
      risk: RiskService;
      tracker: OrderTracker;
      bus: EventBus;
      logger: Logger;
    },
  ) {}

  /**
   * Validates an order without sending anything; the confirmation shows this plan. At 'send' the
   * futures margin is not read again when the confirmation just passed it.
   */
  async plan(input: PlaceOrderInput, stage: PlanStage = 'confirm'): Promise<OrderPlan> {
    const { accounts, exchanges, vps } = this.deps;
    const account = await accounts.get(input.accountId);
    if (account.status !== 'ACTIVE') {
      throw new OrderRefusedError('orders.account_not_active', {
        account: account.id,
        status: account.status,
        reason: account.statusReason ?? '',
      });
    }
    const exchange = await exchanges.for(account.id);
    const symbol = exchange.resolveSymbol(input.symbol);
    if (account.market === 'spot' && input.positionSide === 'SHORT') {
      throw new OrderRefusedError('orders.no_short_on_spot', { account: account.id });
    }
    const positionSide: PositionSide = account.market === 'spot' ? 'LONG' : (input.positionSide ?? 'LONG');
    const increases = isIncrease(positionSide, input.side);
    if (input.reduce && increases) {
      throw new OrderRefusedError('orders.reduce_would_increase', {
        account: account.id,
        side: input.side,
        positionSide,
      });
    }
    if (input.type === 'limit' && !input.price)
      throw new OrderRefusedError('orders.limit_needs_price', { account: account.id });
    if (input.cost && (input.type !== 'market' || input.side !== 'buy' || account.market !== 'spot')) {
      throw new OrderRefusedError('orders.quote_amount_only_spot_market_buy', { account: account.id });
    }
    if (!input.amount && !input.cost) throw new OrderRefusedError('orders.needs_amount', { account: account.id });
    const fit = await this.fitToMarket(account, exchange, symbol, input, increases);
    const vpName = input.vpName ?? DEFAULT_VP;
    const vp = await vps.find({ accountId: account.id, symbol, positionSide, name: vpName });
    if (!increases) {
      if (!vp) throw new OrderRefusedError('vp.not_found', { account: account.id, vp: vpName });
      // A reduction larger than its VP is refused here, before anything is sent.
      assertReducible(ledgerOf(vp), fit.amount ?? new Decimal(0), vpName);
    }
    if (account.market === 'spot') await this.assertSpotFunds(account.id, exchange, input.side, fit);
    else if (increases && !(stage === 'send' && this.marginPasses.takeFresh(input))) {
      const passed = await this.assertFuturesMargin(account.id, exchange, symbol, input.side, positionSide, fit);
      if (passed && stage === 'confirm') this.marginPasses.remember(input);
    }
    return {
      accountId: account.id,
      exchange,
      symbol,
      side: input.side,
      type: input.type,
      amount: fit.amount,
      cost: fit.cost,
      price: fit.price,
      adjusted: fit.adjusted,
      referencePrice: fit.referencePrice,
      positionSide,
      increases,
      vpName,
      vp,
      userId: input.userId,
    };
  }

  /**
   * The order as its market takes it — quantity on the lot step, price on the tick, within the
   * minimums and maximums — or refused with the figure that does not fit, before anything asks to
   * confirm. What the confirmation shows is then exactly what is sent.
   */
  private async fitToMarket(
    account: AccountView,
    exchange: AccountExchange,
    symbol: string,
    input: PlaceOrderInput,
    increases: boolean,
  ): Promise<FittedOrder> {
    checkOrderShape(exchange, {
      symbol,
      side: input.side,
      type: input.type,
      ...(input.amount ? { amount: input.amount } : {}),
      ...(input.cost ? { cost: input.cost } : {}),
      ...(input.price ? { price: input.price } : {}),
    });
    const filters = await marketFiltersOf(this.deps.exchanges, account, symbol);
    // Futures orders that only reduce are exempt from the minimum value on Binance and Bitget.
    const minNotionalApplies = account.market === 'spot' || increases;
    // Read once: the minimum value, the spot funds and the futures margin are all judged at it.
    const needsPrice =
      !input.price &&
      (filters.minNotional || filters.maxNotional || filters.maxAmount || account.market === 'spot' || increases);
    const referencePrice = needsPrice ? await lastPriceOf(exchange, symbol) : input.price;
    const fit = fitOrderToMarket(
      {
        side: input.side,
        type: input.type,
        amount: input.amount,
        cost: input.cost,
        price: input.price,
        referencePrice,
        minNotionalApplies,
      },
      filters,
    );
    const { base, quote } = assetsOf(symbol);
    if (!fit.ok) throw new OrderRefusedError(fit.key, { account: account.id, symbol, base, quote, ...fit.params });
    return { ...fit, referencePrice: fit.price ?? referencePrice, base, quote };
  }

  /**
   * A spot order needs its coins free: the quote a buy spends (at the limit or the last price), the
   * base a sell sells. Short of them, it is refused before confirming rather than by the exchange
   * after.
   */
  private async assertSpotFunds(accountId: string, exchange: AccountExchange, side: 'buy' | 'sell', fit: FittedOrder) {
    const asset = side === 'buy' ? fit.quote : fit.base;
    const needed =
      side === 'sell'
        ? fit.amount
        : (fit.cost ?? (fit.amount && fit.referencePrice ? fit.amount.times(fit.referencePrice) : undefined));
    if (!needed) return;
    const free = (await exchange.fetchBalance()).find((line) => line.asset === asset)?.free ?? new Decimal(0);
    if (free.greaterThanOrEqualTo(needed)) return;
    throw new OrderRefusedError('orders.insufficient_balance', {
      account: accountId,
      asset,
      // Never less than is needed, never more than is free.
      needed: displayNeeded(needed, asset),
      free: displayHolding(free, asset),
    });
  }

  /**
   * A futures order that opens exposure needs its initial margin available at the account's
   * leverage; short of it, it is refused before confirming rather than by the exchange after
   * (Binance -2019). Orders that only reduce never come here. When the exchange does not give a
   * figure or a read fails, the order goes on to the confirmation and the exchange judges it.
   */
  private async assertFuturesMargin(
    accountId: string,
    exchange: AccountExchange,
    symbol: string,
    side: 'buy' | 'sell',
    openedSide: PositionSide,
    fit: FittedOrder,
  ): Promise<boolean> {
    const unchecked = (reason: string, err?: unknown) => {
      this.deps.logger.debug({ accountId, symbol, reason, err }, 'futures margin not checked before confirming');
      return false;
    };
    if (!fit.amount || !fit.referencePrice) return unchecked('no price to judge the order at');
    let terms: MarginTerms | string;
    try {
      terms = await readMarginTerms(exchange, symbol, openedSide);
    } catch (err) {
      return unchecked('the margin figures could not be read', err);
    }
    if (typeof terms === 'string') return unchecked(terms);
    const verdict = checkMargin(
      { side, amount: fit.amount, price: fit.referencePrice, leverage: terms.leverage, oneWay: terms.oneWay },
      terms.available,
    );
    if (verdict.ok) return true;
    throw new OrderRefusedError('orders.margin_insufficient', {
      account: accountId,
      asset: fit.quote,
      needed: displayNeeded(verdict.needed, fit.quote),
      leverage: verdict.leverage.toFixed(),
      available: displayHolding(verdict.available, fit.quote),
    });
  }

  /** Plans and checks the risk limits without sending: what the confirmation shows. */
  async check(input: PlaceOrderInput): Promise<OrderPlan> {
    return this.checked(input, 'confirm');
  }

  /**
   * Plans, checks the risk limits (again: the book may have moved while the trader read), records,
   * sends. The futures margin is read again only when the confirmation passed it more than a few
   * seconds ago: its four reads would otherwise stand between the trader's yes and the order.
   */
  async place(input: PlaceOrderInput): Promise<PlacedOrder> {
    const plan = await this.checked(input, 'send');
    const { db, vps, codes, tracker } = this.deps;
    const vp =
      plan.vp ??
      (await vps.open({
        accountId: plan.accountId,
        symbol: plan.symbol,
        positionSide: plan.positionSide,
        name: plan.vpName,
      }));
    const purpose = input.purpose ?? 'trade';
    // Read before the row exists: a failure here leaves nothing open in the book.
    const hedged = plan.exchange.market === 'usdm' && (await plan.exchange.positionMode()) === 'hedge';
    const clientOrderId = this.ids.next({ accountCode: await codes.codeOf(plan.accountId), vpId: vp.id, purpose });
    const row = await tracker.open({
      clientOrderId,
      accountId: plan.accountId,
      vpId: vp.id,
      purpose,
      symbol: plan.symbol,
      side: plan.side,
      positionSide: plan.exchange.market === 'usdm' ? plan.positionSide : null,
      type: plan.type,
      amount: optionalColumn(plan.amount),
      cost: optionalColumn(plan.cost),
      price: optionalColumn(plan.price),
      ...(plan.userId !== undefined ? { userId: plan.userId } : {}),
    });
    const order = await this.send(plan, row, hedged);
    const after = await db.virtualPosition.findUnique({ where: { id: vp.id } });
    return { order, vp: after };
  }

  private async checked(input: PlaceOrderInput, stage: PlanStage): Promise<OrderPlan> {
    const plan = await this.plan(input, stage);
    await this.deps.risk.assertAllowed(plan);
    return plan;
  }

  /** Cancels an order of the account; the book records how it ended. */
  cancel(accountId: string, symbol: string, ref: OrderRef): Promise<ExchangeOrder> {
    return this.deps.tracker.cancel(accountId, symbol, ref);
  }

  /** Orders of the account the book holds live. */
  liveOrderCount(accountId: string): Promise<number> {
    return this.deps.tracker.liveCount(accountId);
  }

  /**
   * Hedge mode names the side of the position the order trades. One-way mode has one net
   * position: the VP's side lives in the client order id alone, and an order that shrinks its VP
   * is reduce-only, so it never opens the other way (the position may be smaller than the VP
   * when part of it was closed on the exchange's site).
   */
  private async send(plan: OrderPlan, row: Order, hedged: boolean): Promise<Order> {
    const oneWayReduction = plan.exchange.market === 'usdm' && !hedged && !plan.increases;
    const request = {
      symbol: plan.symbol,
      side: plan.side,
      type: plan.type,
      ...(plan.amount ? { amount: plan.amount } : {}),
      ...(plan.cost ? { cost: plan.cost } : {}),
      ...(plan.price ? { price: plan.price } : {}),
      clientOrderId: row.clientOrderId,
      ...(hedged ? { positionSide: plan.positionSide } : {}),
      ...(oneWayReduction ? { reduceOnly: true } : {}),
    };
    try {
      return await this.deps.tracker.send(row, () => plan.exchange.placeOrder(request));
    } catch (err) {
      this.deps.bus.emit({
        type: 'alert',
        accountId: row.accountId,
        category: 'order_failed',
        severity: 'warning',
        key: 'alerts.order_failed',
        params: { ...reasonParams(err), account: row.accountId, clientOrderId: row.clientOrderId },
      });
      throw err;
    }
  }
}
