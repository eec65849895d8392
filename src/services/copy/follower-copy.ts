import { assetsOf } from '../../domain/market-symbol.ts';
import { Decimal } from 'decimal.js';
import { decodeClientOrderId } from '../../domain/client-order-id.ts';
import { HedgeError } from '../../domain/errors.ts';
import {
  intentTransition,
  isIntentTerminal,
  isTerminal,
  type IntentState,
  type OrderState,
} from '../../domain/order-state.ts';
import { ExchangeAuthError } from '../../exchange/errors.ts';
import type { CopyEvent, CopyIntent, Order } from '../../generated/prisma/client.ts';
import { Coalescer } from '../../infra/db/coalescer.ts';
import type { OrderChange, OrderTracker } from '../orders/order-tracker.ts';
import type { FanOutWindow } from '../orders/fan-out-window.ts';
import type { CopyEngineDeps, CopyTiming } from './copy-engine.ts';
import type { CopyOrders } from './copy-orders.ts';
import { sizeCopy } from './copy-plan.ts';
import type { CopySettingsStore } from './copy-settings.ts';
import { writeIntents } from './copy-writes.ts';
import type { FollowerBalances } from './follower-balances.ts';
import { expiredEventAlert } from './leader-events.ts';
import { marketFiltersOf } from '../../exchange/market-filters.ts';

/** What the engine hands over, plus its settings, balance cache, timing and work tracking. */
export interface FollowerCopiesDeps extends Omit<CopyEngineDeps, 'risk' | 'codes'> {
  settings: CopySettingsStore;
  balances: FollowerBalances;
  timing: CopyTiming;
  copyOrders: CopyOrders;
  /** The engine's record of work under way (idle() waits for it). */
  track: <T>(work: Promise<T>) => Promise<T>;
}

/** Read-backs (and fill catch-ups) after a fan-out run this many at a time. */
const READ_BACK_LANES = 4;

/**
 * Each follower's copy of a leader event, from its intent to its outcome: sent, settled, failed
 * with an alert, never twice. Its state follows its order's state in the book (the order tracker)
 * through the intent table of domain/order-state.ts: whether the order's answer, its follower's
 * stream or a read-back moved it, the intent moves with it. Intent writes of one fan-out are
 * written together, when its window closes.
 *
 * A copy is answered when the exchange takes its order. Where that answer names the order only
 * (Bitget), its outcome comes from the follower's order stream; a follower without a live stream,
 * or a stream silent for `streamSettleMs`, has it read back over REST — after the fan-out, a few
 * at a time, never on the path of the other followers' orders.
 */
export class FollowerCopies {
  private readonly inFlight = new Map<number, Promise<CopyIntent>>();
  /** Client order ids of the copies being sent right now: their answers settle them. */
  private readonly sending = new Set<string>();
  private readonly intentWrites: Coalescer<CopyIntent>;
  /** Each intent's latest state while its copy is under way or its outcome awaited. */
  private readonly latest = new Map<number, CopyIntent>();
  /** Intents whose copy was taken by the exchange and whose outcome is awaited, by client order id. */
  private readonly awaiting = new Map<string, { intent: number; event: CopyEvent; settled?: () => void }>();
  private holds = 0;
  private readonly backlog: (() => Promise<void>)[] = [];
  private readingBack = 0;
  private readonly tracker: OrderTracker;

  constructor(private readonly deps: FollowerCopiesDeps & { tracker: OrderTracker; window: FanOutWindow }) {
    this.tracker = deps.tracker;
    this.intentWrites = new Coalescer((intents) => writeIntents(deps.db, intents));
    deps.window.addWriter(this.intentWrites);
    deps.window.addFollower(this);
  }

  /** Follows the book: a copy order's every change moves its intent. */
  listen(): () => void {
    return this.tracker.onChange((change) => this.followOrder(change));
  }

  /** Read-backs and fill catch-ups queued behind a fan-out start once its writes are out. */
  holdWhile(work: Promise<unknown>): void {
    this.holds += 1;
    const release = () => {
      this.holds -= 1;
      this.pump();
    };
    work.then(release, release);
  }

