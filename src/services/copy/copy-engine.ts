import { Decimal } from 'decimal.js';
import cron, { type ScheduledTask } from 'node-cron';
import { sizeFollowerCopy } from '../../domain/copy-sizing.ts';
import { HedgeError } from '../../domain/errors.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import { ExchangeAuthError } from '../../exchange/errors.ts';
import type { ExchangeOrder } from '../../exchange/types.ts';
import type { CopyEvent, CopyIntent, Order } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import type { Logger } from '../../infra/logger.ts';
import type { AccountService, AccountView } from '../accounts.ts';
import type { EventBus } from '../events.ts';
import type { AccountCodes } from '../orders/account-codes.ts';
import type { OrderService } from '../orders/order-service.ts';
import { BoundedSet } from '../streams/seen-set.ts';
import type { StreamSupervisor } from '../streams/supervisor.ts';
import { eventCount, lastIntents, recentEvents, type EventWithIntents, type IntentWithEvent } from './copy-history.ts';
import { CopySettingsStore } from './copy-settings.ts';
import { FollowerBalances } from './follower-balances.ts';
import { assetsOf, readLeaderFill, recordLeaderEvent } from './leader-events.ts';
import { marketFiltersOf } from './market-filters.ts';

export class CopyRefusedError extends HedgeError {}

export interface CopyTiming {
  /** A copy is not sent for a leader fill older than this (a restart, a late detection). */
  maxEventAgeMs: number;
  /** A follower balance older than this is read again, unless a live stream vouches for it. */
  balanceMaxAgeMs: number;
  /** The balance poll (node-cron, with seconds): followers whose cache cannot be trusted. */
  balancePollCron: string;
  /** A leader fill whose order event has not come within this is looked up over REST. */
  orderGraceMs: number;
}

export const DEFAULT_COPY_TIMING: CopyTiming = {
  maxEventAgeMs: 30_000,
  balanceMaxAgeMs: 5_000,
  balancePollCron: '*/3 * * * * *',
  orderGraceMs: 500,
};

export interface CopyEngineDeps {
  db: Db;
  accounts: AccountService;
  exchanges: ExchangeClients;
  streams: StreamSupervisor;
  orders: OrderService;
  codes: AccountCodes;
  bus: EventBus;
  logger: Logger;
}

const TERMINAL = new Set(['closed', 'canceled', 'expired']);

/**
 * The copy engine (seed 001): a leader's completed market order on its copy symbol becomes one
 * leader event; the event and one intent per follower are written in one transaction before
 * anything is sent; then every active follower gets its copy in parallel, sized from its own
 * free balance (or by ratio), under a client order id derived from (follower, event) — so a
 * replayed event, a reconnect or a restart never gives a follower a second order.
 */
export class CopyEngine {
  readonly settings: CopySettingsStore;
  readonly balances: FollowerBalances;
  private readonly timing: CopyTiming;
  private roster = new Map<string, AccountView>();
  /** Leader orders already made into an event (or found to be one); the database has the rest. */
  private readonly handled = new BoundedSet();
  private readonly detecting = new Set<string>();
  private readonly inFlight = new Map<number, Promise<CopyIntent>>();
  private readonly work = new Set<Promise<unknown>>();
  private readonly unsubscribe: (() => void)[] = [];
  private poll: ScheduledTask | undefined;

  constructor(
    private readonly deps: CopyEngineDeps,
    timing: Partial<CopyTiming> = {},
  ) {
    this.timing = { ...DEFAULT_COPY_TIMING, ...timing };
    this.settings = new CopySettingsStore(deps.db);
    this.balances = new FollowerBalances({
      exchanges: deps.exchanges,
      bus: deps.bus,
      streams: deps.streams,
      maxAgeMs: this.timing.balanceMaxAgeMs,
    });
  }

  /** Follows the leaders' orders and the followers' balances; finishes what a restart left open. */
  async start(): Promise<void> {
    await this.refreshRoster();
    const { bus, logger } = this.deps;
    this.unsubscribe.push(
      bus.on('order', (e) => this.onLeaderOrder(e.accountId, e.order)),
      bus.on('fill', (e) => this.onLeaderFill(e.accountId, e.trade.symbol, e.trade.orderId)),
      this.balances.listen((id) => this.roster.get(id)?.copyRole === 'FOLLOWER'),
    );
    this.poll = cron.schedule(this.timing.balancePollCron, () => this.pollBalances(), {
      name: 'copy-balances',
      noOverlap: true,
      logger: {
        info: (m) => logger.debug(m),
        warn: (m) => logger.warn(m),
        error: (m, err) => logger.error({ err: err ?? m }, 'copy balance poll'),
        debug: (m) => logger.debug(String(m)),
      },
    });
    await this.resume();
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await this.poll?.destroy();
    this.poll = undefined;
    await this.idle();
  }

