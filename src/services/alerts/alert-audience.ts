import type { Visibility } from '../../domain/grants.ts';
import type { AlertSubscription } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';

/** One person behind a destination, and what they may see. */
export interface AudiencePerson {
  /** The desk user's name, or the chat name of someone nobody linked. */
  name: string;
  visibility: Visibility;
  /** false: heard in the group but linked to no desk user (sees no account). */
  linked: boolean;
}

type UserWithGrants = { name: string; role: string; grants: { accountId: string }[] };

const visibilityOf = (user: UserWithGrants): Visibility =>
  user.role === 'owner' ? 'all' : new Set(user.grants.map((g) => g.accountId));

/**
 * The people behind each destination (domain/grants.ts `alertReaches` decides with them): the
 * person who subscribed it with `/alerts on`, and everyone the desk has heard from in it when it
 * is a group. A destination the admin added for no one, with nobody heard in it, is the owner's
 * own: it sees every account.
 */
export async function audiencesOf(
  db: Db,
  subscriptions: readonly AlertSubscription[],
): Promise<Map<number, AudiencePerson[]>> {
  const userIds = [...new Set(subscriptions.flatMap((s) => (s.userId === null ? [] : [s.userId])))];
  const [users, members] = await Promise.all([
    userIds.length === 0
      ? []
      : db.user.findMany({ where: { id: { in: userIds } }, include: { grants: { select: { accountId: true } } } }),
    db.chatMember.findMany({
      where: { chatId: { in: [...new Set(subscriptions.map((s) => s.destination))] } },
      include: { identity: { include: { user: { include: { grants: { select: { accountId: true } } } } } } },
    }),
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const result = new Map<number, AudiencePerson[]>();
  for (const s of subscriptions) {
    const people = new Map<string, AudiencePerson>();
    const subscriber = s.userId === null ? undefined : userById.get(s.userId);
    if (subscriber) people.set(`u${subscriber.id}`, person(subscriber));
    for (const m of members) {
      if (m.platform !== s.platform || m.chatId !== s.destination) continue;
      const user = m.identity.user;
      if (user) people.set(`u${user.id}`, person(user));
      else {
        people.set(`i${m.identity.id}`, {
          name: m.identity.displayName ?? `${m.platform} ${m.identity.externalId}`,
          visibility: new Set(),
          linked: false,
        });
      }
    }
    if (s.userId !== null && !subscriber) {
      // The person who subscribed it was removed: nobody vouches for this chat any more.
      people.set('gone', { name: `user #${s.userId} (removed)`, visibility: new Set(), linked: false });
    }
    result.set(s.id, people.size > 0 ? [...people.values()] : [{ name: 'admin', visibility: 'all', linked: true }]);
  }
  return result;
}

function person(user: UserWithGrants): AudiencePerson {
  return { name: user.name, visibility: visibilityOf(user), linked: true };
}

/** What a destination's alerts may be about, in words for the admin: every account, some, or none. */
export function reachOf(people: readonly AudiencePerson[]): 'all' | string[] {
  if (people.every((p) => p.visibility === 'all')) return 'all';
  const sets = people.map((p) => p.visibility).filter((v): v is ReadonlySet<string> => v !== 'all');
  const [first, ...rest] = sets;
  return [...(first ?? [])].filter((id) => rest.every((v) => v.has(id))).sort();
}
