import { Decimal } from 'decimal.js';
import { HedgeError } from '../../domain/errors.ts';
import { ExchangeAuthError } from '../../exchange/errors.ts';
import type { ExchangeOrder } from '../../exchange/types.ts';
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

/** Order states after which a market copy changes no more. */
const FINAL = new Set<ExchangeOrder['status']>(['closed', 'canceled', 'expired', 'rejected']);
/** Read-backs (and fill catch-ups) after a fan-out run this many at a time. */
const READ_BACK_LANES = 4;

/** A copy sent and not settled yet: what its follower's stream said of it, or who waits to hear. */
interface Outcome {
  followerId: string;
  /** awaitOutcome has taken it over (the copy's own promise has resolved with the answer). */
  awaited?: boolean;
  state?: ExchangeOrder;
  arrived?: (state: ExchangeOrder) => void;
}

/**
 * Each follower's copy of a leader event, from its intent to its outcome: sent, settled, failed
 * with an alert, never twice. This is the engine's only writer of intents; their updates of one
 * fan-out are written together (see Coalescer).
 *
 * A copy is answered when the exchange takes its order. Where that answer names the order only
 * (Bitget), its outcome comes from the follower's order stream; a follower without a live stream,
 * or a stream silent for `streamSettleMs`, has it read back over REST — after the fan-out, a few
 * at a time, never on the path of the other followers' orders.
 */
export class FollowerCopies {
  private readonly inFlight = new Map<number, Promise<CopyIntent>>();
  private readonly intentWrites: Coalescer<CopyIntent>;
  /** Each intent's latest state while its copy is under way (its writes may still be queued). */
  private readonly latest = new Map<number, CopyIntent>();
  /** By client order id: copies sent whose final state has not been recorded yet. */
  private readonly outcomes = new Map<string, Outcome>();
  private holds = 0;
  private readonly backlog: (() => Promise<void>)[] = [];
  private readingBack = 0;

  constructor(private readonly deps: FollowerCopiesDeps) {
    this.intentWrites = new Coalescer((intents) => writeIntents(deps.db, intents));
  }

  /** A copy sized and written with its event: send it (its row proves nothing was sent before). */
  private async sendPlanned(event: CopyEvent, intent: CopyIntent, row: Order): Promise<CopyIntent> {
    this.deps.balances.markChanged(intent.followerId);
    return this.settle(event, intent, await this.deps.orders.sendPreparedCopy(row));
  }

  /**
   * Work queued behind a fan-out (read-backs, fill catch-ups) starts when it has finished:
   * the followers' orders go out first.
   */
  holdWhile(work: Promise<unknown>): void {
    this.intentWrites.holdWhile(work);
    this.holds += 1;
    const release = () => {
      this.holds -= 1;
      this.pump();
    };
    work.then(release, release);
  }

  /** Whether a copy of this process is sending the intent or waiting for its outcome. */
  isUnderWay(intent: CopyIntent): boolean {
    return this.inFlight.has(intent.id) || this.outcomes.has(intent.clientOrderId);
  }