  /** Resolves when every copy under way has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  isRunning(): Promise<boolean> {
    return this.settings.isRunning();
  }

  /** Global start/stop: stopping only stops dispatch; streams and balances keep running. */
  async setRunning(running: boolean): Promise<void> {
    const was = await this.settings.isRunning();
    await this.settings.setRunning(running);
    if (was === running) return;
    this.deps.bus.emit({
      type: 'alert',
      accountId: undefined,
      category: 'copy',
      severity: 'info',
      key: running ? 'alerts.copy_started' : 'alerts.copy_stopped',
      params: {},
    });
  }

  /** Recent leader events with their per-follower outcome, newest first. */
  recentEvents(count: number): Promise<EventWithIntents[]> {
    return recentEvents(this.deps.db, count);
  }

  lastCopies(followerIds: string[]): Promise<Map<string, IntentWithEvent>> {
    return lastIntents(this.deps.db, followerIds);
  }

  eventCount(): Promise<number> {
    return eventCount(this.deps.db);
  }

  /** Pauses a follower: it gets no copies and keeps its assets (account status PAUSED). */
  async pauseFollower(followerId: string, reason: string): Promise<AccountView> {
    const account = await this.follower(followerId);
    if (account.status === 'DISABLED') throw new CopyRefusedError('copy.follower_disabled', { follower: account.id });
    const paused = await this.deps.accounts.setStatus(account.id, 'PAUSED', reason);
    await this.refreshRoster();
    return paused;
  }

  /** A paused follower copies again from the next leader event; a disabled one needs its key fixed. */
  async resumeFollower(followerId: string): Promise<AccountView> {
    const account = await this.follower(followerId);
    if (account.status === 'DISABLED') {
      throw new CopyRefusedError('copy.follower_disabled', {
        follower: account.id,
        reason: account.statusReason ?? '',
      });
    }
    const active = await this.deps.accounts.setStatus(account.id, 'ACTIVE');
    await this.refreshRoster();
    await this.deps.streams.watch(active);
    return active;
  }

  /** The account, if it is a follower; refused otherwise. */
  async follower(followerId: string): Promise<AccountView> {
    const account = await this.deps.accounts.get(followerId);
    if (account.copyRole !== 'FOLLOWER') throw new CopyRefusedError('copy.not_follower', { account: account.id });
    return account;
  }

  /** Re-reads which accounts lead and follow (also on every poll: changes apply without restart). */
  async refreshRoster(): Promise<AccountView[]> {
    const accounts = (await this.deps.accounts.list()).filter((a) => a.copyRole !== 'NONE');
    this.roster = new Map(accounts.map((a) => [a.id, a]));
    return accounts;
  }

  /**
   * Adds a follower at runtime: it gets a copy from the next leader event. Only a spot account
   * with an API key can copy, and never the leader itself.
   */
  async addFollower(accountId: string): Promise<AccountView> {
    const account = await this.followerCandidate(accountId);
    if (account.copyRole !== 'FOLLOWER') await this.setCopyRole(account.id, 'FOLLOWER');
    return this.deps.accounts.get(account.id);
  }

  /** The account, if it can follow; refused with the reason otherwise. */
  async followerCandidate(accountId: string): Promise<AccountView> {
    const account = await this.deps.accounts.get(accountId);
    if (account.copyRole === 'LEADER') throw new CopyRefusedError('copy.leader_cannot_follow', { account: account.id });
    if (account.market !== 'spot') throw new CopyRefusedError('copy.follower_not_spot', { account: account.id });
    if (!account.hasCredentials) throw new CopyRefusedError('copy.follower_no_key', { account: account.id });
    return account;
  }

  /** Removes a follower at runtime: no new copies; its orders and intents already under way are left alone. */
  async removeFollower(accountId: string): Promise<AccountView> {
    const account = await this.follower(accountId);
    await this.setCopyRole(account.id, 'NONE');
    return this.deps.accounts.get(account.id);
  }

  /** Sets the symbol a leader's market orders are copied on (BTC/USDT by default). */
  async setLeaderSymbol(symbol: string): Promise<{ leader: string; symbol: string }> {
    const resolved = await this.leaderSymbolOf(symbol);
    await this.settings.setLeaderSymbol(resolved.leader, resolved.symbol);
    return resolved;
  }

