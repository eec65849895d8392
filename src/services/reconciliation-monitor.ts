import type { ScheduledTask } from 'node-cron';
import type { Difference } from '../domain/reconciliation.ts';
import { marketNumbers } from '../domain/display-number.ts';
import { scheduleJob } from '../infra/cron.ts';
import type { Logger } from '../infra/logger.ts';
import type { AccountService } from './accounts.ts';
import type { EventBus } from './events.ts';
import type { ReconciliationService } from './reconciliation.ts';

/**
 * A difference still unexplained is alerted again every this many runs (at the default schedule,
 * every 5 minutes: once an hour), not on every run.
 */
export const PERSISTING_ALERT_EVERY_RUNS = 12;

/** A new difference is read again after this pause before it is alerted: a fill may be in flight. */
export const SETTLE_MS = 2_000;

export interface RaisedAlert {
  accountId: string;
  symbol: string;
  side: string;
  kind: 'new' | 'persists';
}

interface Seen {
  unexplained: string;
  runs: number;
}

/**
 * The scheduled reconciliation (node-cron, RECONCILE_CRON). Alerts a difference with an
 * unexplained quantity when it appears (or its quantity changes), then every
 * PERSISTING_ALERT_EVERY_RUNS runs while it persists. What it has seen lives in memory: after a
 * restart a standing difference is alerted once more.
 */
export class ReconciliationMonitor {
  private task: ScheduledTask | undefined;
  private running: Promise<void> | undefined;
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly deps: {
      reconciliation: ReconciliationService;
      accounts: AccountService;
      bus: EventBus;
      logger: Logger;
    },
    private readonly options: { cron: string; persistEvery?: number; settleMs?: number },
  ) {}

  start(): void {
    if (this.task) return;
    this.task = scheduleJob(this.options.cron, 'reconcile', () => this.scheduledRun(), this.deps.logger);
  }

  /** Stops the schedule and waits for a run in progress, so nothing reads a closed database. */
  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
    await this.running;
  }

  private scheduledRun(): Promise<void> {
    this.running = this.run().then(
      () => undefined,
      (err: unknown) => this.deps.logger.error({ err }, 'reconciliation run failed'),
    );
    return this.running;
  }

  /** One run over every account; returns the alerts it raised. */
  async run(overrides: { settleMs?: number } = {}): Promise<RaisedAlert[]> {
    const settleMs = overrides.settleMs ?? this.options.settleMs ?? SETTLE_MS;
    const accounts = (await this.deps.accounts.list()).filter((a) => a.status !== 'DISABLED' && a.hasCredentials);
    const current = new Map<string, { accountId: string; difference: Difference }>();
    const unread = new Set<string>();
    await Promise.all(
      accounts.map(async ({ id }) => {
        try {
          let differences = await this.unexplained(id);
          if (settleMs > 0 && differences.some((d) => this.isNews(id, d))) {
            await new Promise((r) => setTimeout(r, settleMs));
            differences = await this.unexplained(id);
          }
          for (const difference of differences) current.set(keyOf(id, difference), { accountId: id, difference });
        } catch (err) {
          // One account's failure hides nothing of the others, and forgets nothing of its own.
          unread.add(id);
          this.deps.logger.warn({ err: String(err), account: id }, 'reconciliation run skipped an account');
        }
      }),
    );

    const raised: RaisedAlert[] = [];
    for (const [key, { accountId, difference }] of current) {
      const before = this.seen.get(key);
      const unexplained = difference.unexplained.toFixed();
      if (!before || before.unexplained !== unexplained) {
        this.seen.set(key, { unexplained, runs: 1 });
        raised.push(this.alert(accountId, difference, 'new', 1));
      } else if (++before.runs % (this.options.persistEvery ?? PERSISTING_ALERT_EVERY_RUNS) === 0) {
        raised.push(this.alert(accountId, difference, 'persists', before.runs));
      }
    }
    for (const key of this.seen.keys()) {
      if (!current.has(key) && !unread.has(accountOfKey(key))) this.seen.delete(key);
    }
    return raised;
  }

  private async unexplained(accountId: string): Promise<Difference[]> {
    return (await this.deps.reconciliation.differences(accountId)).filter((d) => !d.unexplained.isZero());
  }

  private isNews(accountId: string, difference: Difference): boolean {
    return this.seen.get(keyOf(accountId, difference))?.unexplained !== difference.unexplained.toFixed();
  }

  private alert(accountId: string, d: Difference, kind: RaisedAlert['kind'], runs: number): RaisedAlert {
    const { holding } = marketNumbers(d.symbol);
    this.deps.bus.emit({
      type: 'alert',
      accountId,
      category: 'reconciliation',
      severity: 'warning',
      key: kind === 'new' ? 'alerts.reconciliation_new' : 'alerts.reconciliation_persists',
      params: {
        account: accountId,
        symbol: d.symbol,
        side: d.side,
        exchange: holding(d.exchangeQty),
        vps: holding(d.vpQty),
        accepted: holding(d.acceptedQty),
        unexplained: holding(d.unexplained),
        runs: String(runs),
      },
    });
    return { accountId, symbol: d.symbol, side: d.side, kind };
  }
}

function keyOf(accountId: string, d: Difference): string {
  return `${accountId}\u0000${d.symbol}\u0000${d.side}`;
}

function accountOfKey(key: string): string {
  return key.split('\u0000')[0] ?? '';
}
