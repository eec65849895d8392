import { Decimal } from 'decimal.js';
import {
  isTerminal,
  LIVE_STATES,
  NEVER_PLACED,
  transition,
  type OrderEntry,
  type OrderEvent,
  type OrderEventSource,
  type OrderState,
} from '../../domain/order-state.ts';
import { ownClientOrderId } from '../../domain/client-order-id.ts';
import { HedgeError } from '../../domain/errors.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import {
  DuplicateClientOrderIdError,
  ExchangeRateLimitError,
  ExchangeUnavailableError,
  OrderNotFoundError,
  OrderStatusUnknownError,
} from '../../exchange/errors.ts';
import type { AccountExchange, ExchangeOrder, OrderRef } from '../../exchange/types.ts';
import type { Order, Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { Coalescer } from '../../infra/db/coalescer.ts';
import { KeyedLanes } from '../../infra/keyed-lanes.ts';
import type { Logger } from '../../infra/logger.ts';
import type { EventBus, EventSource } from '../events.ts';
import { optionalColumn, toColumn } from './decimal-columns.ts';
import type { FanOutWindow } from './fan-out-window.ts';
import type { FillIngestion } from './fill-ingestion.ts';
import { writeOrderStates, type OrderStateWrite } from './order-writes.ts';
import { dropUnusedVp } from './unused-vps.ts';

/** An order row before it is sent: everything but its state. */
export type NewOrderRow = Omit<Prisma.OrderUncheckedCreateInput, 'id' | 'status' | 'createdAt' | 'updatedAt'>;

/** A row moved by an event: what it was, what it is, and where the news came from. */
export interface OrderChange {
  before: Order;
  after: Order;
  source: OrderEventSource;
}

export interface SendOptions {
  /**
   * A refusal that proves the order was not taken (a rate limit, an unreachable exchange) is
   * tried once more after this wait, the order looked up by its client id first. Copies only.
   */
  retryOnce?: (err: unknown) => number | undefined;
  /** Do not wait for the row's write (a fan-out: its answers are written together after it). */
  deferWrite?: boolean;
}

/** Look-ups right after an answer that never came, 250, 500 and 750 ms apart. */
const UNANSWERED_LOOKUPS = 4;
/** An order that rested and that look-ups no longer find this long after its last change ended unfilled. */
const RESTED_FORGOTTEN_MS = 10 * 60_000;
/** Conditional (TP/SL) orders live in the exchange's algo book, looked up there. */
const CONDITIONAL_TYPES = new Set(['take_profit', 'stop']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The row's state as the transition table reads it. */
export function entryOf(row: Order): OrderEntry {
  return {
    state: row.status as OrderState,
    filled: new Decimal(row.filledQty),
    average: row.avgPrice === null ? undefined : new Decimal(row.avgPrice),
    exchangeOrderId: row.exchangeOrderId ?? undefined,
    reason: row.error ?? undefined,
  };
}

/** What the exchange said of an order, as an event of the table. */
export function reportOf(order: ExchangeOrder, source: OrderEventSource): OrderEvent {
  return {
    kind: 'reported',
    source,
    status: order.status,
    filled: order.filled,
    average: order.average,
    exchangeOrderId: order.id || undefined,
  };
}

function sourceOf(source: EventSource): OrderEventSource {
  return source === 'stream' ? 'stream' : 'lookup';
}

/** How long a request sent when the row was last written could still reach the exchange. */
export function requestWindowLeftMs(row: Order, windowMs: number, now = Date.now()): number {
  return row.updatedAt.getTime() + windowMs - now;
}

/**
 * The one writer of order rows: every order the desk sends is opened here before it is sent and
 * followed to its end — placement answers, every account's stream, the REST catch-up after a
 * stream gap, cancel answers, look-ups of orders whose answer never came (the in-doubt sweep,
 * restart recovery). Each news is an event of the pure transition table (domain/order-state.ts);
 * what the table refuses is logged and changes nothing. Events for one order are applied one at a
 * time, in arrival order; live rows are kept in memory, so a fan-out's hundred answers cost no
 * read. Changes are written together (one statement per turn of the event loop) and announced to
 * the listeners (the copy engine follows its intents from here).
 */
export class OrderTracker {
  /** Live rows by client order id, as last written (the database may be a turn behind). */
  private readonly live = new Map<string, Order>();
  private readonly lanes = new KeyedLanes<string>();
  private readonly writes: Coalescer<OrderStateWrite>;
  private readonly listeners = new Set<(change: OrderChange) => void>();
  /** Accounts whose resting orders have been read into memory (see loadResting). */
  private readonly loaded = new Set<string>();

  constructor(
    private readonly deps: {
      db: Db;
      exchanges: ExchangeClients;
      fills: FillIngestion;
      bus: EventBus;
      logger: Logger;
      window: FanOutWindow;
    },
  ) {
    this.writes = new Coalescer((items) => writeOrderStates(deps.db, items));
    deps.window.addWriter(this.writes);
  }

  /** Follows every account's order updates: its stream, and the REST catch-up after a gap. */
  listen(): () => void {
    const offs = [
      this.deps.bus.on('order', (e) => this.onExchangeOrder(e.accountId, e.order, e.source)),
      this.deps.bus.on('open_orders', (e) => this.onOpenOrders(e.accountId, e.orders, e.askedAt)),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  /** Called after every change of a row (synchronously, in the order's lane). */
  onChange(listener: (change: OrderChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Track before send: the PENDING row exists before anything can reach the exchange. */
  async open(data: NewOrderRow): Promise<Order> {
    const row = await this.deps.db.order.create({ data: { ...data, status: 'PENDING' } });
    this.live.set(row.clientOrderId, row);
    return row;
  }

  /** Rows opened inside another transaction (a copy event's), followed from here on. */
  adopt(rows: Iterable<Order>): void {
    for (const row of rows) if (!isTerminal(row.status as OrderState)) this.live.set(row.clientOrderId, row);
  }

  /** The row as the tracker knows it now. */
  async current(clientOrderId: string): Promise<Order | null> {
    return this.live.get(clientOrderId) ?? (await this.deps.db.order.findUnique({ where: { clientOrderId } }));
  }

  /** Resolves once every change applied so far is written. */
  written(): Promise<void> {
    return this.writes.settled();
  }

  /**
   * Sends the order and records the answer. A refusal that proves the order was not taken is
   * recorded (REJECTED) and rethrown; an answer that proves nothing (timeout, 5xx, an unknown
   * code) makes it UNKNOWN, and it is looked up by its client id a few times over ~1.5 s — not
   * found yet, it stays UNKNOWN for the in-doubt sweep. A duplicate client id says an order
   * with this id is open on the exchange: that order is looked up and followed, not called
   * refused. Never sent twice.
   */
  async send(row: Order, place: () => Promise<ExchangeOrder>, options: SendOptions = {}): Promise<Order> {
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await place();
        return (await this.apply(row, reportOf(answer, 'placement'), options)) ?? row;
      } catch (err) {
        if (err instanceof OrderStatusUnknownError || err instanceof DuplicateClientOrderIdError) {
          const unknown = await this.apply(row, { kind: 'unanswered', source: 'placement', reason: err.key }, options);
          return this.lookUpUnanswered(unknown ?? row, options);
        }
        const wait = attempt === 1 ? options.retryOnce?.(err) : undefined;
        if (wait !== undefined) {
          await sleep(wait);
          // null: the look-up failed too; the first refusal is the one reported.
          const found = await this.findOnExchange(row).catch(() => null);
          if (found) return (await this.apply(row, reportOf(found, 'lookup'), options)) ?? row;
          if (found === undefined) continue;
        }
        const reason = err instanceof HedgeError ? err.key : 'errors.internal';
        await this.apply(row, { kind: 'refused', source: 'placement', reason }, options);
        throw err;
      }
    }
  }

  /**
   * Applies one event to the order's row: the transition table decides, the row is written
   * (awaited unless deferred) and the listeners told. Undefined when the desk has no such order.
   */
  apply(
    ref: Order | { accountId: string; clientOrderId: string },
    event: OrderEvent,
    options: { deferWrite?: boolean | undefined } = {},
  ): Promise<Order | undefined> {
    // A row in memory with nothing queued for it moves at once (a fan-out's hundred answers and
    // their stream updates): the same steps, without waiting for a lane.
    const cached = this.lanes.busy(ref.clientOrderId) ? undefined : this.live.get(ref.clientOrderId);
    if (cached) {
      const moved = this.step(cached, ref, event);
      if (!moved) return Promise.resolve(cached.accountId === ref.accountId ? cached : undefined);
      if (options.deferWrite && moved.after.purpose === 'copy') return Promise.resolve(moved.after);
      return this.lanes.run(ref.clientOrderId, () => this.finish(moved, options));
    }
    return this.lanes.run(ref.clientOrderId, async () => {
      const row = this.live.get(ref.clientOrderId) ?? (await this.read(ref.clientOrderId));
      if (!row || row.accountId !== ref.accountId) return undefined;
      const moved = this.step(row, ref, event);
      return moved ? this.finish(moved, options) : row;
    });
  }

  /**
   * The transition, applied: memory holds the new row, its write is queued and the listeners are
   * told, all at once. Undefined when nothing moved (or the table refused the event).
   */
  private step(
    row: Order,
    ref: { accountId: string; clientOrderId: string },
    event: OrderEvent,
  ): { change: OrderChange; after: Order; landed: Promise<void> } | undefined {
    if (row.accountId !== ref.accountId) return undefined;
    const step = transition(entryOf(row), event);
    if (step.outcome === 'refused') {
      this.deps.logger.warn(
        { account: row.accountId, clientOrderId: row.clientOrderId, state: row.status, event, why: step.why },
        'order event refused by the transition table',
      );
      return undefined;
    }
    if (step.outcome === 'unchanged') return undefined;
    const next = step.next;
    const after: Order = {
      ...row,
      status: next.state,
      filledQty: toColumn(next.filled),
      avgPrice: optionalColumn(next.average),
      exchangeOrderId: next.exchangeOrderId ?? null,
      error: next.reason ?? null,
      updatedAt: new Date(),
    };
    // Kept until written, ended or not: the database may be a turn (or a fan-out) behind.
    this.live.set(row.clientOrderId, after);
    const written = this.writes.write({
      id: after.id,
      status: after.status,
      filledQty: after.filledQty,
      avgPrice: after.avgPrice,
      exchangeOrderId: after.exchangeOrderId,
      error: after.error,
    });
    const landed = written.then(
      () => {
        // Ended orders leave memory once written, and so do orders in doubt: whoever settles
        // those (the sweep, a restart) reads them as stored.
        const forget = isTerminal(next.state) || next.state === 'UNKNOWN';
        if (forget && this.live.get(row.clientOrderId) === after) this.live.delete(row.clientOrderId);
      },
      (err: unknown) => {
        // Not in the database: memory must not vouch for it (the next event reads the row again).
        if (this.live.get(row.clientOrderId) === after) this.live.delete(row.clientOrderId);
        this.deps.logger.error({ err, account: row.accountId, clientOrderId: row.clientOrderId }, 'order not written');
      },
    );
    const change = { before: row, after, source: event.source };
    for (const listener of this.listeners) listener(change);
    return { change, after, landed };
  }

  /** What follows a move: its write awaited (unless deferred), then its after-effects. */
  private async finish(
    moved: { change: OrderChange; after: Order; landed: Promise<void> },
    options: { deferWrite?: boolean | undefined },
  ): Promise<Order> {
    if (!options.deferWrite) await moved.landed;
    await this.afterChange(moved.change, moved.landed);
    return moved.after;
  }

  /** The row in memory, if the tracker holds it (no read): a copy just answered, a resting order. */
  peek(clientOrderId: string): Order | undefined {
    return this.live.get(clientOrderId);
  }

  /**
   * The order as the exchange has it, looked up by its client id and recorded. Not found: in doubt
   * while a request sent when the row was last written could still arrive (`windowMs`, the
   * exchange's request window by default), never placed after that.
   */
  async lookUp(row: Order, source: 'lookup' | 'sweep' | 'recovery', windowMs?: number): Promise<Order> {
    const found = await this.findOnExchange(row);
    const current = (await this.current(row.clientOrderId)) ?? row;
    if (found) return (await this.apply(current, reportOf(found, source))) ?? current;
    const exchange = await this.deps.exchanges.for(row.accountId);
    // An order that rested: the exchange may answer "not found" for a moment after a change, and
    // forgets it for good only long after it ended; before that it is looked up again later.
    const rested = current.status === 'OPEN' || current.status === 'PARTIALLY_FILLED';
    const window = rested ? Math.max(RESTED_FORGOTTEN_MS, windowMs ?? 0) : (windowMs ?? exchange.requestValidityMs);
    const windowPassed = requestWindowLeftMs(current, window) <= 0;
    return (await this.apply(current, { kind: 'not_found', source, windowPassed })) ?? current;
  }

  /** The order on the exchange by its client id (conditional orders in the algo book); undefined: not there. */
  async findOnExchange(row: Order): Promise<ExchangeOrder | undefined> {
    const exchange = await this.deps.exchanges.for(row.accountId);
    const ref = { clientOrderId: row.clientOrderId };
    return CONDITIONAL_TYPES.has(row.type)
      ? exchange.fetchConditionalOrder(row.symbol, ref)
      : exchange.fetchOrder(row.symbol, ref);
  }

  /**
   * Cancels an order on the exchange and records the answer. An order the exchange no longer has
   * open (filled or cancelled meanwhile) is looked up and recorded as it ended, and the
   * OrderNotFoundError goes back to the caller.
   */
  async cancel(accountId: string, symbol: string, ref: OrderRef): Promise<ExchangeOrder> {
    const exchange = await this.deps.exchanges.for(accountId);
    const row = await this.rowOf(accountId, symbol, ref);
    try {
      const answer = await exchange.cancelOrder(symbol, ref);
      if (row) await this.apply(row, reportOf(answer, 'cancel'));
      return answer;
    } catch (err) {
      if (err instanceof OrderNotFoundError && row) await this.lookUp(row, 'lookup').catch(() => undefined);
      throw err;
    }
  }

  /** Cancels a conditional (TP/SL) order; one that already left the book is looked up instead. */
  async cancelConditional(exchange: AccountExchange, symbol: string, ref: OrderRef): Promise<void> {
    const row = await this.rowOf(exchange.accountId, symbol, ref);
    try {
      await exchange.cancelConditionalOrder(symbol, ref);
    } catch (err) {
      // Already triggered or cancelled: either way it no longer rests.
      if (!(err instanceof OrderNotFoundError)) throw err;
      if (row) await this.lookUp(row, 'lookup').catch(() => undefined);
      return;
    }
    if (row) await this.apply(row, { kind: 'reported', source: 'cancel', status: 'canceled', filled: new Decimal(0) });
  }

  /** Orders of the account the book holds live (risk's open-orders limit, account deletion). */
  liveCount(accountId: string): Promise<number> {
    return this.deps.db.order.count({ where: { accountId, status: { in: [...LIVE_STATES] } } });
  }

  /**
   * At start: every order a crash or a timeout left PENDING or UNKNOWN is looked up by its client
   * id. Found → its state and fills are recorded. Not found → never placed once its request window
   * has passed; until then a trade order (or a TP/SL order) stays UNKNOWN for the in-doubt sweep,
   * and a copy is the copy engine's (it waits the window out itself).
   */
  async recover(accountId?: string): Promise<Order[]> {
    const rows = await this.deps.db.order.findMany({
      where: { status: { in: ['PENDING', 'UNKNOWN'] }, ...(accountId ? { accountId } : {}) },
    });
    return this.settleEach(rows, 'recovery');
  }

  /**
   * While running (the in-doubt sweep): orders left UNKNOWN (trades, TP/SL orders) are looked up
   * again, as at start. Rows still PENDING are being sent by this process; copies are the copy
   * engine's.
   */
  async resolveInDoubt(): Promise<Order[]> {
    const rows = await this.deps.db.order.findMany({ where: { status: 'UNKNOWN', purpose: { not: 'copy' } } });
    return this.settleEach(rows, 'sweep');
  }

  /** One look-up each (the trader is told how each trade order in doubt ended: see afterChange). */
  private async settleEach(rows: Order[], source: 'sweep' | 'recovery'): Promise<Order[]> {
    const settled: Order[] = [];
    for (const row of rows) {
      try {
        const exchange = await this.deps.exchanges.for(row.accountId);
        // A copy in its window is the copy engine's to wait out, not a look-up's to call.
        if (row.purpose === 'copy' && requestWindowLeftMs(row, exchange.requestValidityMs) > 0) continue;
        const after = await this.lookUp(row, source);
        if (after.status !== 'PENDING' && after.status !== 'UNKNOWN') settled.push(after);
      } catch (err) {
        this.deps.logger.warn(
          { err: String(err), account: row.accountId, clientOrderId: row.clientOrderId },
          'order still unresolved',
        );
      }
    }
    return settled;
  }

  private alertSettled(order: Order): void {
    const neverPlaced = order.error === NEVER_PLACED;
    this.deps.bus.emit({
      type: 'alert',
      accountId: order.accountId,
      category: 'order_failed',
      severity: neverPlaced ? 'warning' : 'info',
      key: neverPlaced ? 'alerts.order_never_placed' : 'alerts.order_resolved',
      params: {
        account: order.accountId,
        clientOrderId: order.clientOrderId,
        status: order.status,
        filled: order.filledQty,
      },
    });
  }

  /** An order whose answer never came, looked up a few times right after; still in doubt → UNKNOWN. */
  private async lookUpUnanswered(row: Order, options: SendOptions): Promise<Order> {
    let current = row;
    for (let attempt = 1; attempt <= UNANSWERED_LOOKUPS; attempt++) {
      const found = await this.findOnExchange(row).catch(() => undefined);
      if (found) return (await this.apply(current, reportOf(found, 'lookup'), options)) ?? current;
      if (attempt < UNANSWERED_LOOKUPS) await sleep(250 * attempt);
      current = (await this.current(row.clientOrderId)) ?? current;
      if (current.status !== 'UNKNOWN') return current; // the stream told us meanwhile
    }
    return current;
  }

  /** A stream update (or a REST read) of an order of any account; orders not ours are not in the book. */
  private onExchangeOrder(accountId: string, order: ExchangeOrder, source: EventSource): void {
    const raw = order.clientOrderId;
    const clientOrderId = raw && this.live.has(raw) ? raw : ownClientOrderId(raw);
    if (!clientOrderId) return;
    void this.apply({ accountId, clientOrderId }, reportOf(order, sourceOf(source)), { deferWrite: true }).catch(
      (err: unknown) => this.deps.logger.error({ err, account: accountId, clientOrderId }, 'order update not recorded'),
    );
  }

  /**
   * The REST catch-up read the account's open orders at `askedAt`: an order the book holds open
   * that is not among them ended while nobody was listening (filled, cancelled on the exchange's
   * site, expired) — it is looked up and recorded as it ended.
   */
  private onOpenOrders(accountId: string, orders: ExchangeOrder[], askedAt: number): void {
    void this.catchUpOpen(accountId, orders, askedAt).catch((err: unknown) =>
      this.deps.logger.warn({ err: String(err), account: accountId }, 'open orders not compared with the book'),
    );
  }

  private async catchUpOpen(accountId: string, orders: ExchangeOrder[], askedAt: number): Promise<void> {
    await this.loadResting(accountId);
    const listed = new Set(orders.flatMap((o) => [`c:${o.clientOrderId ?? ''}`, `o:${o.symbol}:${o.id}`]));
    const missing: Order[] = [];
    for (const row of this.live.values()) {
      const resting = row.status === 'OPEN' || row.status === 'PARTIALLY_FILLED';
      if (row.accountId !== accountId || !resting || row.purpose === 'tp' || row.purpose === 'sl') continue;
      if (row.createdAt.getTime() >= askedAt || listed.has(`c:${row.clientOrderId}`)) continue;
      if (!listed.has(`o:${row.symbol}:${row.exchangeOrderId ?? ''}`)) missing.push(row);
    }
    for (const row of missing) await this.lookUp(row, 'lookup');
  }

  /**
   * The account's resting orders as stored, into memory, once: from then on every order that
   * rests passes through here (the one writer), so memory knows them all without a read per
   * catch-up.
   */
  private async loadResting(accountId: string): Promise<void> {
    if (this.loaded.has(accountId)) return;
    const rows = await this.deps.db.order.findMany({
      where: { accountId, status: { in: ['OPEN', 'PARTIALLY_FILLED'] } },
    });
    for (const row of rows) if (!this.live.has(row.clientOrderId)) this.live.set(row.clientOrderId, row);
    this.loaded.add(accountId);
  }

  /**
   * What a change sets going: the trader told how a trade order in doubt ended, fills read for
   * orders that filled out of the stream's sight, an empty VP dropped.
   */
  private async afterChange({ before, after, source }: OrderChange, landed: Promise<void>): Promise<void> {
    if (after.purpose === 'copy') return; // a copy's fills come on its stream, or the copy engine reads them
    const wasInDoubt = before.status === 'UNKNOWN' || (source === 'recovery' && before.status === 'PENDING');
    if (wasInDoubt && after.status !== 'UNKNOWN') this.alertSettled(after);
    const filledMore = new Decimal(after.filledQty).greaterThan(before.filledQty);
    if (filledMore && source !== 'stream' && after.exchangeOrderId) {
      await this.deps.fills
        .catchUpOrder(after.accountId, after.symbol, after.exchangeOrderId, after.createdAt.getTime())
        .catch((err: unknown) =>
          this.deps.logger.warn({ err: String(err), account: after.accountId }, 'fills of an order not read'),
        );
    }
    if (after.purpose === 'trade' && after.vpId !== null && isTerminal(after.status as OrderState)) {
      // Once the row says it ended: the drop checks that no order of the VP is live.
      if (new Decimal(after.filledQty).isZero()) await landed.then(() => dropUnusedVp(this.deps.db, after.vpId ?? 0));
    }
  }

  private async rowOf(accountId: string, symbol: string, ref: OrderRef): Promise<Order | undefined> {
    if (ref.clientOrderId) {
      const row = await this.current(ref.clientOrderId);
      if (row?.accountId === accountId) return row;
    }
    if (!ref.id) return undefined;
    const row = await this.deps.db.order.findFirst({ where: { accountId, symbol, exchangeOrderId: ref.id } });
    return row ? (this.live.get(row.clientOrderId) ?? row) : undefined;
  }

  private read(clientOrderId: string): Promise<Order | null> {
    return this.deps.db.order.findUnique({ where: { clientOrderId } });
  }
}

/** A rate limit or an unreachable exchange proves the order was not taken: worth one more try. */
export function retryableRefusal(backoffMs: number, maxWaitMs: number): (err: unknown) => number | undefined {
  return (err) => {
    if (!(err instanceof ExchangeRateLimitError) && !(err instanceof ExchangeUnavailableError)) return undefined;
    const until = err instanceof ExchangeRateLimitError ? err.retryAt : undefined;
    return Math.min(Math.max(backoffMs, (until ?? 0) - Date.now()), maxWaitMs);
  };
}
