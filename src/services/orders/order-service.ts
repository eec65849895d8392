import { Decimal } from 'decimal.js';
import { ClientOrderIdFactory } from '../../domain/client-order-id.ts';
import { HedgeError } from '../../domain/errors.ts';
import { assertReducible, isIncrease, type PositionSide } from '../../domain/vp-ledger.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import { ExchangeRateLimitError, ExchangeUnavailableError, OrderStatusUnknownError } from '../../exchange/errors.ts';
import type { AccountExchange, ExchangeOrder } from '../../exchange/types.ts';
import type { Order, VirtualPosition } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { Coalescer } from '../../infra/db/coalescer.ts';
import type { Logger } from '../../infra/logger.ts';
import type { AccountService } from '../accounts.ts';
import type { EventBus } from '../events.ts';
import type { AccountCodes } from './account-codes.ts';
import { optionalColumn, toColumn } from './decimal-columns.ts';
import type { FillIngestion } from './fill-ingestion.ts';
import { LIVE_STATUSES, statusOf } from './order-status.ts';
import { writeOrderAnswers, type OrderAnswerWrite } from './order-writes.ts';
import type { RiskService } from './risk-service.ts';
import { ledgerOf, type VirtualPositions } from './virtual-positions.ts';

export const DEFAULT_VP = 'default';

export interface PlaceOrderInput {
  accountId: string;
  /** As the trader typed it: BTCUSDT, BTC/USDT. */
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  /** Base quantity, or `cost` (quote amount, spot market buys). */
  amount?: Decimal;
  cost?: Decimal;
  price?: Decimal;
  vpName?: string;
  positionSide?: PositionSide;
  /** The trader says this must only reduce: refused when it would grow the position. */
  reduce?: boolean;
  userId?: number;
  /** Default trade; tp/sl for the desk's own spot take-profit and stop-loss sells. */
  purpose?: 'trade' | 'tp' | 'sl';
}

/** Everything checked and resolved before the order row is written. */
export interface OrderPlan {
  accountId: string;
  exchange: AccountExchange;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  amount: Decimal | undefined;
  cost: Decimal | undefined;
  price: Decimal | undefined;
  positionSide: PositionSide;
  increases: boolean;
  vpName: string;
  vp: VirtualPosition | null;
  userId: number | undefined;
}

export interface PlacedOrder {
  order: Order;
  vp: VirtualPosition | null;
}

export class OrderRefusedError extends HedgeError {}

/** How long a request sent when the row was last written could still reach the exchange. */
function requestWindowLeftMs(row: Order, windowMs: number): number {
  return row.updatedAt.getTime() + windowMs - Date.now();
}

/** A follower's copy of a leader event (see src/services/copy). */
export interface CopyOrderInput {
  accountId: string;
  /** Unified symbol on the follower's exchange. */
  symbol: string;
  side: 'buy' | 'sell';
  /** Base quantity (sells) or quote to spend (buys). */
  amount?: Decimal;
  cost?: Decimal;
  /** Deterministic: copyClientOrderId(follower code, leader event id). */
  clientOrderId: string;
}

/** Wait before the one retry of a copy refused for a rate limit or an unreachable exchange. */
const COPY_RETRY_BACKOFF_MS = 500;
const COPY_RETRY_MAX_WAIT_MS = 5_000;
/** Look-ups of an order whose answer never came, right after (250, 500, 750 ms apart). */
const UNANSWERED_LOOKUPS = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The order management system: every order is planned (account, VP, risk), recorded with its
 * client order id, then sent; the exchange's answer — or its silence — updates the record.
 * An order whose fate is unknown is looked up by its client id, never sent again.
 */
export class OrderService {
  private readonly ids = new ClientOrderIdFactory();
  private readonly answers: Coalescer<OrderAnswerWrite>;

  constructor(
    private readonly deps: {
      db: Db;
      accounts: AccountService;
      exchanges: ExchangeClients;
      codes: AccountCodes;
      vps: VirtualPositions;
      fills: FillIngestion;
      risk: RiskService;
      bus: EventBus;
      logger: Logger;
    },
  ) {
    this.answers = new Coalescer((items) => writeOrderAnswers(deps.db, items));
  }

