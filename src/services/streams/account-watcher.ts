import type { AccountExchange, ExchangeOrder, ExchangeTrade } from '../../exchange/types.ts';
import type { Logger } from '../../infra/logger.ts';
import type { EventBus, EventSource, StreamHealth } from '../events.ts';
import { USD_STABLES } from '../../domain/valuation.ts';
import { BoundedSet } from './seen-set.ts';

export interface WatcherTiming {
  /** How often REST is compared with what the stream delivered while it claims to be live. */
  watchdogMs: number;
  /** How often REST is polled while the stream is down or silent. */
  pollMs: number;
  /** A trade older than this that REST knows and the stream never sent means the stream is silent. */
  silenceGraceMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /**
   * After an error, a re-issued watch that has not failed for this long is taken as connected
   * (ccxt.pro rejects at once when it cannot connect or subscribe; success is silent).
   */
  reconnectSettleMs: number;
}

export const DEFAULT_TIMING: WatcherTiming = {
  watchdogMs: 15_000,
  pollMs: 3_000,
  silenceGraceMs: 5_000,
  backoffInitialMs: 500,
  backoffMaxMs: 30_000,
  reconnectSettleMs: 1_000,
};

export interface WatcherStatus {
  accountId: string;
  health: StreamHealth;
  reason: string | undefined;
  since: number;
  lastEventAt: number | undefined;
  reconnects: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Keeps one account's user-data stream alive and makes it trustworthy: every fill reaches the
 * bus exactly once, whether it came from the stream, from the REST catch-up after a reconnect,
 * or from polling while the stream is silent.
 */
export class AccountStreamWatcher {
  private running = false;
  private status: WatcherStatus;
  private readonly seenTrades = new BoundedSet();
  /**
   * Fills REST showed before the stream did although they happened while the stream was live,
   * by key → trade time. Whichever catch-up saw them first (the watchdog, or a late reconnect
   * catch-up), a stream that has not sent them once the grace period is over is silent.
   */
  private readonly restFirst = new Map<string, number>();
  private readonly orderVersions = new Map<string, string>();
  private readonly symbols = new Set<string>();
  private readonly lastTradeId = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private catchingUp: Promise<void> | undefined;
  /** Set when REST showed fills the stream never sent; cleared by the next real stream event. */
  private silent = false;

  constructor(
    private readonly exchange: AccountExchange,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    private readonly timing: WatcherTiming = DEFAULT_TIMING,
    initialSymbols: readonly string[] = [],
    private readonly now: () => number = Date.now,
  ) {
    for (const s of initialSymbols) this.symbols.add(s);
    this.status = {
      accountId: exchange.accountId,
      health: 'stopped',
      reason: undefined,
      since: now(),
      lastEventAt: undefined,
      reconnects: 0,
    };
  }

  get state(): WatcherStatus {
    return { ...this.status };
  }

  /** Also watch this symbol in REST catch-up (streams report all symbols by themselves). */
  track(symbol: string): void {
    this.symbols.add(symbol);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.setHealth('starting', undefined);
    void this.runLoop(
      'orders',
      () => this.exchange.watchOrders(),
      (orders) => this.onOrders(orders, 'stream'),
    );
    void this.runLoop(
      'trades',
      () => this.exchange.watchTrades(),
      (trades) => this.onTrades(trades, 'stream'),
    );
    void this.runLoop(
      'balance',
      () => this.exchange.watchBalance(),
      (balances) => {
        this.bus.emit({ type: 'balance', accountId: this.exchange.accountId, balances, source: 'stream' });
      },
    );
    void this.discoverSymbols()
      .then(() => this.catchUp())
      .then(
        () => {
          if (this.running && this.status.health === 'starting') this.setHealth('live', undefined);
        },
        (err: unknown) => {
          this.logger.warn({ account: this.exchange.accountId, err: String(err) }, 'first REST catch-up failed');
        },
      );
    this.schedule(this.timing.watchdogMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.setHealth('stopped', undefined);
    await this.exchange.closeStreams().catch(() => undefined);
  }

  private async runLoop<T>(name: string, watch: () => Promise<T>, deliver: (value: T) => void): Promise<void> {
    let backoff = this.timing.backoffInitialMs;
    let failed = false;
    while (this.running) {
      try {
        const pending = watch();
        if (failed) {
          // Reconnecting: once the new subscription holds, catch up over REST and go live.
          failed = !(await this.settled(pending));
          if (!failed) {
            backoff = this.timing.backoffInitialMs;
            await this.recovered();
          }
        }
        const value = await pending;
        if (this.stopped()) return;
        failed = false;
        this.status.lastEventAt = this.now();
        this.silent = false;
        if (this.status.health !== 'live') await this.recovered();
        deliver(value);
      } catch (err) {
        if (this.stopped()) return;
        failed = true;
        const reason = `${name} stream: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`;
        this.logger.warn({ account: this.exchange.accountId, reason }, 'stream interrupted; polling until it is back');
        this.setHealth('polling', reason);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, this.timing.backoffMaxMs);
      }
    }
  }

