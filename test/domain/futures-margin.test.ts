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

const oneWay = (position: string, bidValue = '0', askValue = '0'): OneWayBook => ({
  position: d(position),
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

  it('one-way mode, with open orders: a sell within the resting buys adds nothing; a buy beside them adds itself', () => {
    // Flat, a resting buy worth 60000: the requirement is already max(60000, 0).
    expect(initialMarginNeeded(order({ side: 'sell', oneWay: oneWay('0', '60000') })).toFixed()).toBe('0');
    expect(initialMarginNeeded(order({ side: 'sell', amount: d('1.5'), oneWay: oneWay('0', '60000') })).toFixed()).toBe(
      '1500',
    );
    expect(initialMarginNeeded(order({ oneWay: oneWay('0', '60000') })).toFixed()).toBe('3000');
  });

  it('never more than the same order would need on a flat account', () => {
    const units = (max: number) => fc.integer({ min: -max, max }).map((n) => new Decimal(n).div(1000));
    const value = fc.integer({ min: 0, max: 1e9 }).map((n) => new Decimal(n));
    fc.assert(
      fc.property(
        units(10_000_000).filter((q) => q.greaterThan(0)),
        units(10_000_000),
        value,
        value,
        fc.boolean(),
        (amount, position, bidValue, askValue, buy) => {
          const side = buy ? 'buy' : 'sell';
          const flat = initialMarginNeeded(order({ side, amount }));
          const held = initialMarginNeeded(order({ side, amount, oneWay: { position, bidValue, askValue } }));
          return held.lessThanOrEqualTo(flat) && held.greaterThanOrEqualTo(0);
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