  /** Whether a copy of this process is sending the intent or waiting for its outcome. */
  isUnderWay(intent: CopyIntent): boolean {
    return this.inFlight.has(intent.id) || this.awaiting.has(intent.clientOrderId);
  }

  /**
   * A copy's fills reach the books through the follower's stream; a follower without a live stream
   * has them read over REST — after the fan-out, a few at a time, never on the copy's path.
   */
  catchUpFills(event: CopyEvent, intents: CopyIntent[]): void {
    for (const intent of intents) {
      if (intent.status === 'FILLED' && !this.isLive(intent.followerId)) void this.catchUpFill(event, intent);
    }
  }

  private catchUpFill(event: CopyEvent, intent: CopyIntent): Promise<void> {
    const { exchangeOrderId } = intent;
    if (!exchangeOrderId) return Promise.resolve();
    return this.deps.track(
      this.afterFanOut(async () => {
        const exchange = await this.deps.exchanges.for(intent.followerId);
        await this.deps.fills.catchUpOrder(
          intent.followerId,
          exchange.resolveSymbol(event.symbol),
          exchangeOrderId,
          intent.createdAt.getTime(),
        );
      }).catch((err: unknown) =>
        this.deps.logger.warn({ err: String(err), account: intent.followerId }, 'copy fill catch-up failed'),
      ),
    );
  }

  private isLive(followerId: string): boolean {
    return this.deps.streams.status(followerId)?.health === 'live';
  }

