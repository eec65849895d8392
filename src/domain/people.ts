import { z } from 'zod';
import { ROLES } from './roles.ts';

/** The chat platforms a person can be reached on (the console and the web are the desk's own). */
export const CHAT_PLATFORMS = ['telegram', 'discord'] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

export const userNameSchema = z.string().trim().min(1, 'a name is required').max(64, 'at most 64 characters');

export const roleSchema = z.enum(ROLES, { error: `one of: ${ROLES.join(', ')}` });

export const newUserSchema = z.object({ name: userNameSchema, role: roleSchema });
export type NewUser = z.infer<typeof newUserSchema>;

/** A Telegram user id (what /whoami shows): digits only. */
const telegramUserId = /^\d{1,15}$/;
/** A Discord user id: a snowflake of 17 to 20 digits. */
const discordUserId = /^\d{17,20}$/;

/** A person's chat id on one platform, as /whoami shows it. */
export const chatIdentitySchema = z
  .object({
    platform: z.enum(CHAT_PLATFORMS, { error: 'telegram or discord' }),
    externalId: z.string().trim().min(1, 'an id is required'),
  })
  .superRefine((value, ctx) => {
    const pattern = value.platform === 'telegram' ? telegramUserId : discordUserId;
    if (!pattern.test(value.externalId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['externalId'],
        message:
          value.platform === 'telegram'
            ? 'a Telegram user id is digits only, e.g. 123456789 (send /whoami to the bot)'
            : 'a Discord user id is 17 to 20 digits (send /whoami to the bot)',
      });
    }
  });
export type ChatIdentityRef = z.infer<typeof chatIdentitySchema>;
