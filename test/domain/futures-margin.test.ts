import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkMargin,
  initialMarginNeeded,
  type MarginOrder,
  type OneWayBook,
} from '../../src/domain/futures-margin.ts';

const d = (v: string) => new Decimal(v);

const order = (o: Partial<MarginOrder>): MarginOrder => ({
  side: 'buy',
  amount: d('1'),
  price: d('60000'),
  leverage: d('20'),
  ...o,
});

/** A net position of `position` BTC valued at the mark (60000 unless told), and the open orders' values. */
const oneWay = (position: string, bidValue = '0', askValue = '0', mark = '60000'): OneWayBook => ({
  positionValue: d(position).times(mark),
  bidValue: d(bidValue),
  askValue: d(askValue),
});

describe('the initial margin a futures order needs', () => {
  it('hedge mode: its value over the leverage, exactly in decimals', () => {
    expect(initialMarginNeeded(order({ amount: d('0.003'), price: d('60000.1') })).toFixed()).toBe('9.000015');
    expect(initialMarginNeeded(order({ side: 'sell', leverage: d('3') })).toFixed()).toBe('20000');
  });

  it('one-way mode, flat or with the position: all of it', () => {
    expect(initialMarginNeeded(order({ oneWay: oneWay('0') })).toFixed()).toBe('3000');
    expect(initialMarginNeeded(order({ oneWay: oneWay('0.5') })).toFixed()).toBe('3000');
    expect(initialMarginNeeded(order({ side: 'sell', oneWay: oneWay('-2') })).toFixed()).toBe('3000');
  });

  it('one-way mode, against the position: nothing up to twice its size, then only what goes past it', () => {
    const against = (amount: string) =>
      initialMarginNeeded(order({ side: 'sell', amount: d(amount), oneWay: oneWay('1') })).toFixed();
    expect(against('0.4')).toBe('0');
    expect(against('1')).toBe('0');
    expect(against('2')).toBe('0');
    // Ends short 1.5 where it was long 1: 0.5 BTC more exposure.
    expect(against('2.5')).toBe('1500');
    expect(initialMarginNeeded(order({ amount: d('3'), oneWay: oneWay('-1') })).toFixed()).toBe('3000');
  });

  it('one-way mode, a limit away from the mark: the position is valued at the mark, the order at its limit', () => {
    // Short 1 at a mark of 60000, buying 2.5 at 40000 (100000): it lands on a long worth 40000 at
    // that price, less than the 60000 short it replaces, so Binance asks nothing.
    expect(initialMarginNeeded(order({ amount: d('2.5'), price: d('40000'), oneWay: oneWay('-1') })).toFixed()).toBe(
      '0',
    );
    // Long 1 at a mark of 60000, selling 1.5 at 90000 (135000): 75000 short against 60000 long.
    expect(
      initialMarginNeeded(order({ side: 'sell', amount: d('1.5'), price: d('90000'), oneWay: oneWay('1') })).toFixed(),
    ).toBe('750');
    // The same long, marked down to 30000: selling 1 at 60000 is worth twice the position, and no more.
    expect(initialMarginNeeded(order({ side: 'sell', oneWay: oneWay('1', '0', '0', '30000') })).toFixed()).toBe('0');
  });

  it('one-way mode, with open orders: a sell within the resting buys adds nothing; a buy beside them adds itself', () => {
    // Flat, a resting buy worth 60000: the requirement is already max(60000, 0).
    expect(initialMarginNeeded(order({ side: 'sell', oneWay: oneWay('0', '60000') })).toFixed()).toBe('0');
    expect(initialMarginNeeded(order({ side: 'sell', amount: d('1.5'), oneWay: oneWay('0', '60000') })).toFixed()).toBe(
      '1500',
    );
    expect(initialMarginNeeded(order({ oneWay: oneWay('0', '60000') })).toFixed()).toBe('3000');
  });

  const units = (max: number) => fc.integer({ min: -max, max }).map((n) => new Decimal(n).div(1000));
  const positive = (max: number) => fc.integer({ min: 1, max }).map((n) => new Decimal(n).div(1000));
  const value = fc.integer({ min: 0, max: 1e9 }).map((n) => new Decimal(n));
  const leverage = fc.integer({ min: 1, max: 125 }).map((n) => new Decimal(n));

  it('never more than the same order would need on a flat account', () => {
    fc.assert(
      fc.property(
        positive(10_000_000),
        positive(100_000_000),
        units(1_000_000_000),
        value,
        value,
        fc.boolean(),
        (amount, price, positionValue, bidValue, askValue, buy) => {
          const side = buy ? 'buy' : 'sell';
          const flat = initialMarginNeeded(order({ side, amount, price }));
          const held = initialMarginNeeded(
            order({ side, amount, price, oneWay: { positionValue, bidValue, askValue } }),
          );
          return held.lessThanOrEqualTo(flat) && held.greaterThanOrEqualTo(0);
        },
      ),
    );
  });

  it('with no open orders, exactly what the order takes the position past its value at the mark', () => {
    fc.assert(
      fc.property(
        positive(10_000_000),
        positive(100_000_000),
        units(1_000_000_000),
        leverage,
        fc.boolean(),
        (amount, price, positionValue, lev, buy) => {
          const signed = amount.times(price).times(buy ? 1 : -1);
          const expected = Decimal.max(0, positionValue.plus(signed).abs().minus(positionValue.abs())).div(lev);
          const book = { positionValue, bidValue: new Decimal(0), askValue: new Decimal(0) };
          const side = buy ? 'buy' : 'sell';
          return initialMarginNeeded(order({ side, amount, price, leverage: lev, oneWay: book })).equals(expected);
        },
      ),
    );
  });

  it('an order against the position worth no more than twice it needs nothing, whatever its price against the mark', () => {
    fc.assert(
      fc.property(
        positive(10_000_000),
        positive(100_000_000),
        fc.integer({ min: 500, max: 100_000 }),
        fc.boolean(),
        (amount, price, permille, long) => {
          // The position is worth permille / 1000 of the order: at least half of it.
          const positionValue = amount
            .times(price)
            .times(permille)
            .div(1000)
            .times(long ? 1 : -1);
          const book = { positionValue, bidValue: new Decimal(0), askValue: new Decimal(0) };
          const side = long ? 'sell' : 'buy';
          return initialMarginNeeded(order({ side, amount, price, oneWay: book })).isZero();
        },
      ),
    );
  });
});

describe('checking it against the available margin', () => {
  it('refuses with the figures when less is available than needed', () => {
    const verdict = checkMargin(order({ amount: d('20') }), d('50000'));
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect([verdict.needed.toFixed(), verdict.available.toFixed(), verdict.leverage.toFixed()]).toEqual([
      '60000',
      '50000',
      '20',
    ]);
  });

  it('passes when exactly enough is available, and an order that adds nothing even at zero available', () => {
    expect(checkMargin(order({}), d('3000')).ok).toBe(true);
    expect(checkMargin(order({ side: 'sell', oneWay: oneWay('1') }), d('0')).ok).toBe(true);
  });
});
