import { Decimal } from 'decimal.js';
import { decodeOwnClientOrderId } from '../../domain/client-order-id.ts';
import { isIncrease, type PositionSide } from '../../domain/vp-ledger.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import type { ExchangeTrade } from '../../exchange/types.ts';
import type { Db } from '../../infra/db/client.ts';
import { readNow, statement } from '../../infra/db/connection.ts';
import type { Logger } from '../../infra/logger.ts';
import type { EventBus } from '../events.ts';
import type { AccountCodes } from './account-codes.ts';
import { toColumn } from './decimal-columns.ts';
import { bookOnVp, insertFills, readLedgerRow, type LedgerRow, type VpFill } from './fill-writes.ts';

// Keys bound as one JSON value ([[account, symbol, id], …]): one statement whatever the burst.
const BOOKED_SQL = `SELECT f."accountId", f."symbol", f."tradeId" FROM json_each(?) AS k
  JOIN "Fill" f ON f."accountId" = k.value ->> 0 AND f."symbol" = k.value ->> 1 AND f."tradeId" = k.value ->> 2`;
const OUR_CLIENT_IDS_SQL = `SELECT o."accountId", o."symbol", o."exchangeOrderId", o."clientOrderId" FROM json_each(?) AS k
  JOIN "Order" o ON o."accountId" = k.value ->> 0 AND o."exchangeOrderId" = k.value ->> 2 AND o."symbol" = k.value ->> 1
  ORDER BY o."id"`;

export type IngestResult = 'applied' | 'external' | 'duplicate';

/** A fill that could not be booked is tried again this many times, this far apart (times the attempt). */
const FILL_ATTEMPTS = 4;
const FILL_RETRY_MS = 2_000;

/** A fill waiting for the next batch, with the promise its caller holds. */
interface Arrival {
  accountId: string;
  trade: ExchangeTrade;
  resolve: (result: IngestResult) => void;
  reject: (err: unknown) => void;
}

type Settle = (arrival: Arrival, outcome: { result: IngestResult } | { err: unknown }) => void;

/** A fill as the books take it: what it adds, and the VP of ours it moves (null: external). */
interface BookedFill {
  arrival: Arrival;
  clientOrderId: string | null;
  positionSide: PositionSide;
  /** Net of a base-asset fee. */
  qty: Decimal;
  /** In quote currency; a maker rebate (negative fee) is not booked against a VP: its fees only ever grow. */
  fee: Decimal;
  /** qty, negative when it shrinks its side. */
  signed: Decimal;
  vp: LedgerRow | null;
}

/**
 * Applies exchange fills to the books exactly once. A fill is attributed to a virtual position
 * only by decoding its client order id — one we issued, for this very account; anything else
 * is recorded as external for its (account, symbol, side), never guessed into a VP.
 *
 * Fills come in bursts (a copy fan-out's answers bring every follower's fill at once), so the
 * fills that arrive within one turn of the event loop are booked together: one read for the
 * trades already booked, one for the client ids the trades lack, one insert for the external
 * fills; fills of our own VPs are applied one by one, in arrival order.
 */
export class FillIngestion {
  /** One batch at a time per account: the stream and a REST catch-up may bring the same trade. */
  private readonly lanes = new Map<string, Promise<unknown>>();
  private holds = 0;
  private readonly deferred: (() => void)[] = [];
  private queue: Arrival[] = [];
  private drainScheduled = false;