  /** True when `pending` has not failed within the settle time (it may still be waiting for data). */
  private settled(pending: Promise<unknown>): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(true), this.timing.reconnectSettleMs);
      pending.then(
        () => {
          clearTimeout(timer);
          resolve(true);
        },
        () => {
          clearTimeout(timer);
          resolve(false);
        },
      );
    });
  }

  /**
   * The stream is back: fetch what happened meanwhile, then report it live. A stream found
   * silent stays "polling" until it really delivers an event again.
   */
  private async recovered(): Promise<void> {
    if (this.silent || !this.running) return;
    if (this.status.health === 'polling') this.status.reconnects++;
    await this.catchUp().catch((err: unknown) => {
      this.logger.warn({ account: this.exchange.accountId, err: String(err) }, 'REST catch-up failed');
    });
    if (!this.stopped() && !this.isSilent()) this.setHealth('live', undefined);
  }

  // Read through methods: these flags change while a loop awaits, which TypeScript cannot see.
  private stopped(): boolean {
    return !this.running;
  }

  private isSilent(): boolean {
    return this.silent;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  /** The watchdog: compare REST with the stream; while the stream is down, this is the poll. */
  private async tick(): Promise<void> {
    try {
      await this.catchUp();
      const missed = this.silentFills();
      if (missed > 0 && this.status.health === 'live') {
        this.silent = true;
        this.setHealth('polling', `stream silent: ${missed} fill(s) found only over REST`);
        this.logger.warn({ account: this.exchange.accountId, missed }, 'stream went silent; reconnecting');
        await this.exchange.closeStreams().catch(() => undefined);
      }
    } catch (err) {
      this.logger.warn({ account: this.exchange.accountId, err: String(err) }, 'REST catch-up failed');
    } finally {
      this.schedule(this.status.health === 'live' ? this.timing.watchdogMs : this.timing.pollMs);
    }
  }

  /**
   * Which markets to read trades of after a gap: those with a futures position, and on spot
   * those of every asset held against USDT. Orders and fills seen later add theirs.
   */
  private async discoverSymbols(): Promise<void> {
    const positions = await this.exchange.fetchPositions();
    for (const p of positions) this.symbols.add(p.symbol);
    if (this.exchange.market !== 'spot') return;
    for (const line of await this.exchange.fetchBalance()) {
      if (line.total.isZero() || USD_STABLES.has(line.asset)) continue;
      try {
        this.symbols.add(this.exchange.resolveSymbol(`${line.asset}/USDT`));
      } catch {
        // an asset with no USDT market: nothing to catch up
      }
    }
  }

  /**
   * Reads open orders and recent trades over REST and emits what the bus has not seen; fills of
   * the live stream's time that only REST brought are kept for the watchdog (silentFills).
   */
  private catchUp(): Promise<void> {
    // One catch-up at a time: the watchdog and a reconnect may ask together.
    const run = async (): Promise<void> => {
      // A futures position opened elsewhere (the exchange's site, another tool) has fills too.
      if (this.exchange.market === 'usdm')
        for (const p of await this.exchange.fetchPositions()) this.symbols.add(p.symbol);
      const askedAt = this.now();
      const open = await this.exchange.fetchOpenOrders();
      for (const o of open) this.symbols.add(o.symbol);
      this.onOrders(open, 'rest');
      // What the book holds open and is not here ended unseen: the order tracker looks it up.
      this.bus.emit({ type: 'open_orders', accountId: this.exchange.accountId, orders: open, askedAt });
      for (const symbol of this.symbols) {
        const since = this.lastTradeId.get(symbol);
        const trades = await this.exchange.fetchTrades(symbol, since ? { sinceTradeId: since } : {});
        // A fill from before the stream was live (it was down, or starting) is no sign of silence.
        const liveSince = this.status.health === 'live' ? this.status.since : undefined;
        for (const trade of this.onTrades(trades, 'rest')) {
          if (liveSince !== undefined && trade.timestamp >= liveSince)
            this.restFirst.set(`${trade.symbol}:${trade.id}`, trade.timestamp);
        }
      }
    };
    const pending = (this.catchingUp ?? Promise.resolve()).then(run, run);
    this.catchingUp = pending.then(
      () => undefined,
      () => undefined,
    );
    return pending;
  }

  /** Fills of the live stream's time that it still has not sent, now past the grace period. */
  private silentFills(): number {
    let missed = 0;
    const cutoff = this.now() - this.timing.silenceGraceMs;
    for (const [key, at] of this.restFirst) {
      if (at >= cutoff) continue;
      this.restFirst.delete(key);
      missed++;
    }
    return missed;
  }

  private onOrders(orders: ExchangeOrder[], source: EventSource): void {
    for (const order of orders) {
      this.symbols.add(order.symbol);
      // Binance order ids are unique per symbol only.
      const key = `${order.symbol}:${order.id}`;
      const version = `${order.status}:${order.filled.toString()}`;
      if (this.orderVersions.get(key) === version) continue;
      // An ended order changes no more: forgotten, so the map holds open orders only.
      if (order.status === 'open') this.orderVersions.set(key, version);
      else this.orderVersions.delete(key);
      this.bus.emit({ type: 'order', accountId: this.exchange.accountId, order, source });
    }
  }

  /** Emits each trade once, whichever path brought it; returns the ones that were new. */
  private onTrades(trades: ExchangeTrade[], source: EventSource): ExchangeTrade[] {
    const fresh: ExchangeTrade[] = [];
    for (const trade of trades) {
      this.symbols.add(trade.symbol);
      if (source === 'stream') this.restFirst.delete(`${trade.symbol}:${trade.id}`);
      const last = this.lastTradeId.get(trade.symbol);
      if (!last || compareIds(trade.id, last) > 0) this.lastTradeId.set(trade.symbol, trade.id);
      if (!this.seenTrades.add(`${trade.symbol}:${trade.id}`)) continue;
      fresh.push(trade);
      this.bus.emit({ type: 'fill', accountId: this.exchange.accountId, trade, source });
    }
    return fresh;
  }

  private setHealth(health: StreamHealth, reason: string | undefined): void {
    if (this.status.health === health && this.status.reason === reason) return;
    this.status = { ...this.status, health, reason, since: this.now() };
    this.bus.emit({ type: 'stream', accountId: this.exchange.accountId, health, reason });
  }
}

/** Exchange trade ids are numeric strings on Binance and Bitget; compare them as numbers. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}
