/**
 * The periods reports are cut into. Every boundary is a UTC midnight: a desk has traders in
 * several time zones and one book, so "today" and "this week" must mean the same to all of them.
 * Ranges are half-open, [from, to): a fill at exactly midnight belongs to the day it starts.
 */

/** What `/pnl` was asked about: `today`, `yesterday`, the last `7d`, `all`, or whole UTC days `from..to`. */
export type ReportPeriod =
  | { kind: 'today' }
  | { kind: 'yesterday' }
  | { kind: 'days'; days: number }
  | { kind: 'all' }
  | { kind: 'range'; from: string; to: string };

/** A span of time, half-open; a missing bound is open (all time). */
export interface TimeRange {
  from?: Date;
  to?: Date;
}

export type PeriodUnit = 'day' | 'week' | 'month';

/** The longest period `7d` may name: ten years of days. */
export const MAX_PERIOD_DAYS = 3650;

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC midnight of a `YYYY-MM-DD` date, or undefined when there is no such day (2026-02-30). */
export function utcDay(text: string): Date | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = new Date(Date.UTC(year, month - 1, day));
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day ? at : undefined;
}

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

function addUtcDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

/**
 * The time a period covers at `now`: `today` from this UTC midnight; `7d` the last seven UTC
 * days, today included (so `/pnl 7d` and seven rows of `/daily` cover the same fills); a range
 * from the first day's midnight to the end of the last day.
 */
export function rangeOf(period: ReportPeriod, now: Date): TimeRange {
  const today = startOfUtcDay(now);
  switch (period.kind) {
    case 'all':
      return {};
    case 'today':
      return { from: today, to: addUtcDays(today, 1) };
    case 'yesterday':
      return { from: addUtcDays(today, -1), to: today };
    case 'days':
      return { from: addUtcDays(today, 1 - period.days), to: addUtcDays(today, 1) };
    case 'range': {
      const from = utcDay(period.from);
      const to = utcDay(period.to);
      if (!from || !to) throw new RangeError(`not a date range: ${period.from}..${period.to}`);
      return { from, to: addUtcDays(to, 1) };
    }
  }
}

export function inRange(range: TimeRange, at: Date): boolean {
  return (!range.from || at >= range.from) && (!range.to || at < range.to);
}

/** The UTC period of this unit that holds `at`: its day, its ISO week (from Monday), its month. */
export function periodStart(unit: PeriodUnit, at: Date): Date {
  const day = startOfUtcDay(at);
  if (unit === 'day') return day;
  if (unit === 'week') return addUtcDays(day, -((day.getUTCDay() + 6) % 7));
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
}

function nextPeriod(unit: PeriodUnit, start: Date): Date {
  if (unit === 'day') return addUtcDays(start, 1);
  if (unit === 'week') return addUtcDays(start, 7);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

function previousPeriod(unit: PeriodUnit, start: Date): Date {
  if (unit === 'day') return addUtcDays(start, -1);
  if (unit === 'week') return addUtcDays(start, -7);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1));
}

export interface Period {
  start: Date;
  end: Date;
}

/** The last `count` periods of this unit up to the one holding `now`, most recent first. */
export function recentPeriods(unit: PeriodUnit, count: number, now: Date): Period[] {
  const periods: Period[] = [];
  let start = periodStart(unit, now);
  for (let i = 0; i < count; i++) {
    periods.push({ start, end: nextPeriod(unit, start) });
    start = previousPeriod(unit, start);
  }
  return periods;
}

/** How a period is named in a table: `2026-12-04` (a day, a week by its Monday), `2026-12` (a month). */
export function periodLabel(unit: PeriodUnit, start: Date): string {
  const date = start.toISOString().slice(0, 10);
  return unit === 'month' ? date.slice(0, 7) : date;
}