  /** Validates an order without sending anything; the confirmation shows this plan. */
  async plan(input: PlaceOrderInput): Promise<OrderPlan> {
    const { accounts, exchanges, vps } = this.deps;
    const account = await accounts.get(input.accountId);
    if (account.status !== 'ACTIVE') {
      throw new OrderRefusedError('orders.account_not_active', {
        account: account.id,
        status: account.status,
        reason: account.statusReason ?? '',
      });
    }
    const exchange = await exchanges.for(account.id);
    const symbol = exchange.resolveSymbol(input.symbol);
    if (account.market === 'spot' && input.positionSide === 'SHORT') {
      throw new OrderRefusedError('orders.no_short_on_spot', { account: account.id });
    }
    const positionSide: PositionSide = account.market === 'spot' ? 'LONG' : (input.positionSide ?? 'LONG');
    const increases = isIncrease(positionSide, input.side);
    if (input.reduce && increases) {
      throw new OrderRefusedError('orders.reduce_would_increase', {
        account: account.id,
        side: input.side,
        positionSide,
      });
    }
    if (input.type === 'limit' && !input.price)
      throw new OrderRefusedError('orders.limit_needs_price', { account: account.id });
    if (input.cost && (input.type !== 'market' || input.side !== 'buy' || account.market !== 'spot')) {
      throw new OrderRefusedError('orders.quote_amount_only_spot_market_buy', { account: account.id });
    }
    if (!input.amount && !input.cost) throw new OrderRefusedError('orders.needs_amount', { account: account.id });
    const vpName = input.vpName ?? DEFAULT_VP;
    const vp = await vps.find({ accountId: account.id, symbol, positionSide, name: vpName });
    if (!increases) {
      if (!vp) throw new OrderRefusedError('vp.not_found', { account: account.id, vp: vpName });
      // A reduction larger than its VP is refused here, before anything is sent.
      assertReducible(ledgerOf(vp), input.amount ?? new Decimal(0), vpName);
    }
    return {
      accountId: account.id,
      exchange,
      symbol,
      side: input.side,
      type: input.type,
      amount: input.amount,
      cost: input.cost,
      price: input.price,
      positionSide,
      increases,
      vpName,
      vp,
      userId: input.userId,
    };
  }

  /** Plans and checks the risk limits without sending: what the confirmation shows. */
  async check(input: PlaceOrderInput): Promise<OrderPlan> {
    const plan = await this.plan(input);
    await this.deps.risk.assertAllowed(plan);
    return plan;
  }

  /** Plans, checks the risk limits (again: the book may have moved while the trader read), records, sends. */
  async place(input: PlaceOrderInput): Promise<PlacedOrder> {
    const plan = await this.check(input);
    const { db, vps, codes } = this.deps;
    const vp =
      plan.vp ??
      (await vps.open({
        accountId: plan.accountId,
        symbol: plan.symbol,
        positionSide: plan.positionSide,
        name: plan.vpName,
      }));
    const clientOrderId = this.ids.next({
      accountCode: await codes.codeOf(plan.accountId),
      vpId: vp.id,
      purpose: input.purpose ?? 'trade',
    });
    const recorded = await db.order.create({
      data: {
        clientOrderId,
        accountId: plan.accountId,
        vpId: vp.id,
        purpose: input.purpose ?? 'trade',
        symbol: plan.symbol,
        side: plan.side,
        positionSide: plan.exchange.market === 'usdm' ? plan.positionSide : null,
        type: plan.type,
        amount: optionalColumn(plan.amount),
        cost: optionalColumn(plan.cost),
        price: optionalColumn(plan.price),
        status: 'PENDING',
        ...(plan.userId !== undefined ? { userId: plan.userId } : {}),
      },
    });
    const order = await this.send(plan, recorded);
    const after = await db.virtualPosition.findUnique({ where: { id: vp.id } });
    return { order, vp: after };
  }

  /**
   * At start: every order a crash or a timeout left PENDING or UNKNOWN is looked up by its client
   * id. Found → its state and fills are recorded. Not found → never placed, once a request sent
   * before the row was last written can no longer reach the exchange (its request window); until
   * then a trade order stays UNKNOWN for the in-doubt sweep, and a copy is the copy engine's
   * (it waits the window out itself, see placeCopyOrder).
   */
  async recover(accountId?: string): Promise<Order[]> {
    const open = await this.deps.db.order.findMany({
      // TP/SL legs are conditional orders: the TP/SL resync reconciles those with the exchange.
      where: {
        status: { in: ['PENDING', 'UNKNOWN'] },
        purpose: { in: ['trade', 'copy'] },
        ...(accountId ? { accountId } : {}),
      },
    });
    return this.resolveEach(open);
  }

