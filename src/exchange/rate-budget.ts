import type { EndpointRule, RateLimitHint, RateLimits, Window } from './venue.ts';

/** Time as the budget sees it; tests pass fake timers or a manual clock. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A sliding-window log: what was spent in the last `windowMs`, entry by entry. */
class SlidingWindow {
  private entries: { at: number; amount: number }[] = [];
  private used = 0;

  constructor(readonly window: Window) {}

  /** Milliseconds until `amount` fits; 0 when it fits now. */
  waitFor(amount: number, now: number): number {
    this.prune(now);
    // An oversized request (more than the whole window) still runs, alone.
    if (amount <= 0 || this.used + amount <= this.window.limit || this.used === 0) return 0;
    let excess = this.used + amount - this.window.limit;
    for (const entry of this.entries) {
      excess -= entry.amount;
      if (excess <= 0) return entry.at + this.window.windowMs - now;
    }
    return this.window.windowMs;
  }

  take(amount: number, now: number): void {
    if (amount <= 0) return;
    this.entries.push({ at: now, amount });
    this.used += amount;
  }

  usage(now: number): number {
    this.prune(now);
    return this.used;
  }

  private prune(now: number): void {
    let expired = 0;
    while (expired < this.entries.length && (this.entries[expired]?.at ?? 0) <= now - this.window.windowMs) {
      this.used -= this.entries[expired]?.amount ?? 0;
      expired += 1;
    }
    if (expired > 0) this.entries.splice(0, expired);
  }
}

export interface BudgetRequest {
  /** One exchange API host as the exchange counts it, e.g. `binance-usdm-prod`. */
  host: string;
  limits: RateLimits;
  /** Undefined for shared public requests (market loading). */
  account: string | undefined;
  /** `METHOD /path`, the key of the venue's table. */
  endpoint: string;
  /** Whether the request names a symbol (listings cost more without one). */
  hasSymbol: boolean;
}

interface Charge {
  window: SlidingWindow;
  amount: number;
}

const SECOND: Window = { limit: 0, windowMs: 1000 };

/**
 * The one rate limiter of every exchange call (ccxt's own is switched off). It knows the
 * exchange's real accounting — request weight per host, orders per account, Bitget's
 * per-endpoint caps — and makes a call *wait* for budget instead of failing. After a 429/418
 * it pauses the whole host (or, for an account's own limit, that account) until retry-after.
 */
export class RateBudget {
  private readonly windows = new Map<string, SlidingWindow>();
  private readonly pauses = new Map<string, number>();

  constructor(private readonly clock: Clock = systemClock) {}

  async acquire(request: BudgetRequest): Promise<void> {
    const charges = this.chargesOf(request);
    for (;;) {
      const now = this.clock.now();
      let wait = Math.max(this.pausedFor(request.host, now), this.pausedFor(accountKey(request), now));
      for (const { window, amount } of charges) wait = Math.max(wait, window.waitFor(amount, now));
      if (wait <= 0) {
        for (const { window, amount } of charges) window.take(amount, now);
        return;
      }
      await this.clock.sleep(wait);
    }
  }

  /** Applies an exchange's "slow down": the host, or only the account that hit its own limit. */
  pause(host: string, account: string | undefined, hint: RateLimitHint): void {
    const key = hint.scope === 'account' && account ? `${host}#${account}` : host;
    this.pauses.set(key, Math.max(this.pauses.get(key) ?? 0, hint.untilMs));
  }

  /** When the host (or the account on it) may send again; undefined when not paused. */
  pausedUntil(host: string, account?: string): number | undefined {
    const now = this.clock.now();
    const until = Math.max(this.pausedFor(host, now), account ? this.pausedFor(`${host}#${account}`, now) : 0);
    return until > 0 ? now + until : undefined;
  }

  /** Weight spent on a host in its current window (for health and tests). */
  hostWeightUsed(host: string): number {
    return this.windows.get(`${host}#weight`)?.usage(this.clock.now()) ?? 0;
  }

  private chargesOf({ host, limits, account, endpoint, hasSymbol }: BudgetRequest): Charge[] {
    const rule: EndpointRule = limits.endpoints[endpoint] ?? limits.fallback;
    const charges: Charge[] = [];
    const weight = !hasSymbol && rule.noSymbolWeight !== undefined ? rule.noSymbolWeight : (rule.weight ?? 0);
    if (limits.hostWeight && weight > 0) {
      charges.push({ window: this.window(`${host}#weight`, limits.hostWeight), amount: weight });
    }
    if (account && rule.orders) {
      limits.accountOrders.forEach((window, i) => {
        charges.push({ window: this.window(`${host}#${account}#orders#${i}`, window), amount: rule.orders ?? 0 });
      });
    }
    if (rule.perSecond) {
      const perSecond = { ...SECOND, limit: rule.perSecond };
      charges.push({ window: this.window(`${host}#${account ?? '*'}#${endpoint}`, perSecond), amount: 1 });
    }
    return charges;
  }

  private window(key: string, window: Window): SlidingWindow {
    let found = this.windows.get(key);
    if (!found) {
      found = new SlidingWindow(window);
      this.windows.set(key, found);
    }
    return found;
  }

  private pausedFor(key: string | undefined, now: number): number {
    if (!key) return 0;
    const until = this.pauses.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      this.pauses.delete(key);
      return 0;
    }
    return until - now;
  }
}

function accountKey({ host, account }: BudgetRequest): string | undefined {
  return account ? `${host}#${account}` : undefined;
}
