import { errors, type BinanceMarket } from './errors.ts';

export interface RateLimitOptions {
  /** Request weight per IP per minute (Binance: 6000 spot, 2400 USDT-M). */
  spotWeightPerMinute?: number;
  futuresWeightPerMinute?: number;
  /** New orders per account per 10 s (Binance: 100 spot, 300 USDT-M). */
  spotOrdersPer10s?: number;
  futuresOrdersPer10s?: number;
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

/**
 * Binance's per-IP request-weight counter (fixed one-minute windows, X-MBX-USED-WEIGHT-1M),
 * escalating from 429 to a 418 ban when a client keeps going, plus the per-account order count.
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
      banAfterViolations: 20,
      banMs: 120_000,
      ...options,
    };
  }

  /** Counts the request's weight and returns the weight used so far this minute. */
  charge(market: BinanceMarket, ip: string, weight: number): number {
    const now = this.now();
    const key = `${market}:${ip}`;
    const window = Math.floor(now / 60_000);
    let entry = this.weights.get(key);
    if (entry?.window !== window) {
      entry = { window, used: 0, violations: 0, bannedUntil: entry?.bannedUntil ?? 0 };
      this.weights.set(key, entry);
    }
    if (entry.bannedUntil > now) throw errors.banned(entry.bannedUntil);
    entry.used += weight;
    const limit = market === 'spot' ? this.limits.spotWeightPerMinute : this.limits.futuresWeightPerMinute;
    if (entry.used > limit) {
      entry.violations++;
      if (entry.violations > this.limits.banAfterViolations) {
        entry.bannedUntil = now + this.limits.banMs;
        throw errors.banned(entry.bannedUntil);
      }
      throw errors.tooMuchWeight(limit);
    }
    return entry.used;
  }

  chargeOrder(market: BinanceMarket, accountId: string): void {
    const key = `${market}:${accountId}`;
    const window = Math.floor(this.now() / 10_000);
    let entry = this.orders.get(key);
    if (entry?.window !== window) {
      entry = { window, count: 0 };
      this.orders.set(key, entry);
    }
    entry.count++;
    const limit = market === 'spot' ? this.limits.spotOrdersPer10s : this.limits.futuresOrdersPer10s;
    if (entry.count > limit) throw errors.tooManyOrders(limit);
  }
}
