import type { Db } from '../infra/db/client.ts';
import type { Platform } from '../generated/prisma/enums.ts';
import type { Role } from '../domain/roles.ts';
import { normalizeLanguage, type Language } from '../i18n/index.ts';

/** Who is calling, resolved from a chat identity. A caller with no user has no role. */
export interface Caller {
  platform: Platform;
  externalId: string;
  displayName: string | undefined;
  identityId: number;
  userId: number | undefined;
  userName: string | undefined;
  role: Role | undefined;
  language: Language;
  /** Accounts this caller may act on; `all` for owners. */
  accounts: 'all' | ReadonlySet<string>;
  /** Where the command came from, when it came from a chat. */
  chat: { id: string; group: boolean } | undefined;
}

export interface CallerRef {
  platform: Platform;
  externalId: string;
  displayName?: string | undefined;
  /** The platform's locale (`zh-hans`, `zh-CN`, `en-US`), used until the caller picks one. */
  locale?: string | undefined;
  /** The chat the command came from (a Telegram chat, a Discord channel): where alerts can go. */
  chat?: { id: string; group: boolean } | undefined;
}

export class IdentityService {
  /** Group memberships already recorded by this process. */
  private readonly members = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly defaultLanguage: Language,
  ) {}

  async resolve(ref: CallerRef): Promise<Caller> {
    const identity = await this.db.chatIdentity.upsert({
      where: { platform_externalId: { platform: ref.platform, externalId: ref.externalId } },
      create: { platform: ref.platform, externalId: ref.externalId, displayName: ref.displayName ?? null },
      update: ref.displayName ? { displayName: ref.displayName } : {},
      include: { user: { include: { grants: { select: { accountId: true } } } } },
    });
    // Someone heard in a group is one of the people behind it: the group's alerts keep to their grants.
    if (ref.chat?.group) await this.seenIn(ref.platform, ref.chat.id, identity.id);
    const user = identity.user;
    const role = user?.role;
    return {
      platform: ref.platform,
      externalId: ref.externalId,
      displayName: identity.displayName ?? undefined,
      identityId: identity.id,
      userId: user?.id,
      userName: user?.name,
      role,
      language:
        normalizeLanguage(user?.language ?? identity.language) ?? normalizeLanguage(ref.locale) ?? this.defaultLanguage,
      accounts: role === 'owner' ? 'all' : new Set(user?.grants.map((g) => g.accountId) ?? []),
      chat: ref.chat,
    };
  }

  private async seenIn(platform: Platform, chatId: string, identityId: number): Promise<void> {
    // Written once per person and group per process: who is behind a group is what matters, not
    // every command they send there.
    const key = `${platform}:${chatId}:${identityId}`;
    if (this.members.has(key)) return;
    const now = new Date();
    await this.db.chatMember.upsert({
      where: { platform_chatId_identityId: { platform, chatId, identityId } },
      create: { platform, chatId, identityId, lastSeenAt: now },
      update: { lastSeenAt: now },
    });
    this.members.add(key);
  }

  /** Stores the language on the user, or on the bare identity for a caller nobody linked yet. */
  async setLanguage(caller: Caller, language: Language): Promise<void> {
    if (caller.userId !== undefined) {
      await this.db.user.update({ where: { id: caller.userId }, data: { language } });
    } else {
      await this.db.chatIdentity.update({ where: { id: caller.identityId }, data: { language } });
    }
  }

  /** Makes sure a chat identity belongs to an owner (bootstrap from OWNER_*_IDS and the console). */
  async ensureOwner(platform: Platform, externalId: string, name: string): Promise<void> {
    const identity = await this.db.chatIdentity.findUnique({
      where: { platform_externalId: { platform, externalId } },
      include: { user: true },
    });
    if (identity?.user?.role === 'owner') return;
    if (identity?.user) {
      await this.db.user.update({ where: { id: identity.user.id }, data: { role: 'owner' } });
      return;
    }
    const user = await this.db.user.create({ data: { name, role: 'owner' } });
    await this.db.chatIdentity.upsert({
      where: { platform_externalId: { platform, externalId } },
      create: { platform, externalId, userId: user.id },
      update: { userId: user.id },
    });
  }
}
