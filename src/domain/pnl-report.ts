import { Decimal } from 'decimal.js';
import { inRange, type Period, type TimeRange } from './report-periods.ts';
import { isIncrease, unrealizedPnl, type PositionSide, type VpLedger } from './vp-ledger.ts';

/**
 * The arithmetic of the desk's reports — PnL per VP, account and desk, per period, per symbol —
 * over Fill rows and VP ledgers as plain values. Realized PnL and fees come from the fills the
 * VP ledger booked (each Fill row carries what it realized), so over all time they add up to the
 * ledger to the last digit; unrealized PnL is the open VPs' against a mark price, now.
 * Everything is summed exactly; rounding is for display only.
 */

/**
 * Sums carry 80 digits: each Fill row holds the 40-digit step of its VP's realized PnL, and a
 * sum of such steps at 40 digits could round away the residue the ledger keeps while open.
 */
const SumDecimal = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });
const ZERO: Decimal = new SumDecimal(0);
const exact = (value: Decimal.Value): Decimal => new SumDecimal(value);

/** One fill booked on a VP, as the reports read it. */
export interface ReportFill {
  accountId: string;
  vpId: number;
  symbol: string;
  side: 'buy' | 'sell';
  positionSide: PositionSide;
  realizedPnl: Decimal;
  fee: Decimal;
  at: Date;
  /** `trade` from the exchange; `adjustment` a reconciliation assignment (moves the ledger, is no trade). */
  kind: string;
}

/** A VP as reports name it, with its ledger now. */
export interface ReportVp {
  id: number;
  accountId: string;
  symbol: string;
  positionSide: PositionSide;
  name: string;
  ledger: VpLedger;
}

export interface PnlFigures {
  realized: Decimal;
  fees: Decimal;
  /** Realized minus fees: what was earned. */
  net: Decimal;
  /** Of the open VPs at their mark; zero when none is open. */
  unrealized: Decimal;
  /** Exchange trades (fills), adjustments not counted. */
  trades: number;
}

export interface VpPnl extends PnlFigures {
  vp: ReportVp;
  /** The price its unrealized PnL was read at; undefined when it is flat or no price could be read. */
  mark: Decimal | undefined;
  /** Open, but no price could be read: its unrealized PnL is unknown and left out of the totals. */
  unpriced: boolean;
}

export interface AccountPnl extends PnlFigures {
  accountId: string;
  vps: VpPnl[];
}

export interface PnlSummary {
  accounts: AccountPnl[];
  total: PnlFigures;
}

export function emptyFigures(): PnlFigures {
  return { realized: ZERO, fees: ZERO, net: ZERO, unrealized: ZERO, trades: 0 };
}

function plus(a: PnlFigures, b: PnlFigures): PnlFigures {
  return {
    realized: a.realized.plus(b.realized),
    fees: a.fees.plus(b.fees),
    net: a.net.plus(b.net),
    unrealized: a.unrealized.plus(b.unrealized),
    trades: a.trades + b.trades,
  };
}

function addFill(figures: PnlFigures, fill: ReportFill): PnlFigures {
  return plus(figures, {
    realized: fill.realizedPnl,
    fees: fill.fee,
    net: exact(fill.realizedPnl).minus(fill.fee),
    unrealized: ZERO,
    trades: fill.kind === 'trade' ? 1 : 0,
  });
}

function sum(list: readonly PnlFigures[]): PnlFigures {
  return list.reduce(plus, emptyFigures());
}

/** `BTC/USDT:USDT` and `BTC/USDT` keyed with their account, for the marks of open VPs. */
export function markKey(accountId: string, symbol: string): string {
  return `${accountId} ${symbol}`;
}

/**
 * PnL of the fills in `range` per VP, per account and for the desk, plus the unrealized PnL of
 * every open VP at its mark (`marks` by markKey). A VP shows when it had fills in the range or is
 * open now; accounts and VPs in the order given.
 */
