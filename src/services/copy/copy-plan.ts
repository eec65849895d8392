import { Decimal } from 'decimal.js';
import { sizeFollowerCopy, type FollowerPolicy, type MarketFilters } from '../../domain/copy-sizing.ts';
import type { CopyIntent } from '../../generated/prisma/client.ts';
import type { FollowerRef } from '../accounts.ts';
import { assetsOf } from '../../domain/market-symbol.ts';

/** What of a leader event sizes its copies. */
export interface EventSize {
  side: 'buy' | 'sell';
  fraction: Decimal;
  baseFilled: Decimal;
  quoteFilled: Decimal;
}

export type SizedFields = Pick<CopyIntent, 'status' | 'reason' | 'amount' | 'freeBefore' | 'mode'>;

/** One follower's copy: SENT with the quote to spend (buy) or base to sell, or SKIPPED below the minimum. */
export function sizeCopy(event: EventSize, free: Decimal, policy: FollowerPolicy, filters: MarketFilters): SizedFields {
  const size = sizeFollowerCopy({
    side: event.side,
    fraction: event.fraction,
    leaderBaseFilled: event.baseFilled,
    leaderQuoteFilled: event.quoteFilled,
    price: event.quoteFilled.div(event.baseFilled),
    followerFree: free,
    policy,
    filters,
  });
  const common = { freeBefore: free.toFixed(), mode: policy.mode };
  if (size.kind === 'skip') {
    return { ...common, amount: size.amount.toFixed(), status: 'SKIPPED', reason: `copy.skipped.${size.reason}` };
  }
  return { ...common, amount: (size.kind === 'buy' ? size.cost : size.amount).toFixed(), status: 'SENT', reason: null };
}

/** A follower's intent as planned before the event is written; `symbol` is set when it is SENT. */
export interface PlannedCopy extends SizedFields {
  followerId: string;
  followerCode: number;
  symbol: string | null;
}

export interface PlanSources {
  policies: Map<string, FollowerPolicy>;
  /** Followers with risk limits: their copy is checked on the per-follower path. */
  limited: Set<string>;
  codes: Map<string, number>;
  /** The follower's market symbol for the leader's (`BTC/USDT`), or undefined if it has none. */
  symbolOf: (follower: FollowerRef) => Promise<string | undefined>;
  /** The follower's free amount of an asset if the cache vouches for it right now. */
  trustedFree: (followerId: string, asset: string) => Decimal | undefined;
  filtersOf: (follower: FollowerRef, symbol: string) => Promise<MarketFilters>;
}

const DEFAULT_POLICY: FollowerPolicy = { mode: 'share', ratio: null, maxPerTrade: null };

/**
 * Plans every follower's copy of one event before anything is written or sent: a paused or
 * disabled follower is SKIPPED with its reason; one whose balance the cache vouches for is sized
 * now (SENT, its order row written with the event); the others stay PENDING and are sized on their
 * own path (a REST balance read, the risk check) right after the event is written.
 */
export async function planCopies(
  event: EventSize & { symbol: string },
  followers: FollowerRef[],
  sources: PlanSources,
): Promise<PlannedCopy[]> {
  return Promise.all(
    followers.map(async (follower): Promise<PlannedCopy> => {
      const policy = sources.policies.get(follower.id) ?? DEFAULT_POLICY;
      const planned = {
        followerId: follower.id,
        followerCode: sources.codes.get(follower.id) ?? 0,
        symbol: null,
        mode: policy.mode,
        freeBefore: null,
        amount: null,
      };
      if (follower.status !== 'ACTIVE') {
        return { ...planned, status: 'SKIPPED', reason: `copy.skipped.${follower.status.toLowerCase()}` };
      }
      const pending = { ...planned, status: 'PENDING', reason: null };
      if (sources.limited.has(follower.id)) return pending;
      const symbol = await sources.symbolOf(follower).catch(() => undefined);
      if (!symbol) return pending;
      const { base, quote } = assetsOf(symbol);
      const free = sources.trustedFree(follower.id, event.side === 'buy' ? quote : base);
      if (!free) return pending;
      const sized = sizeCopy(event, free, policy, await sources.filtersOf(follower, symbol));
      return { ...planned, ...sized, symbol };
    }),
  );
}
