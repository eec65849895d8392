import type { Visibility } from '../../domain/grants.ts';
import type { CopyEvent, CopyIntent, Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';

export type EventWithIntents = CopyEvent & { intents: CopyIntent[] };
export type IntentWithEvent = CopyIntent & { event: CopyEvent };

/**
 * The events a person sees: those of a leader they see, or with a copy to a follower they see
 * (an owner sees all).
 */
function seenEvents(visibility: Visibility): Prisma.CopyEventWhereInput {
  if (visibility === 'all') return {};
  const ids = [...visibility];
  return { OR: [{ leaderId: { in: ids } }, { intents: { some: { followerId: { in: ids } } } }] };
}

/**
 * The most recent leader events the person sees, newest first, each with the copies to the
 * followers they see.
 */
export function recentEvents(db: Db, count: number, visibility: Visibility = 'all'): Promise<EventWithIntents[]> {
  return db.copyEvent.findMany({
    where: seenEvents(visibility),
    orderBy: { id: 'desc' },
    take: count,
    include: {
      intents: {
        ...(visibility === 'all' ? {} : { where: { followerId: { in: [...visibility] } } }),
        orderBy: { followerId: 'asc' },
      },
    },
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

/** How many leader events the person sees. */
export async function eventCount(db: Db, visibility: Visibility = 'all'): Promise<number> {
  return db.copyEvent.count({ where: seenEvents(visibility) });
}