  /**
   * While running (the in-doubt sweep): trade orders left UNKNOWN — the answer never came and the
   * look-ups right after did not find them — are looked up again, as at start. Rows still PENDING
   * are being sent by this process; copies are the copy engine's (CopyEngine.resolveStale).
   */
  async resolveInDoubt(): Promise<Order[]> {
    return this.resolveEach(await this.deps.db.order.findMany({ where: { status: 'UNKNOWN', purpose: 'trade' } }));
  }

  /** The rows settled, one look-up each; the trader is told how each trade order ended. */
  private async resolveEach(rows: Order[]): Promise<Order[]> {
    const resolved: Order[] = [];
    for (const row of rows) {
      try {
        const settled = await this.resolveOnce(row);
        if (!settled) continue;
        resolved.push(settled);
        if (row.purpose === 'trade') this.alertResolved(row, settled);
      } catch (err) {
        this.deps.logger.warn(
          { err: String(err), account: row.accountId, clientOrderId: row.clientOrderId },
          'order still unresolved',
        );
      }
    }
    return resolved;
  }

  /** One look-up by client id; undefined when the row stays in doubt (inside its request window). */
  private async resolveOnce(row: Order): Promise<Order | undefined> {
    const exchange = await this.deps.exchanges.for(row.accountId);
    const inWindow = requestWindowLeftMs(row, exchange.requestValidityMs) > 0;
    if (row.purpose === 'copy' && inWindow) return undefined;
    const found = await exchange.fetchOrder(row.symbol, { clientOrderId: row.clientOrderId });
    if (found) return this.record(row, found);
    if (inWindow) {
      // A process that died while sending: fate unknown until the window has passed.
      if (row.status === 'PENDING')
        await this.deps.db.order.update({ where: { id: row.id }, data: { status: 'UNKNOWN' } });
      return undefined;
    }
    return this.markNeverPlaced(row);
  }

  private alertResolved(row: Order, settled: Order): void {
    const neverPlaced = settled.error === 'orders.never_placed';
    this.deps.bus.emit({
      type: 'alert',
      accountId: row.accountId,
      category: 'order_failed',
      severity: neverPlaced ? 'warning' : 'info',
      key: neverPlaced ? 'alerts.order_never_placed' : 'alerts.order_resolved',
      params: {
        account: row.accountId,
        clientOrderId: row.clientOrderId,
        status: settled.status,
        filled: settled.filledQty,
      },
    });
  }

  /**
   * Places a follower's copy at most once for its (deterministic) client id. A row already
   * answered by the exchange is returned as it is; a row in doubt (PENDING, UNKNOWN, or never
   * placed) is first looked up on the exchange by its client id, and sent only when the exchange
   * does not know it and `mayPlace` allows (the copy engine refuses for an expired leader event).
   * Copies are not in a VP: the follower's holding is the authority, so no VP-reduction check;
   * the follower's risk limits still apply. Their fills are booked as external to every VP.
   * A rate limit or an unreachable exchange (proof the order was not taken) gets one retry
   * after a backoff; an answer that never came is resolved by lookup, never by a resend.
   *
   * A row in doubt that the exchange does not know yet may still be on the wire (a process that
   * died right after sending): it is looked up again once the exchange's request-validity window
   * since the row was written has passed (`inDoubtWindowMs` overrides it, for tests), and
   * `mayPlace` is asked only then — so a late copy is not sent for an event that has expired.
   */
  async placeCopyOrder(
    input: CopyOrderInput,
    options: { mayPlace?: boolean | (() => Promise<boolean>); inDoubtWindowMs?: number | undefined } = {},
  ): Promise<Order | undefined> {
    const { db, exchanges, risk } = this.deps;
    const exchange = await exchanges.for(input.accountId);
    let row = await db.order.findUnique({ where: { clientOrderId: input.clientOrderId } });
    const inDoubt =
      row !== null && (row.status === 'PENDING' || row.status === 'UNKNOWN' || row.error === 'orders.never_placed');
    if (row && !inDoubt) return row;
    if (row) {
      const found = await this.lookupInDoubt(exchange, row, options.inDoubtWindowMs ?? exchange.requestValidityMs);
      if (found) return this.record(row, found);
    }
    const mayPlace = typeof options.mayPlace === 'function' ? await options.mayPlace() : (options.mayPlace ?? true);
    if (!mayPlace) {
      if (row) await this.markNeverPlaced(row);
      return undefined;
    }
    const plan: OrderPlan = {
      accountId: input.accountId,
      exchange,
      symbol: input.symbol,
      side: input.side,
      type: 'market',
      amount: input.amount,
      cost: input.cost,
      price: undefined,
      positionSide: 'LONG',
      increases: input.side === 'buy',
      vpName: 'copy',
      vp: null,
      userId: undefined,
    };
    await risk.assertAllowed(plan);
    const columns = { amount: optionalColumn(input.amount), cost: optionalColumn(input.cost) };
    row = row
      ? await db.order.update({ where: { id: row.id }, data: { ...columns, status: 'PENDING', error: null } })
      : await db.order.create({
          data: {
            clientOrderId: input.clientOrderId,
            accountId: input.accountId,
            purpose: 'copy',
            symbol: input.symbol,
            side: input.side,
            type: 'market',
            ...columns,
            status: 'PENDING',
          },
        });
    return this.sendCopy(plan, row);
  }

