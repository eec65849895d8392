import { assetsOf } from '../../domain/market-symbol.ts';
import { Decimal } from 'decimal.js';
import { copyClientOrderId, decodeClientOrderId } from '../../domain/client-order-id.ts';
import { leaderFreeBefore, type LeaderFillFacts } from '../../domain/copy-sizing.ts';
import type { AccountExchange, ExchangeOrder } from '../../exchange/types.ts';
import type { CopyEvent, CopyIntent, Order } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { readNow, statement, transactNow } from '../../infra/db/connection.ts';
import { sqliteTime } from '../../infra/db/json-rows.ts';
import type { DeskEvent } from '../events.ts';
import { insertCopyOrderRows } from '../orders/order-writes.ts';
import type { PlannedCopy } from './copy-plan.ts';
import { insertIntents } from './copy-writes.ts';

/**
 * What a completed leader order used of the leader's free balance. "Before" = the balance read
 * right after the completed order + what the order spent + fees charged in the spent asset (from
 * its trades); both reads go out together. Not a snapshot from before the fill, which another
 * order or a transfer may have made stale.
 */
export async function readLeaderFill(exchange: AccountExchange, order: ExchangeOrder): Promise<LeaderFillFacts> {
  const { base, quote } = assetsOf(order.symbol);
  const spentAsset = order.side === 'buy' ? quote : base;
  const [balances, trades] = await Promise.all([
    exchange.fetchBalance(),
    exchange.fetchTrades(order.symbol, { orderId: order.id }),
  ]);
  const feeInSpentAsset = trades
    .filter((t) => t.orderId === order.id && t.fee?.currency === spentAsset)
    .reduce((sum, t) => sum.plus(t.fee?.cost ?? 0), new Decimal(0));
  return {
    side: order.side,
    baseFilled: order.filled,
    quoteFilled: order.cost,
    freeAfter: balances.find((l) => l.asset === spentAsset)?.free ?? new Decimal(0),
    feeInSpentAsset,
  };
}

/**
 * What makes a leader order one leader event, by what the exchange guarantees: the desk's own
 * client order id when the desk placed the order (ours never repeat), else the market and the
 * exchange order id — Binance order ids are unique per symbol, not per account.
 */
export function leaderOrderKey(order: { symbol: string; id: string; clientOrderId?: string | undefined }): string {
  const own = order.clientOrderId && decodeClientOrderId(order.clientOrderId) ? order.clientOrderId : undefined;
  return own ? `c:${own}` : `o:${order.symbol}:${order.id}`;
}

/** Whether this leader order is an event already (read for every leader order, before its fill is read). */
export function isLeaderEvent(db: Db, leaderId: string, leaderKey: string): Promise<boolean> {
  return readNow(
    db,
    (connection) =>
      statement(connection, `SELECT 1 FROM "CopyEvent" WHERE "leaderId" = ? AND "leaderKey" = ?`).get(
        leaderId,
        leaderKey,
      ) !== undefined,
  );
}

export type EventStatus = 'STOPPED' | 'UNUSABLE' | 'EXPIRED' | 'DISPATCHED';

/** Whether a leader fill is copied: copying stopped, no fraction, or too old → recorded, not copied. */
export function eventStatus(input: { running: boolean; fraction: Decimal | undefined; tooOld: boolean }): EventStatus {
  return !input.running ? 'STOPPED' : !input.fraction ? 'UNUSABLE' : input.tooOld ? 'EXPIRED' : 'DISPATCHED';
}

export interface RecordedEvent {
  event: CopyEvent;
  intents: CopyIntent[];
  /** The PENDING order rows of the copies sized before the event was written, by client order id. */
  orders: Map<string, Order>;
}

/**
 * The leader event, one intent per follower and the order rows of the copies already sized, in
 * one transaction, before anything is sent; undefined when the leader order already is an event
 * (its leader key is unique). The client order id of each copy is derived from (follower, event).
 */
