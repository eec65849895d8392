import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HedgeError } from '../../src/domain/errors.ts';
import {
  ReductionTooLargeError,
  applyFill,
  assertReducible,
  emptyLedger,
  isIncrease,
  isSideAllowed,
  netRealizedPnl,
  unrealizedPnl,
  type LedgerFill,
  type PositionSide,
  type VpLedger,
} from '../../src/domain/vp-ledger.ts';

const d = (value: string) => new Decimal(value);
const fill = (side: 'buy' | 'sell', qty: string, price: string, fee = '0'): LedgerFill => ({
  side,
  qty: d(qty),
  price: d(price),
  fee: d(fee),
});

function applyAll(side: PositionSide, fills: LedgerFill[]): { ledger: VpLedger; excess: Decimal[] } {
  let ledger = emptyLedger(side);
  const excess: Decimal[] = [];
  for (const f of fills) {
    const result = applyFill(ledger, f);
    ledger = result.ledger;
    excess.push(result.excessQty);
  }
  return { ledger, excess };
}

/** Exact fractions, so the expected WAC figures carry no rounding at all. */
class Fraction {
  private constructor(
    readonly n: bigint,
    readonly d: bigint,
  ) {}

  static of(value: Decimal | string): Fraction {
    const text = new Decimal(value).toFixed();
    const [whole = '0', part = ''] = text.replace('-', '').split('.');
    const magnitude = BigInt(whole + part);
    return Fraction.make(text.startsWith('-') ? -magnitude : magnitude, 10n ** BigInt(part.length));
  }

  private static make(n: bigint, d: bigint): Fraction {
    const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
    const g = gcd(n, d) || 1n;
    return d < 0n ? new Fraction(-n / g, -d / g) : new Fraction(n / g, d / g);
  }

  plus(o: Fraction): Fraction {
    return Fraction.make(this.n * o.d + o.n * this.d, this.d * o.d);
  }
  minus(o: Fraction): Fraction {
    return Fraction.make(this.n * o.d - o.n * this.d, this.d * o.d);
  }
  times(o: Fraction): Fraction {
    return Fraction.make(this.n * o.n, this.d * o.d);
  }
  div(o: Fraction): Fraction {
    return Fraction.make(this.n * o.d, this.d * o.n);
  }
  lessThan(o: Fraction): boolean {
    return this.n * o.d < o.n * this.d;
  }
  isZero(): boolean {
    return this.n === 0n;
  }
  /** |this − other| ≤ 10^-decimals */
  closeTo(other: Fraction, decimals: number): boolean {
    const diff = this.minus(other);
    const abs = diff.n < 0n ? -diff.n : diff.n;
    return abs * 10n ** BigInt(decimals) <= diff.d;
  }
}

const ZERO = Fraction.of('0');

/** The textbook weighted-average-cost ledger, in exact fractions. */
function expectedWac(side: PositionSide, fills: LedgerFill[]) {
  let net = ZERO;
  let avg = ZERO;
  let realized = ZERO;
  let fees = ZERO;
  let increased = ZERO;
  let reduced = ZERO;
  let excess = ZERO;
  for (const f of fills) {
    const qty = Fraction.of(f.qty);
    const price = Fraction.of(f.price);
    fees = fees.plus(Fraction.of(f.fee));
    if ((side === 'LONG') === (f.side === 'buy')) {
      avg = net.times(avg).plus(qty.times(price)).div(net.plus(qty));
      net = net.plus(qty);
      increased = increased.plus(qty);
    } else {
      const closed = qty.lessThan(net) ? qty : net;
      const perUnit = side === 'LONG' ? price.minus(avg) : avg.minus(price);
      realized = realized.plus(perUnit.times(closed));
      net = net.minus(closed);
      if (net.isZero()) avg = ZERO;
      reduced = reduced.plus(qty);
      excess = excess.plus(qty.minus(closed));
    }
  }
  return { net, avg, realized, fees, increased, reduced, excess };
}

/**
 * What the VP earned by cash flow alone, no averages: for LONG, the proceeds of what it sold
 * minus the cost of what it bought, plus what it still holds at the mark (SHORT the other way).
 */
