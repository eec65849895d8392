import type { CopyEvent, CopyIntent } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';

export type EventWithIntents = CopyEvent & { intents: CopyIntent[] };
export type IntentWithEvent = CopyIntent & { event: CopyEvent };

/** The most recent leader events, newest first, each with its per-follower intents. */
export function recentEvents(db: Db, count: number): Promise<EventWithIntents[]> {
  return db.copyEvent.findMany({
    orderBy: { id: 'desc' },
    take: count,
    include: { intents: { orderBy: { followerId: 'asc' } } },
  });
}

/** Each follower's latest copy, with its leader event. */
export async function lastIntents(db: Db, followerIds: string[]): Promise<Map<string, IntentWithEvent>> {
  const rows = await Promise.all(
    followerIds.map((followerId) =>
      db.copyIntent.findFirst({ where: { followerId }, orderBy: { id: 'desc' }, include: { event: true } }),
    ),
  );
  return new Map(rows.flatMap((r) => (r ? [[r.followerId, r] as const] : [])));
}

export async function eventCount(db: Db): Promise<number> {
  return db.copyEvent.count();
}
