import { z } from 'zod';
import { MAX_PERIOD_DAYS, utcDay, type ReportPeriod } from '../../domain/report-periods.ts';
import type { ArgDef } from '../types.ts';

const PERIOD_FORM = /^(today|yesterday|\d+d|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})$/i;

function periodOf(text: string): ReportPeriod | undefined {
  if (text === 'today' || text === 'yesterday' || text === 'all') return { kind: text };
  const days = /^(\d+)d$/.exec(text);
  if (days) return { kind: 'days', days: Number(days[1]) };
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(text);
  if (range) return { kind: 'range', from: range[1] ?? '', to: range[2] ?? '' };
  return undefined;
}

function rangeIsReal(p: ReportPeriod): boolean {
  if (p.kind !== 'range') return true;
  const from = utcDay(p.from);
  const to = utcDay(p.to);
  return !!from && !!to && from <= to;
}

/**
 * `[today|yesterday|7d|30d|all|<from>..<to>]`: UTC days. Recognised by its form wherever it stands, so
 * `/pnl today` is a period and not an account; `all` alone stays the account's word
 * (`/pnl all` = every account), and a second `all` is this argument's (`/pnl all all`).
 */
export const periodArg = {
  schema: z
    .string()
    .trim()
    .toLowerCase()
    .transform((s, ctx) => {
      const period = periodOf(s);
      if (!period || !rangeIsReal(period)) {
        ctx.addIssue({ code: 'custom', params: { key: 'errors.arg_invalid' } });
        return z.NEVER;
      }
      if (period.kind === 'days' && (period.days < 1 || period.days > MAX_PERIOD_DAYS)) {
        ctx.addIssue({ code: 'custom', params: { key: 'errors.arg_range', min: '0', max: String(MAX_PERIOD_DAYS) } });
        return z.NEVER;
      }
      return period;
    })
    .optional(),
  descriptionKey: 'args.report_period',
  placeholder: 'today|yesterday|7d|30d|all|from..to',
  example: '7d',
  flexible: true,
  form: PERIOD_FORM,
  resembles: /\d|\.\.|^all$/i,
} satisfies ArgDef;

/** `[days]` of /daily (`[weeks]`, `[months]`), /weekly, /monthly: how many periods back, the current one included. */
export function periodCountArg(max: number, descriptionKey: string) {
  return {
    schema: z.coerce.number().int().min(1).max(max).optional(),
    descriptionKey,
    example: '7',
  } satisfies ArgDef;
}
