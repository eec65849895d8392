import type { App } from '../../app.ts';
import { DiscordBot, type DiscordStatus } from './bot.ts';

export { DiscordBot, describeDiscordFailure, type DiscordBotOptions, type DiscordStatus } from './bot.ts';
export { DiscordSender } from './sender.ts';
export { discordAlertSender } from './alert-sender.ts';
export { discordMessagesOf, DISCORD_MESSAGE_LIMIT } from './format.ts';
export { slashCommandsOf, namesDiscordRefuses, type SlashCommandJson } from './slash-commands.ts';

/**
 * How long startup lets Discord answer before it moves on: a reachable gateway logs in within
 * a second, so the start line can say "running" or "failed"; an unreachable one is left
 * connecting in the background and never holds up the rest.
 */
export const DISCORD_STARTUP_GRACE_MS = 2_000;

export interface StartedDiscord {
  bot: DiscordBot;
  /** As far as known when startup moved on. */
  status: DiscordStatus;
}

/** Starts the Discord adapter when a token is configured; undefined when it is not. */
export async function startDiscord(app: App, graceMs = DISCORD_STARTUP_GRACE_MS): Promise<StartedDiscord | undefined> {
  const { config, services, dispatcher } = app;
  const { token, appId, guildId, apiBase } = config.discord;
  if (!token || !appId) return undefined;
  const bot = new DiscordBot({
    token,
    appId,
    guildId,
    apiBase,
    dispatcher,
    identity: services.identity,
    completions: { identity: services.identity, accounts: services.accounts, vps: services.vps },
    logger: services.logger,
    defaultLanguage: config.defaultLanguage,
  });
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<DiscordStatus>((resolve) => {
    timer = setTimeout(() => resolve(bot.status), graceMs);
  });
  const status = await Promise.race([bot.start(), grace]);
  clearTimeout(timer);
  return { bot, status };
}

/** The words of the start line for Discord. */
export function describeDiscordStatus(status: DiscordStatus | undefined): string {
  if (!status) return 'discord off';
  switch (status.state) {
    case 'running':
      return `discord running as ${status.username}`;
    case 'failed':
      return `discord FAILED: ${status.reason}`;
    case 'starting':
      return `discord connecting (${status.lastError ?? 'gateway not ready yet'}; retrying in the background)`;
    case 'stopped':
      return 'discord stopped';
  }
}