  /** The leader and the symbol as its exchange names it (`ethusdt` → `ETH/USDT`); refused if unknown. */
  async leaderSymbolOf(symbol: string): Promise<{ leader: string; symbol: string }> {
    const leader = (await this.refreshRoster()).find((a) => a.copyRole === 'LEADER');
    if (!leader) throw new CopyRefusedError('copy.no_leader_account');
    const exchange = await this.deps.exchanges.for(leader.id);
    return { leader: leader.id, symbol: exchange.resolveSymbol(symbol) };
  }

  /** Makes an account a follower (or a leader, or neither) at runtime. */
  async setCopyRole(accountId: string, role: 'LEADER' | 'FOLLOWER' | 'NONE'): Promise<void> {
    const account = await this.deps.accounts.get(accountId);
    await this.deps.db.account.update({ where: { id: account.id }, data: { copyRole: role } });
    if (role !== 'FOLLOWER') this.balances.forget(account.id);
    await this.refreshRoster();
    if (role !== 'NONE' && account.status === 'ACTIVE') await this.deps.streams.watch(account);
  }

  /**
   * Handles one leader order (stream, REST catch-up, or a test injecting a replay): a completed
   * market order on the leader's symbol becomes a leader event and is copied; anything else, and
   * any order already seen, is ignored. Resolves when every follower's copy has finished.
   */
  copyLeaderOrder(leaderId: string, order: ExchangeOrder): Promise<CopyEvent | undefined> {
    return this.track(this.copyLeaderOrderNow(leaderId, order));
  }

  /** Finishes every intent a crash or a restart left PENDING or SENT (see copyToFollower). */
  async resume(): Promise<CopyIntent[]> {
    const open = await this.deps.db.copyIntent.findMany({
      where: { status: { in: ['PENDING', 'SENT'] } },
      include: { event: true },
    });
    if (open.length > 0) this.deps.logger.info({ intents: open.length }, 'copy intents left open: resolving');
    return Promise.all(open.map((intent) => this.track(this.copyToFollower(intent.event, intent))));
  }

  private onLeaderOrder(accountId: string, order: ExchangeOrder): void {
    if (this.roster.get(accountId)?.copyRole !== 'LEADER') return;
    void this.copyLeaderOrder(accountId, order);
  }

  /**
   * A leader fill whose order never came as an event (the stream dropped during the fill; the
   * REST catch-up brings trades, not closed orders): after a grace period the order is read.
   */
  private onLeaderFill(accountId: string, symbol: string, orderId: string): void {
    if (this.roster.get(accountId)?.copyRole !== 'LEADER') return;
    const key = `${accountId}:${orderId}`;
    const seen = () => this.handled.has(key) || this.detecting.has(key);
    if (seen()) return;
    const check = async () => {
      await new Promise((r) => setTimeout(r, this.timing.orderGraceMs));
      if (seen()) return;
      const exchange = await this.deps.exchanges.for(accountId);
      const order = await exchange.fetchOrder(symbol, { id: orderId });
      if (order) await this.copyLeaderOrderNow(accountId, order);
    };
    void this.track(check()).catch((err: unknown) =>
      this.deps.logger.warn({ err: String(err), account: accountId, order: orderId }, 'leader order lookup failed'),
    );
  }

  private async copyLeaderOrderNow(leaderId: string, order: ExchangeOrder): Promise<CopyEvent | undefined> {
    if (order.type !== 'market' || !TERMINAL.has(order.status) || !order.filled.greaterThan(0)) return undefined;
    if (order.symbol !== (await this.settings.leaderSymbol(leaderId))) return undefined;
    // Partial fills of one order are one event: only the completed order (its cumulative filled
    // and cost) is copied, once per leader order id.
    const key = `${leaderId}:${order.id}`;
    if (this.handled.has(key) || this.detecting.has(key)) return undefined;
    this.detecting.add(key);
    let event: CopyEvent | undefined;
    try {
      const known = await this.deps.db.copyEvent.findUnique({
        where: { leaderId_leaderOrderId: { leaderId, leaderOrderId: order.id } },
      });
      if (!known) {
        const facts = await readLeaderFill(await this.deps.exchanges.for(leaderId), order);
        event = await recordLeaderEvent(this.deps, this.settings, { leaderId, order, facts, ...this.timing });
      }
      this.handled.add(key);
    } finally {
      this.detecting.delete(key);
    }
    if (!event) return undefined;
    const { db } = this.deps;
    const intents = await db.copyIntent.findMany({ where: { eventId: event.id, status: 'PENDING' } });
    await Promise.all(intents.map((intent) => this.copyToFollower(event, intent)));
    return event;
  }

