import type { Decimal } from 'decimal.js';
import { displayMoney } from '../../domain/display-number.ts';
import { assetsOf } from '../../domain/market-symbol.ts';
import type { PnlFigures, VpPnl } from '../../domain/pnl-report.ts';
import { periodLabel, rangeOf, type PeriodUnit, type ReportPeriod } from '../../domain/report-periods.ts';
import { term, type Translate } from '../../i18n/index.ts';
import { monospaceTable } from '../format/table.ts';
import { defineCommand, type CommandContext } from '../types.ts';
import { periodArg, periodCountArg } from './report-args.ts';
import { accountOrAllArg, accountsInScope } from './scope.ts';

const day = (at: Date) => at.toISOString().slice(0, 10);

/** What a period covers, in words and UTC dates: "the last 7 days, 2026-11-28 to 2026-12-04 (UTC)". */
export function describePeriod(t: Translate, period: ReportPeriod, now: Date): string {
  const range = rangeOf(period, now);
  if (!range.from || !range.to) return t('reports.period.all');
  const last = new Date(range.to.getTime() - 1);
  if (period.kind === 'today') return t('reports.period.today', { day: day(range.from) });
  if (period.kind === 'yesterday') return t('reports.period.yesterday', { day: day(range.from) });
  if (period.kind === 'days') {
    return t('reports.period.days', { days: String(period.days), from: day(range.from), to: day(last) });
  }
  return t('reports.period.range', { from: day(range.from), to: day(last) });
}

/** Money of a symbol's quote asset (USDT for every market the desk trades), by the display rule. */
function quoteMoney(symbol: string, value: Decimal): string {
  return displayMoney(value, assetsOf(symbol).quote || 'USDT');
}

function figureCells(f: Pick<PnlFigures, 'realized' | 'fees' | 'net'>, money: (v: Decimal) => string): string[] {
  return [money(f.realized), money(f.fees), money(f.net)];
}

function vpRow(t: Translate, row: VpPnl): string[] {
  const money = (v: Decimal) => quoteMoney(row.vp.symbol, v);
  return [
    row.vp.accountId,
    row.vp.name,
    row.vp.symbol,
    term(t, 'position_side', row.vp.positionSide),
    ...figureCells(row, money),
    row.unpriced ? '—' : money(row.unrealized),
    String(row.trades),
  ];
}

async function accountIdsInScope(ctx: CommandContext, account: string | undefined): Promise<string[] | undefined> {
  const accounts = await accountsInScope(ctx, account);
  return accounts.length === 0 ? undefined : accounts.map((a) => a.id);
}

/** Realized PnL and fees in a period, unrealized PnL now: per VP, per account and for the desk. */
export const pnlCommand = defineCommand({
  name: 'pnl',
  aliases: ['profit'],
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: { account: accountOrAllArg, period: periodArg },
  async run(ctx, { account, period }) {
    const { t } = ctx;
    const ids = await accountIdsInScope(ctx, account);
    if (!ids) return { text: t('accounts.none') };
    const asked: ReportPeriod = period ?? { kind: 'all' };
    const now = new Date();
    const summary = await ctx.services.reports.pnl(ids, rangeOf(asked, now));
    const head = t('reports.pnl_head', { period: describePeriod(t, asked, now) });
    if (summary.accounts.length === 0) return { text: `${head}\n${t('reports.pnl_none')}` };
    const rows = summary.accounts.flatMap((a) => [
      ...a.vps.map((vp) => vpRow(t, vp)),
      [
        a.accountId,
        t('reports.subtotal'),
        '',
        '',
        ...figureCells(a, displayMoney),
        // Part of it is unknown: no figure rather than a partial one (the note names the VPs).
        a.vps.some((v) => v.unpriced) ? '—' : displayMoney(a.unrealized),
        String(a.trades),
      ],
    ]);
    const lines = [head, monospaceTable(t('reports.pnl_header').split('|'), rows)];
    const { total } = summary;
    lines.push(
      t('reports.pnl_total', {
        realized: displayMoney(total.realized),
        fees: displayMoney(total.fees),
        net: displayMoney(total.net),
        unrealized: displayMoney(total.unrealized),
        result: displayMoney(total.net.plus(total.unrealized)),
        trades: String(total.trades),
      }),
    );
    const unpriced = summary.accounts.flatMap((a) =>
      a.vps.filter((v) => v.unpriced).map((v) => `${a.accountId}/${v.vp.name}`),
    );
    if (unpriced.length > 0) lines.push(t('reports.unpriced', { vps: unpriced.join(', ') }));
    return { text: lines.join('\n') };
  },
});

const UNITS: Record<PeriodUnit, { name: string; arg: string; max: number; default: number }> = {
  day: { name: 'daily', arg: 'days', max: 90, default: 7 },
  week: { name: 'weekly', arg: 'weeks', max: 52, default: 4 },
  month: { name: 'monthly', arg: 'months', max: 24, default: 6 },
};

/** `/daily [days]`, `/weekly [weeks]`, `/monthly [months]`: realized PnL, fees and trades per UTC period. */
function periodCommand(unit: PeriodUnit) {
  const { name, arg, max, default: count } = UNITS[unit];
  const args: Record<string, ReturnType<typeof periodCountArg>> = {
    [arg]: periodCountArg(max, `args.report_${arg}`),
  };
  return defineCommand({
    name,
    role: 'viewer',
    scope: 'visible',
    mutates: false,
    args,
    async run(ctx, values) {
      const { t } = ctx;
      const ids = await accountIdsInScope(ctx, undefined);
      if (!ids) return { text: t('accounts.none') };
      const { rows, total } = await ctx.services.reports.byPeriod(ids, unit, values[arg] ?? count);
      const cells = rows.map((r) => [periodLabel(unit, r.start), ...figureCells(r, displayMoney), String(r.trades)]);
      cells.push([t('reports.sum'), ...figureCells(total, displayMoney), String(total.trades)]);
      const header = [t(`reports.unit.${unit}`), ...t('reports.period_header').split('|')];
      return { text: [t(`reports.${name}_head`), monospaceTable(header, cells)].join('\n') };
    },
  });
}

export const dailyCommand = periodCommand('day');
export const weeklyCommand = periodCommand('week');
export const monthlyCommand = periodCommand('month');
