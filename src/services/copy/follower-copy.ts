import { Decimal } from 'decimal.js';
import { HedgeError } from '../../domain/errors.ts';
import { ExchangeAuthError } from '../../exchange/errors.ts';
import type { CopyEvent, CopyIntent, Order } from '../../generated/prisma/client.ts';
import { Coalescer } from '../../infra/db/coalescer.ts';
import type { CopyEngineDeps, CopyTiming } from './copy-engine.ts';
import { sizeCopy } from './copy-plan.ts';
import type { CopySettingsStore } from './copy-settings.ts';
import { writeIntents } from './copy-writes.ts';
import type { FollowerBalances } from './follower-balances.ts';
import { assetsOf } from './leader-events.ts';
import { marketFiltersOf } from './market-filters.ts';

/** What the engine hands over, plus its settings, balance cache, timing and work tracking. */
export interface FollowerCopiesDeps extends Omit<CopyEngineDeps, 'risk' | 'codes'> {
  settings: CopySettingsStore;
  balances: FollowerBalances;
  timing: CopyTiming;
  /** The engine's record of work under way (idle() waits for it). */
  track: <T>(work: Promise<T>) => Promise<T>;
}

/**
 * Each follower's copy of a leader event, from its intent to its outcome: sent, settled, failed
 * with an alert, never twice. This is the engine's only writer of intents; their updates of one
 * fan-out are written together (see Coalescer).
 */
export class FollowerCopies {
  private readonly inFlight = new Map<number, Promise<CopyIntent>>();
  private readonly intentWrites: Coalescer<CopyIntent>;

  constructor(private readonly deps: FollowerCopiesDeps) {
    this.intentWrites = new Coalescer((intents) => writeIntents(deps.db, intents));
  }

  /** A copy sized and written with its event: send it (its row proves nothing was sent before). */
  private async sendPlanned(event: CopyEvent, intent: CopyIntent, row: Order): Promise<CopyIntent> {
    this.deps.balances.markChanged(intent.followerId);
    return this.settle(event, intent, await this.deps.orders.sendPreparedCopy(row));
  }

