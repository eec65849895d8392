import { Decimal } from 'decimal.js';
import { copyClientOrderId } from '../../domain/client-order-id.ts';
import { leaderFraction, leaderFreeBefore, type LeaderFillFacts } from '../../domain/copy-sizing.ts';
import type { AccountExchange, ExchangeOrder } from '../../exchange/types.ts';
import type { CopyEvent } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import type { AccountService } from '../accounts.ts';
import type { AccountCodes } from '../orders/account-codes.ts';
import type { CopySettingsStore } from './copy-settings.ts';

/** 'BTC/USDT' → BTC, USDT. */
export function assetsOf(symbol: string): { base: string; quote: string } {
  const [base = '', rest = ''] = symbol.split('/');
  return { base, quote: rest.split(':')[0] ?? '' };
}

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
    exchange.fetchTrades(order.symbol, { since: order.timestamp - 60_000 }),
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
 * The leader event and one intent per follower, in one transaction, before anything is sent;
 * undefined when the leader order already is an event (its order id is unique). Copying stopped,
 * no fraction, or an order older than maxEventAgeMs: the event is recorded with no intents.
 */
export async function recordLeaderEvent(
  deps: { db: Db; accounts: AccountService; codes: AccountCodes },
  settings: CopySettingsStore,
  input: { leaderId: string; order: ExchangeOrder; facts: LeaderFillFacts; maxEventAgeMs: number },
): Promise<CopyEvent | undefined> {
  const { db, accounts, codes } = deps;
  const { leaderId, order, facts } = input;
  const fraction = leaderFraction(facts);
  const running = await settings.isRunning();
  const tooOld = Date.now() - order.timestamp > input.maxEventAgeMs;
  const status = !running ? 'STOPPED' : !fraction ? 'UNUSABLE' : tooOld ? 'EXPIRED' : 'DISPATCHED';
  const followers = status === 'DISPATCHED' ? (await accounts.list()).filter((a) => a.copyRole === 'FOLLOWER') : [];
  const policies = await settings.policies(followers.map((f) => f.id));
  const followerCodes = await Promise.all(followers.map((f) => codes.codeOf(f.id)));
  try {
    return await db.$transaction(async (tx) => {
      const event = await tx.copyEvent.create({
        data: {
          leaderId,
          leaderOrderId: order.id,
          leaderClientId: order.clientOrderId ?? null,
          symbol: order.symbol,
          side: order.side,
          fraction: (fraction ?? new Decimal(0)).toFixed(),
          quoteFilled: facts.quoteFilled.toFixed(),
          baseFilled: facts.baseFilled.toFixed(),
          freeBefore: leaderFreeBefore(facts).toFixed(),
          filledAt: new Date(order.timestamp),
          status,
        },
      });
      await tx.copyIntent.createMany({
        data: followers.map((f, i) => ({
          eventId: event.id,
          followerId: f.id,
          clientOrderId: copyClientOrderId(followerCodes[i] ?? 0, event.id),
          mode: policies.get(f.id)?.mode ?? 'share',
          // A paused or disabled follower gets nothing; the row says why.
          status: f.status === 'ACTIVE' ? 'PENDING' : 'SKIPPED',
          reason: f.status === 'ACTIVE' ? null : `copy.skipped.${f.status.toLowerCase()}`,
        })),
      });
      return event;
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'P2002') return undefined;
    throw err;
  }
}
