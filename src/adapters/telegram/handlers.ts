import { randomBytes } from 'node:crypto';
import { Composer, type Context } from 'grammy';
import type { User } from 'grammy/types';
import type { CommandDispatcher } from '../../commands/dispatcher.ts';
import { splitCommandLine } from '../../commands/parse.ts';
import type { Reply } from '../../commands/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { normalizeLanguage, t, type Language } from '../../i18n/index.ts';
import type { CallerRef, IdentityService } from '../../services/identity.ts';
import { ChatQueues } from './chat-queues.ts';
import { PromptRegistry } from './prompts.ts';
import type { TelegramSender } from './sender.ts';

/** Telegram shows at most 200 characters in a callback answer. */
const CALLBACK_TEXT_LIMIT = 200;

export interface HandlerDeps {
  dispatcher: CommandDispatcher;
  identity: IdentityService;
  sender: TelegramSender;
  logger: Logger;
  defaultLanguage: Language;
}

/** The person behind a message or a button press — in a group, never the group itself. */
export function callerOf(user: User, chat?: { id: number; type: string }): CallerRef {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username;
  return {
    platform: 'telegram',
    externalId: String(user.id),
    displayName: name,
    locale: user.language_code,
    // The chat is where the command came from (alerts are sent there), not who may run it.
    ...(chat ? { chat: { id: String(chat.id), group: chat.type !== 'private' } } : {}),
  };
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Every name the dispatcher answers to, so a group's commands for other bots are left alone. */
function declaredNames(dispatcher: CommandDispatcher): Set<string> {
  return new Set(dispatcher.entries.flatMap((e) => [e.name, ...(e.aliases ?? [])]));
}

/**
 * Commands from message text and Confirm / Cancel presses, answered through the dispatcher.
 * Work runs off grammY's update loop, one queue per chat: a slow order in one chat never holds
 * up another, and replies in one chat keep their order.
 */
export class TelegramCommandHandlers {
  readonly composer = new Composer<Context>();
  readonly queues = new ChatQueues();
  private readonly prompts = new PromptRegistry();
  private readonly names: Set<string>;

  constructor(private readonly deps: HandlerDeps) {
    this.names = declaredNames(deps.dispatcher);
    this.composer.on('message:text', (ctx) => {
      const { message } = ctx;
      const line = splitCommandLine(message.text);
      if (!line) return;
      if (line.mention && line.mention.toLowerCase() !== ctx.me.username.toLowerCase()) return;
      // In a group an unknown bare /command is probably another bot's.
      if (ctx.chat.type !== 'private' && !line.mention && !this.names.has(line.name)) return;
      const chatId = ctx.chat.id;
      const from = message.from;
      this.queues.run(
        chatId,
        () => this.answerCommand(ctx, from),
        (err) => this.fail(ctx, from, err),
      );
    });
    this.composer.on('callback_query:data', (ctx) => {
      const from = ctx.callbackQuery.from;
      const chatId = ctx.callbackQuery.message?.chat.id ?? from.id;
      this.queues.run(
        chatId,
        () => this.answerPress(ctx),
        (err) => this.fail(ctx, from, err),
      );
    });
  }

  private async answerCommand(ctx: Context & { chat: { id: number; type: string } }, from: User): Promise<void> {
    const message = ctx.message;
    if (!message?.text) return;
    const reply = await this.deps.dispatcher.handleLine(callerOf(from, ctx.chat), message.text);
    if (!reply) return;
    const replyTo = ctx.chat.type === 'private' ? undefined : message.message_id;
    await this.sendReply(ctx.chat.id, from.id, reply, replyTo);
  }

  private async sendReply(chatId: number, askerId: number, reply: Reply, replyTo?: number): Promise<void> {
    const ids = await this.deps.sender.send(chatId, reply.text, { buttons: reply.buttons, replyTo });
    const last = ids.at(-1);
    if (reply.confirmation && last !== undefined) {
      this.prompts.add({ chatId, messageId: last, askerId, expiresAt: reply.confirmation.expiresAt });
    }
  }

  /**
   * The core decides (asker only, not expired, once); this only chooses where the answer shows.
   * The asker's press replaces the prompt with the outcome and removes its buttons; anyone
   * else's refusal, and a second press, show only to the presser and leave the message alone.
   */
  private async answerPress(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery;
    if (!query?.data) return;
    const message = query.message;
    const prompt = message ? this.prompts.take(message.chat.id, message.message_id, query.from.id) : undefined;
    const reply = await this.deps.dispatcher.handleAction(callerOf(query.from), query.data);
    if (!reply) {
      await ctx.answerCallbackQuery();
      return;
    }
    if (!prompt || !message) {
      await ctx.answerCallbackQuery({ text: shorten(reply.text, CALLBACK_TEXT_LIMIT), show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery();
    if (reply.buttons?.length) {
      await this.deps.sender.removeButtons(message.chat.id, message.message_id);
      await this.sendReply(message.chat.id, query.from.id, reply);
      return;
    }
    await this.deps.sender.replace(message.chat.id, message.message_id, reply.text);
  }

  /** A bug or a refused API call: logged with a reference the user is given. */
  private async fail(ctx: Context, from: User, err: unknown): Promise<void> {
    const ref = randomBytes(4).toString('hex');
    this.deps.logger.error({ err, ref, update: ctx.update.update_id }, 'telegram: handling an update failed');
    const text = t(await this.languageOf(from), 'errors.internal', { ref });
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true }).catch(() => undefined);
    const chatId = ctx.chat?.id ?? from.id;
    await this.deps.sender.send(chatId, text).catch((sendErr: unknown) => {
      this.deps.logger.error({ err: sendErr, ref }, 'telegram: could not tell the user about a failure');
    });
  }

  private async languageOf(from: User): Promise<Language> {
    try {
      return (await this.deps.identity.resolve(callerOf(from))).language;
    } catch {
      return normalizeLanguage(from.language_code) ?? this.deps.defaultLanguage;
    }
  }
}
