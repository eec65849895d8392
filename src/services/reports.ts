import type { Decimal } from 'decimal.js';
import { exact } from '../domain/exact-decimal.ts';
import { assetsOf } from '../domain/market-symbol.ts';
import {
  markKey,
  performanceOf,
  pnlByPeriod,
  summarizePnl,
  type Performance,
  type PeriodPnl,
  type PnlFigures,
  type PnlSummary,
  type ReportFill,
  type ReportVp,
} from '../domain/pnl-report.ts';
import { recentPeriods, type PeriodUnit, type TimeRange } from '../domain/report-periods.ts';
import type { ExchangeClients } from '../exchange/clients.ts';
import type { Db } from '../infra/db/client.ts';
import { ledgerOf, type VirtualPositions } from './orders/virtual-positions.ts';

/** One exchange trade of the book, as /trades lists it; `vp` undefined for a fill no VP of ours explains. */
export interface TradeRow {
  id: number;
  at: Date;
  accountId: string;
  symbol: string;
  vp: ReportVp | undefined;
  side: 'buy' | 'sell';
  positionSide: string;
  qty: Decimal;
  price: Decimal;
  fee: Decimal;
  exchangeOrderId: string;
}

/** The most fills /trades lists at once. */
export const MAX_TRADES = 100;

/**
 * The desk's reports — PnL, PnL per period, fill history, performance — over the accounts a
 * caller may see, which the caller passes in: this service applies no grants of its own, so chat
 * and the admin read the same figures through it. The arithmetic is domain/pnl-report.ts's.
 */
export class ReportService {
  constructor(private readonly deps: { db: Db; exchanges: ExchangeClients; vps: VirtualPositions }) {}

  /** Realized PnL and fees of the fills in `range`, and unrealized PnL of the open VPs now. */
  async pnl(accountIds: readonly string[], range: TimeRange): Promise<PnlSummary> {
    const [fills, vps] = await Promise.all([this.vpFills(accountIds, range), this.vpsOf(accountIds)]);
    return summarizePnl(fills, vps, range, await this.marksOf(vps));
  }

  /** The last `count` UTC days, ISO weeks or months up to `now`, most recent first, with their sum. */
  async byPeriod(
    accountIds: readonly string[],
    unit: PeriodUnit,
    count: number,
    now = new Date(),
  ): Promise<{ rows: PeriodPnl[]; total: PnlFigures }> {
    const periods = recentPeriods(unit, count, now);
    const from = periods.at(-1)?.start;
    const to = periods[0]?.end;
    const fills = await this.vpFills(accountIds, { ...(from ? { from } : {}), ...(to ? { to } : {}) });
    return pnlByPeriod(fills, periods);
  }

  /** All-time trades, win rate and PnL per symbol and per VP. */
  async performance(accountIds: readonly string[]): Promise<Performance> {
    const [fills, vps] = await Promise.all([this.vpFills(accountIds, {}), this.vpsOf(accountIds)]);
    return performanceOf(fills, vps);
  }

  /** The most recent exchange fills (at most MAX_TRADES), newest first; only those of VPs named `vpName` when given. */
  async trades(
    accountIds: readonly string[],
    { vpName, limit }: { vpName?: string; limit: number },
  ): Promise<TradeRow[]> {
    const vps = await this.vpsOf(accountIds);
    const byId = new Map(vps.map((vp) => [vp.id, vp]));
    const named = vpName === undefined ? undefined : vps.filter((vp) => vp.name === vpName).map((vp) => vp.id);
    const rows = await this.deps.db.fill.findMany({
      where: { accountId: { in: [...accountIds] }, kind: 'trade', ...(named ? { vpId: { in: named } } : {}) },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: Math.min(limit, MAX_TRADES),
    });
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      accountId: r.accountId,
      symbol: r.symbol,
      vp: r.vpId === null ? undefined : byId.get(r.vpId),
      side: r.side === 'sell' ? 'sell' : 'buy',
      positionSide: r.positionSide,
      qty: exact(r.qty),
      price: exact(r.price),
      fee: exact(r.fee),
      exchangeOrderId: r.exchangeOrderId,
    }));
  }

  /** The fills the VP ledger booked in `range`, oldest first, as exact decimals. */
  private async vpFills(accountIds: readonly string[], range: TimeRange): Promise<ReportFill[]> {
    const rows = await this.deps.db.fill.findMany({
      where: {
        accountId: { in: [...accountIds] },
        vpId: { not: null },
        ...(range.from || range.to
          ? { at: { ...(range.from ? { gte: range.from } : {}), ...(range.to ? { lt: range.to } : {}) } }
          : {}),
      },
      select: {
        accountId: true,
        vpId: true,
        symbol: true,
        side: true,
        positionSide: true,
        realizedPnl: true,
        fee: true,
        at: true,
        kind: true,
      },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
    });
    return rows.map((r) => ({
      accountId: r.accountId,
      vpId: r.vpId ?? 0,
      symbol: r.symbol,
      side: r.side === 'sell' ? 'sell' : 'buy',
      positionSide: r.positionSide === 'SHORT' ? 'SHORT' : 'LONG',
      realizedPnl: exact(r.realizedPnl),
      fee: exact(r.fee),
      at: r.at,
      kind: r.kind,
    }));
  }

  private async vpsOf(accountIds: readonly string[]): Promise<ReportVp[]> {
    return (await this.deps.vps.list(accountIds)).map((vp) => ({
      id: vp.id,
      accountId: vp.accountId,
      symbol: vp.symbol,
      positionSide: vp.positionSide === 'SHORT' ? 'SHORT' : 'LONG',
      name: vp.name,
      ledger: ledgerOf(vp),
    }));
  }

  /**
   * The last price of every open VP's base asset on its own account's market (what /vp show
   * reads), one request per account; an account that cannot be read leaves its VPs unpriced.
   */
  private async marksOf(vps: readonly ReportVp[]): Promise<Map<string, Decimal>> {
    const open = vps.filter((vp) => !vp.ledger.netQty.isZero());
    const perAccount = new Map<string, Set<string>>();
    for (const vp of open) perAccount.set(vp.accountId, (perAccount.get(vp.accountId) ?? new Set()).add(vp.symbol));
    const marks = new Map<string, Decimal>();
    await Promise.all(
      [...perAccount].map(async ([accountId, symbols]) => {
        try {
          const exchange = await this.deps.exchanges.for(accountId);
          const bases = [...symbols].map((s) => assetsOf(s).base);
          const prices = await exchange.fetchUsdtPrices([...new Set(bases)]);
          for (const symbol of symbols) {
            const price = prices.get(assetsOf(symbol).base);
            if (price) marks.set(markKey(accountId, symbol), exact(price));
          }
        } catch {
          // Unpriced: the reply says which VPs it could not value.
        }
      }),
    );
    return marks;
  }
}