  /**
   * One follower's copy, never twice at once (in-process) and never twice on the exchange:
   * PENDING (nothing sent yet) → sized → SENT (amount stored) → placeCopyOrder, which sends only
   * after proving no order with this client id exists. After a restart a SENT intent is looked
   * up by its client id; a copy is sent only while its leader event is younger than maxEventAgeMs.
   */
  private copyToFollower(event: CopyEvent, intent: CopyIntent): Promise<CopyIntent> {
    const running = this.inFlight.get(intent.id);
    if (running) return running;
    const pending = this.copyOnce(event, intent)
      .catch((err: unknown) => this.fail(event, intent, err))
      .finally(() => this.inFlight.delete(intent.id));
    this.inFlight.set(intent.id, pending);
    return pending;
  }

  private async copyOnce(event: CopyEvent, intent: CopyIntent): Promise<CopyIntent> {
    const { accounts, exchanges, orders } = this.deps;
    const young = Date.now() - event.filledAt.getTime() <= this.timing.maxEventAgeMs;
    const mayPlace = young && (await this.settings.isRunning());
    if (intent.status === 'PENDING' && !mayPlace) {
      return this.update(intent, { status: 'FAILED', reason: young ? 'copy.failed.stopped' : 'copy.failed.expired' });
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
    this.balances.markChanged(intent.followerId);
    const order = await orders.placeCopyOrder(
      {
        accountId: intent.followerId,
        symbol,
        side,
        ...(side === 'buy' ? { cost: amount } : { amount }),
        clientOrderId: intent.clientOrderId,
      },
      { mayPlace },
    );
    if (!order) {
      return this.update(sent, { status: 'FAILED', reason: young ? 'copy.failed.stopped' : 'copy.failed.expired' });
    }
    return this.settle(event, sent, order);
  }

  /** Sizes the copy from the follower's free balance; SKIPPED below the market minimum. */
  private async size(event: CopyEvent, intent: CopyIntent, symbol: string): Promise<CopyIntent> {
    const follower = await this.deps.accounts.get(intent.followerId);
    const { base, quote } = assetsOf(symbol);
    const side = event.side === 'sell' ? 'sell' : 'buy';
    const [free, filters, policies] = await Promise.all([
      this.balances.free(follower.id, side === 'buy' ? quote : base),
      marketFiltersOf(this.deps.exchanges, follower, symbol),
      this.settings.policies([follower.id]),
    ]);
    const baseFilled = new Decimal(event.baseFilled);
    const quoteFilled = new Decimal(event.quoteFilled);
    const policy = policies.get(follower.id) ?? { mode: 'share' as const, ratio: null, maxPerTrade: null };
    const size = sizeFollowerCopy({
      side,
      fraction: new Decimal(event.fraction),
      leaderBaseFilled: baseFilled,
      leaderQuoteFilled: quoteFilled,
      price: quoteFilled.div(baseFilled),
      followerFree: free,
      policy,
      filters,
    });
    const common = { freeBefore: free.toFixed(), mode: policy.mode };
    if (size.kind === 'skip') {
      return this.update(intent, {
        ...common,
        amount: size.amount.toFixed(),
        status: 'SKIPPED',
        reason: `copy.skipped.${size.reason}`,
      });
    }
    const amount = size.kind === 'buy' ? size.cost : size.amount;
    return this.update(intent, { ...common, amount: amount.toFixed(), status: 'SENT' });
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

  private update(intent: CopyIntent, data: Partial<Omit<CopyIntent, 'id' | 'eventId'>>): Promise<CopyIntent> {
    return this.deps.db.copyIntent.update({ where: { id: intent.id }, data });
  }

  private async pollBalances(): Promise<void> {
    const roster = await this.refreshRoster();
    const stale = roster.filter(
      (a) => a.copyRole === 'FOLLOWER' && a.status === 'ACTIVE' && !this.balances.isFresh(a.id),
    );
    await Promise.all(
      stale.map((a) =>
        this.balances
          .refresh(a.id)
          .catch((err: unknown) =>
            this.deps.logger.warn({ err: String(err), account: a.id }, 'follower balance poll failed'),
          ),
      ),
    );
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.work.add(work);
    void work.then(
      () => this.work.delete(work),
      () => this.work.delete(work),
    );
    return work;
  }
}
