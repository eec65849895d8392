import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isClosingFill,
  markKey,
  performanceOf,
  pnlByPeriod,
  summarizePnl,
  winRate,
  type ReportFill,
  type ReportVp,
} from '../../src/domain/pnl-report.ts';
import { periodLabel, periodStart, rangeOf, recentPeriods, utcDay } from '../../src/domain/report-periods.ts';
import { applyFill, emptyLedger, type PositionSide } from '../../src/domain/vp-ledger.ts';

const d = (v: string | number) => new Decimal(v);
const at = (iso: string) => new Date(iso);
const NOW = at('2026-12-04T15:30:00Z'); // a Friday

function vp(
  id: number,
  accountId: string,
  name: string,
  netQty = '0',
  avgEntry = '0',
  side: PositionSide = 'LONG',
): ReportVp {
  return {
    id,
    accountId,
    symbol: 'BTC/USDT:USDT',
    positionSide: side,
    name,
    ledger: { ...emptyLedger(side), netQty: d(netQty), avgEntry: d(avgEntry) },
  };
}

function fill(
  vpId: number,
  side: 'buy' | 'sell',
  realized: string,
  fee: string,
  when: string,
  accountId = 'a',
): ReportFill {
  return {
    accountId,
    vpId,
    symbol: 'BTC/USDT:USDT',
    side,
    positionSide: 'LONG',
    realizedPnl: d(realized),
    fee: d(fee),
    at: at(when),
    kind: 'trade',
  };
}

describe('report periods are UTC days, ISO weeks and months', () => {
  it('today, yesterday, 7d and a range are half-open spans of whole UTC days', () => {
    expect(rangeOf({ kind: 'today' }, NOW)).toEqual({
      from: at('2026-12-04T00:00:00Z'),
      to: at('2026-12-05T00:00:00Z'),
    });
    expect(rangeOf({ kind: 'yesterday' }, NOW)).toEqual({
      from: at('2026-12-03T00:00:00Z'),
      to: at('2026-12-04T00:00:00Z'),
    });
    expect(rangeOf({ kind: 'days', days: 7 }, NOW)).toEqual({
      from: at('2026-11-28T00:00:00Z'),
      to: at('2026-12-05T00:00:00Z'),
    });
    expect(rangeOf({ kind: 'range', from: '2026-11-01', to: '2026-11-30' }, NOW)).toEqual({
      from: at('2026-11-01T00:00:00Z'),
      to: at('2026-12-01T00:00:00Z'),
    });
    expect(rangeOf({ kind: 'all' }, NOW)).toEqual({});
  });

  it('a week starts on Monday, a month on its first day; there is no 30 February', () => {
    expect(periodStart('week', NOW)).toEqual(at('2026-11-30T00:00:00Z'));
    expect(periodStart('week', at('2026-11-30T00:00:00Z'))).toEqual(at('2026-11-30T00:00:00Z'));
    expect(periodStart('week', at('2026-11-29T23:59:59Z'))).toEqual(at('2026-11-23T00:00:00Z'));
    expect(recentPeriods('month', 3, NOW).map((p) => periodLabel('month', p.start))).toEqual([
      '2026-12',
      '2026-11',
      '2026-10',
    ]);
    expect(recentPeriods('day', 2, NOW)[1]).toEqual({
      start: at('2026-12-03T00:00:00Z'),
      end: at('2026-12-04T00:00:00Z'),
    });
    expect(utcDay('2026-02-30')).toBeUndefined();
    expect(utcDay('2028-02-29')).toEqual(at('2028-02-29T00:00:00Z'));
  });
});

