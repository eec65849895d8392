import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { displayMoney } from '../../domain/display-number.ts';
import { winRate, type PerformanceFigures } from '../../domain/pnl-report.ts';
import { vpNameSchema } from './trading-args.ts';
import { term } from '../../i18n/index.ts';
import { MAX_TRADES } from '../../services/reports.ts';
import { accountNumbers, type MarketNumbers } from '../format/numbers.ts';
import { monospaceTable } from '../format/table.ts';
import { defineCommand, type ArgDef, type CommandContext } from '../types.ts';
import { accountOrAllArg, accountsInScope } from './scope.ts';

const DEFAULT_TRADES = 20;

/** `[count]`: digits are a count wherever they stand, so `/trades 50` is not an account or a VP. */
const tradesCountArg = {
  schema: z.coerce.number().int().min(1).max(MAX_TRADES).optional(),
  descriptionKey: 'args.trades_count',
  example: '20',
  flexible: true,
  form: /^[-+]?\d+$/,
  resembles: /^[-+]?\d/,
} satisfies ArgDef;

/** `[vp]`: only the fills of VPs of this name (on any symbol or side of the accounts in scope). */
const tradesVpArg = {
  schema: vpNameSchema.optional(),
  descriptionKey: 'args.trades_vp',
  example: 'alpha',
  complete: 'vp',
} satisfies ArgDef;

/** The numbers of each (account, symbol) met, read once per reply. */
function numbersCache(ctx: CommandContext): (accountId: string, symbol: string) => Promise<MarketNumbers> {
  const cache = new Map<string, Promise<MarketNumbers>>();
  return (accountId, symbol) => {
    const key = `${accountId} ${symbol}`;
    const found = cache.get(key);
    if (found) return found;
    const numbers = accountNumbers(ctx.services, accountId, symbol);
    cache.set(key, numbers);
    return numbers;
  };
}

/** Fill history, newest first: time (UTC), account, VP, symbol, side, quantity, price, fee, order id. */
export const tradesCommand = defineCommand({
  name: 'trades',
  aliases: ['fills'],
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: { account: accountOrAllArg, vp: tradesVpArg, count: tradesCountArg },
  async run(ctx, { account, vp, count }) {
    const { t } = ctx;
    const accounts = await accountsInScope(ctx, account);
    if (accounts.length === 0) return { text: t('accounts.none') };
    const limit = count ?? DEFAULT_TRADES;
    const trades = await ctx.services.reports.trades(
      accounts.map((a) => a.id),
      { ...(vp ? { vpName: vp } : {}), limit },
    );
    if (trades.length === 0) return { text: t('reports.trades_none') };
    const numbersOf = numbersCache(ctx);
    const rows = await Promise.all(
      trades.map(async (f) => {
        const numbers = await numbersOf(f.accountId, f.symbol);
        return [
          f.at.toISOString().replace('T', ' ').slice(0, 19),
          f.accountId,
          f.vp?.name ?? t('reports.external'),
          f.symbol,
          term(t, 'side', f.side),
          numbers.quantity(f.qty),
          numbers.price(f.price),
          numbers.money(f.fee),
          f.exchangeOrderId,
        ];
      }),
    );
    const head = t('reports.trades_head', { count: String(trades.length) });
    return { text: [head, monospaceTable(t('reports.trades_header').split('|'), rows)].join('\n') };
  },
});

function percentOf(rate: Decimal | undefined): string {
  return rate ? `${rate.times(100).toDecimalPlaces(1).toFixed()}%` : '—';
}

function performanceCells(p: PerformanceFigures): string[] {
  return [
    String(p.trades),
    String(p.closing),
    String(p.wins),
    percentOf(winRate(p)),
    displayMoney(p.realized),
    displayMoney(p.fees),
    displayMoney(p.net),
  ];
}

/** All-time trades, closing fills, wins, win rate and PnL per symbol and per VP. */
export const performanceCommand = defineCommand({
  name: 'performance',
  aliases: ['perf'],
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: { account: accountOrAllArg },
  async run(ctx, { account }) {
    const { t } = ctx;
    const accounts = await accountsInScope(ctx, account);
    if (accounts.length === 0) return { text: t('accounts.none') };
    const perf = await ctx.services.reports.performance(accounts.map((a) => a.id));
    if (perf.total.trades === 0 && perf.byVp.length === 0) return { text: t('reports.performance_none') };
    const figures = t('reports.performance_header').split('|');
    const bySymbol = perf.bySymbol.map((s) => [s.symbol, ...performanceCells(s)]);
    bySymbol.push([t('reports.sum'), ...performanceCells(perf.total)]);
    const byVp = perf.byVp.map((v) => [
      v.vp.accountId,
      v.vp.name,
      v.vp.symbol,
      term(t, 'position_side', v.vp.positionSide),
      ...performanceCells(v),
    ]);
    return {
      text: [
        t('reports.performance_head'),
        t('reports.by_symbol'),
        monospaceTable([t('reports.symbol'), ...figures], bySymbol),
        t('reports.by_vp'),
        monospaceTable([...t('reports.vp_columns').split('|'), ...figures], byVp),
        t('reports.win_rate_rule'),
      ].join('\n'),
    };
  },
});