  /** Runs `task` once no fan-out holds the queue, READ_BACK_LANES at a time. */
  private afterFanOut<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.backlog.push(() => task().then(resolve, reject));
      this.pump();
    });
  }

  private pump(): void {
    while (this.holds === 0 && this.readingBack < READ_BACK_LANES) {
      const next = this.backlog.shift();
      if (!next) return;
      this.readingBack += 1;
      void next().finally(() => {
        this.readingBack -= 1;
        this.pump();
      });
    }
  }

  /**
   * One follower's copy, never twice at once (in-process) and never twice on the exchange:
   * PENDING (nothing sent yet) → sized → SENT (amount stored) → placed, only after proving no
   * order with this client id exists. After a restart a SENT intent is looked up by its client
   * id; a copy is sent only while its leader event is younger than maxEventAgeMs. `preparedRow`:
   * the order row the event's transaction wrote (nothing can be on the exchange under it yet).
   * `recovering` (a restart): a PENDING intent whose order row exists was sent, or may have been,
   * before its own write landed — it is looked up like a SENT one, never sized again.
   */
  copy(event: CopyEvent, intent: CopyIntent, preparedRow?: Order, recovering = false): Promise<CopyIntent> {
    const running = this.inFlight.get(intent.id);
    if (running) return running;
    this.latest.set(intent.id, intent);
    this.sending.add(intent.clientOrderId);
    const body = preparedRow ? this.sendPlanned(event, intent, preparedRow) : this.copyOnce(event, intent, recovering);
    const pending = body
      .catch((err: unknown) => this.fail(event, intent, err))
      .finally(() => {
        this.inFlight.delete(intent.id);
        this.sending.delete(intent.clientOrderId);
        if (!this.awaiting.has(intent.clientOrderId)) this.latest.delete(intent.id);
      });
    this.inFlight.set(intent.id, pending);
    return pending;
  }

  /** A copy sized and written with its event: send it. */
  private async sendPlanned(event: CopyEvent, intent: CopyIntent, row: Order): Promise<CopyIntent> {
    this.deps.balances.markChanged(intent.followerId);
    return this.settle(event, intent, await this.deps.copyOrders.sendPrepared(row));
  }

  private async copyOnce(event: CopyEvent, written: CopyIntent, recovering: boolean): Promise<CopyIntent> {
    const { accounts, exchanges, copyOrders } = this.deps;
    let intent = written;
    if (recovering && intent.status === 'PENDING') {
      const row = await this.tracker.current(intent.clientOrderId);
      if (row) intent = this.update(intent, { status: 'SENT', amount: row.cost ?? row.amount });
    }
    const isYoung = () => Date.now() - event.filledAt.getTime() <= this.deps.timing.maxEventAgeMs;
    // Asked again right before sending: an in-doubt copy may first wait out the exchange's window.
    const mayPlace = async () => isYoung() && (await this.deps.settings.isRunning());
    const refusal = () => (isYoung() ? 'copy.failed.stopped' : 'copy.failed.expired');
    if (intent.status === 'PENDING' && !(await mayPlace())) {
      const reason = refusal();
      if (reason === 'copy.failed.expired') {
        this.deps.bus.emit(expiredEventAlert(event, intent.followerId, Date.now(), this.deps.timing.maxEventAgeMs));
      }
      return this.update(intent, { status: 'FAILED', reason });
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
    const order = await copyOrders.place(
      {
        accountId: intent.followerId,
        symbol,
        side,
        ...(side === 'buy' ? { cost: amount } : { amount }),
        clientOrderId: intent.clientOrderId,
      },
      { mayPlace, inDoubtWindowMs: this.deps.timing.inDoubtWindowMs },
    );
    if (!order) {
      const reason = refusal();
      // A copy that was meant to go out and did not: the trader hears of it, as of any failure.
      if (sent.status === 'SENT') this.alert(event, sent, reason, reason);
      return this.update(sent, { status: 'FAILED', reason });
    }
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

  /**
   * The copy's outcome from its order as the book has it now (the stream may have spoken while
   * the answer was on its way). An order the exchange took without saying how it ended (Bitget)
   * leaves the intent SENT until its stream or a read-back moves the order (`awaitOutcome`).
   */
  private settle(event: CopyEvent, intent: CopyIntent, answered: Order): CopyIntent {
    const row = this.tracker.peek(answered.clientOrderId) ?? answered;
    const settled = this.fromOrder(event, this.latest.get(intent.id) ?? intent, row);
    if (
      settled.status === 'SENT' &&
      row.exchangeOrderId &&
      (row.status === 'OPEN' || row.status === 'PARTIALLY_FILLED')
    ) {
      this.awaiting.set(row.clientOrderId, { intent: settled.id, event });
      void this.deps.track(this.awaitOutcome(event, settled, row));
    }
    return settled;
  }

  /**
   * The intent after its order's latest state: the intent table decides; a copy that ended with
   * nothing filled fails with an alert. A SENT copy whose order is in doubt says so.
   */
  private fromOrder(event: CopyEvent, intent: CopyIntent, row: Order): CopyIntent {
    if (isIntentTerminal(intent.status as IntentState)) return intent;
    const filled = new Decimal(row.filledQty);
    const next =
      intentTransition(intent.status as IntentState, { state: row.status as OrderState, filled }) ??
      (intent.status as IntentState);
    const fields = {
      // An intent whose SENT write was lost (a crash) learns its amount from its order row.
      amount: intent.amount ?? row.cost ?? row.amount,
      exchangeOrderId: row.exchangeOrderId,
      filledQty: row.filledQty,
      cost: row.avgPrice ? filled.times(row.avgPrice).toFixed() : null,
    };
    if (next === 'FILLED') return this.update(intent, { ...fields, status: 'FILLED', reason: null });
    if (next === 'FAILED') {
      const reason = row.error ?? 'copy.failed.rejected';
      this.alert(event, intent, reason, reason);
      return this.update(intent, { ...fields, status: 'FAILED', reason });
    }
    // Still under way: acknowledged, or in doubt until the in-doubt sweep (or the next start) looks it up.
    return this.update(intent, {
      ...fields,
      status: 'SENT',
      reason: row.status === 'UNKNOWN' ? 'copy.unresolved' : null,
    });
  }

  /**
   * A copy order moved in the book. While its copy is being sent, the copy settles it from the
   * answer itself; afterwards (a stream, a read-back, a look-up) the intent follows here.
   */
  private followOrder({ after }: OrderChange): void {
    if (after.purpose !== 'copy') return;
    const awaited = this.awaiting.get(after.clientOrderId);
    if (awaited) {
      const intent = this.latest.get(awaited.intent);
      if (intent && !this.sending.has(after.clientOrderId)) {
        const settled = this.fromOrder(awaited.event, intent, after);
        if (settled.status !== 'SENT') {
          this.awaiting.delete(after.clientOrderId);
          awaited.settled?.();
        }
      }
      return;
    }
    if (!isTerminal(after.status as OrderState) || this.sending.has(after.clientOrderId)) return;
    void this.deps
      .track(this.followStored(after))
      .catch((err: unknown) =>
        this.deps.logger.warn({ err: String(err), account: after.accountId }, 'copy intent not brought in line'),
      );
  }

  /** An intent nobody here is working on (a copy from before a restart): read, then moved. */
  private async followStored(row: Order): Promise<void> {
    const decoded = decodeClientOrderId(row.clientOrderId);
    if (decoded?.purpose !== 'copy' || decoded.ref === undefined) return;
    await this.deps.window.quiet(); // intent writes held by a fan-out land first
    const intent = await this.deps.db.copyIntent.findFirst({
      where: { eventId: decoded.ref, followerId: row.accountId },
      include: { event: true },
    });
    if (!intent || isIntentTerminal(intent.status as IntentState) || this.isUnderWay(intent)) return;
    const { event, ...stored } = intent;
    this.fromOrder(event, stored, row);
  }

  /**
   * An acknowledged copy's final state: from the follower's stream when it is live and speaks
   * within `streamSettleMs` of the answer (followOrder moves the intent), else read back by client
   * id after the fan-out. Not known even then: the copy stays SENT ('copy.unresolved') and the
   * in-doubt sweep looks it up.
   */
  private async awaitOutcome(event: CopyEvent, intent: CopyIntent, row: Order): Promise<void> {
    try {
      const live = this.isLive(intent.followerId);
      const waitMs = live ? this.deps.timing.streamSettleMs - (Date.now() - row.updatedAt.getTime()) : 0;
      const entry = this.awaiting.get(row.clientOrderId);
      if (waitMs > 0 && entry) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          entry.settled = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      if (!this.awaiting.has(row.clientOrderId)) return; // the stream settled it
      const state = await this.afterFanOut(() => this.tracker.lookUp(row, 'lookup')).catch((err: unknown) => {
        this.deps.logger.warn({ err: String(err), account: row.accountId }, 'copy read-back failed');
        return undefined;
      });
      if (!this.awaiting.has(row.clientOrderId)) return; // settled meanwhile by its stream
      const current = this.latest.get(intent.id) ?? intent;
      const settled = state ? this.fromOrder(event, current, state) : current;
      if (settled.status === 'SENT') this.update(settled, { reason: 'copy.unresolved' });
      else if (!live && settled.status === 'FILLED') await this.catchUpFill(event, settled);
    } catch (err) {
      this.deps.logger.warn({ err: String(err), account: intent.followerId }, 'copy outcome not recorded');
    } finally {
      this.awaiting.delete(row.clientOrderId);
      const current = this.latest.get(intent.id);
      if (current && current.status === 'SENT') this.latest.delete(intent.id);
    }
  }

  private async fail(event: CopyEvent, intent: CopyIntent, err: unknown): Promise<CopyIntent> {
    const reason = err instanceof HedgeError ? err.key : 'errors.internal';
    const detail = err instanceof Error ? err.message.slice(0, 300) : String(err);
    if (!(err instanceof HedgeError)) this.deps.logger.error({ err, intent: intent.id }, 'copy failed unexpectedly');
    this.alert(event, intent, reason, detail, err instanceof ExchangeAuthError);
    const current =
      this.latest.get(intent.id) ?? (await this.deps.db.copyIntent.findUnique({ where: { id: intent.id } }));
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
      names: { leader: event.leaderId },
    });
  }

  /**
   * The intent's next state, its write queued. Not awaited: during a fan-out the writes wait for
   * its window to close and go out as one statement; the engine's idle() waits for them. A crash
   * before leaves the intent as it was written before its order was sent, which a restart
   * resolves by looking the order up.
   */
  private update(intent: CopyIntent, data: Partial<Omit<CopyIntent, 'id' | 'eventId'>>): CopyIntent {
    const next = { ...intent, ...data, updatedAt: new Date() };
    if (isIntentTerminal(next.status as IntentState)) this.latest.delete(next.id);
    else this.latest.set(next.id, next);
    void this.deps.track(
      this.intentWrites
        .write(next)
        .catch((err: unknown) => this.deps.logger.error({ err, intent: next.id }, 'copy intent not written')),
    );
    return next;
  }
}