export function summarizePnl(
  fills: readonly ReportFill[],
  vps: readonly ReportVp[],
  range: TimeRange,
  marks: ReadonlyMap<string, Decimal>,
): PnlSummary {
  const perVp = new Map<number, PnlFigures>();
  for (const fill of fills) {
    if (!inRange(range, fill.at)) continue;
    perVp.set(fill.vpId, addFill(perVp.get(fill.vpId) ?? emptyFigures(), fill));
  }
  const accounts = new Map<string, VpPnl[]>();
  for (const vp of vps) {
    const open = !vp.ledger.netQty.isZero();
    const traded = perVp.get(vp.id);
    if (!open && !traded) continue;
    const mark = open ? marks.get(markKey(vp.accountId, vp.symbol)) : undefined;
    const unrealized = mark ? unrealizedPnl(vp.ledger, mark) : ZERO;
    const row: VpPnl = { ...(traded ?? emptyFigures()), unrealized, vp, mark, unpriced: open && !mark };
    accounts.set(vp.accountId, [...(accounts.get(vp.accountId) ?? []), row]);
  }
  const perAccount = [...accounts].map(([accountId, rows]): AccountPnl => ({ accountId, vps: rows, ...sum(rows) }));
  return { accounts: perAccount, total: sum(perAccount) };
}

export interface PeriodPnl extends Period {
  realized: Decimal;
  fees: Decimal;
  net: Decimal;
  trades: number;
}

/** Realized PnL, fees and trades per period (as given, most recent first), and their sum over all of them. */
export function pnlByPeriod(
  fills: readonly ReportFill[],
  periods: readonly Period[],
): { rows: PeriodPnl[]; total: PnlFigures } {
  const rows = periods.map((period): PeriodPnl => {
    const { realized, fees, net, trades } = fills
      .filter((f) => inRange({ from: period.start, to: period.end }, f.at))
      .reduce(addFill, emptyFigures());
    return { ...period, realized, fees, net, trades };
  });
  return { rows, total: sum(rows.map((r) => ({ ...r, unrealized: ZERO }))) };
}

/** A fill that reduced its VP: a sell of a LONG, a buy of a SHORT. Only these can win or lose. */
export function isClosingFill(fill: Pick<ReportFill, 'side' | 'positionSide' | 'kind'>): boolean {
  return fill.kind === 'trade' && !isIncrease(fill.positionSide, fill.side);
}

export interface PerformanceFigures {
  trades: number;
  /** Closing fills, and those of them that realized more than zero. */
  closing: number;
  wins: number;
  realized: Decimal;
  fees: Decimal;
  net: Decimal;
}

export interface Performance {
  bySymbol: (PerformanceFigures & { symbol: string })[];
  byVp: (PerformanceFigures & { vp: ReportVp })[];
  total: PerformanceFigures;
}

/**
 * Win rate = winning closing fills / closing fills: a closing fill wins when it realized more
 * than zero. Fills that open or add win nothing and lose nothing, so they are not counted.
 * Undefined with no closing fill (no rate, rather than 0 %).
 */
export function winRate(figures: Pick<PerformanceFigures, 'closing' | 'wins'>): Decimal | undefined {
  return figures.closing === 0 ? undefined : exact(figures.wins).div(figures.closing);
}

function emptyPerformance(): PerformanceFigures {
  return { trades: 0, closing: 0, wins: 0, realized: ZERO, fees: ZERO, net: ZERO };
}

function addToPerformance(p: PerformanceFigures, fill: ReportFill): PerformanceFigures {
  const closing = isClosingFill(fill);
  return {
    trades: p.trades + (fill.kind === 'trade' ? 1 : 0),
    closing: p.closing + (closing ? 1 : 0),
    wins: p.wins + (closing && fill.realizedPnl.greaterThan(0) ? 1 : 0),
    realized: p.realized.plus(fill.realizedPnl),
    fees: p.fees.plus(fill.fee),
    net: p.net.plus(fill.realizedPnl).minus(fill.fee),
  };
}

/** Trades, win rate and PnL per symbol and per VP (symbols sorted, VPs in the order given). */
export function performanceOf(fills: readonly ReportFill[], vps: readonly ReportVp[]): Performance {
  const bySymbol = new Map<string, PerformanceFigures>();
  const byVp = new Map<number, PerformanceFigures>();
  let total = emptyPerformance();
  for (const fill of fills) {
    bySymbol.set(fill.symbol, addToPerformance(bySymbol.get(fill.symbol) ?? emptyPerformance(), fill));
    byVp.set(fill.vpId, addToPerformance(byVp.get(fill.vpId) ?? emptyPerformance(), fill));
    total = addToPerformance(total, fill);
  }
  return {
    bySymbol: [...bySymbol]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([symbol, figures]) => ({ symbol, ...figures })),
    byVp: vps.flatMap((vp) => {
      const figures = byVp.get(vp.id);
      return figures ? [{ vp, ...figures }] : [];
    }),
    total,
  };
}