  /**
   * A copy's fills reach the books through the follower's stream; a follower without a live stream
   * has them read over REST — after the fan-out, a few at a time, never on the copy's path.
   */
  catchUpFills(event: CopyEvent, intents: CopyIntent[]): void {
    const due = intents.filter(
      (i) =>
        i.status === 'FILLED' &&
        i.exchangeOrderId !== null &&
        this.deps.streams.status(i.followerId)?.health !== 'live',
    );
    if (due.length === 0) return;
    const run = async () => {
      const queue = [...due];
      const worker = async () => {
        for (let intent = queue.shift(); intent; intent = queue.shift()) {
          const exchange = await this.deps.exchanges.for(intent.followerId).catch(() => undefined);
          if (!exchange || !intent.exchangeOrderId) continue;
          await this.deps.fills
            .catchUpOrder(
              intent.followerId,
              exchange.resolveSymbol(event.symbol),
              intent.exchangeOrderId,
              intent.createdAt.getTime(),
            )
            .catch((err: unknown) =>
              this.deps.logger.warn({ err: String(err), account: intent.followerId }, 'copy fill catch-up failed'),
            );
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
    };
    void this.deps.track(run());
  }

  /**
   * One follower's copy, never twice at once (in-process) and never twice on the exchange:
   * PENDING (nothing sent yet) → sized → SENT (amount stored) → placeCopyOrder, which sends only
   * after proving no order with this client id exists. After a restart a SENT intent is looked
   * up by its client id; a copy is sent only while its leader event is younger than maxEventAgeMs.
   */
  copy(event: CopyEvent, intent: CopyIntent, preparedRow?: Order): Promise<CopyIntent> {
    const running = this.inFlight.get(intent.id);
    if (running) return running;
    const body = preparedRow ? this.sendPlanned(event, intent, preparedRow) : this.copyOnce(event, intent);
    const pending = body
      .catch((err: unknown) => this.fail(event, intent, err))
      .finally(() => this.inFlight.delete(intent.id));
    this.inFlight.set(intent.id, pending);
    return pending;
  }

  private async copyOnce(event: CopyEvent, intent: CopyIntent): Promise<CopyIntent> {
    const { accounts, exchanges, orders } = this.deps;
    const isYoung = () => Date.now() - event.filledAt.getTime() <= this.deps.timing.maxEventAgeMs;
    // Asked again right before sending: an in-doubt copy may first wait out the exchange's window.
    const mayPlace = async () => isYoung() && (await this.deps.settings.isRunning());
    const refusal = () => (isYoung() ? 'copy.failed.stopped' : 'copy.failed.expired');
    if (intent.status === 'PENDING' && !(await mayPlace())) {
      return this.update(intent, { status: 'FAILED', reason: refusal() });
    }
    const follower = await accounts.find(intent.followerId);
    if (intent.status === 'PENDING' && follower?.status !== 'ACTIVE') {
      const reason = follower ? `copy.skipped.${follower.status.toLowerCase()}` : 'copy.skipped.removed';
      return this.update(intent, { status: 'SKIPPED', reason });
    }
    const exchange = await exchanges.for(intent.followerId);
    const symbol = exchange.resolveSymbol(event.symbol);
    const side = event.side === 'sell' ? 'sell' : 'buy';
    let sent = intent;
    if (intent.status === 'PENDING') {
      const sized = await this.size(event, intent, symbol);
      if (sized.status !== 'SENT') return sized;
      sent = sized;
    }
    const amount = new Decimal(sent.amount ?? 0);
    this.deps.balances.markChanged(intent.followerId);
    const order = await orders.placeCopyOrder(
      {
        accountId: intent.followerId,
        symbol,
        side,
        ...(side === 'buy' ? { cost: amount } : { amount }),
        clientOrderId: intent.clientOrderId,
      },
      { mayPlace, inDoubtWindowMs: this.deps.timing.inDoubtWindowMs },
    );
    if (!order) return this.update(sent, { status: 'FAILED', reason: refusal() });
    return this.settle(event, sent, order);
  }

  /** Sizes the copy from the follower's free balance; SKIPPED below the market minimum. */
  private async size(event: CopyEvent, intent: CopyIntent, symbol: string): Promise<CopyIntent> {
    const follower = await this.deps.accounts.get(intent.followerId);
    const { base, quote } = assetsOf(symbol);
    const side = event.side === 'sell' ? 'sell' : 'buy';
    const [free, filters, policies] = await Promise.all([
      this.deps.balances.free(follower.id, side === 'buy' ? quote : base),
      marketFiltersOf(this.deps.exchanges, follower, symbol),
      this.deps.settings.policies([follower.id]),
    ]);
    const sizing = {
      side,
      fraction: new Decimal(event.fraction),
      baseFilled: new Decimal(event.baseFilled),
      quoteFilled: new Decimal(event.quoteFilled),
    } as const;
    const policy = policies.get(follower.id) ?? { mode: 'share' as const, ratio: null, maxPerTrade: null };
    return this.update(intent, sizeCopy(sizing, free, policy, filters));
  }

  private async settle(event: CopyEvent, intent: CopyIntent, order: Order): Promise<CopyIntent> {
    const filled = new Decimal(order.filledQty);
    const cost = order.avgPrice ? filled.times(order.avgPrice).toFixed() : null;
    const fields = { exchangeOrderId: order.exchangeOrderId, filledQty: order.filledQty, cost };
    if (filled.greaterThan(0)) return this.update(intent, { ...fields, status: 'FILLED', reason: null });
    if (order.status === 'REJECTED' || order.status === 'CANCELED' || order.status === 'EXPIRED') {
      const reason = order.error ?? 'copy.failed.rejected';
      this.alert(event, intent, reason, reason);
      return this.update(intent, { ...fields, status: 'FAILED', reason });
    }
    // UNKNOWN: the exchange has not said yet; the next start looks it up by its client id.
    return this.update(intent, { ...fields, reason: 'copy.unresolved' });
  }

  private async fail(event: CopyEvent, intent: CopyIntent, err: unknown): Promise<CopyIntent> {
    const reason = err instanceof HedgeError ? err.key : 'errors.internal';
    const detail = err instanceof Error ? err.message.slice(0, 300) : String(err);
    if (!(err instanceof HedgeError)) this.deps.logger.error({ err, intent: intent.id }, 'copy failed unexpectedly');
    this.alert(event, intent, reason, detail, err instanceof ExchangeAuthError);
    const current = await this.deps.db.copyIntent.findUnique({ where: { id: intent.id } });
    return this.update(current ?? intent, { status: 'FAILED', reason, detail });
  }

  private alert(event: CopyEvent, intent: CopyIntent, reason: string, detail: string, disabled = false): void {
    this.deps.bus.emit({
      type: 'alert',
      accountId: intent.followerId,
      category: 'copy',
      severity: disabled ? 'critical' : 'warning',
      key: disabled ? 'alerts.copy_follower_disabled' : 'alerts.copy_failed',
      params: {
        follower: intent.followerId,
        event: String(event.id),
        leader: event.leaderId,
        side: event.side,
        reason,
        detail,
      },
    });
  }

  /** This engine is an intent's only writer (one copy at a time per intent, see copyToFollower). */
  private async update(intent: CopyIntent, data: Partial<Omit<CopyIntent, 'id' | 'eventId'>>): Promise<CopyIntent> {
    const next = { ...intent, ...data, updatedAt: new Date() };
    await this.intentWrites.write(next);
    return next;
  }
}
