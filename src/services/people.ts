import { HedgeError, NotFoundError } from '../domain/errors.ts';
import { chatIdentitySchema, newUserSchema, roleSchema, type ChatIdentityRef, type NewUser } from '../domain/people.ts';
import type { Role } from '../domain/roles.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Platform } from '../generated/prisma/enums.ts';
import type { Db } from '../infra/db/client.ts';

/** A change to people the desk refuses: it would lock every owner out, or steal someone's id. */
export class PeopleRefusedError extends HedgeError {}

export interface IdentityView {
  id: number;
  platform: Platform;
  externalId: string;
  displayName: string | null;
}

/** A user as the admin shows it: role, chat ids and granted accounts (owners act on every account). */
export interface PersonView {
  id: number;
  name: string;
  role: Role;
  language: string | null;
  createdAt: Date;
  identities: IdentityView[];
  grants: string[];
}

const withLinks = {
  identities: { orderBy: [{ platform: 'asc' }, { externalId: 'asc' }] },
  grants: { orderBy: { accountId: 'asc' } },
} satisfies Prisma.UserInclude;

type UserRow = {
  id: number;
  name: string;
  role: Role;
  language: string | null;
  createdAt: Date;
  identities: { id: number; platform: Platform; externalId: string; displayName: string | null }[];
  grants: { accountId: string }[];
};

function toView(row: UserRow): PersonView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    language: row.language,
    createdAt: row.createdAt,
    identities: row.identities.map(({ id, platform, externalId, displayName }) => ({
      id,
      platform,
      externalId,
      displayName,
    })),
    grants: row.grants.map((g) => g.accountId),
  };
}

/**
 * The people of the desk: users with a role, the chat identities that speak for them and the
 * accounts a non-owner may act on. The desk always keeps at least one owner.
 */
export class PeopleService {
  constructor(private readonly db: Db) {}

  async list(): Promise<PersonView[]> {
    const rows = await this.db.user.findMany({ orderBy: { id: 'asc' }, include: withLinks });
    return rows.map(toView);
  }

  async get(userId: number): Promise<PersonView> {
    const row = await this.db.user.findUnique({ where: { id: userId }, include: withLinks });
    if (!row) throw new NotFoundError('people.user_not_found', { user: userId });
    return toView(row);
  }

  /** Chat callers nobody linked yet (they sent a command, got refused and were told to ask an owner). */
  async unlinkedIdentities(): Promise<IdentityView[]> {
    const rows = await this.db.chatIdentity.findMany({
      where: { userId: null, platform: { in: ['telegram', 'discord'] } },
      orderBy: { updatedAt: 'desc' },
      take: 50,
    });
    return rows.map(({ id, platform, externalId, displayName }) => ({ id, platform, externalId, displayName }));
  }

  async create(input: NewUser): Promise<PersonView> {
    const { name, role } = newUserSchema.parse(input);
    const row = await this.db.user.create({ data: { name, role }, include: withLinks });
    return toView(row);
  }

  /** Changes a user's role; refused when it would leave the desk without an owner. */
  async setRole(userId: number, role: Role): Promise<PersonView> {
    const next = roleSchema.parse(role);
    return this.db.$transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { id: userId } });
      if (!user) throw new NotFoundError('people.user_not_found', { user: userId });
      if (user.role === 'owner' && next !== 'owner' && (await tx.user.count({ where: { role: 'owner' } })) <= 1) {
        throw new PeopleRefusedError('people.last_owner', { user: user.name });
      }
      return toView(await tx.user.update({ where: { id: userId }, data: { role: next }, include: withLinks }));
    });
  }

  /** Lets a user act on an account; granting twice is harmless. */
  async grant(userId: number, accountId: string): Promise<PersonView> {
    await this.get(userId);
    const account = await this.db.account.findUnique({ where: { id: accountId }, select: { id: true } });
    if (!account) throw new NotFoundError('errors.account_not_found', { account: accountId });
    await this.db.accountGrant.upsert({
      where: { userId_accountId: { userId, accountId } },
      create: { userId, accountId },
      update: {},
    });
    return this.get(userId);
  }

  /** Returns true when there was a grant to remove. */
  async revoke(userId: number, accountId: string): Promise<boolean> {
    await this.get(userId);
    const { count } = await this.db.accountGrant.deleteMany({ where: { userId, accountId } });
    return count > 0;
  }

  /**
   * Makes a Telegram or Discord id speak for a user. The identity may already exist (an unknown
   * caller's language is kept); one linked to another user is refused rather than taken over.
   */
  async link(userId: number, ref: ChatIdentityRef): Promise<PersonView> {
    const { platform, externalId } = chatIdentitySchema.parse(ref);
    const user = await this.get(userId);
    const where = { platform_externalId: { platform, externalId } };
    const existing = await this.db.chatIdentity.findUnique({ where, include: { user: true } });
    if (existing?.user && existing.user.id !== userId) {
      throw new PeopleRefusedError('people.identity_taken', { platform, id: externalId, user: existing.user.name });
    }
    await this.db.chatIdentity.upsert({ where, create: { platform, externalId, userId }, update: { userId } });
    return this.get(user.id);
  }

  /** The identity stays (with its language) but no longer speaks for the user; true when it did. */
  async unlink(userId: number, ref: ChatIdentityRef): Promise<boolean> {
    const { platform, externalId } = chatIdentitySchema.parse(ref);
    await this.get(userId);
    const { count } = await this.db.chatIdentity.updateMany({
      where: { platform, externalId, userId },
      data: { userId: null },
    });
    return count > 0;
  }

  /** Deletes a user: its grants go with it, its chat ids stay as unknown callers. Never the last owner. */
  async remove(userId: number): Promise<PersonView> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.user.findUnique({ where: { id: userId }, include: withLinks });
      if (!row) throw new NotFoundError('people.user_not_found', { user: userId });
      if (row.role === 'owner' && (await tx.user.count({ where: { role: 'owner' } })) <= 1) {
        throw new PeopleRefusedError('people.last_owner', { user: row.name });
      }
      await tx.user.delete({ where: { id: userId } });
      return toView(row);
    });
  }
}
