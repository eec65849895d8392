import type { ServerResponse } from 'node:http';

export interface FailNext {
  count: number;
  httpStatus: number;
  code: number | string;
  msg: string;
  /** Sent as the answer's Retry-After header (seconds), as Binance does with its 429 and 418. */
  retryAfterSeconds?: number;
}

export interface Fault {
  /** "POST /api/v3/order"; absent = every endpoint of the account. */
  endpoint?: string;
  latencyMs?: number;
  failNext?: FailNext;
  /** The next N calls never answer: the socket is held until the client gives up. */
  timeoutNext?: number;
  /** Order placement: the order is placed but the answer is "execution status unknown". */
  unknownStatusNext?: number;
  /** Order placement: the order is placed, then its answer never comes (held until the client gives up). */
  dropAnswerNext?: number;
}

/** What to do to one request, decided (and counted down) before it runs. */
export interface FaultPlan {
  latencyMs: number;
  hold: boolean;
  fail?: Omit<FailNext, 'count'>;
  unknownStatus: boolean;
  /** Placed, then held unanswered. */
  dropAnswer: boolean;
}

interface Rule {
  latencyMs?: number;
  failNext?: FailNext;
  timeoutNext: number;
  unknownStatusNext: number;
  dropAnswerNext: number;
}

const ANY = '*';

/** The headers a failing answer carries: Retry-After when the fault names one. */
export function failHeaders(fail: Omit<FailNext, 'count'>): Record<string, string> {
  return fail.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fail.retryAfterSeconds) };
}

/** Per-account, per-endpoint fault rules for tests, paper mode and benchmarks. */
export class FaultRegistry {
  private readonly rules = new Map<string, Map<string, Rule>>();

  add(accountId: string, fault: Fault): void {
    let byEndpoint = this.rules.get(accountId);
    if (!byEndpoint) {
      byEndpoint = new Map();
      this.rules.set(accountId, byEndpoint);
    }
    const key = fault.endpoint ?? ANY;
    const rule = byEndpoint.get(key) ?? { timeoutNext: 0, unknownStatusNext: 0, dropAnswerNext: 0 };
    if (fault.latencyMs !== undefined) rule.latencyMs = fault.latencyMs;
    if (fault.failNext !== undefined) rule.failNext = { ...fault.failNext };
    if (fault.timeoutNext !== undefined) rule.timeoutNext = fault.timeoutNext;
    if (fault.unknownStatusNext !== undefined) rule.unknownStatusNext = fault.unknownStatusNext;
    if (fault.dropAnswerNext !== undefined) rule.dropAnswerNext = fault.dropAnswerNext;
    byEndpoint.set(key, rule);
  }

  clear(accountId?: string): void {
    if (accountId === undefined) this.rules.clear();
    else this.rules.delete(accountId);
  }

  /** The endpoint's own rule wins over the account-wide one; each counter is consumed once. */
  plan(accountId: string, endpoint: string, isOrderPlacement: boolean): FaultPlan {
    const byEndpoint = this.rules.get(accountId);
    const rules = [byEndpoint?.get(endpoint), byEndpoint?.get(ANY)].filter((r): r is Rule => r !== undefined);
    const plan: FaultPlan = {
      latencyMs: rules.find((r) => r.latencyMs !== undefined)?.latencyMs ?? 0,
      hold: false,
      unknownStatus: false,
      dropAnswer: false,
    };
    const holding = rules.find((r) => r.timeoutNext > 0);
    if (holding) {
      holding.timeoutNext--;
      plan.hold = true;
      return plan;
    }
    const failing = rules.find((r) => (r.failNext?.count ?? 0) > 0);
    if (failing?.failNext) {
      failing.failNext.count--;
      const { httpStatus, code, msg, retryAfterSeconds } = failing.failNext;
      plan.fail = { httpStatus, code, msg, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
      return plan;
    }
    if (isOrderPlacement) {
      const unknown = rules.find((r) => r.unknownStatusNext > 0);
      if (unknown) {
        unknown.unknownStatusNext--;
        plan.unknownStatus = true;
        return plan;
      }
      const dropping = rules.find((r) => r.dropAnswerNext > 0);
      if (dropping) {
        dropping.dropAnswerNext--;
        plan.dropAnswer = true;
      }
    }
    return plan;
  }
}

/**
 * Requests a fault told us never to answer. They are released (socket destroyed) when the client
 * hangs up, after `maxHoldMs` at the latest, and all at once on stop().
 */
export class HeldRequests {
  private readonly held = new Map<ServerResponse, NodeJS.Timeout>();

  constructor(private readonly maxHoldMs = 120_000) {}

  hold(res: ServerResponse): void {
    const timer = setTimeout(() => this.release(res), this.maxHoldMs);
    timer.unref();
    this.held.set(res, timer);
    res.on('close', () => this.forget(res));
  }

  get size(): number {
    return this.held.size;
  }

  private forget(res: ServerResponse): void {
    const timer = this.held.get(res);
    if (timer) clearTimeout(timer);
    this.held.delete(res);
  }

  private release(res: ServerResponse): void {
    this.forget(res);
    res.destroy();
  }

  releaseAll(): void {
    for (const res of [...this.held.keys()]) this.release(res);
  }
}
