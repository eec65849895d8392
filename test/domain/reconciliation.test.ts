import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { reconcile, type Difference } from '../../src/domain/reconciliation.ts';
import type { PositionSide } from '../../src/domain/vp-ledger.ts';

const d = (value: string) => new Decimal(value);
const onExchange = (symbol: string, side: PositionSide, qty: string) => ({ symbol, side, qty: d(qty) });
const vp = (symbol: string, side: PositionSide, vpName: string, qty: string) => ({ symbol, side, vpName, qty: d(qty) });
const external = (symbol: string, side: PositionSide, qty: string) => ({ symbol, side, qty: d(qty) });

/** Differences as plain strings, to compare whole rows at once. */
function plain(rows: Difference[]) {
  return rows.map((r) => ({
    symbol: r.symbol,
    side: r.side,
    exchangeQty: r.exchangeQty.toFixed(),
    vpQty: r.vpQty.toFixed(),
    diff: r.diff.toFixed(),
    explainedByExternal: r.explainedByExternal.toFixed(),
    unexplained: r.unexplained.toFixed(),
    likelyCause: r.likelyCause,
  }));
}

describe('reconciliation: exchange against VPs', () => {
  it('reports nothing when the VPs add up to the exchange position', () => {
    const rows = reconcile(
      [onExchange('BTCUSDT', 'LONG', '0.05'), onExchange('BTCUSDT', 'SHORT', '0.02')],
      [
        vp('BTCUSDT', 'LONG', 'swing', '0.03'),
        vp('BTCUSDT', 'LONG', 'scalp', '0.02'),
        vp('BTCUSDT', 'SHORT', 'hedge', '0.02'),
      ],
      [],
    );
    expect(rows).toEqual([]);
  });

  it('a surplus the desk recorded as external fills is explained', () => {
    const rows = reconcile(
      [onExchange('BTCUSDT', 'LONG', '0.05')],
      [vp('BTCUSDT', 'LONG', 'swing', '0.03')],
      [external('BTCUSDT', 'LONG', '0.015'), external('BTCUSDT', 'LONG', '0.005')],
    );
    expect(plain(rows)).toEqual([
      {
        symbol: 'BTCUSDT',
        side: 'LONG',
        exchangeQty: '0.05',
        vpQty: '0.03',
        diff: '0.02',
        explainedByExternal: '0.02',
        unexplained: '0',
        likelyCause: 'external_fills',
      },
    ]);
  });

  it('a surplus beyond the recorded external fills is a trade the desk never saw', () => {
    const rows = reconcile(
      [onExchange('ETHUSDT', 'SHORT', '1.5')],
      [vp('ETHUSDT', 'SHORT', 'hedge', '1')],
      [external('ETHUSDT', 'SHORT', '0.2')],
    );
    expect(plain(rows)).toMatchObject([
      { diff: '0.5', explainedByExternal: '0.2', unexplained: '0.3', likelyCause: 'manual_trade_on_exchange' },
    ]);
  });

  it('a position held on the exchange with no VP at all is a manual trade', () => {
    const rows = reconcile([onExchange('SOLUSDT', 'LONG', '10')], [], []);
    expect(plain(rows)).toMatchObject([
      { symbol: 'SOLUSDT', exchangeQty: '10', vpQty: '0', diff: '10', likelyCause: 'manual_trade_on_exchange' },
    ]);
  });

  it('VPs holding more than the exchange point to a manual close or a liquidation', () => {
    const rows = reconcile(
      [onExchange('BTCUSDT', 'LONG', '0.01')],
      [vp('BTCUSDT', 'LONG', 'swing', '0.03'), vp('ETHUSDT', 'SHORT', 'hedge', '2')],
      [external('BTCUSDT', 'LONG', '-0.005')],
    );
    expect(plain(rows)).toEqual([
      {
        symbol: 'BTCUSDT',
        side: 'LONG',
        exchangeQty: '0.01',
        vpQty: '0.03',
        diff: '-0.02',
        explainedByExternal: '-0.005',
        unexplained: '-0.015',
        likelyCause: 'vp_exceeds_exchange',
      },
      {
        symbol: 'ETHUSDT',
        side: 'SHORT',
        exchangeQty: '0',
        vpQty: '2',
        diff: '-2',
        explainedByExternal: '0',
        unexplained: '-2',
        likelyCause: 'vp_exceeds_exchange',
      },
    ]);
  });

  it('recorded external quantity larger than the surplus is flagged unknown', () => {
    const rows = reconcile(
      [onExchange('BTCUSDT', 'LONG', '0.05')],
      [vp('BTCUSDT', 'LONG', 'swing', '0.03')],
      [external('BTCUSDT', 'LONG', '0.05')],
    );
    expect(plain(rows)).toMatchObject([{ diff: '0.02', explainedByExternal: '0.02', likelyCause: 'unknown' }]);
  });

  it('external quantity that cancels out, or that reduced the side, explains none of a surplus', () => {
    const rows = reconcile(
      [onExchange('BTCUSDT', 'LONG', '0.05')],
      [],
      [external('BTCUSDT', 'LONG', '0.02'), external('BTCUSDT', 'LONG', '-0.03')],
    );
    expect(plain(rows)).toMatchObject([{ explainedByExternal: '0', likelyCause: 'manual_trade_on_exchange' }]);
  });

  it('a difference within the tolerance is not reported; one just beyond it is', () => {
    const exchange = [onExchange('BTCUSDT', 'LONG', '0.05'), onExchange('ETHUSDT', 'LONG', '1.0011')];
    const vps = [vp('BTCUSDT', 'LONG', 'swing', '0.049'), vp('ETHUSDT', 'LONG', 'swing', '1')];
    const rows = reconcile(exchange, vps, [], { tolerance: d('0.001') });
    expect(plain(rows)).toMatchObject([{ symbol: 'ETHUSDT', diff: '0.0011' }]);
    expect(reconcile(exchange, vps, [])).toHaveLength(2);
  });

  it('the tolerance also decides whether external fills cover a surplus', () => {
    const rows = reconcile([onExchange('BTCUSDT', 'LONG', '0.05')], [], [external('BTCUSDT', 'LONG', '0.0499')], {
      tolerance: d('0.0001'),
    });
    expect(plain(rows)).toMatchObject([{ likelyCause: 'external_fills', unexplained: '0.0001' }]);
  });

  it('spot holdings come in as LONG and compare the same way', () => {
    const rows = reconcile([onExchange('BTCUSDT', 'LONG', '0.5')], [vp('BTCUSDT', 'LONG', 'dca', '0.4')], []);
    expect(plain(rows)).toMatchObject([{ side: 'LONG', diff: '0.1', likelyCause: 'manual_trade_on_exchange' }]);
  });

  it('sorts by symbol, then LONG before SHORT, whatever order the inputs come in', () => {
    const rows = reconcile(
      [
        onExchange('SOLUSDT', 'SHORT', '1'),
        onExchange('BTCUSDT', 'SHORT', '1'),
        onExchange('SOLUSDT', 'LONG', '1'),
        onExchange('BTCUSDT', 'LONG', '1'),
      ],
      [vp('ADAUSDT', 'SHORT', 'a', '1'), vp('ADAUSDT', 'LONG', 'b', '1')],
      [],
    );
    expect(rows.map((r) => `${r.symbol} ${r.side}`)).toEqual([
      'ADAUSDT LONG',
      'ADAUSDT SHORT',
      'BTCUSDT LONG',
      'BTCUSDT SHORT',
      'SOLUSDT LONG',
      'SOLUSDT SHORT',
    ]);
  });

  it('adds many small quantities without rounding', () => {
    const vps = Array.from({ length: 1000 }, (_, i) => vp('BTCUSDT', 'LONG', `v${i}`, '0.00000001'));
    const rows = reconcile([onExchange('BTCUSDT', 'LONG', '123456789012.00001')], vps, []);
    expect(plain(rows)).toMatchObject([{ vpQty: '0.00001', diff: '123456789012' }]);
  });

  it('refuses negative sizes (a SHORT must come in as its absolute size) and a negative tolerance', () => {
    expect(() => reconcile([onExchange('BTCUSDT', 'SHORT', '-0.02')], [], [])).toThrow(RangeError);
    expect(() => reconcile([], [vp('BTCUSDT', 'SHORT', 'hedge', '-1')], [])).toThrow(RangeError);
    expect(() => reconcile([], [], [external('BTCUSDT', 'LONG', 'NaN')])).toThrow(RangeError);
    expect(() => reconcile([], [], [], { tolerance: d('-0.1') })).toThrow(RangeError);
  });

  it('an accepted quantity is part of what the exchange should hold: no difference, and a trade beyond it is one', () => {
    const accepted = [external('BTC/USDT', 'LONG', '0.1')];
    expect(reconcile([onExchange('BTC/USDT', 'LONG', '0.1')], [], [], { accepted })).toEqual([]);
    const rows = reconcile([onExchange('BTC/USDT', 'LONG', '0.15')], [vp('BTC/USDT', 'LONG', 'dca', '0.02')], [], {
      accepted,
    });
    expect(plain(rows)).toEqual([
      {
        symbol: 'BTC/USDT',
        side: 'LONG',
        exchangeQty: '0.15',
        vpQty: '0.02',
        diff: '0.03',
        explainedByExternal: '0',
        unexplained: '0.03',
        likelyCause: 'manual_trade_on_exchange',
      },
    ]);
    expect(rows[0]?.acceptedQty.toFixed()).toBe('0.1');
    // Sold below what was accepted: the exchange holds less than expected.
    const sold = reconcile([onExchange('BTC/USDT', 'LONG', '0.06')], [], [], { accepted });
    expect(plain(sold)[0]).toMatchObject({ diff: '-0.04', unexplained: '-0.04', likelyCause: 'vp_exceeds_exchange' });
  });
});
