import type { ScheduledTask } from 'node-cron';
import { scheduleJob } from '../infra/cron.ts';
import type { Logger } from '../infra/logger.ts';
import type { CopyEngine } from './copy/copy-engine.ts';
import type { OrderTracker } from './orders/order-tracker.ts';

/** Every 30 s: an order in doubt is settled within about a minute of its exchange's request window. */
export const DEFAULT_IN_DOUBT_CRON = '*/30 * * * * *';

/**
 * The in-doubt sweep (node-cron): while the desk runs, orders whose answer never came and copies
 * left open are looked up by their client id again — not only at the next start. Trade orders
 * first (OrderTracker.resolveInDoubt), then copy intents (CopyEngine.resolveStale). Neither ever
 * sends an order that may already exist: each waits out its exchange's request window first.
 */
export class InDoubtSweep {
  private task: ScheduledTask | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: { tracker: OrderTracker; copy: CopyEngine; logger: Logger },
    private readonly cronExpression = DEFAULT_IN_DOUBT_CRON,
  ) {}

  start(): void {
    if (this.task) return;
    this.task = scheduleJob(this.cronExpression, 'in-doubt', () => this.scheduledRun(), this.deps.logger);
  }

  /** Stops the schedule and waits for a sweep in progress, so nothing reads a closed database. */
  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
    await this.running;
  }

  /** One sweep; resolves with how many trade orders it settled and how many copy intents it looked up. */
  async run(): Promise<{ orders: number; intents: number }> {
    const orders = await this.deps.tracker.resolveInDoubt();
    const intents = await this.deps.copy.resolveStale();
    if (orders.length > 0 || intents.length > 0) {
      this.deps.logger.info(
        { orders: orders.length, intents: intents.length },
        'in-doubt sweep: orders and copy intents looked up again',
      );
    }
    return { orders: orders.length, intents: intents.length };
  }

  private scheduledRun(): Promise<void> {
    this.running = this.run().then(
      () => undefined,
      (err: unknown) => this.deps.logger.error({ err }, 'in-doubt sweep failed'),
    );
    return this.running;
  }
}
