import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  floorToStep,
  leaderFraction,
  leaderFreeBefore,
  sizeFollowerCopy,
  type FollowerSizingInput,
  type MarketFilters,
} from '../../src/domain/copy-sizing.ts';

const d = (v: string | number) => new Decimal(v);
const BINANCE: MarketFilters = {
  amountStep: d('0.00001'),
  quoteStep: d('0.01'),
  minAmount: d('0.00001'),
  minNotional: d('5'),
};
const SHARE = { mode: 'share' as const, ratio: null, maxPerTrade: null };

function input(over: Partial<FollowerSizingInput>): FollowerSizingInput {
  return {
    side: 'buy',
    fraction: d('0.25'),
    leaderBaseFilled: d('0.05'),
    leaderQuoteFilled: d('2500'),
    price: d('50000'),
    followerFree: d('2000'),
    policy: SHARE,
    filters: BINANCE,
    ...over,
  };
}

describe('the leader fraction', () => {
  it('a buy: free USDT before = free after + quote spent (the fee was taken in BTC)', () => {
    const fill = {
      side: 'buy' as const,
      baseFilled: d('0.05'),
      quoteFilled: d('2500'),
      freeAfter: d('7500'),
      feeInSpentAsset: d(0),
    };
    expect(leaderFreeBefore(fill).toFixed()).toBe('10000');
    expect(leaderFraction(fill)?.toFixed()).toBe('0.25');
  });

  it('a fee charged in the spent asset counts as spent: 1000 after + 990 + 10 fee → 2000 before', () => {
    const fill = {
      side: 'buy' as const,
      baseFilled: d('0.0198'),
      quoteFilled: d('990'),
      freeAfter: d('1000'),
      feeInSpentAsset: d('10'),
    };
    expect(leaderFreeBefore(fill).toFixed()).toBe('2000');
    expect(leaderFraction(fill)?.toFixed()).toBe('0.495');
  });

  it('a sell: free BTC before = free after + base sold', () => {
    const fill = {
      side: 'sell' as const,
      baseFilled: d('0.09998'),
      quoteFilled: d('4999'),
      freeAfter: d('0.14997'),
      feeInSpentAsset: d(0),
    };
    expect(leaderFraction(fill)?.toFixed()).toBe('0.4');
  });

  it('nothing filled, or nothing free before: no fraction', () => {
    const zero = { side: 'buy' as const, baseFilled: d(0), quoteFilled: d(0), freeAfter: d(0), feeInSpentAsset: d(0) };
    expect(leaderFraction(zero)).toBeUndefined();
  });
});

describe('follower sizing', () => {
  it('share mode: a buy spends the fraction of the follower free USDT, exactly', () => {
    expect(sizeFollowerCopy(input({}))).toEqual({ kind: 'buy', cost: d('500') });
    expect(sizeFollowerCopy(input({ followerFree: d('1500') }))).toEqual({ kind: 'buy', cost: d('375') });
  });

  it('share mode: a sell sells the fraction of the follower free BTC, down to the lot step', () => {
    const size = sizeFollowerCopy(input({ side: 'sell', fraction: d('0.4'), followerFree: d('0.05999') }));
    expect(size).toEqual({ kind: 'sell', amount: d('0.02399') }); // 0.023996 → lot 0.00001
  });

  it('ratio mode: the leader amount × ratio, never more than the follower has free', () => {
    const ratio = { mode: 'ratio' as const, ratio: d('0.1'), maxPerTrade: null };
    expect(sizeFollowerCopy(input({ policy: ratio }))).toEqual({ kind: 'buy', cost: d('250') });
    expect(sizeFollowerCopy(input({ policy: { ...ratio, ratio: d('2') } }))).toEqual({ kind: 'buy', cost: d('2000') });
    expect(sizeFollowerCopy(input({ side: 'sell', policy: ratio, followerFree: d('1') }))).toEqual({
      kind: 'sell',
      amount: d('0.005'),
    });
  });

  it('the cap per trade limits a buy in USDT and a sell by its USDT value', () => {
    const capped = { ...SHARE, maxPerTrade: d('100') };
    expect(sizeFollowerCopy(input({ policy: capped }))).toEqual({ kind: 'buy', cost: d('100') });
    expect(sizeFollowerCopy(input({ side: 'sell', policy: capped, followerFree: d('1') }))).toEqual({
      kind: 'sell',
      amount: d('0.002'),
    });
  });

  it('below the minimum notional or lot size: skipped, never sent', () => {
    expect(sizeFollowerCopy(input({ followerFree: d('19') }))).toEqual({
      kind: 'skip',
      reason: 'below_minimum',
      amount: d('4.75'),
    });
    expect(sizeFollowerCopy(input({ side: 'sell', fraction: d('0.4'), followerFree: d('0.00002') }))).toMatchObject({
      kind: 'skip',
      reason: 'below_minimum',
    });
    expect(sizeFollowerCopy(input({ followerFree: d(0) }))).toMatchObject({ kind: 'skip', reason: 'no_balance' });
  });

  it('property: in share mode a follower never spends more than the fraction of its free balance, nor one step less', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1_000, max: 100_000_000 }),
        (fractionBp, freeCents) => {
          const fraction = d(fractionBp).div(10_000);
          const free = d(freeCents).div(100);
          const size = sizeFollowerCopy(
            input({ fraction, followerFree: free, filters: { ...BINANCE, minNotional: d(0) } }),
          );
          const exact = free.times(fraction);
          if (size.kind !== 'buy') return exact.lessThan('0.51'); // under one lot at 50000
          return size.cost.lessThanOrEqualTo(exact) && exact.minus(size.cost).lessThan('0.01');
        },
      ),
    );
  });

  it('floorToStep rounds down onto the grid', () => {
    expect(floorToStep(d('0.023996'), d('0.00001')).toFixed()).toBe('0.02399');
    expect(floorToStep(d('7'), undefined).toFixed()).toBe('7');
  });
});
