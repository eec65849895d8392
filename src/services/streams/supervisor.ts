import type { AccountExchange } from '../../exchange/types.ts';
import type { Logger } from '../../infra/logger.ts';
import type { AccountView } from '../accounts.ts';
import type { EventBus, StreamHealth } from '../events.ts';
import { AccountStreamWatcher, DEFAULT_TIMING, type WatcherStatus, type WatcherTiming } from './account-watcher.ts';

export interface ExchangeSource {
  for(accountId: string): Promise<AccountExchange>;
}

export interface SupervisorDeps {
  clients: ExchangeSource;
  bus: EventBus;
  logger: Logger;
  listAccounts: () => Promise<AccountView[]>;
  timing?: Partial<WatcherTiming>;
  /** Symbols every account's REST catch-up includes from the start (spot and futures forms). */
  defaultSymbols?: (account: AccountView) => string[];
}

export interface StreamStatus {
  health: StreamHealth | 'failed';
  reason: string | undefined;
  since: number;
  lastEventAt: number | undefined;
  reconnects: number;
}

/**
 * One watcher per active account. A watcher that cannot start (its client cannot be built, its
 * key is refused, the exchange is down) is retried with backoff on its own; no account's
 * trouble ever touches another's watcher.
 */
export class StreamSupervisor {
  private readonly watchers = new Map<string, AccountStreamWatcher>();
  private readonly failures = new Map<
    string,
    { reason: string; since: number; attempts: number; timer: NodeJS.Timeout }
  >();
  private readonly timing: WatcherTiming;
  private stopped = false;

  constructor(private readonly deps: SupervisorDeps) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
  }

  async start(): Promise<void> {
    const accounts = await this.deps.listAccounts();
    await Promise.all(accounts.filter((a) => a.status === 'ACTIVE').map((a) => this.watch(a)));
  }

  async watch(account: AccountView): Promise<void> {
    if (this.stopped || this.watchers.has(account.id)) return;
    const previous = this.failures.get(account.id);
    this.clearFailure(account.id);
    try {
      const exchange = await this.deps.clients.for(account.id);
      const watcher = new AccountStreamWatcher(
        exchange,
        this.deps.bus,
        this.deps.logger,
        this.timing,
        this.deps.defaultSymbols?.(account) ?? [],
      );
      this.watchers.set(account.id, watcher);
      watcher.start();
    } catch (err) {
      this.retryLater(account, err, previous);
    }
  }

  async unwatch(accountId: string): Promise<void> {
    this.clearFailure(accountId);
    const watcher = this.watchers.get(accountId);
    this.watchers.delete(accountId);
    await watcher?.stop();
  }

  status(accountId: string): StreamStatus | undefined {
    const failure = this.failures.get(accountId);
    if (failure) {
      return {
        health: 'failed',
        reason: failure.reason,
        since: failure.since,
        lastEventAt: undefined,
        reconnects: failure.attempts,
      };
    }
    const state: WatcherStatus | undefined = this.watchers.get(accountId)?.state;
    return (
      state && {
        health: state.health,
        reason: state.reason,
        since: state.since,
        lastEventAt: state.lastEventAt,
        reconnects: state.reconnects,
      }
    );
  }

  /**
   * Holds these accounts' streams (their messages wait in the socket, none is lost) until the
   * returned function is called — for at most `maxMs`, and never longer than half the
   * watchdog's silence grace, so a held stream is never taken for a silent one.
   */
  async hold(accountIds: string[], maxMs: number): Promise<() => void> {
    const limitMs = Math.min(maxMs, this.timing.silenceGraceMs / 2);
    if (limitMs <= 0 || accountIds.length === 0) return () => undefined;
    const releases = await Promise.all(
      accountIds.map(async (id) => (await this.deps.clients.for(id).catch(() => undefined))?.holdStreams()),
    );
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      for (const r of releases) r?.();
    };
    const timer = setTimeout(release, limitMs);
    timer.unref();
    return release;
  }

  track(accountId: string, symbol: string): void {
    this.watchers.get(accountId)?.track(symbol);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const id of [...this.failures.keys()]) this.clearFailure(id);
    await Promise.all([...this.watchers.keys()].map((id) => this.unwatch(id)));
  }

  private retryLater(
    account: AccountView,
    err: unknown,
    previous: { since: number; attempts: number } | undefined,
  ): void {
    const attempts = (previous?.attempts ?? 0) + 1;
    const delay = Math.min(this.timing.backoffInitialMs * 2 ** attempts, this.timing.backoffMaxMs);
    const reason = err instanceof Error ? err.message : String(err);
    this.deps.logger.warn({ account: account.id, reason, retryInMs: delay }, 'account stream could not start');
    const timer = setTimeout(() => {
      void this.deps.listAccounts().then((all) => {
        const current = all.find((a) => a.id === account.id);
        if (current?.status === 'ACTIVE') return this.watch(current);
        return undefined;
      });
    }, delay);
    this.failures.set(account.id, { reason, since: previous?.since ?? Date.now(), attempts, timer });
    this.deps.bus.emit({ type: 'stream', accountId: account.id, health: 'stopped', reason });
  }

  private clearFailure(accountId: string): void {
    const failure = this.failures.get(accountId);
    if (failure) clearTimeout(failure.timer);
    this.failures.delete(accountId);
  }
}
