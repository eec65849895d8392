import { autoRetry } from '@grammyjs/auto-retry';
import express, { type Express } from 'express';
import { Bot, GrammyError, HttpError, webhookCallback } from 'grammy';
import type { CommandDispatcher } from '../../commands/dispatcher.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Language } from '../../i18n/index.ts';
import type { IdentityService } from '../../services/identity.ts';
import { telegramCommandLists } from './command-menu.ts';
import { TelegramCommandHandlers } from './handlers.ts';
import { TelegramSender } from './sender.ts';

export interface TelegramBotOptions {
  token: string;
  /** Bot API root without a trailing slash (a self-hosted server, or a fake in tests). */
  apiRoot: string;
  dispatcher: CommandDispatcher;
  identity: IdentityService;
  logger: Logger;
  defaultLanguage: Language;
  /** Webhook mode instead of long polling: Telegram posts updates to `url`, signed with `secret`. */
  webhook?: { url: string; secret: string } | undefined;
}

export type TelegramStatus =
  | { state: 'starting' }
  | { state: 'running'; username: string }
  | { state: 'failed'; reason: string }
  | { state: 'stopped' };

/** How long stop() waits for replies still being retried before giving up on them. */
const DRAIN_MS = 2_000;

/** One line a trader can act on; never contains the token. */
export function describeTelegramFailure(err: unknown): string {
  if (err instanceof GrammyError && err.error_code === 401) {
    return 'Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized); check the token from @BotFather and restart';
  }
  if (err instanceof GrammyError && err.error_code === 409) {
    return 'another program is already receiving updates for this bot (409 Conflict); stop it or remove its webhook';
  }
  if (err instanceof GrammyError) return `Telegram refused ${err.method} (${err.error_code}: ${err.description})`;
  if (err instanceof HttpError) return `cannot reach the Telegram Bot API (${err.message})`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The Telegram adapter: a grammY bot over the command dispatcher, long polling. Requests to
 * Telegram go through auto-retry (429 waits `retry_after`; network errors and 5xx back off).
 * Starting never blocks: the bot connects in the background and reports through `status`.
 */
export class TelegramBot {
  readonly bot: Bot;
  readonly sender: TelegramSender;
  private readonly handlers: TelegramCommandHandlers;
  private current: TelegramStatus = { state: 'stopped' };
  private polling: Promise<void> | undefined;
  private settled: Promise<TelegramStatus> | undefined;

  constructor(private readonly options: TelegramBotOptions) {
    this.bot = new Bot(options.token, { client: { apiRoot: options.apiRoot } });
    this.bot.api.config.use(autoRetry({ maxRetryAttempts: 8, maxDelaySeconds: 600 }));
    this.sender = new TelegramSender(this.bot.api);
    this.handlers = new TelegramCommandHandlers({ ...options, sender: this.sender });
    this.bot.use(this.handlers.composer);
    this.bot.catch((err) => {
      options.logger.error({ err: err.error, update: err.ctx.update.update_id }, 'telegram: middleware failed');
    });
  }

  /** Commands and presses still being answered. */
  get pendingWork(): number {
    return this.handlers.queues.size;
  }

  get status(): TelegramStatus {
    return this.current;
  }

  /**
   * Starts long polling in the background. The promise settles once Telegram has answered —
   * running or failed — which may be never while it is unreachable; callers race it with a timer.
   */
  start(): Promise<TelegramStatus> {
    if (this.settled) return this.settled;
    this.current = { state: 'starting' };
    if (this.options.webhook) {
      this.settled = this.startWebhook(this.options.webhook);
      return this.settled;
    }
    this.settled = new Promise<TelegramStatus>((resolve) => {
      this.polling = this.bot
        .start({
          allowed_updates: ['message', 'callback_query'],
          onStart: (me) => {
            this.current = { state: 'running', username: me.username };
            this.options.logger.info({ bot: me.username }, `telegram running as @${me.username}`);
            void this.publishCommands();
            resolve(this.current);
          },
        })
        .then(
          () => {
            if (this.current.state !== 'failed') this.current = { state: 'stopped' };
          },
          (err: unknown) => {
            const reason = describeTelegramFailure(err);
            this.current = { state: 'failed', reason };
            this.options.logger.error(`telegram failed: ${reason}; everything else keeps running`);
            resolve(this.current);
          },
        );
    });
    return this.settled;
  }

  /**
   * Webhook mode: updates arrive as POSTs on the desk's own HTTP server (at the path of the
   * webhook URL), checked against the secret Telegram sends with each.
   */
  mountWebhook(routes: Express): void {
    const webhook = this.options.webhook;
    if (!webhook) return;
    const handle = webhookCallback(this.bot, 'express', { secretToken: webhook.secret });
    // grammY's express adapter reads a parsed JSON body.
    routes.post(new URL(webhook.url).pathname, express.json({ limit: '1mb' }), (req, res, next) => {
      handle(req, res).catch(next);
    });
  }

  private async startWebhook(webhook: { url: string; secret: string }): Promise<TelegramStatus> {
    try {
      await this.bot.init();
      await this.bot.api.setWebhook(webhook.url, {
        secret_token: webhook.secret,
        allowed_updates: ['message', 'callback_query'],
      });
      const username = this.bot.botInfo.username;
      this.current = { state: 'running', username };
      this.options.logger.info({ bot: username }, `telegram running as @${username} (webhook)`);
      void this.publishCommands();
    } catch (err) {
      const reason = describeTelegramFailure(err);
      this.current = { state: 'failed', reason };
      this.options.logger.error(`telegram failed: ${reason}; everything else keeps running`);
    }
    return this.current;
  }

  /** The command menu in every language, generated from the declarations. */
  async publishCommands(): Promise<void> {
    try {
      for (const list of telegramCommandLists(this.options.dispatcher.entries, this.options.defaultLanguage)) {
        await this.bot.api.setMyCommands(list.commands, list.languageCode ? { language_code: list.languageCode } : {});
      }
    } catch (err) {
      this.options.logger.warn({ err: describeTelegramFailure(err) }, 'telegram: could not set the command menu');
    }
  }

  async stop(): Promise<void> {
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_MS).unref());
    if (this.bot.isRunning()) await Promise.race([this.bot.stop().catch(() => undefined), timeout]);
    await Promise.race([this.polling, timeout]);
    await this.handlers.queues.drain(DRAIN_MS);
    if (this.current.state !== 'failed') this.current = { state: 'stopped' };
  }
}
