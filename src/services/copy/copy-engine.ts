import type { ScheduledTask } from 'node-cron';
import { leaderFraction, type MarketFilters } from '../../domain/copy-sizing.ts';
import { HedgeError, reasonParams } from '../../domain/errors.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import type { ExchangeOrder, ExchangeTrade } from '../../exchange/types.ts';
import type { CopyEvent, CopyIntent } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { scheduleJob } from '../../infra/cron.ts';
import type { Logger } from '../../infra/logger.ts';
import type { AccountService, AccountView } from '../accounts.ts';
import type { EventBus } from '../events.ts';
import type { AccountCodes } from '../orders/account-codes.ts';
import type { FanOutWindow } from '../orders/fan-out-window.ts';
import type { FillIngestion } from '../orders/fill-ingestion.ts';
import type { OrderTracker } from '../orders/order-tracker.ts';
import type { RiskService } from '../orders/risk-service.ts';
import { BoundedSet } from '../streams/seen-set.ts';
import type { StreamSupervisor } from '../streams/supervisor.ts';
import type { Visibility } from '../../domain/grants.ts';
import { eventCount, lastIntents, recentEvents, type EventWithIntents, type IntentWithEvent } from './copy-history.ts';
import { CopyOrders } from './copy-orders.ts';
import { CopySettingsStore } from './copy-settings.ts';
import { FollowerBalances } from './follower-balances.ts';
import { FollowerCopies } from './follower-copy.ts';
import { planCopies, type PlannedCopy } from './copy-plan.ts';
import {
  eventStatus,
  expiredEventAlert,
  isLeaderEvent,
  leaderOrderKey,
  readLeaderFill,
  recordLeaderEvent,
  type RecordedEvent,
} from './leader-events.ts';
import { marketFiltersOf } from '../../exchange/market-filters.ts';

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
  /**
   * After a restart, a copy whose order row was written but whose fate is unknown is sent only
   * once the exchange's request-validity window (10 s Binance, 30 s Bitget) has passed since the
   * row was written and the exchange still does not know it. Tests shorten it.
   */
  inDoubtWindowMs?: number | undefined;
  /**
   * A copy the exchange took without saying how it ended (Bitget) waits this long for its
   * follower's stream to say so, then is read back over REST.
   */
  streamSettleMs: number;
  /**
   * While a fan-out waits for its answers, its followers' streams, the writes of its answers and
   * the work queued behind it (read-backs, fills) are held: never longer than this (a copy that
   * hangs until its timeout holds nothing up), well inside the stream watchdog's silence grace.
   * 0 = nothing is held.
   */
  fanOutHoldMaxMs: number;
  /**
   * An intent still PENDING or SENT this long after its last write, with no copy of this
   * process working on it (an answer that never came, a read-back that failed), is looked up
   * again by the in-doubt sweep, as a restart would.
   */
  staleIntentMs: number;
}

export const DEFAULT_COPY_TIMING: CopyTiming = {
  maxEventAgeMs: 30_000,
  balanceMaxAgeMs: 5_000,
  balancePollCron: '*/3 * * * * *',
  orderGraceMs: 500,
  streamSettleMs: 3_000,
  fanOutHoldMaxMs: 1_000,
  staleIntentMs: 60_000,
};

export interface CopyEngineDeps {
  db: Db;
  accounts: AccountService;
  exchanges: ExchangeClients;
  streams: StreamSupervisor;
  tracker: OrderTracker;
  /** The fan-out's unit of work: the writes and reads it defers until its followers are answered. */
  window: FanOutWindow;
  fills: FillIngestion;
  risk: RiskService;
  codes: AccountCodes;
  bus: EventBus;
  logger: Logger;
}

