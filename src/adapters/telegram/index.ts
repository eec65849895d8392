import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { App } from '../../app.ts';
import { TelegramBot, type TelegramStatus } from './bot.ts';

export { TelegramBot, describeTelegramFailure, type TelegramStatus } from './bot.ts';
export { TelegramSender, type ChatId, type SendOptions } from './sender.ts';
export { splitReplyText, renderTelegramHtml, telegramMessagesOf, TELEGRAM_MESSAGE_LIMIT } from './format.ts';
export { telegramCommandLists, telegramCommandsIn } from './command-menu.ts';

/**
 * How long startup lets Telegram answer before it moves on: a local or healthy Bot API answers
 * getMe in milliseconds, so the start line can say "running" or "failed"; an unreachable one
 * is left connecting in the background and never holds up the rest.
 */
export const TELEGRAM_STARTUP_GRACE_MS = 1_500;

export interface StartedTelegram {
  bot: TelegramBot;
  /** As far as known when startup moved on. */
  status: TelegramStatus;
}

/** Starts the Telegram adapter when a token is configured; undefined when it is not. */
export async function startTelegram(
  app: App,
  graceMs = TELEGRAM_STARTUP_GRACE_MS,
  routes?: Express,
): Promise<StartedTelegram | undefined> {
  const { config, services, dispatcher } = app;
  if (!config.telegram.token) return undefined;
  const webhook = config.telegram.webhook
    ? {
        url: config.telegram.webhook.url,
        secret: config.telegram.webhook.secret ?? randomBytes(24).toString('base64url'),
      }
    : undefined;
  const bot = new TelegramBot({
    webhook,
    token: config.telegram.token,
    apiRoot: config.telegram.apiRoot,
    dispatcher,
    identity: services.identity,
    logger: services.logger,
    defaultLanguage: config.defaultLanguage,
  });
  if (webhook && routes) bot.mountWebhook(routes);
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<TelegramStatus>((resolve) => {
    timer = setTimeout(() => resolve(bot.status), graceMs);
  });
  const status = await Promise.race([bot.start(), grace]);
  clearTimeout(timer);
  return { bot, status };
}

/** The words of the start line for Telegram. */
export function describeTelegramStatus(status: TelegramStatus | undefined): string {
  if (!status) return 'telegram off';
  switch (status.state) {
    case 'running':
      return `telegram running as @${status.username}`;
    case 'failed':
      return `telegram FAILED: ${status.reason}`;
    case 'starting':
      return 'telegram connecting (Bot API not reachable yet; retrying in the background)';
    case 'stopped':
      return 'telegram stopped';
  }
}