describe('PnL summary', () => {
  const vps = [
    vp(1, 'a', 'alpha', '0.01', '60000'),
    vp(2, 'a', 'beta'),
    { ...vp(3, 'b', 'gamma', '1', '100', 'SHORT'), symbol: 'ETH/USDT:USDT' },
  ];
  const fills = [
    fill(1, 'buy', '0', '0.48', '2026-12-03T23:59:59Z'),
    fill(1, 'sell', '10', '0.244', '2026-12-04T00:00:00Z'),
    fill(2, 'sell', '-3.5', '0.1', '2026-12-04T10:00:00Z'),
  ];
  const marks = new Map([[markKey('a', 'BTC/USDT:USDT'), d('62000')]]);

  it('sums the fills of the period per VP and account, and values the open VPs at their mark', () => {
    const today = summarizePnl(fills, vps, rangeOf({ kind: 'today' }, NOW), marks);
    const [a, b] = today.accounts;
    expect(
      a?.vps.map((v) => [v.vp.name, v.realized.toFixed(), v.fees.toFixed(), v.unrealized.toFixed(), v.trades]),
    ).toEqual([
      ['alpha', '10', '0.244', '20', 1],
      ['beta', '-3.5', '0.1', '0', 1],
    ]);
    expect([a?.net.toFixed(), a?.unrealized.toFixed()]).toEqual(['6.156', '20']);
    // gamma is open, but no price was read: shown as unpriced, left out of the totals.
    expect(b?.vps[0]?.unpriced).toBe(true);
    expect([today.total.realized.toFixed(), today.total.fees.toFixed(), today.total.trades]).toEqual([
      '6.5',
      '0.344',
      2,
    ]);
  });

  it('a flat VP with no fill in the period is not listed', () => {
    const earlier = summarizePnl(
      fills,
      vps,
      rangeOf({ kind: 'range', from: '2026-12-03', to: '2026-12-03' }, NOW),
      marks,
    );
    expect(earlier.accounts.flatMap((a) => a.vps.map((v) => v.vp.name))).toEqual(['alpha', 'gamma']);
    expect(earlier.total.fees.toFixed()).toBe('0.48');
  });

  it('the periods add up to all time, exactly', () => {
    const periods = pnlByPeriod(fills, recentPeriods('day', 7, NOW));
    const all = summarizePnl(fills, vps, {}, marks).total;
    expect(periods.rows.map((r) => r.realized.toFixed()).slice(0, 2)).toEqual(['6.5', '0']);
    expect([periods.total.realized.toFixed(), periods.total.fees.toFixed(), periods.total.trades]).toEqual([
      all.realized.toFixed(),
      all.fees.toFixed(),
      all.trades,
    ]);
  });

  it('realized PnL summed over the fills is the ledger’s, for any sequence of fills', () => {
    const step = fc.record({
      buy: fc.boolean(),
      qty: fc.integer({ min: 1, max: 5000 }),
      price: fc.integer({ min: 1, max: 9_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        let ledger = emptyLedger('LONG');
        const booked: ReportFill[] = [];
        for (const [i, s] of steps.entries()) {
          const side = s.buy || ledger.netQty.isZero() ? 'buy' : 'sell';
          const qty = side === 'sell' ? Decimal.min(ledger.netQty, d(s.qty).div(1000)) : d(s.qty).div(1000);
          const before = ledger;
          ledger = applyFill(ledger, { side, qty, price: d(s.price).div(100), fee: d('0.01') }).ledger;
          booked.push({
            ...fill(1, side, ledger.realizedPnl.minus(before.realizedPnl).toFixed(), '0.01', '2026-12-01T00:00:00Z'),
            at: new Date(Date.UTC(2026, 0, 1 + i)),
          });
        }
        const total = summarizePnl(booked, [{ ...vp(1, 'a', 'alpha'), ledger }], {}, new Map()).total;
        // The ledger computes at 40 significant digits, so its own total and the sum of its steps
        // may part past the 40th digit; 30 decimals is far below any money shown.
        const at30 = (v: Decimal) => v.toDecimalPlaces(30).toFixed();
        expect(at30(total.realized)).toBe(at30(ledger.realizedPnl));
        expect(total.fees.toFixed()).toBe(ledger.fees.toFixed());
      }),
    );
  });
});

describe('performance', () => {
  it('win rate counts closing fills only: positive realized over all closing fills', () => {
    const fills = [
      fill(1, 'buy', '0', '1', '2026-12-01T00:00:00Z'),
      fill(1, 'sell', '5', '1', '2026-12-02T00:00:00Z'),
      fill(1, 'sell', '0', '1', '2026-12-03T00:00:00Z'),
      { ...fill(2, 'buy', '-2', '1', '2026-12-03T00:00:00Z'), positionSide: 'SHORT' as const },
      { ...fill(2, 'sell', '0', '0', '2026-12-03T00:00:00Z'), positionSide: 'SHORT' as const },
    ];
    const perf = performanceOf(fills, [
      vp(1, 'a', 'alpha'),
      vp(2, 'a', 'hedge', '0', '0', 'SHORT'),
      vp(3, 'a', 'idle'),
    ]);
    expect(perf.byVp.map((v) => [v.vp.name, v.trades, v.closing, v.wins, winRate(v)?.toFixed(4)])).toEqual([
      ['alpha', 3, 2, 1, '0.5000'],
      ['hedge', 2, 1, 0, '0.0000'],
    ]);
    expect([perf.total.closing, perf.total.wins, perf.total.net.toFixed()]).toEqual([3, 1, '-1']);
    expect(winRate({ closing: 0, wins: 0 })).toBeUndefined();
    expect(isClosingFill({ side: 'buy', positionSide: 'SHORT', kind: 'adjustment' })).toBe(false);
  });
});
