export interface ThrottleLimits {
  /** Failed logins from one client address within the window before it is locked out. */
  perClient: number;
  /** Failed logins from everywhere within the window before every login is locked out. */
  overall: number;
  windowMs: number;
  /** How long a lockout lasts. */
  lockMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = {
  perClient: 5,
  overall: 30,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
};

export type ThrottleVerdict = { allowed: true } | { allowed: false; until: number; scope: 'client' | 'overall' };

/**
 * Failed-login counting with lockout, per client address and overall (a distributed guess from
 * many addresses). In memory on purpose: no database write per attempt for an attacker to drive,
 * and a restart — which needs the machine anyway — may forget the counts.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly overall: number[] = [];
  private readonly locks = new Map<string, number>();
  private overallLock = 0;

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number,
  ) {}

  /** Whether a login from `client` may be tried now (a correct password is refused while locked). */
  check(client: string): ThrottleVerdict {
    const now = this.now();
    const clientLock = this.locks.get(client) ?? 0;
    if (clientLock > now) return { allowed: false, until: clientLock, scope: 'client' };
    if (this.overallLock > now) return { allowed: false, until: this.overallLock, scope: 'overall' };
    return { allowed: true };
  }

  /** Counts a failed login; returns the lockout it started, if any. */
  fail(client: string): ThrottleVerdict {
    const now = this.now();
    const since = now - this.limits.windowMs;
    const mine = (this.failures.get(client) ?? []).filter((at) => at > since);
    mine.push(now);
    this.failures.set(client, mine);
    while (this.overall.length > 0 && (this.overall[0] ?? 0) <= since) this.overall.shift();
    this.overall.push(now);
    if (mine.length >= this.limits.perClient) {
      this.locks.set(client, now + this.limits.lockMs);
      this.failures.delete(client);
      return { allowed: false, until: now + this.limits.lockMs, scope: 'client' };
    }
    if (this.overall.length >= this.limits.overall) {
      this.overallLock = now + this.limits.lockMs;
      this.overall.length = 0;
      return { allowed: false, until: this.overallLock, scope: 'overall' };
    }
    this.prune(since);
    return { allowed: true };
  }

  succeed(client: string): void {
    this.failures.delete(client);
  }

  /** Keeps the maps small when many addresses fail once each. */
  private prune(since: number): void {
    if (this.failures.size < 10_000) return;
    for (const [client, times] of this.failures) if ((times.at(-1) ?? 0) <= since) this.failures.delete(client);
    for (const [client, until] of this.locks) if (until <= this.now()) this.locks.delete(client);
  }
}
