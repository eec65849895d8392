import { Dec, dec, floorToStep, ZERO } from './decimal.ts';
import type { MarketSpec } from './markets.ts';
import { crosses } from './resting-orders.ts';
import type { DepthSpec, OrderType, Side, TimeInForce } from './types.ts';

/** A market order never walks more levels than this; what the levels did not fill expires. */
export const MAX_SWEEP_LEVELS = 1000;

/** One symbol's limited depth as one market sees it. */
export interface MarketDepth {
  /** What each level holds, on the market's lot grid (at least one lot). */
  readonly qty: Dec;
  readonly step: Dec;
  readonly tick: Dec;
}

/** One fill a taker gets from one level: price and quantity. */
export interface LevelFill {
  readonly price: Dec;
  readonly qty: Dec;
}

/** undefined = infinite depth (no depth configured for the symbol). */
export function marketDepth(spec: DepthSpec | undefined, market: MarketSpec): MarketDepth | undefined {
  if (!spec) return undefined;
  const lot = dec(market.stepSize);
  const qty = floorToStep(dec(spec.qty), lot);
  return {
    qty: qty.gt(0) ? qty : lot,
    step: dec(spec.step ?? market.tickSize),
    tick: dec(market.tickSize),
  };
}

/**
 * Level i on the side a taker takes from: asks walk up from the current price, bids walk down,
 * each price rounded to the tick away from the taker's favour (asks up, bids down).
 */
export function levelPrice(depth: MarketDepth, side: Side, current: Dec, level: number): Dec {
  const raw = side === 'BUY' ? current.add(depth.step.mul(level)) : current.sub(depth.step.mul(level));
  const ticks = raw.div(depth.tick);
  return (side === 'BUY' ? ticks.ceil() : ticks.floor()).mul(depth.tick);
}

function beyond(side: Side, price: Dec, limit: Dec | undefined): boolean {
  if (price.lte(0)) return true;
  if (limit === undefined) return false;
  return side === 'BUY' ? price.gt(limit) : price.lt(limit);
}

/**
 * The fills a taker of `qty` gets: one per level from the current price, never past `limit`.
 * Infinite depth is one fill of everything at the current price (the caller checked the limit).
 */
export function sweep(depth: MarketDepth | undefined, side: Side, current: Dec, qty: Dec, limit?: Dec): LevelFill[] {
  if (!depth) return [{ price: current, qty }];
  const fills: LevelFill[] = [];
  let left = qty;
  for (let level = 0; level < MAX_SWEEP_LEVELS && left.gt(0); level++) {
    const price = levelPrice(depth, side, current, level);
    if (beyond(side, price, limit)) break;
    const take = Dec.min(left, depth.qty);
    fills.push({ price, qty: take });
    left = left.sub(take);
  }
  return fills;
}

/**
 * A market buy that spends `quote`: at each level the most of the level that the rest still buys
 * on the lot grid, until the rest buys less than one lot.
 */
export function sweepQuote(depth: MarketDepth | undefined, current: Dec, quote: Dec, lot: Dec): LevelFill[] {
  if (!depth) return [{ price: current, qty: floorToStep(quote.div(current), lot) }];
  const fills: LevelFill[] = [];
  let left = quote;
  for (let level = 0; level < MAX_SWEEP_LEVELS; level++) {
    const price = levelPrice(depth, 'BUY', current, level);
    const take = Dec.min(depth.qty, floorToStep(left.div(price), lot));
    if (take.lte(0)) break;
    fills.push({ price, qty: take });
    left = left.sub(take.mul(price));
  }
  return fills;
}

/**
 * What placing an order takes from the book at once (taker): a market order sweeps the levels, a
 * crossing limit order the levels up to (buy) / down to (sell) its price — FOK all or nothing.
 */
export function placementFills(
  depth: MarketDepth | undefined,
  order: { type: OrderType; side: Side; timeInForce?: TimeInForce | undefined },
  current: Dec,
  qty: Dec,
  limit: Dec | undefined,
): LevelFill[] {
  if (order.type === 'MARKET') return sweep(depth, order.side, current, qty);
  if (limit === undefined || !crosses(order.side, limit, current)) return [];
  const fills = sweep(depth, order.side, current, qty, limit);
  return order.timeInForce === 'FOK' && totalQty(fills).lt(qty) ? [] : fills;
}

/** What one price event that crosses a resting order gives it: one level, or all of it. */
export function restingShare(depth: MarketDepth | undefined, remaining: Dec): Dec {
  return depth ? Dec.min(depth.qty, remaining) : remaining;
}

export function totalQty(fills: readonly LevelFill[]): Dec {
  return fills.reduce((sum, f) => sum.add(f.qty), ZERO);
}

export function totalCost(fills: readonly LevelFill[]): Dec {
  return fills.reduce((sum, f) => sum.add(f.qty.mul(f.price)), ZERO);
}
