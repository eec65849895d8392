import { argShapes } from '../../src/commands/args.ts';
import type { AppOptions } from '../../src/app.ts';
import { DiscordBot, type DiscordBotOptions } from '../../src/adapters/discord/index.ts';
import {
  FakeDiscord,
  plainTextOf,
  type FakeChannel,
  type FakeDiscordUser,
  type FakeOption,
  type InjectedInteraction,
  type StoredMessage,
} from '../support/fake-discord.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

export const OWNER: FakeDiscordUser = { id: '310000000000000001', username: 'olga', locale: 'en-US' };
export const STRANGER: FakeDiscordUser = { id: '310000000000000099', username: 'mallory', locale: 'en-US' };
export const GUILD: FakeChannel = { guildId: '420000000000000001', channelId: '420000000000000002' };

const OPTION_TYPES = { string: 3, integer: 4, boolean: 5, number: 10 } as const;

/**
 * The real discord.js client of hedgestack, logged in to a fake Discord REST + gateway, over a
 * paper-mode app. `slash` runs a command as a user and returns the bot's messages once it has
 * finished answering.
 */
export interface DiscordDesk {
  t: TestApp;
  fake: FakeDiscord;
  bot: DiscordBot;
  /** `name` as declared (`vp close`); values by option name, typed as the declaration says. */
  slash(
    user: FakeDiscordUser,
    name: string,
    values?: Record<string, string>,
    where?: FakeChannel,
  ): Promise<StoredMessage[]>;
  /** The options Discord would send for these values. */
  optionsOf(name: string, values: Record<string, string>, focused?: string): FakeOption[];
  autocomplete(
    user: FakeDiscordUser,
    name: string,
    values: Record<string, string>,
    focused: string,
    where?: FakeChannel,
  ): Promise<string[]>;
  press(user: FakeDiscordUser, message: StoredMessage, customId: string, where?: FakeChannel): Promise<StoredMessage[]>;
  settle(interaction: InjectedInteraction): Promise<void>;
  /** The answers as a user reads them, joined when split. */
  textOf(messages: StoredMessage[]): string;
  close(): Promise<void>;
}

export async function startDiscordDesk(
  env: Record<string, string> = {},
  options: Partial<AppOptions> = {},
  botOptions: Partial<DiscordBotOptions> = {},
): Promise<DiscordDesk> {
  const fake = await new FakeDiscord().start();
  const t = await startTestApp(
    {
      OWNER_DISCORD_IDS: OWNER.id,
      DISCORD_TOKEN: fake.token,
      DISCORD_APP_ID: fake.appId,
      DISCORD_GUILD_ID: GUILD.guildId,
      DISCORD_API_BASE: fake.apiBase,
      ...env,
    },
    options,
  );
  const { services, dispatcher } = t.app;
  const bot = new DiscordBot({
    token: fake.token,
    appId: fake.appId,
    guildId: GUILD.guildId,
    apiBase: fake.apiBase,
    dispatcher,
    identity: services.identity,
    completions: { identity: services.identity, accounts: services.accounts, vps: services.vps },
    logger: services.logger,
    defaultLanguage: t.config.defaultLanguage,
    ...botOptions,
  });
  const status = await bot.start();
  if (status.state !== 'running') throw new Error(`discord bot did not start: ${JSON.stringify(status)}`);
  await waitFor(() => fake.registered.length > 0);

  const settle = (interaction: InjectedInteraction) =>
    waitFor(() => fake.acknowledged.has(interaction.id) && bot.pendingWork === 0, 10_000, 5);
  const channelOf = (user: FakeDiscordUser, where?: FakeChannel) => where?.channelId ?? fake.dmChannelOf(user);
  const newIn = async (channelId: string, act: () => Promise<void>) => {
    const before = new Set(fake.channel(channelId).map((m) => m.id));
    await act();
    return fake.channel(channelId).filter((m) => !before.has(m.id));
  };

  const optionsOf = (name: string, values: Record<string, string>, focused?: string): FakeOption[] => {
    const def = dispatcher.find(name);
    if (!def) throw new Error(`no command ${name}`);
    const types = new Map(argShapes(def).map((s) => [s.name, OPTION_TYPES[s.type]]));
    const leaf = Object.entries(values).map(([option, raw]): FakeOption => {
      const type = types.get(option) ?? 3;
      const value = type === 4 || type === 10 ? Number(raw) : type === 5 ? raw === 'true' : raw;
      return { name: option, type, value, ...(option === focused ? { focused: true } : {}) };
    });
    const [group, sub] = name.split(' ');
    return sub && group ? [{ name: sub, type: 1, options: leaf }] : leaf;
  };
  const topName = (name: string) => name.split(' ')[0] ?? name;

  return {
    t,
    fake,
    bot,
    optionsOf,
    settle,
    slash: (user, name, values = {}, where) =>
      newIn(channelOf(user, where), async () => {
        await settle(fake.slash(user, topName(name), optionsOf(name, values), where));
      }),
    async autocomplete(user, name, values, focused, where) {
      const interaction = fake.autocomplete(user, topName(name), optionsOf(name, values, focused), where);
      await settle(interaction);
      return fake.choicesFor(interaction).map((c) => String(c.value));
    },
    press: (user, message, customId, where) =>
      newIn(channelOf(user, where), async () => {
        await settle(fake.press(user, message, customId, where));
      }),
    textOf: (messages) => messages.map((m) => plainTextOf(m.content)).join('\n'),
    async close() {
      await bot.stop();
      await t.close();
      await fake.stop();
    },
  };
}
