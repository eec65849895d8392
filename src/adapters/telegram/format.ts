import { segmentsOf, splitReplyText as splitToLimit } from '../reply-split.ts';

/** Telegram's limit on one message, counted after entity parsing (UTF-16 code units). */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/** A reply as Telegram messages (see splitToLimit): at most 4096 characters each. */
export function splitReplyText(text: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  return splitToLimit(text, limit);
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One message as Telegram HTML: prose escaped, ``` blocks as <pre>. HTML rather than MarkdownV2
 * because only three characters need escaping and a stray one cannot break the whole message.
 * The visible text is never longer than the source, so a split source stays within the limit.
 */
export function renderTelegramHtml(text: string): string {
  return segmentsOf(text)
    .map((s) => (s.code ? `<pre>${escapeHtml(s.lines.join('\n'))}</pre>` : escapeHtml(s.lines.join('\n'))))
    .join('\n');
}

/** A reply as the HTML messages Telegram receives, in order. */
export function telegramMessagesOf(text: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  return splitReplyText(text, limit).map(renderTelegramHtml);
}
