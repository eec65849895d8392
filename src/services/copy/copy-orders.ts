import { Decimal } from 'decimal.js';
import { NEVER_PLACED } from '../../domain/order-state.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import type { AccountExchange, ExchangeOrder, PlaceOrderRequest } from '../../exchange/types.ts';
import type { Order } from '../../generated/prisma/client.ts';
import type { Logger } from '../../infra/logger.ts';
import { optionalColumn } from '../orders/decimal-columns.ts';
import type { OrderPlan } from '../orders/order-service.ts';
import { requestWindowLeftMs, retryableRefusal, type OrderTracker } from '../orders/order-tracker.ts';
import type { RiskService } from '../orders/risk-service.ts';

/** A follower's copy of a leader event. */
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follower copies on the exchange, through the order tracker: sent at most once for their
 * (deterministic) client id, one retry after a refusal that proves the order was not taken, and
 * an answer that never came resolved by look-up, never by a resend. Copies are not in a VP: the
 * follower's holding is the authority; its risk limits still apply.
 */
export class CopyOrders {
  private readonly retry = retryableRefusal(COPY_RETRY_BACKOFF_MS, COPY_RETRY_MAX_WAIT_MS);

  constructor(
    private readonly deps: {
      exchanges: ExchangeClients;
      tracker: OrderTracker;
      risk: RiskService;
      logger: Logger;
    },
  ) {}

  /**
   * Sends a copy whose PENDING row the copy engine wrote in the event's transaction (so nothing
   * can exist on the exchange under its client id yet). Risk limits were checked by the caller's
   * plan (a follower with limits goes through `place`). The answer is written with the fan-out's.
   */
  async sendPrepared(row: Order): Promise<Order> {
    const exchange = await this.deps.exchanges.for(row.accountId);
    const side = row.side === 'sell' ? 'sell' : 'buy';
    return this.send(exchange, row, {
      amount: row.amount === null ? undefined : new Decimal(row.amount),
      cost: row.cost === null ? undefined : new Decimal(row.cost),
      side,
    });
  }

  /**
   * Places a copy at most once for its client id. A row already answered is returned as it is;
   * a row in doubt (PENDING, UNKNOWN, or never placed) is first looked up on the exchange by its
   * client id, and sent only when the exchange does not know it and `mayPlace` allows (the copy
   * engine refuses for an expired event). A row in doubt that the exchange does not know yet may
   * still be on the wire (a process that died right after sending): it is looked up again once
   * the exchange's request window since the row was written has passed (`inDoubtWindowMs`
   * overrides it, for tests), and `mayPlace` is asked only then.
   */
  async place(
    input: CopyOrderInput,
    options: { mayPlace?: boolean | (() => Promise<boolean>); inDoubtWindowMs?: number | undefined } = {},
  ): Promise<Order | undefined> {
    const { exchanges, tracker, risk } = this.deps;
    const exchange = await exchanges.for(input.accountId);
    let row = await tracker.current(input.clientOrderId);
    const neverPlaced = row?.error === NEVER_PLACED;
    const inDoubt = row !== null && (row.status === 'PENDING' || row.status === 'UNKNOWN' || neverPlaced);
    if (row && !inDoubt) return row;
    if (row) {
      const settled = await this.lookUpInDoubt(exchange, row, options.inDoubtWindowMs ?? exchange.requestValidityMs);
      if (settled.error !== NEVER_PLACED && settled.status !== 'UNKNOWN' && settled.status !== 'PENDING')
        return settled;
      row = settled;
    }
    const mayPlace = typeof options.mayPlace === 'function' ? await options.mayPlace() : (options.mayPlace ?? true);
    if (!mayPlace) {
      if (row && row.error !== NEVER_PLACED) {
        await tracker.apply(row, { kind: 'not_found', source: 'lookup', windowPassed: true });
      }
      return undefined;
    }
    await risk.assertAllowed(this.plan(exchange, input));
    if (row) {
      row = (await tracker.apply(row, { kind: 'resent', source: 'placement' })) ?? row;
      if (row.status !== 'PENDING') return row;
    } else {
      row = await tracker.open({
        clientOrderId: input.clientOrderId,
        accountId: input.accountId,
        purpose: 'copy',
        symbol: input.symbol,
        side: input.side,
        type: 'market',
        amount: optionalColumn(input.amount),
        cost: optionalColumn(input.cost),
      });
    }
    return this.send(exchange, row, input);
  }

  /** The exchange taking the order is the copy's answer; its fill comes on the follower's stream. */
  private send(
    exchange: AccountExchange,
    row: Order,
    size: { side: 'buy' | 'sell'; amount?: Decimal | undefined; cost?: Decimal | undefined },
  ): Promise<Order> {
    const request: PlaceOrderRequest = {
      symbol: row.symbol,
      side: size.side,
      type: 'market',
      ...(size.amount ? { amount: size.amount } : {}),
      ...(size.cost ? { cost: size.cost } : {}),
      clientOrderId: row.clientOrderId,
      answer: 'ack',
    };
    return this.deps.tracker.send(row, () => exchange.placeOrder(request), { retryOnce: this.retry, deferWrite: true });
  }

  /**
   * A row in doubt, looked up by its client id: found → recorded. Not found → looked up once more
   * after whatever is left of the request window, then recorded as never placed (or left in
   * doubt when the look-up itself failed).
   */
  private async lookUpInDoubt(exchange: AccountExchange, row: Order, windowMs: number): Promise<Order> {
    const { tracker, logger } = this.deps;
    const found: ExchangeOrder | undefined = await tracker.findOnExchange(row);
    if (found || row.error === NEVER_PLACED) return found ? tracker.lookUp(row, 'recovery', windowMs) : row;
    const wait = requestWindowLeftMs(row, windowMs);
    if (wait > 0) {
      logger.info(
        { account: row.accountId, clientOrderId: row.clientOrderId, waitMs: Math.round(wait) },
        'order in doubt: looking it up again once a request sent before the restart can no longer arrive',
      );
      await sleep(wait);
    }
    return tracker.lookUp(row, 'recovery', windowMs);
  }

  private plan(exchange: AccountExchange, input: CopyOrderInput): OrderPlan {
    return {
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
  }
}
