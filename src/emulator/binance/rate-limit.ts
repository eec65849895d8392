import { errors, type BinanceError, type BinanceMarket } from './errors.ts';

export interface RateLimitOptions {
  /** Request weight per IP per minute (Binance: 6000 spot, 2400 USDT-M). */
  spotWeightPerMinute?: number;
  futuresWeightPerMinute?: number;
  /** New orders per account per 10 s (Binance: 100 spot, 300 USDT-M). */
  spotOrdersPer10s?: number;
  futuresOrdersPer10s?: number;
  /** New orders per account per day (spot, 200000 as exchangeInfo says) and per minute (USDT-M, 1200). */
  spotOrdersPerDay?: number;
  futuresOrdersPerMinute?: number;
  /** Requests refused with 429 in one window before the IP is banned with 418. */
  banAfterViolations?: number;
  banMs?: number;
}

interface WeightWindow {
  window: number;
  used: number;
  violations: number;
  bannedUntil: number;
}

/** One order-count window: its length, its limit and the header that reports it. */
interface OrderWindow {
  ms: number;
  limit: number;
  header: string;
}

const SECONDS_10 = 10_000;
const MINUTE = 60_000;
const DAY = 86_400_000;
/** How Binance names an interval in its messages ("… orders per 10 SECOND."). */
const INTERVAL_NAMES: Record<number, string> = { [SECONDS_10]: '10 SECOND', [MINUTE]: '1 MINUTE', [DAY]: '1 DAY' };

/**
 * Binance's "Retry-After" (whole seconds, never 0 while a wait is left). Spot's LIMITS page
 * documents it with 418 and 429; USDT-M's LIMITS page does not, so futures answers go without.
 */
function retryAfter(market: BinanceMarket, ms: number): Record<string, string> {
  return market === 'spot' ? { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) } : {};
}

/**
 * Binance's per-IP request-weight counter (fixed one-minute windows, reported on every answer as
 * X-MBX-USED-WEIGHT-1M), escalating from 429 to a 418 ban when a client keeps going, plus the
 * per-account order counts (X-MBX-ORDER-COUNT-10S and -1D on spot, -10S and -1M on USDT-M). A spot
 * 429 or 418 for request weight carries Retry-After (seconds until the window ends, or the ban); a
 * 429 for too many orders does not (spot docs: "you will receive a 429 error without the
 * Retry-After header").
 */
export class BinanceRateLimiter {
  private readonly weights = new Map<string, WeightWindow>();
  private readonly orders = new Map<string, { window: number; count: number }>();
  private readonly limits: Required<RateLimitOptions>;

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number,
  ) {
    this.limits = {
      spotWeightPerMinute: 6000,
      futuresWeightPerMinute: 2400,
      spotOrdersPer10s: 100,
      futuresOrdersPer10s: 300,
      spotOrdersPerDay: 200_000,
      futuresOrdersPerMinute: 1200,
      banAfterViolations: 20,
      banMs: 120_000,
      ...options,
    };
  }

  /**
   * Counts the request's weight and returns the weight used so far this minute. A refusal (429,
   * 418) carries the weight header and Retry-After itself.
   */
  charge(market: BinanceMarket, ip: string, weight: number): number {
    const now = this.now();
    const key = `${market}:${ip}`;
    const window = Math.floor(now / MINUTE);
    let entry = this.weights.get(key);
    if (entry?.window !== window) {
      entry = { window, used: 0, violations: 0, bannedUntil: entry?.bannedUntil ?? 0 };
      this.weights.set(key, entry);
    }
    if (entry.bannedUntil > now) throw this.banned(market, entry, now);
    entry.used += weight;
    const limit = market === 'spot' ? this.limits.spotWeightPerMinute : this.limits.futuresWeightPerMinute;
    if (entry.used > limit) {
      entry.violations++;
      if (entry.violations > this.limits.banAfterViolations) {
        entry.bannedUntil = now + this.limits.banMs;
        throw this.banned(market, entry, now);
      }
      throw withHeaders(errors.tooMuchWeight(limit), {
        ...weightHeaders(entry.used),
        ...retryAfter(market, (window + 1) * MINUTE - now),
      });
    }
    return entry.used;
  }

  private banned(market: BinanceMarket, entry: WeightWindow, now: number): BinanceError {
    return withHeaders(errors.banned(entry.bannedUntil), {
      ...weightHeaders(entry.used),
      ...retryAfter(market, entry.bannedUntil - now),
    });
  }

  /**
   * Counts a new order against every order window of the market; returns the
   * X-MBX-ORDER-COUNT-* headers of a successful order answer. Over a limit: 429 -1015.
   */
  chargeOrder(market: BinanceMarket, accountId: string): Record<string, string> {
    const now = this.now();
    const headers: Record<string, string> = {};
    let exceeded: OrderWindow | undefined;
    for (const window of this.orderWindows(market)) {
      const key = `${market}:${accountId}:${window.header}`;
      const index = Math.floor(now / window.ms);
      let entry = this.orders.get(key);
      if (entry?.window !== index) {
        entry = { window: index, count: 0 };
        this.orders.set(key, entry);
      }
      entry.count++;
      headers[window.header] = String(entry.count);
      if (entry.count > window.limit) exceeded ??= window;
    }
    if (exceeded) throw errors.tooManyOrders(exceeded.limit, INTERVAL_NAMES[exceeded.ms] ?? '');
    return headers;
  }

  private orderWindows(market: BinanceMarket): OrderWindow[] {
    return market === 'spot'
      ? [
          { ms: SECONDS_10, limit: this.limits.spotOrdersPer10s, header: 'x-mbx-order-count-10s' },
          { ms: DAY, limit: this.limits.spotOrdersPerDay, header: 'x-mbx-order-count-1d' },
        ]
      : [
          { ms: SECONDS_10, limit: this.limits.futuresOrdersPer10s, header: 'x-mbx-order-count-10s' },
          { ms: MINUTE, limit: this.limits.futuresOrdersPerMinute, header: 'x-mbx-order-count-1m' },
        ];
  }
}

/** The weight headers of every answer: the current one-minute count (and its legacy name). */
export function weightHeaders(used: number): Record<string, string> {
  return { 'x-mbx-used-weight': String(used), 'x-mbx-used-weight-1m': String(used) };
}

function withHeaders(error: BinanceError, headers: Record<string, string>): BinanceError {
  Object.assign(error.headers, headers);
  return error;
}