  /**
   * Sends a copy whose PENDING row the copy engine wrote in the event's transaction (so nothing
   * can exist on the exchange under its client id yet): same retry and lookup rules as
   * placeCopyOrder, without its per-row lookups. Risk limits were checked by the caller's plan
   * (a follower with limits goes through placeCopyOrder).
   */
  async sendPreparedCopy(row: Order): Promise<Order> {
    const exchange = await this.deps.exchanges.for(row.accountId);
    const side = row.side === 'sell' ? 'sell' : 'buy';
    return this.sendCopy(
      {
        accountId: row.accountId,
        exchange,
        symbol: row.symbol,
        side,
        type: 'market',
        amount: row.amount === null ? undefined : new Decimal(row.amount),
        cost: row.cost === null ? undefined : new Decimal(row.cost),
        price: undefined,
        positionSide: 'LONG',
        increases: side === 'buy',
        vpName: 'copy',
        vp: null,
        userId: undefined,
      },
      row,
    );
  }

  private async sendCopy(plan: OrderPlan, row: Order): Promise<Order> {
    const request = {
      symbol: plan.symbol,
      side: plan.side,
      type: 'market' as const,
      ...(plan.amount ? { amount: plan.amount } : {}),
      ...(plan.cost ? { cost: plan.cost } : {}),
      clientOrderId: row.clientOrderId,
      // The exchange taking the order is the copy's answer; its fill comes on the follower's
      // stream (or the copy engine reads it back after the fan-out): one request per copy.
      answer: 'ack' as const,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.record(row, await plan.exchange.placeOrder(request));
      } catch (err) {
        if (err instanceof OrderStatusUnknownError) return this.lookUpUnanswered(row, err);
        const retryable = err instanceof ExchangeRateLimitError || err instanceof ExchangeUnavailableError;
        if (attempt === 1 && retryable) {
          const until = err instanceof ExchangeRateLimitError ? err.retryAt : undefined;
          await sleep(Math.min(Math.max(COPY_RETRY_BACKOFF_MS, (until ?? 0) - Date.now()), COPY_RETRY_MAX_WAIT_MS));
          try {
            const found = await plan.exchange.fetchOrder(row.symbol, { clientOrderId: row.clientOrderId });
            if (found) return await this.record(row, found);
            continue;
          } catch {
            // the first refusal proves the order was not taken; report that one
          }
        }
        const key = err instanceof HedgeError ? err.key : 'errors.internal';
        await this.deps.db.order.update({ where: { id: row.id }, data: { status: 'REJECTED', error: key } });
        throw err;
      }
    }
  }

  /** The exchange's answer for a row in doubt; "not found" only once nothing sent earlier can still arrive. */
  private async lookupInDoubt(
    exchange: AccountExchange,
    row: Order,
    windowMs: number,
  ): Promise<ExchangeOrder | undefined> {
    const ref = { clientOrderId: row.clientOrderId };
    const found = await exchange.fetchOrder(row.symbol, ref);
    if (found || row.status === 'REJECTED') return found;
    const wait = requestWindowLeftMs(row, windowMs);
    if (wait <= 0) return undefined;
    this.deps.logger.info(
      { account: row.accountId, clientOrderId: row.clientOrderId, waitMs: Math.round(wait) },
      'order in doubt: looking it up again once a request sent before the restart can no longer arrive',
    );
    await sleep(wait);
    return exchange.fetchOrder(row.symbol, ref);
  }

  private markNeverPlaced(row: Order): Promise<Order> {
    return this.deps.db.order.update({
      where: { id: row.id },
      data: { status: 'REJECTED', error: 'orders.never_placed' },
    });
  }

  async liveOrderCount(accountId: string): Promise<number> {
    return this.deps.db.order.count({ where: { accountId, status: { in: [...LIVE_STATUSES] } } });
  }

  private async send(plan: OrderPlan, row: Order): Promise<Order> {
    try {
      const answer = await plan.exchange.placeOrder({
        symbol: plan.symbol,
        side: plan.side,
        type: plan.type,
        ...(plan.amount ? { amount: plan.amount } : {}),
        ...(plan.cost ? { cost: plan.cost } : {}),
        ...(plan.price ? { price: plan.price } : {}),
        clientOrderId: row.clientOrderId,
        ...(plan.exchange.market === 'usdm' ? { positionSide: plan.positionSide } : {}),
      });
      return await this.record(row, answer);
    } catch (err) {
      if (err instanceof OrderStatusUnknownError) return this.lookUpUnanswered(row, err);
      const key = err instanceof HedgeError ? err.key : 'errors.internal';
      await this.deps.db.order.update({ where: { id: row.id }, data: { status: 'REJECTED', error: key } });
      this.deps.bus.emit({
        type: 'alert',
        accountId: row.accountId,
        category: 'order_failed',
        severity: 'warning',
        key: 'alerts.order_failed',
        params: { account: row.accountId, clientOrderId: row.clientOrderId, reason: key },
      });
      throw err;
    }
  }

  /**
   * An order whose answer never came (a timeout, "execution status unknown"): its row is marked
   * UNKNOWN, then it is looked up by its client id a few times over ~1.5 s. Not found yet → it
   * stays UNKNOWN: the exchange may still be processing it, and only once its request window has
   * passed does "not found" mean "never placed" (the in-doubt sweep settles it then).
   */
  private async lookUpUnanswered(row: Order, err: OrderStatusUnknownError): Promise<Order> {
    const unknown = await this.deps.db.order.update({
      where: { id: row.id },
      data: { status: 'UNKNOWN', error: err.key },
    });
    const exchange = await this.deps.exchanges.for(row.accountId);
    for (let attempt = 1; attempt <= UNANSWERED_LOOKUPS; attempt++) {
      const found = await exchange.fetchOrder(row.symbol, { clientOrderId: row.clientOrderId });
      if (found) return this.record(unknown, found);
      if (attempt < UNANSWERED_LOOKUPS) await sleep(250 * attempt);
    }
    return unknown;
  }

  /** Copy answers that come while `work` (a fan-out) runs are written when it ends, at once. */
  holdCopyAnswersWhile(work: Promise<unknown>): void {
    this.answers.holdWhile(work);
  }

  /** Resolves once every copy answer recorded so far is written. */
  copyAnswersWritten(): Promise<void> {
    return this.answers.settled();
  }

  /** A copy's later state (from the follower's stream or a read-back), recorded on its row. */
  recordCopyState(row: Order, state: ExchangeOrder): Promise<Order> {
    return this.record(row, state);
  }

  /**
   * Records the exchange's view of the order and applies its fills to the books. A copy leaves
   * its fills to the stream (and a background catch-up): the fan-out waits for no trade read.
   */
  private async record(row: Order, answer: ExchangeOrder): Promise<Order> {
    const fields = {
      exchangeOrderId: answer.id,
      status: statusOf(answer),
      filledQty: toColumn(answer.filled),
      avgPrice: optionalColumn(answer.average),
    };
    // Answers that arrive together are written together: one statement, not one each. A copy's
    // answer is not awaited — during a fan-out it is written once the last copy is answered (a
    // crash before that leaves the row in doubt, and recovery looks the order up by client id).
    const written = this.answers.write({ id: row.id, ...fields });
    if (row.purpose === 'copy') {
      written.catch((err: unknown) =>
        this.deps.logger.error(
          { err, account: row.accountId, clientOrderId: row.clientOrderId },
          'copy answer not written',
        ),
      );
    } else {
      await written;
    }
    const updated: Order = { ...row, ...fields, error: null, updatedAt: new Date() };
    // A copy's fills are left to the stream, or to the copy engine's catch-up after its fan-out.
    if (!answer.filled.isZero() && row.purpose !== 'copy') {
      await this.deps.fills.catchUpOrder(row.accountId, row.symbol, answer.id, row.createdAt.getTime());
    }
    return updated;
  }
}