  constructor(
    private readonly db: Db,
    private readonly codes: AccountCodes,
    private readonly exchanges: ExchangeClients,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  /** Subscribes to the fills every account's stream watcher delivers. */
  listen(): () => void {
    return this.bus.on('fill', (event) => {
      // The stream delivers each trade once: a fill that could not be booked (the exchange asked
      // for its order and did not answer, the database was busy) is tried again, a few times.
      const apply = (attempt = 1): void =>
        void this.ingest(event.accountId, event.trade).catch((err: unknown) => {
          if (attempt < FILL_ATTEMPTS) {
            setTimeout(() => apply(attempt + 1), FILL_RETRY_MS * attempt).unref();
            return;
          }
          this.logger.error({ err, account: event.accountId, trade: event.trade.id }, 'fill not applied');
        });
      if (this.holds > 0) this.deferred.push(() => apply());
      else apply();
    });
  }

  /**
   * Stream fills that arrive while `work` runs are applied when it ends: a copy fan-out gets its
   * answers first and the books follow a moment later (each follower's fill would otherwise cost
   * an order lookup and several writes in the middle of the fan-out). Nothing is dropped: a held
   * fill waits in memory, and a crash meanwhile is covered by the REST catch-up at start.
   */
  holdWhile(work: Promise<unknown>): void {
    this.holds += 1;
    const release = () => {
      this.holds -= 1;
      if (this.holds > 0) return;
      for (const apply of this.deferred.splice(0)) apply();
    };
    work.then(release, release);
  }

  /** Books one fill (with whatever else arrives in the same turn of the event loop). */
  ingest(accountId: string, trade: ExchangeTrade): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ accountId, trade, resolve, reject });
      if (this.drainScheduled) return;
      this.drainScheduled = true;
      setImmediate(() => this.drain());
    });
  }

  /** Runs `work` in the account's fill lane: reconciliation adjustments never race a fill on the same ledger. */
  inLane<T>(accountId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(accountId) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.lanes.set(
      accountId,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Reads an order's trades over REST and applies those not applied yet. */
  async catchUpOrder(accountId: string, symbol: string, exchangeOrderId: string, since: number): Promise<void> {
    const exchange = await this.exchanges.for(accountId);
    const trades = await exchange.fetchTrades(symbol, { orderId: exchangeOrderId, since: since - 60_000 });
    await Promise.all(trades.filter((t) => t.orderId === exchangeOrderId).map((t) => this.ingest(accountId, t)));
  }

  /**
   * Books the batch once every one of its accounts' lanes is free. Each account's lane is held
   * until its own fills are booked, so an account whose fills need the exchange asked holds up
   * only itself.
   */
  private drain(): void {
    this.drainScheduled = false;
    const batch = this.queue;
    this.queue = [];
    const accounts = [...new Set(batch.map((a) => a.accountId))];
    const previous = Promise.all(accounts.map((id) => this.lanes.get(id) ?? Promise.resolve()));
    const releases = new Map<string, () => void>();
    for (const id of accounts) this.lanes.set(id, new Promise<void>((resolve) => releases.set(id, resolve)));
    const release = (ids: Iterable<string>) => {
      for (const id of ids) {
        releases.get(id)?.();
        releases.delete(id);
      }
    };
    previous
      .then(() => this.applyBatch(batch, release))
      .catch((err: unknown) => {
        for (const arrival of batch) arrival.reject(err);
      })
      .finally(() => release([...releases.keys()]))
      .catch(() => undefined);
  }

  /** Settles every arrival of the batch; releases each account's lane once its fills are booked. */
  private async applyBatch(batch: Arrival[], release: (accountIds: Iterable<string>) => void): Promise<void> {
    // The same trade twice in one batch (a stream and a catch-up): the later copy follows the first.
    const first = new Map<string, Arrival>();
    const repeats = new Map<Arrival, Arrival[]>();
    for (const arrival of batch) {
      const key = tradeKey(arrival.accountId, arrival.trade.symbol, arrival.trade.id);
      const lead = first.get(key);
      if (lead) repeats.set(lead, [...(repeats.get(lead) ?? []), arrival]);
      else first.set(key, arrival);
    }
    const settle: Settle = (arrival, outcome) => {
      for (const a of [arrival, ...(repeats.get(arrival) ?? [])]) {
        if ('err' in outcome) a.reject(outcome.err);
        else a.resolve(a === arrival ? outcome.result : 'duplicate');
      }
    };

    const fresh: Arrival[] = [];
    let clientIds: Map<Arrival, string>;
    try {
      // A fill that names its order is booked by an insert that skips a trade booked already; one
      // that does not may cost an exchange request to attribute, which a repeat must not.
      const unnamed = [...first.values()].filter((a) => !a.trade.clientOrderId);
      const booked = await this.bookedKeys(unnamed);
      for (const [key, arrival] of first) {
        if (booked.has(key)) settle(arrival, { result: 'duplicate' });
        else fresh.push(arrival);
      }
      clientIds = await this.knownClientIds(fresh);
    } catch (err) {
      for (const arrival of first.values()) settle(arrival, { err });
      return;
    }

    // Accounts whose every fill has its client id are booked at once; the others ask the
    // exchange, each account on its own, its fills still in arrival order.
    const asking = new Set(fresh.filter((a) => !clientIds.has(a)).map((a) => a.accountId));
    await this.book(
      fresh.filter((a) => !asking.has(a.accountId)),
      clientIds,
      settle,
    );
    release(new Set(batch.map((a) => a.accountId).filter((id) => !asking.has(id))));
    await Promise.all(
      [...asking].map(async (accountId) => {
        const arrivals: Arrival[] = [];
        for (const a of fresh.filter((f) => f.accountId === accountId)) {
          if (!clientIds.has(a)) {
            try {
              const found = await this.exchangeClientOrderId(a.accountId, a.trade);
              if (found) clientIds.set(a, found);
            } catch (err) {
              this.logger.warn(
                { err: String(err), account: a.accountId, order: a.trade.orderId },
                'could not read the order of a fill: not booked yet',
              );
              settle(a, { err });
              continue;
            }
          }
          arrivals.push(a);
        }
        await this.book(arrivals, clientIds, settle);
        release([accountId]);
      }),
    );
  }

  /** Books fills in arrival order; the external fills waiting are inserted before a VP fill is applied. */
  private async book(arrivals: Arrival[], clientIds: Map<Arrival, string>, settle: Settle): Promise<void> {
    let waiting: BookedFill[] = [];
    const flush = async () => {
      const rows = waiting;
      waiting = [];
      if (rows.length === 0) return;
      try {
        const inserted = await this.insertExternal(rows);
        for (const row of rows) {
          const { accountId, trade } = row.arrival;
          if (!inserted.has(tradeKey(accountId, trade.symbol, trade.id))) {
            settle(row.arrival, { result: 'duplicate' });
            continue;
          }
          this.bus.emit({
            type: 'external_fill',
            accountId,
            symbol: trade.symbol,
            positionSide: row.positionSide,
            qty: row.signed,
          });
          settle(row.arrival, { result: 'external' });
        }
      } catch (err) {
        for (const row of rows) settle(row.arrival, { err });
      }
    };
    // Consecutive fills of one VP are booked together; each VP's row is read once per batch.
    const rows = new Map<number, LedgerRow | null>();
    let run: BookedFill[] = [];
    const applyRun = async () => {
      const fills = run;
      run = [];
      if (fills.length > 0) await this.applyToVp(fills, rows, settle);
    };
    for (const arrival of arrivals) {
      try {
        const fill = await this.attribute(arrival, clientIds.get(arrival), rows);
        if (!fill.vp) {
          await applyRun();
          waiting.push(fill);
          continue;
        }
        await flush();
        if (run[0] && run[0].vp?.id !== fill.vp.id) await applyRun();
        run.push(fill);
      } catch (err) {
        settle(arrival, { err });
      }
    }
    await applyRun();
    await flush();
  }

  /**
   * Fills of our own orders on one VP, in arrival order: the Fill rows and the VP's new ledger in
   * one transaction (see bookOnVp). A burst leaves out what is booked already; should one be
   * there after all, the burst goes one fill at a time.
   */
  private async applyToVp(fills: BookedFill[], rows: Map<number, LedgerRow | null>, settle: Settle): Promise<void> {
    const vp = fills[0]?.vp;
    if (!vp) return;
    let current = rows.get(vp.id) ?? vp;
    try {
      let fresh = fills;
      if (fills.length > 1) {
        const booked = await this.bookedKeys(fills.map((f) => f.arrival));
        fresh = fills.filter((f) => {
          const known = booked.has(tradeKey(f.arrival.accountId, f.arrival.trade.symbol, f.arrival.trade.id));
          if (known) settle(f.arrival, { result: 'duplicate' });
          return !known;
        });
      }
      const groups = fresh.length > 1 ? [fresh] : fresh.map((f) => [f]);
      for (let g = 0; g < groups.length; g++) {
        const group = groups[g] ?? [];
        const result = await bookOnVp(this.db, current, group.map(vpFillOf));
        if (!result) {
          groups.splice(g + 1, 0, ...group.map((f) => [f]));
          continue;
        }
        current = result.row;
        const ids = new Map(result.booked.map((b) => [b.tradeId, b.fillId]));
        for (const f of group) {
          const fillId = ids.get(f.arrival.trade.id);
          if (fillId === undefined) {
            settle(f.arrival, { result: 'duplicate' });
            continue;
          }
          this.bus.emit({ type: 'vp_changed', accountId: f.arrival.accountId, vpId: vp.id, fillId, tpsl: vp.tpsl });
          settle(f.arrival, { result: 'applied' });
        }
      }
    } catch (err) {
      for (const f of fills) settle(f.arrival, { err });
    } finally {
      rows.set(vp.id, current);
    }
  }

  /** Which of these trades are booked already (one read). */
  private async bookedKeys(arrivals: Arrival[]): Promise<Set<string>> {
    const booked = new Set<string>();
    if (arrivals.length === 0) return booked;
    const keys = JSON.stringify(arrivals.map((a) => [a.accountId, a.trade.symbol, a.trade.id]));
    const rows = await readNow(
      this.db,
      (connection) =>
        statement(connection, BOOKED_SQL).all(keys) as { accountId: string; symbol: string; tradeId: string }[],
    );
    for (const r of rows) booked.add(tradeKey(r.accountId, r.symbol, r.tradeId));
    return booked;
  }

  /** Each trade's own client id, else the one of our order row (one read); absent when neither has one. */
  private async knownClientIds(arrivals: Arrival[]): Promise<Map<Arrival, string>> {
    const ids = new Map<Arrival, string>();
    const lacking: Arrival[] = [];
    for (const a of arrivals) {
      if (a.trade.clientOrderId) ids.set(a, a.trade.clientOrderId);
      else lacking.push(a);
    }
    const ours = new Map<string, string>();
    if (lacking.length > 0) {
      // Binance order ids are unique per symbol only: the row is found by all three.
      const keys = JSON.stringify(lacking.map((a) => [a.accountId, a.trade.symbol, a.trade.orderId]));
      const rows = await readNow(
        this.db,
        (connection) =>
          statement(connection, OUR_CLIENT_IDS_SQL).all(keys) as {
            accountId: string;
            symbol: string;
            exchangeOrderId: string;
            clientOrderId: string;
          }[],
      );
      for (const r of rows) {
        const key = `${r.accountId}\n${r.symbol}\n${r.exchangeOrderId}`;
        if (!ours.has(key)) ours.set(key, r.clientOrderId);
      }
    }
    for (const a of lacking) {
      const found = ours.get(`${a.accountId}\n${a.trade.symbol}\n${a.trade.orderId}`);
      if (found) ids.set(a, found);
    }
    return ids;
  }

  /**
   * The client id of a fill's order, asked of the exchange; undefined when the order has none.
   * A look-up that fails throws: the fill is not booked (as external, it would never reach its
   * VP); `listen` tries it again.
   */
  private async exchangeClientOrderId(accountId: string, trade: ExchangeTrade): Promise<string | undefined> {
    const exchange = await this.exchanges.for(accountId);
    return (await exchange.fetchOrder(trade.symbol, { id: trade.orderId }))?.clientOrderId;
  }

  /** What the fill adds, and the VP of ours it moves: its id decoded, checked against account, market and side. */
  private async attribute(
    arrival: Arrival,
    clientOrderId: string | undefined,
    rows: Map<number, LedgerRow | null>,
  ): Promise<BookedFill> {
    const { accountId, trade } = arrival;
    const decoded = decodeOwnClientOrderId(clientOrderId);
    const ours = decoded ? (await this.codes.accountOf(decoded.accountCode)) === accountId : false;
    const vpId = ours ? decoded?.vpId : undefined;
    let vp: LedgerRow | null = null;
    if (vpId != null) {
      vp = rows.has(vpId) ? (rows.get(vpId) ?? null) : await readLedgerRow(this.db, vpId);
      rows.set(vpId, vp);
    }
    // A trade without a position side (spot, a one-way futures account) moves the side of the VP
    // its client id names; what no VP explains counts against LONG.
    const positionSide: PositionSide = trade.positionSide ?? (vp?.positionSide === 'SHORT' ? 'SHORT' : 'LONG');
    const { qty, fee: charged } = netOfFee(trade);
    return {
      arrival,
      clientOrderId: clientOrderId ?? null,
      positionSide,
      qty,
      fee: charged.isNegative() ? new Decimal(0) : charged,
      signed: isIncrease(positionSide, trade.side) ? qty : qty.neg(),
      // A mismatch is never applied.
      vp:
        vp && vp.accountId === accountId && vp.symbol === trade.symbol && vp.positionSide === positionSide ? vp : null,
    };
  }

  /** Inserts the batch's external fills; answers the keys inserted (a key booked meanwhile is skipped). */
  private async insertExternal(fills: BookedFill[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    if (fills.length === 0) return inserted;
    const rows = fills.map((fill) => ({
      ...fillColumns(fill),
      vpId: null,
      externalQty: toColumn(fill.signed),
      realizedPnl: '0',
    }));
    for (const r of await insertFills(this.db, rows)) inserted.add(tradeKey(r.accountId, r.symbol, r.tradeId));
    return inserted;
  }
}

/** A fill of ours as its VP books it. */
function vpFillOf(fill: BookedFill): VpFill {
  const { trade } = fill.arrival;
  return {
    columns: fillColumns(fill),
    side: trade.side,
    qty: fill.qty,
    signed: fill.signed,
    price: trade.price,
    fee: fill.fee,
  };
}

/** The Fill columns every booked fill has, external or on a VP. */
function fillColumns({ arrival: { accountId, trade }, ...fill }: BookedFill) {
  return {
    accountId,
    symbol: trade.symbol,
    tradeId: trade.id,
    exchangeOrderId: trade.orderId,
    clientOrderId: fill.clientOrderId,
    side: trade.side,
    positionSide: fill.positionSide,
    qty: toColumn(fill.qty),
    price: toColumn(trade.price),
    fee: toColumn(fill.fee),
    at: new Date(trade.timestamp || Date.now()),
  };
}

function tradeKey(accountId: string, symbol: string, tradeId: string): string {
  return `${accountId}\n${symbol}\n${tradeId}`;
}

/**
 * The quantity the position really changed by and the fee in quote currency. A spot buy whose
 * fee is charged in the base asset delivers less than it bought.
 */
function netOfFee(trade: ExchangeTrade): { qty: Decimal; fee: Decimal } {
  const [baseAsset, rest = ''] = trade.symbol.split('/');
  const quoteAsset = rest.split(':')[0];
  const fee = trade.fee;
  if (!fee || fee.cost.isZero()) return { qty: trade.amount, fee: new Decimal(0) };
  if (fee.currency === baseAsset && !trade.symbol.includes(':')) {
    return {
      qty: trade.side === 'buy' ? trade.amount.minus(fee.cost) : trade.amount,
      fee: fee.cost.times(trade.price),
    };
  }
  if (fee.currency === quoteAsset) return { qty: trade.amount, fee: fee.cost };
  // A fee in a third asset (BNB): the quantity is whole; the fee has no quote value here.
  return { qty: trade.amount, fee: new Decimal(0) };
}