export async function recordLeaderEvent(
  db: Db,
  input: {
    leaderId: string;
    order: ExchangeOrder;
    facts: LeaderFillFacts;
    fraction: Decimal | undefined;
    status: EventStatus;
    planned: PlannedCopy[];
  },
): Promise<RecordedEvent | undefined> {
  const { leaderId, order, facts, fraction, status, planned } = input;
  const now = new Date();
  const event: Omit<CopyEvent, 'id'> = {
    leaderId,
    leaderOrderId: order.id,
    leaderKey: leaderOrderKey(order),
    leaderClientId: order.clientOrderId ?? null,
    symbol: order.symbol,
    side: order.side,
    fraction: (fraction ?? new Decimal(0)).toFixed(),
    quoteFilled: facts.quoteFilled.toFixed(),
    baseFilled: facts.baseFilled.toFixed(),
    freeBefore: leaderFreeBefore(facts).toFixed(),
    filledAt: new Date(order.timestamp),
    status,
    createdAt: now,
  };
  try {
    return await transactNow(db, (connection) => {
      const { id } = statement(connection, INSERT_EVENT_SQL).get({
        ...event,
        filledAt: sqliteTime(event.filledAt),
        createdAt: sqliteTime(now),
      }) as { id: number };
      const intents = planned.map((p) => ({ ...p, clientOrderId: copyClientOrderId(p.followerCode, id) }));
      const rows = insertIntents(connection, id, intents, now);
      const sent = intents.filter((i) => i.status === 'SENT' && i.symbol !== null);
      const orders = insertCopyOrderRows(
        connection,
        sent.map((i) => ({
          clientOrderId: i.clientOrderId,
          accountId: i.followerId,
          symbol: i.symbol ?? '',
          side: order.side,
          amount: order.side === 'sell' ? i.amount : null,
          cost: order.side === 'buy' ? i.amount : null,
        })),
        now,
      );
      return { event: { id, ...event }, intents: rows, orders: new Map(orders.map((o) => [o.clientOrderId, o])) };
    });
  } catch (err) {
    // The leader key is unique: this leader order is an event already.
    if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
    throw err;
  }
}

const INSERT_EVENT_SQL = `INSERT INTO "CopyEvent" ("leaderId", "leaderOrderId", "leaderKey", "leaderClientId", "symbol", "side",
    "fraction", "quoteFilled", "baseFilled", "freeBefore", "filledAt", "status", "createdAt")
  VALUES (@leaderId, @leaderOrderId, @leaderKey, @leaderClientId, @symbol, @side, @fraction, @quoteFilled, @baseFilled,
    @freeBefore, @filledAt, @status, @createdAt)
  RETURNING "id"`;

/**
 * The alert of a leader event too old to copy, about one follower it did not reach (or about the
 * leader when it had none): which event, how old it was when the desk came to it, and the window.
 */
export function expiredEventAlert(
  event: Pick<CopyEvent, 'id' | 'leaderId' | 'side' | 'symbol' | 'filledAt'>,
  followerId: string | undefined,
  seenAt: number,
  windowMs: number,
): Extract<DeskEvent, { type: 'alert' }> {
  return {
    type: 'alert',
    accountId: followerId ?? event.leaderId,
    category: 'copy',
    severity: 'warning',
    key: followerId ? 'alerts.copy_event_expired' : 'alerts.copy_event_expired_no_follower',
    params: {
      event: String(event.id),
      leader: event.leaderId,
      side: event.side,
      symbol: event.symbol,
      age: String(Math.round((seenAt - event.filledAt.getTime()) / 1000)),
      window: String(Math.round(windowMs / 1000)),
      ...(followerId ? { follower: followerId } : {}),
    },
    // Told to a follower's chat, the leader is named only where its people may see it.
    ...(followerId ? { names: { leader: event.leaderId } } : {}),
  };
}
