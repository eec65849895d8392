import { Decimal } from 'decimal.js';

/** A market's filters, as the exchange publishes them; undefined = not enforced (or not published). */
export interface MarketFilters {
  /** Base quantity step (lot size). */
  amountStep: Decimal | undefined;
  /** Quote amount step of a market buy sized in quote. */
  quoteStep: Decimal | undefined;
  minAmount: Decimal | undefined;
  minNotional: Decimal | undefined;
  maxAmount?: Decimal | undefined;
  /** Binance's MARKET_LOT_SIZE: the most a market order may trade, when below `maxAmount`. */
  maxMarketAmount?: Decimal | undefined;
  maxNotional?: Decimal | undefined;
  /** Price tick. */
  priceTick?: Decimal | undefined;
  minPrice?: Decimal | undefined;
  maxPrice?: Decimal | undefined;
}

/** Rounds down to a multiple of `step` (no step: unchanged). */
export function floorToStep(value: Decimal, step: Decimal | undefined): Decimal {
  if (!step || !step.greaterThan(0)) return value;
  return value.div(step).floor().times(step);
}

function ceilToStep(value: Decimal, step: Decimal | undefined): Decimal {
  if (!step || !step.greaterThan(0)) return value;
  return value.div(step).ceil().times(step);
}

/** An order as the trader gave it, before it is fitted to its market. */
export interface OrderToFit {
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  /** Base quantity, or `cost`: the quote to spend (a spot market buy). */
  amount?: Decimal | undefined;
  cost?: Decimal | undefined;
  price?: Decimal | undefined;
  /**
   * What the value of the order is judged at: the limit price, else the last price; undefined
   * when no price is known (the minimum value is then left to the exchange).
   */
  referencePrice?: Decimal | undefined;
  /** False for a futures order that only reduces: the venues exempt those from the minimum value. */
  minNotionalApplies: boolean;
}

/** What was changed to fit the market, so the confirmation can say it. */
export interface FitAdjustment {
  from: Decimal;
  to: Decimal;
  step: Decimal;
}

export type OrderFit =
  | {
      ok: true;
      amount: Decimal | undefined;
      cost: Decimal | undefined;
      price: Decimal | undefined;
      adjusted: { amount?: FitAdjustment; cost?: FitAdjustment; price?: FitAdjustment };
    }
  | { ok: false; key: OrderFitRefusal; params: Record<string, string> };

export type OrderFitRefusal =
  | 'orders.amount_below_minimum'
  | 'orders.amount_above_maximum'
  | 'orders.notional_below_minimum'
  | 'orders.notional_above_maximum'
  | 'orders.price_out_of_range';

/**
 * Fits an order to its market, as the exchange would judge it, so that what the trader confirms
 * is exactly what is sent and the exchange has no reason to refuse it:
 * 1. a base quantity is rounded down to the lot step, a quote amount to the quote step: never more
 *    than the trader asked for;
 * 2. a limit price goes to the tick in the trader's favour (a buy down, a sell up): never a worse
 *    price than typed;
 * 3. then the rounded figures must be within the minimum and maximum quantity (the market-order
 *    maximum for a market order), the price range, and the minimum and maximum value.
 * A quantity that rounds to nothing is below the minimum. Pure: decimals in, a verdict out.
 */
export function fitOrderToMarket(order: OrderToFit, filters: MarketFilters): OrderFit {
  const adjusted: { amount?: FitAdjustment; cost?: FitAdjustment; price?: FitAdjustment } = {};
  const note = (name: keyof typeof adjusted, from: Decimal, to: Decimal, step: Decimal | undefined) => {
    if (step && !from.equals(to)) adjusted[name] = { from, to, step };
  };

  let price = order.price;
  if (price) {
    const tick = filters.priceTick;
    const fitted = order.side === 'buy' ? floorToStep(price, tick) : ceilToStep(price, tick);
    note('price', price, fitted, tick);
    price = fitted;
    const low = filters.minPrice;
    const high = filters.maxPrice;
    if (!price.greaterThan(0) || (low && price.lessThan(low)) || (high && price.greaterThan(high))) {
      return refuse('orders.price_out_of_range', {
        price: order.price?.toFixed() ?? '',
        min: (low ?? tick ?? new Decimal(0)).toFixed(),
        max: high?.toFixed() ?? '∞',
      });
    }
  }
  const reference = price ?? order.referencePrice;
  const maxAmount = minOf(filters.maxAmount, order.type === 'market' ? filters.maxMarketAmount : undefined);

  let amount = order.amount;
  let cost = order.cost;
  if (amount) {
    const fitted = floorToStep(amount, filters.amountStep);
    note('amount', amount, fitted, filters.amountStep);
    amount = fitted;
    const least = maxOf(filters.minAmount, filters.amountStep);
    if (!amount.greaterThan(0) || (filters.minAmount && amount.lessThan(filters.minAmount))) {
      return refuse('orders.amount_below_minimum', { amount: order.amount?.toFixed() ?? '', min: shown(least) });
    }
    if (maxAmount && amount.greaterThan(maxAmount)) {
      return refuse('orders.amount_above_maximum', { amount: amount.toFixed(), max: maxAmount.toFixed() });
    }
  }
  if (cost) {
    const fitted = floorToStep(cost, filters.quoteStep);
    note('cost', cost, fitted, filters.quoteStep);
    cost = fitted;
    if (!cost.greaterThan(0)) {
      return refuse('orders.notional_below_minimum', {
        value: order.cost?.toFixed() ?? '',
        min: shown(maxOf(filters.minNotional, filters.quoteStep)),
      });
    }
    // What a quote amount buys, at the last price: the quantity filters judge that.
    if (reference && maxAmount && cost.div(reference).greaterThan(maxAmount)) {
      return refuse('orders.amount_above_maximum', {
        amount: cost.div(reference).toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed(),
        max: maxAmount.toFixed(),
      });
    }
  }

  const notional = cost ?? (amount && reference ? amount.times(reference) : undefined);
  if (notional) {
    if (order.minNotionalApplies && filters.minNotional && notional.lessThan(filters.minNotional)) {
      return refuse('orders.notional_below_minimum', {
        value: notional.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed(),
        min: filters.minNotional.toFixed(),
      });
    }
    if (filters.maxNotional && notional.greaterThan(filters.maxNotional)) {
      return refuse('orders.notional_above_maximum', {
        value: notional.toDecimalPlaces(2, Decimal.ROUND_UP).toFixed(),
        max: filters.maxNotional.toFixed(),
      });
    }
  }
  return { ok: true, amount, cost, price, adjusted };
}

function refuse(key: OrderFitRefusal, params: Record<string, string>): OrderFit {
  return { ok: false, key, params };
}

function shown(value: Decimal | undefined): string {
  return value?.toFixed() ?? '0';
}

function minOf(a: Decimal | undefined, b: Decimal | undefined): Decimal | undefined {
  if (!a || !a.greaterThan(0)) return b?.greaterThan(0) ? b : undefined;
  if (!b || !b.greaterThan(0)) return a;
  return Decimal.min(a, b);
}

function maxOf(a: Decimal | undefined, b: Decimal | undefined): Decimal | undefined {
  if (!a) return b;
  if (!b) return a;
  return Decimal.max(a, b);
}