function cashFlowPnl(side: PositionSide, fills: LedgerFill[], mark: Fraction): Fraction {
  let net = ZERO;
  let flow = ZERO;
  for (const f of fills) {
    const qty = Fraction.of(f.qty);
    const value = (q: Fraction) => q.times(Fraction.of(f.price));
    if ((side === 'LONG') === (f.side === 'buy')) {
      net = net.plus(qty);
      flow = side === 'LONG' ? flow.minus(value(qty)) : flow.plus(value(qty));
    } else {
      const closed = qty.lessThan(net) ? qty : net;
      net = net.minus(closed);
      flow = side === 'LONG' ? flow.plus(value(closed)) : flow.minus(value(closed));
    }
  }
  return side === 'LONG' ? flow.plus(net.times(mark)) : flow.minus(net.times(mark));
}

/** A decimal with `decimals` places between 10^-decimals and max. */
const decimalUpTo = (max: number, decimals: number) =>
  fc.bigInt({ min: 1n, max: BigInt(max) * 10n ** BigInt(decimals) }).map((units) => {
    const text = units.toString().padStart(decimals + 1, '0');
    return d(`${text.slice(0, -decimals)}.${text.slice(-decimals)}`);
  });

/** Exchange-like fills: 8-decimal quantities and prices, both large and tiny, and fees ≥ 0. */
const anyFill: fc.Arbitrary<LedgerFill> = fc.record({
  side: fc.constantFrom('buy' as const, 'sell' as const),
  qty: fc.oneof(decimalUpTo(2, 8), decimalUpTo(1_000_000, 3)),
  price: fc.oneof(decimalUpTo(100_000, 2), decimalUpTo(1, 8)),
  fee: fc.oneof(fc.constant(d('0')), decimalUpTo(50, 8)),
});
/** Steps of a random sequence; 'close' reduces by exactly what the VP holds, so flat VPs are common. */
type Step = LedgerFill | 'close';
const steps: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof({ arbitrary: anyFill, weight: 4 }, { arbitrary: fc.constant('close' as const), weight: 1 }),
  { maxLength: 30 },
);

function materialize(side: PositionSide, sequence: Step[]): LedgerFill[] {
  const fills: LedgerFill[] = [];
  let ledger = emptyLedger(side);
  for (const step of sequence) {
    if (step === 'close' && ledger.netQty.isZero()) continue;
    const f: LedgerFill =
      step === 'close'
        ? { side: side === 'LONG' ? 'sell' : 'buy', qty: ledger.netQty, price: d('3'), fee: d('0') }
        : step;
    fills.push(f);
    ledger = applyFill(ledger, f).ledger;
  }
  return fills;
}

const sides = ['LONG', 'SHORT'] as const;