const TERMINAL = new Set(['closed', 'canceled', 'expired']);
/** A leader order whose event failed is tried this many times, this far apart (times the attempt). */
const LEADER_ATTEMPTS = 3;
const LEADER_RETRY_MS = 1_000;

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
  private readonly work = new Set<Promise<unknown>>();
  private readonly unsubscribe: (() => void)[] = [];
  private poll: ScheduledTask | undefined;
  private readonly copies: FollowerCopies;

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
    this.copies = new FollowerCopies({
      ...deps,
      settings: this.settings,
      balances: this.balances,
      timing: this.timing,
      copyOrders: new CopyOrders(deps),
      track: (work) => this.track(work),
    });
  }

  /** Follows the leaders' orders and the followers' balances; finishes what a restart left open. */
  async start(): Promise<void> {
    await this.refreshRoster();
    const { bus, logger } = this.deps;
    this.unsubscribe.push(
      bus.on('order', (e) => this.onLeaderOrder(e.accountId, e.order)),
      bus.on('fill', (e) => this.onLeaderFill(e.accountId, e.trade)),
      this.copies.listen(),
      this.balances.listen((id) => this.roster.get(id)?.copyRole === 'FOLLOWER'),
    );
    this.poll = scheduleJob(this.timing.balancePollCron, 'copy-balances', () => this.pollBalances(), logger);
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
    await this.deps.window.written();
  }

  /** The copy window: a leader event older than this when the desk comes to it is not copied. */
  get maxEventAgeMs(): number {
    return this.timing.maxEventAgeMs;
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
  /** The latest events the person sees (domain/grants.ts), with the copies they see. */
  recentEvents(count: number, visibility: Visibility = 'all'): Promise<EventWithIntents[]> {
    return recentEvents(this.deps.db, count, visibility);
  }

  lastCopies(followerIds: string[]): Promise<Map<string, IntentWithEvent>> {
    return lastIntents(this.deps.db, followerIds);
  }

  eventCount(visibility: Visibility = 'all'): Promise<number> {
    return eventCount(this.deps.db, visibility);
  }

  /** Pauses a follower: it gets no copies and keeps its assets (account status PAUSED). */
  async pauseFollower(followerId: string, reason: string): Promise<AccountView> {
    const account = await this.pausable(followerId);
    const paused = await this.deps.accounts.setStatus(account.id, 'PAUSED', reason);
    await this.refreshRoster();
    return paused;
  }

  /** The follower, if pausing it would change something; refused with the reason otherwise. */
  async pausable(followerId: string): Promise<AccountView> {
    const account = await this.enabledFollower(followerId);
    if (account.status === 'PAUSED') throw new CopyRefusedError('copy.already_paused', { follower: account.id });
    return account;
  }

  /** A paused follower copies again from the next leader event; a disabled one needs its key fixed. */
  async resumeFollower(followerId: string): Promise<AccountView> {
    const account = await this.resumable(followerId);
    const active = await this.deps.accounts.setStatus(account.id, 'ACTIVE');
    await this.refreshRoster();
    await this.deps.streams.watch(active);
    return active;
  }

  /** The follower, if it is paused; refused with the reason otherwise. */
  async resumable(followerId: string): Promise<AccountView> {
    const account = await this.enabledFollower(followerId);
    if (account.status !== 'PAUSED') throw new CopyRefusedError('copy.not_paused', { follower: account.id });
    return account;
  }

  /** The follower, if its key works (not DISABLED); refused with the reason otherwise. */
  private async enabledFollower(followerId: string): Promise<AccountView> {
    const account = await this.follower(followerId);
    if (account.status === 'DISABLED') {
      throw new CopyRefusedError('copy.follower_disabled', {
        follower: account.id,
        reason: account.statusReason ?? '',
      });
    }
    return account;
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

  /** Forgets which leader orders this process has handled, as a restart does (tests). */
  forgetHandled(): void {
    this.handled.clear();
  }

  /** Finishes every intent a crash or a restart left PENDING or SENT (see FollowerCopies.copy). */
  async resume(): Promise<CopyIntent[]> {
    const open = await this.openIntents();
    if (open.length > 0) this.deps.logger.info({ intents: open.length }, 'copy intents left open: resolving');
    return this.finish(open);
  }

  /**
   * While running (the in-doubt sweep): intents left PENDING or SENT for `staleIntentMs` that no
   * copy of this process is working on — a copy whose answer never came, whose read-back failed —
   * are looked up by their client id and finished like after a restart: found → recorded; not
   * found once the exchange's request window has passed → sent only while the leader event is
   * young, else failed with an alert.
   */
  async resolveStale(): Promise<CopyIntent[]> {
    const before = new Date(Date.now() - this.timing.staleIntentMs);
    const stale = (await this.openIntents(before)).filter((intent) => !this.copies.isUnderWay(intent));
    if (stale.length > 0) this.deps.logger.info({ intents: stale.length }, 'copy intents still open: looking them up');
    return this.finish(stale);
  }

  private openIntents(updatedBefore?: Date) {
    return this.deps.db.copyIntent.findMany({
      where: { status: { in: ['PENDING', 'SENT'] }, ...(updatedBefore ? { updatedAt: { lt: updatedBefore } } : {}) },
      include: { event: true },
    });
  }

  /** Each open intent's copy, as a restart finishes it; fills of followers without a live stream are read after. */
  private async finish(open: (CopyIntent & { event: CopyEvent })[]): Promise<CopyIntent[]> {
    const settled = await Promise.all(
      open.map((intent) => this.track(this.copies.copy(intent.event, intent, undefined, true))),
    );
    const events = new Map(open.map(({ event }) => [event.id, event]));
    for (const event of events.values()) {
      this.copies.catchUpFills(
        event,
        settled.filter((intent) => intent.eventId === event.id),
      );
    }
    return settled;
  }

  private onLeaderOrder(accountId: string, order: ExchangeOrder): void {
    if (this.roster.get(accountId)?.copyRole !== 'LEADER') return;
    void this.copyWithRetries(accountId, order);
  }

  /**
   * A leader order whose event could not be made (its fill read failed, the database was busy) is
   * tried again while it is young enough to be copied; given up, the trader is told — followers
   * would otherwise drift from the leader in silence. Nothing was written before the event, so a
   * retry cannot copy twice.
   */
  private async copyWithRetries(leaderId: string, order: ExchangeOrder): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.copyLeaderOrder(leaderId, order);
        return;
      } catch (err) {
        const young = Date.now() - order.timestamp + LEADER_RETRY_MS * attempt < this.timing.maxEventAgeMs;
        this.deps.logger.warn(
          { err: String(err), account: leaderId, order: order.id, attempt },
          'leader order not made into a copy event',
        );
        if (attempt < LEADER_ATTEMPTS && young) {
          await new Promise((r) => setTimeout(r, LEADER_RETRY_MS * attempt));
          continue;
        }
        this.deps.bus.emit({
          type: 'alert',
          accountId: leaderId,
          category: 'copy',
          severity: 'critical',
          key: 'alerts.leader_not_copied',
          params: {
            ...reasonParams(err),
            leader: leaderId,
            order: order.id,
            symbol: order.symbol,
            side: order.side,
          },
        });
        return;
      }
    }
  }

  /**
   * A leader fill whose order never came as an event (the stream dropped during the fill; the
   * REST catch-up brings trades, not closed orders): after a grace period the order is read —
   * unless this leader order already is an event, which is known without asking the exchange.
   */
  private onLeaderFill(accountId: string, trade: ExchangeTrade): void {
    if (this.roster.get(accountId)?.copyRole !== 'LEADER') return;
    const key = `${accountId}|${leaderOrderKey({ symbol: trade.symbol, id: trade.orderId, clientOrderId: trade.clientOrderId })}`;
    const seen = () => this.handled.has(key) || this.detecting.has(key);
    if (seen()) return;
    const check = async () => {
      await new Promise((r) => setTimeout(r, this.timing.orderGraceMs));
      if (seen() || (await this.knownLeaderOrder(accountId, trade.symbol, trade.orderId))) return;
      const exchange = await this.deps.exchanges.for(accountId);
      const order = await exchange.fetchOrder(trade.symbol, { id: trade.orderId });
      if (order) await this.copyWithRetries(accountId, order);
    };
    void this.track(check()).catch((err: unknown) =>
      this.deps.logger.warn(
        { err: String(err), account: accountId, order: trade.orderId },
        'leader order lookup failed',
      ),
    );
  }

  /** An event for this leader order exists already (by market and exchange order id; no request). */
  private async knownLeaderOrder(leaderId: string, symbol: string, orderId: string): Promise<boolean> {
    const known = await this.deps.db.copyEvent.findFirst({
      where: { leaderId, leaderOrderId: orderId, symbol },
      select: { id: true },
    });
    return known !== null;
  }

  private async copyLeaderOrderNow(leaderId: string, order: ExchangeOrder): Promise<CopyEvent | undefined> {
    if (order.type !== 'market' || !TERMINAL.has(order.status) || !order.filled.greaterThan(0)) return undefined;
    if (order.symbol !== (await this.settings.leaderSymbol(leaderId))) return undefined;
    // Partial fills of one order are one event: only the completed order (its cumulative filled
    // and cost) is copied, once per leader order — by what the exchange guarantees unique.
    const leaderKey = leaderOrderKey(order);
    const key = `${leaderId}|${leaderKey}`;
    if (this.handled.has(key) || this.detecting.has(key)) return undefined;
    this.detecting.add(key);
    let recorded: RecordedEvent | undefined;
    try {
      if (!(await isLeaderEvent(this.deps.db, leaderId, leaderKey))) recorded = await this.recordEvent(leaderId, order);
      this.handled.add(key);
      // A fill of this order arriving later is known by its market and order id.
      this.handled.add(`${leaderId}|o:${order.symbol}:${order.id}`);
    } finally {
      this.detecting.delete(key);
    }
    if (!recorded) return undefined;
    const { event, intents, orders } = recorded;
    if (event.status === 'EXPIRED') this.alertExpired(event, intents);
    this.deps.tracker.adopt(orders.values());
    // The followers' order, fill and balance pushes would be parsed between the others' answers.
    const copying = intents.filter((i) => i.status === 'SENT' || i.status === 'PENDING').map((i) => i.followerId);
    const releaseStreams = await this.deps.streams.hold(copying, this.timing.fanOutHoldMaxMs);
    const fanOut = Promise.all(
      intents.map((intent) => {
        const row = orders.get(intent.clientOrderId);
        if (intent.status === 'SENT' && row) {
          return this.copies.copy(event, intent, row);
        }
        return intent.status === 'PENDING' ? this.copies.copy(event, intent) : Promise.resolve(intent);
      }),
    );
    // One window over the fan-out (fanOutHoldMaxMs at most): the followers' orders first, then
    // one write of their order states and intents, then their fills and read-backs, and their
    // streams' messages.
    void this.deps.window.hold(fanOut, this.timing.fanOutHoldMaxMs).then(releaseStreams);
    const settled = await fanOut;
    this.copies.catchUpFills(event, settled);
    return event;
  }

  /**
   * Reads what the leader's order used, plans every follower's copy (sized now when its cached
   * balance can be trusted), and writes the event, the intents and those copies' order rows in
   * one transaction — nothing is sent before it commits.
   */
  private async recordEvent(leaderId: string, order: ExchangeOrder): Promise<RecordedEvent | undefined> {
    const { accounts, codes, exchanges, risk, db } = this.deps;
    // The leader's fill read (two REST calls) and the followers' settings go out together.
    const followersRead = (async () => {
      const followers = await accounts.followers();
      const ids = followers.map((f) => f.id);
      const [policies, limited, followerCodes] = await Promise.all([
        this.settings.policies(ids),
        risk.limited(ids),
        Promise.all(ids.map(async (id) => [id, await codes.codeOf(id)] as const)),
      ]);
      return { followers, policies, limited, codes: new Map(followerCodes) };
    })();
    followersRead.catch(() => undefined); // awaited below when the event is copied
    const [facts, running] = await Promise.all([
      readLeaderFill(await exchanges.for(leaderId), order),
      this.settings.isRunning(),
    ]);
    const fraction = leaderFraction(facts);
    const status = eventStatus({
      running,
      fraction,
      tooOld: Date.now() - order.timestamp > this.timing.maxEventAgeMs,
    });
    let planned: PlannedCopy[] = [];
    if (status === 'EXPIRED') {
      // Too old to copy: each active follower it did not reach gets a FAILED copy saying so
      // (shown by /events), and is told about in an alert once the event is written.
      const { followers, policies, codes } = await followersRead;
      planned = followers
        .filter((f) => f.status === 'ACTIVE')
        .map((f) => ({
          followerId: f.id,
          followerCode: codes.get(f.id) ?? 0,
          symbol: null,
          mode: policies.get(f.id)?.mode ?? 'share',
          freeBefore: null,
          amount: null,
          status: 'FAILED',
          reason: 'copy.failed.expired',
        }));
    }
    if (status === 'DISPATCHED' && fraction) {
      const { followers, ...sources } = await followersRead;
      const event = { ...facts, symbol: order.symbol, fraction };
      // Followers on one (exchange, market, env) share a market table: its filters are read once.
      const filters = new Map<string, Promise<MarketFilters>>();
      planned = await planCopies(event, followers, {
        ...sources,
        symbolOf: async (f) => (await exchanges.for(f.id)).resolveSymbol(order.symbol),
        trustedFree: (id, asset) => this.balances.trustedFree(id, asset),
        filtersOf: (f, symbol) => {
          const key = `${f.exchange}:${f.market}:${f.env}:${symbol}`;
          let found = filters.get(key);
          if (!found) {
            found = marketFiltersOf(exchanges, f, symbol);
            filters.set(key, found);
          }
          return found;
        },
      });
    }
    return recordLeaderEvent(db, { leaderId, order, facts, fraction, status, planned });
  }

  /**
   * A leader event seen too late to copy: each follower it did not reach hears of it (one alert
   * each, so every chat is told only of the followers its people may see; a burst is one message).
   */
  private alertExpired(event: CopyEvent, intents: CopyIntent[]): void {
    const seenAt = event.createdAt.getTime();
    const window = this.timing.maxEventAgeMs;
    this.deps.logger.warn(
      { event: event.id, leader: event.leaderId, ageMs: seenAt - event.filledAt.getTime(), followers: intents.length },
      'leader event too old to copy',
    );
    for (const intent of intents) this.deps.bus.emit(expiredEventAlert(event, intent.followerId, seenAt, window));
    if (intents.length === 0) this.deps.bus.emit(expiredEventAlert(event, undefined, seenAt, window));
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
