import { Decimal } from 'decimal.js';
import { floorToStep, type MarketFilters } from './market-filters.ts';

export { floorToStep, type MarketFilters };

/**
 * Copy sizing (seed 001, with the ratio mode of seed 004): how much of its free balance a leader
 * market order used, and what each follower sends for it. Pure: no I/O, decimals only.
 */

export type CopySide = 'buy' | 'sell';

/** A completed leader market order, with the leader's balance read just after it filled. */
export interface LeaderFillFacts {
  side: CopySide;
  /** Base quantity filled (all partial fills of the order together). */
  baseFilled: Decimal;
  /** Quote spent (buy) or received (sell), all partial fills together. */
  quoteFilled: Decimal;
  /** Free balance of the spent asset after the fill: quote for a buy, base for a sell. */
  freeAfter: Decimal;
  /** Fees charged in the spent asset (0 when charged in the received asset or a third one). */
  feeInSpentAsset: Decimal;
}

/** Free spent asset just before the fill: what is left, plus what the order took, fees included. */
export function leaderFreeBefore(fill: LeaderFillFacts): Decimal {
  const spent = fill.side === 'buy' ? fill.quoteFilled : fill.baseFilled;
  return fill.freeAfter.plus(spent).plus(fill.feeInSpentAsset);
}

/**
 * X (buy: quote filled / free quote before) or Y (sell: base filled / free base before), in (0, 1];
 * undefined when nothing filled or the leader had nothing free (no fraction to copy).
 */
export function leaderFraction(fill: LeaderFillFacts): Decimal | undefined {
  const spent = fill.side === 'buy' ? fill.quoteFilled : fill.baseFilled;
  const before = leaderFreeBefore(fill);
  if (!spent.greaterThan(0) || !before.greaterThan(0)) return undefined;
  return Decimal.min(spent.div(before), 1);
}

export type CopyMode = 'share' | 'ratio';

export interface FollowerPolicy {
  mode: CopyMode;
  /** ratio mode: follower amount = leader amount × ratio. */
  ratio: Decimal | null;
  /** The most one copy may be worth, in quote (USDT); null = no cap. */
  maxPerTrade: Decimal | null;
}

export interface FollowerSizingInput {
  side: CopySide;
  fraction: Decimal;
  leaderBaseFilled: Decimal;
  leaderQuoteFilled: Decimal;
  /** The price the cap and the minimums are judged at (the leader's average fill price). */
  price: Decimal;
  /** The follower's free quote (buy) or base (sell). */
  followerFree: Decimal;
  policy: FollowerPolicy;
  filters: MarketFilters;
}

export type SkipReason = 'below_minimum' | 'no_balance';

export type FollowerSize =
  | { kind: 'buy'; /** quote to spend */ cost: Decimal }
  | { kind: 'sell'; /** base to sell */ amount: Decimal }
  | { kind: 'skip'; reason: SkipReason; /** the amount it came to, in the order's unit */ amount: Decimal };

/**
 * What one follower sends for a leader event:
 * 1. share: buy spends fraction × free quote, sell sells fraction × free base;
 *    ratio: leader's quote (buy) or base (sell) × ratio.
 * 2. never more than the follower has free;
 * 3. never more than the cap (a sell's cap is converted at `price`);
 * 4. rounded down to the market's step (quote step for a buy, lot step for a sell);
 * 5. below the minimum notional or quantity → skipped ("below minimum"), never sent.
 */
export function sizeFollowerCopy(input: FollowerSizingInput): FollowerSize {
  const { side, policy, filters, price } = input;
  if (!input.followerFree.greaterThan(0)) return { kind: 'skip', reason: 'no_balance', amount: new Decimal(0) };
  let target =
    policy.mode === 'ratio'
      ? (side === 'buy' ? input.leaderQuoteFilled : input.leaderBaseFilled).times(policy.ratio ?? 0)
      : input.followerFree.times(input.fraction);
  target = Decimal.min(target, input.followerFree);
  if (policy.maxPerTrade !== null) {
    target = Decimal.min(target, side === 'buy' ? policy.maxPerTrade : policy.maxPerTrade.div(price));
  }
  target = floorToStep(target, side === 'buy' ? filters.quoteStep : filters.amountStep);

  const quantity = side === 'buy' ? floorToStep(target.div(price), filters.amountStep) : target;
  const notional = side === 'buy' ? target : target.times(price);
  const belowMinimum =
    !quantity.greaterThan(0) ||
    (filters.minAmount !== undefined && quantity.lessThan(filters.minAmount)) ||
    (filters.minNotional !== undefined && notional.lessThan(filters.minNotional));
  if (belowMinimum) return { kind: 'skip', reason: 'below_minimum', amount: target };
  return side === 'buy' ? { kind: 'buy', cost: target } : { kind: 'sell', amount: target };
}
