import { Dec, dec, isMultipleOf, str } from './decimal.ts';
import { Rejection } from './errors.ts';
import type { MarketSpec } from './markets.ts';

/** LOT_SIZE: quantity above zero, within [minQty, maxQty], on the step grid. */
export function checkQuantity(market: MarketSpec, qty: Dec): void {
  if (qty.lte(0)) throw new Rejection('QTY_ZERO');
  if (qty.lt(market.minQty)) throw new Rejection('QTY_MIN', { minQty: market.minQty });
  if (qty.gt(market.maxQty)) throw new Rejection('QTY_MAX', { maxQty: market.maxQty });
  if (!isMultipleOf(qty, dec(market.stepSize))) throw new Rejection('QTY_STEP', { stepSize: market.stepSize });
}

/** PRICE_FILTER: price within [minPrice, maxPrice], on the tick grid. */
export function checkPrice(market: MarketSpec, price: Dec): void {
  if (price.lt(market.minPrice) || price.gt(market.maxPrice)) {
    throw new Rejection('PRICE_RANGE', { minPrice: market.minPrice, maxPrice: market.maxPrice });
  }
  if (!isMultipleOf(price, dec(market.tickSize))) throw new Rejection('PRICE_TICK', { tickSize: market.tickSize });
}

/** NOTIONAL / MIN_NOTIONAL: price × quantity at least the market minimum. */
export function checkNotional(market: MarketSpec, notional: Dec): void {
  if (notional.lt(market.minNotional)) {
    throw new Rejection('MIN_NOTIONAL', { minNotional: market.minNotional, notional: str(notional) });
  }
}

/** Exchange fees are charged to 8 decimals. */
export function feeOf(amount: Dec, rate: string): Dec {
  return amount.mul(rate).toDecimalPlaces(8, Dec.ROUND_UP);
}