describe('VP ledger properties, over random fill sequences', () => {
  it.each(sides)('%s: quantity never goes negative and equals increases − reductions + excess', (side) => {
    fc.assert(
      fc.property(steps, (sequence) => {
        const fills = materialize(side, sequence);
        let ledger = emptyLedger(side);
        for (const f of fills) {
          ledger = applyFill(ledger, f).ledger;
          expect(ledger.netQty.greaterThanOrEqualTo(0)).toBe(true);
          if (ledger.netQty.isZero()) expect(ledger.avgEntry.isZero()).toBe(true);
        }
        const { excess } = applyAll(side, fills);
        const expected = expectedWac(side, fills);
        expect(Fraction.of(ledger.netQty)).toEqual(expected.increased.minus(expected.reduced).plus(expected.excess));
        expect(Fraction.of(excess.reduce((a, b) => a.plus(b), d('0')))).toEqual(expected.excess);
      }),
      { numRuns: 200 },
    );
  });

  it.each(sides)('%s: realized PnL is Σ (exit − average at that time) × qty, computed in exact fractions', (side) => {
    fc.assert(
      fc.property(steps, (sequence) => {
        const fills = materialize(side, sequence);
        const { ledger } = applyAll(side, fills);
        const expected = expectedWac(side, fills);
        expect(Fraction.of(ledger.netQty)).toEqual(expected.net);
        expect(Fraction.of(ledger.realizedPnl).closeTo(expected.realized, 20)).toBe(true);
        expect(Fraction.of(ledger.avgEntry).closeTo(expected.avg, 25)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it.each(sides)('%s: realized + unrealized is what the cash flows say; exactly so once flat', (side) => {
    fc.assert(
      fc.property(steps, decimalUpTo(100_000, 2), (sequence, markPrice) => {
        const fills = materialize(side, sequence);
        const { ledger } = applyAll(side, fills);
        const mark = Fraction.of(markPrice);
        const total = Fraction.of(ledger.realizedPnl).plus(Fraction.of(unrealizedPnl(ledger, markPrice)));
        expect(total.closeTo(cashFlowPnl(side, fills, mark), 18)).toBe(true);
        if (ledger.netQty.isZero()) expect(Fraction.of(ledger.realizedPnl)).toEqual(cashFlowPnl(side, fills, mark));
      }),
      { numRuns: 200 },
    );
  });

  it.each(sides)('%s: fees are the exact sum of the fills’ fees, and net PnL subtracts them', (side) => {
    fc.assert(
      fc.property(steps, (sequence) => {
        const fills = materialize(side, sequence);
        const { ledger } = applyAll(side, fills);
        expect(Fraction.of(ledger.fees)).toEqual(expectedWac(side, fills).fees);
        expect(netRealizedPnl(ledger).toFixed()).toBe(ledger.realizedPnl.minus(ledger.fees).toFixed());
      }),
      { numRuns: 100 },
    );
  });
});

describe('VP ledger, worked by hand', () => {
  const entries = (side: PositionSide) => {
    const open = side === 'LONG' ? 'buy' : 'sell';
    return [
      fill(open, '0.01', '60000', '0.24'),
      fill(open, '0.02', '61000', '0.488'),
      fill(open, '0.01', '62500', '0.25'),
    ];
  };

  it('LONG: three entries average to 61125; selling 0.02 at 63000 realizes 37.5 and keeps 0.02 at 61125', () => {
    const opened = applyAll('LONG', entries('LONG')).ledger;
    expect(opened.netQty.toFixed()).toBe('0.04');
    expect(opened.avgEntry.toFixed()).toBe('61125');

    const { ledger, excessQty } = applyFill(opened, fill('sell', '0.02', '63000', '0.504'));
    expect(excessQty.toFixed()).toBe('0');
    expect(ledger.realizedPnl.toFixed()).toBe('37.5');
    expect(ledger.netQty.toFixed()).toBe('0.02');
    expect(ledger.avgEntry.toFixed()).toBe('61125');
    expect(ledger.fees.toFixed()).toBe('1.482');
    expect(netRealizedPnl(ledger).toFixed()).toBe('36.018');
    expect(unrealizedPnl(ledger, d('62000')).toFixed()).toBe('17.5');
  });

  it('LONG: a sell beyond the VP closes it at a loss and hands back the excess', () => {
    let ledger = applyAll('LONG', entries('LONG')).ledger;
    ledger = applyFill(ledger, fill('sell', '0.02', '63000')).ledger;
    const closed = applyFill(ledger, fill('sell', '0.03', '60000', '0.1'));
    expect(closed.excessQty.toFixed()).toBe('0.01');
    expect(closed.ledger.netQty.toFixed()).toBe('0');
    expect(closed.ledger.avgEntry.toFixed()).toBe('0');
    // 37.5 from the first sell, then (60000 − 61125) × 0.02 = −22.5.
    expect(closed.ledger.realizedPnl.toFixed()).toBe('15');
    expect(closed.ledger.fees.toFixed()).toBe('1.078');
  });

  it('SHORT: three entries average to 61125; buying 0.02 back at 59000 realizes 42.5', () => {
    const opened = applyAll('SHORT', entries('SHORT')).ledger;
    expect(opened.avgEntry.toFixed()).toBe('61125');
    const { ledger } = applyFill(opened, fill('buy', '0.02', '59000'));
    expect(ledger.realizedPnl.toFixed()).toBe('42.5');
    expect(ledger.netQty.toFixed()).toBe('0.02');
    expect(ledger.avgEntry.toFixed()).toBe('61125');
    expect(unrealizedPnl(ledger, d('62000')).toFixed()).toBe('-17.5');
    const loss = applyFill(ledger, fill('buy', '0.02', '62000')).ledger;
    expect(loss.realizedPnl.toFixed()).toBe('25');
    expect(loss.avgEntry.toFixed()).toBe('0');
  });

  it('keeps the average at full precision, and a round trip realizes exactly what it earned', () => {
    const { ledger } = applyAll('LONG', [fill('buy', '1', '1'), fill('buy', '2', '2')]);
    expect(ledger.avgEntry.toFixed()).toBe('1.666666666666666666666666666666666666667');
    const third = fill('sell', '1', '2');
    const partly = applyAll('LONG', [fill('buy', '1', '1'), fill('buy', '2', '2'), third, third]).ledger;
    expect(partly.realizedPnl.toDecimalPlaces(30).toFixed()).toBe('0.666666666666666666666666666667');
    expect(applyFill(partly, third).ledger.realizedPnl.toFixed()).toBe('1');
  });

  it('a ledger read back from decimal strings computes past the default 20 significant digits', () => {
    const kept = applyAll('LONG', [fill('buy', '123456.12345678', '61234.12345678')]).ledger;
    const reread: VpLedger = {
      side: 'LONG',
      netQty: d(kept.netQty.toFixed()),
      avgEntry: d(kept.avgEntry.toFixed()),
      realizedPnl: d(kept.realizedPnl.toFixed()),
      fees: d(kept.fees.toFixed()),
    };
    const { ledger } = applyFill(reread, fill('sell', '100000.00000001', '61234.98765432'));
    // 0.86419754 × 100000.00000001: 22 significant digits, which a plain Decimal would round.
    expect(ledger.realizedPnl.toFixed()).toBe('86419.7540000086419754');
    expect(ledger.netQty.toFixed()).toBe('23456.12345677');
  });

  it('grows LONG on buys and SHORT on sells; spot VPs are LONG only', () => {
    expect(isIncrease('LONG', 'buy')).toBe(true);
    expect(isIncrease('LONG', 'sell')).toBe(false);
    expect(isIncrease('SHORT', 'sell')).toBe(true);
    expect(isIncrease('SHORT', 'buy')).toBe(false);
    expect(isSideAllowed('spot', 'LONG')).toBe(true);
    expect(isSideAllowed('spot', 'SHORT')).toBe(false);
    expect(isSideAllowed('usdm', 'SHORT')).toBe(true);
  });

  it('refuses fills that cannot be real', () => {
    const empty = emptyLedger('LONG');
    expect(() => applyFill(empty, fill('buy', '0', '100'))).toThrow(RangeError);
    expect(() => applyFill(empty, fill('buy', '-1', '100'))).toThrow(RangeError);
    expect(() => applyFill(empty, fill('buy', '1', '0'))).toThrow(RangeError);
    expect(() => applyFill(empty, fill('buy', '1', '100', '-0.01'))).toThrow(RangeError);
    expect(() => applyFill(empty, { ...fill('buy', '1', '100'), qty: d('NaN') })).toThrow(RangeError);
    expect(() => applyFill(empty, { ...fill('buy', '1', '100'), price: d('Infinity') })).toThrow(RangeError);
  });
});

describe('reducing a VP before sending', () => {
  const ledger = applyAll('LONG', [fill('buy', '0.04', '61125')]).ledger;

  it('allows up to the whole VP', () => {
    expect(() => assertReducible(ledger, d('0.04'), 'scalp')).not.toThrow();
    expect(() => assertReducible(ledger, d('0.01'), 'scalp')).not.toThrow();
  });

  it('refuses more than the VP holds, naming the VP and both quantities', () => {
    let error: unknown;
    try {
      assertReducible(ledger, d('0.05'), 'scalp');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReductionTooLargeError);
    expect(error).toBeInstanceOf(HedgeError);
    expect(error).toMatchObject({
      key: 'vp.reduction_too_large',
      params: { vp: 'scalp', requested: '0.05', available: '0.04' },
    });
  });

  it('refuses any reduction of an empty VP', () => {
    expect(() => assertReducible(emptyLedger('SHORT'), d('0.001'), 'hedge')).toThrow(ReductionTooLargeError);
  });
});
