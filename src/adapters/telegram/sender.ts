import type { Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { ReplyButton } from '../../commands/types.ts';
import { telegramMessagesOf } from './format.ts';

/** Telegram's limit on callback_data, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

export type ChatId = number | string;

export interface SendOptions {
  /** Shown under the last message. */
  buttons?: ReplyButton[][] | undefined;
  /** Sent as a reply to this message (the command it answers). */
  replyTo?: number | undefined;
}

export function inlineKeyboardOf(buttons: ReplyButton[][]): InlineKeyboardMarkup {
  return {
    inline_keyboard: buttons.map((row) =>
      row.map((b) => {
        if (Buffer.byteLength(b.data, 'utf8') > CALLBACK_DATA_LIMIT) {
          throw new Error(`button data longer than ${CALLBACK_DATA_LIMIT} bytes: ${b.data.slice(0, 20)}…`);
        }
        return { text: b.label, callback_data: b.data };
      }),
    ),
  };
}

/**
 * Sends text to one Telegram chat: split at Telegram's limit on line boundaries, code blocks kept
 * whole, as HTML. The Api it is given carries the auto-retry transformer, so a 429 waits the
 * `retry_after` Telegram asked for and a network error or 5xx is retried with backoff. The chat
 * adapter answers commands through it; the alert service can send pushes through it too.
 */
export class TelegramSender {
  constructor(private readonly api: Api) {}

  /** Returns the message ids, in order. */
  async send(chatId: ChatId, text: string, options: SendOptions = {}): Promise<number[]> {
    const messages = telegramMessagesOf(text);
    const ids: number[] = [];
    for (const [i, html] of messages.entries()) {
      const last = i === messages.length - 1;
      const sent = await this.api.sendMessage(chatId, html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(i === 0 && options.replyTo !== undefined
          ? { reply_parameters: { message_id: options.replyTo, allow_sending_without_reply: true } }
          : {}),
        ...(last && options.buttons?.length ? { reply_markup: inlineKeyboardOf(options.buttons) } : {}),
      });
      ids.push(sent.message_id);
    }
    return ids;
  }

  /**
   * Replaces a message's text (and removes its buttons); what does not fit follows as new
   * messages. Used when a confirmation was answered.
   */
  async replace(chatId: ChatId, messageId: number, text: string): Promise<void> {
    const [first = ' ', ...rest] = telegramMessagesOf(text);
    await this.api.editMessageText(chatId, messageId, first, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      reply_markup: { inline_keyboard: [] },
    });
    for (const html of rest) {
      await this.api.sendMessage(chatId, html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    }
  }

  async removeButtons(chatId: ChatId, messageId: number): Promise<void> {
    await this.api.editMessageReplyMarkup(chatId, messageId, { reply_markup: { inline_keyboard: [] } });
  }
}