  /** A follower's order state from its stream: settles its copy, or waits for the copy's answer. */
  onFollowerOrder(accountId: string, order: ExchangeOrder): void {
    const outcome = order.clientOrderId ? this.outcomes.get(order.clientOrderId) : undefined;
    if (!outcome || outcome.followerId !== accountId || !FINAL.has(order.status)) return;
    if (outcome.arrived) outcome.arrived(order);
    else outcome.state = order;
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
   * PENDING (nothing sent yet) → sized → SENT (amount stored) → placeCopyOrder, which sends only
   * after proving no order with this client id exists. After a restart a SENT intent is looked
   * up by its client id; a copy is sent only while its leader event is younger than maxEventAgeMs.
   * `recovering` (a restart): a PENDING intent whose order row exists was sent, or may have been,
   * before its own write landed — it is looked up like a SENT one, never sized again.
   */
  copy(event: CopyEvent, intent: CopyIntent, preparedRow?: Order, recovering = false): Promise<CopyIntent> {
    const running = this.inFlight.get(intent.id);
    if (running) return running;
    // Registered before sending: the follower's stream may report the order before its answer.
    if (!this.outcomes.has(intent.clientOrderId)) {
      this.outcomes.set(intent.clientOrderId, { followerId: intent.followerId });
    }
    const body = preparedRow ? this.sendPlanned(event, intent, preparedRow) : this.copyOnce(event, intent, recovering);
    const pending = body
      .catch((err: unknown) => this.fail(event, intent, err))
      .finally(() => {
        this.inFlight.delete(intent.id);
        if (!this.outcomes.get(intent.clientOrderId)?.awaited) this.forgetOutcome(intent);
      });
    this.inFlight.set(intent.id, pending);
    return pending;
  }

  private async copyOnce(event: CopyEvent, written: CopyIntent, recovering: boolean): Promise<CopyIntent> {
    const { accounts, exchanges, orders } = this.deps;
    let intent = written;
    if (recovering && intent.status === 'PENDING') {
      const row = await this.deps.db.order.findUnique({ where: { clientOrderId: intent.clientOrderId } });
      if (row) intent = this.update(intent, { status: 'SENT', amount: row.cost ?? row.amount });
    }
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
   * The copy's outcome from its order row. An order the exchange took but whose state its
   * answer did not carry (Bitget) stays SENT, with its exchange id, until its stream or a
   * read-back says how it ended (`awaitOutcome`).
   */
  private async settle(event: CopyEvent, intent: CopyIntent, order: Order, final = false): Promise<CopyIntent> {
    const filled = new Decimal(order.filledQty);
    const cost = order.avgPrice ? filled.times(order.avgPrice).toFixed() : null;
    const fields = { exchangeOrderId: order.exchangeOrderId, filledQty: order.filledQty, cost };
    if (filled.greaterThan(0)) return this.update(intent, { ...fields, status: 'FILLED', reason: null });
    if (!final && order.status === 'OPEN' && order.exchangeOrderId) {
      const acknowledged = this.update(intent, { ...fields, reason: null });
      void this.deps.track(this.awaitOutcome(event, acknowledged, order));
      return acknowledged;
    }
    if (order.status === 'REJECTED' || order.status === 'CANCELED' || order.status === 'EXPIRED') {
      const reason = order.error ?? 'copy.failed.rejected';
      this.alert(event, intent, reason, reason);
      return this.update(intent, { ...fields, status: 'FAILED', reason });
    }
    // UNKNOWN: the exchange has not said yet; the in-doubt sweep (or the next start) looks it up by its client id.
    return this.update(intent, { ...fields, reason: 'copy.unresolved' });
  }

  /**
   * An acknowledged copy's final state: from the follower's stream when it is live and speaks
   * within `streamSettleMs` of the answer, else read back by client id after the fan-out. Not
   * known even then: the copy stays SENT ('copy.unresolved') and the in-doubt sweep looks it up.
   */
  private async awaitOutcome(event: CopyEvent, intent: CopyIntent, row: Order): Promise<void> {
    const outcome = this.outcomes.get(intent.clientOrderId) ?? { followerId: intent.followerId };
    outcome.awaited = true;
    this.outcomes.set(intent.clientOrderId, outcome);
    const live = this.isLive(intent.followerId);
    try {
      const waitMs = live ? this.deps.timing.streamSettleMs - (Date.now() - row.updatedAt.getTime()) : 0;
      const state =
        outcome.state ?? (waitMs > 0 ? await streamed(outcome, waitMs) : undefined) ?? (await this.readBack(row));
      if (!state) {
        this.update(intent, { reason: 'copy.unresolved' });
        return;
      }
      const settled = await this.settle(event, intent, await this.deps.orders.recordCopyState(row, state), true);
      if (!live && settled.status === 'FILLED') await this.catchUpFill(event, settled);
    } catch (err) {
      this.deps.logger.warn({ err: String(err), account: intent.followerId }, 'copy outcome not recorded');
    } finally {
      this.forgetOutcome(intent);
    }
  }

  /** The order as the exchange has it now, by client id; undefined when it cannot be read. */
  private readBack(row: Order): Promise<ExchangeOrder | undefined> {
    return this.afterFanOut(async () => {
      const exchange = await this.deps.exchanges.for(row.accountId);
      return exchange.fetchOrder(row.symbol, { clientOrderId: row.clientOrderId });
    }).catch((err: unknown) => {
      this.deps.logger.warn({ err: String(err), account: row.accountId }, 'copy read-back failed');
      return undefined;
    });
  }

  private forgetOutcome(intent: CopyIntent): void {
    this.outcomes.delete(intent.clientOrderId);
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
    });
  }

  /**
   * The intent's next state, its write queued. This is the intent's only writer (one copy at a
   * time per intent). Not awaited: during a fan-out the writes wait for its end and go out as one
   * statement; the engine's idle() waits for them. A crash before leaves the intent as it was
   * written before its order was sent, which a restart resolves by looking the order up.
   */
  private update(intent: CopyIntent, data: Partial<Omit<CopyIntent, 'id' | 'eventId'>>): CopyIntent {
    const next = { ...intent, ...data, updatedAt: new Date() };
    const final = next.status === 'FILLED' || next.status === 'FAILED' || next.status === 'SKIPPED';
    if (final) this.latest.delete(next.id);
    else this.latest.set(next.id, next);
    void this.deps.track(
      this.intentWrites
        .write(next)
        .catch((err: unknown) => this.deps.logger.error({ err, intent: next.id }, 'copy intent not written')),
    );
    return next;
  }
}

/** The stream's word on an outcome, or undefined after `ms`. */
function streamed(outcome: Outcome, ms: number): Promise<ExchangeOrder | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      delete outcome.arrived;
      resolve(undefined);
    }, ms);
    outcome.arrived = (state) => {
      clearTimeout(timer);
      delete outcome.arrived;
      resolve(state);
    };
  });
}
