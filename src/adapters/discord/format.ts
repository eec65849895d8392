import { splitReplyText } from '../reply-split.ts';

/** Discord's limit on one message's content. */
export const DISCORD_MESSAGE_LIMIT = 2000;

const FENCE = /^```/;

/**
 * A prose line as Discord shows it literally: markdown characters escaped, so `BTC*2` or a
 * `||` in a usage line cannot turn the rest of a reply bold or hidden.
 */
export function escapeDiscordProse(line: string): string {
  return line.replace(/[\\*_~|`]/g, '\\$&').replace(/^(\s*)([#>])/, '$1\\$2');
}

/** The reply with its prose escaped and its ``` blocks left as they are (Discord renders them). */
export function discordMarkdownOf(text: string): string {
  let inCode = false;
  return text
    .split('\n')
    .map((line) => {
      if (FENCE.test(line.trim())) {
        inCode = !inCode;
        return line;
      }
      return inCode ? line : escapeDiscordProse(line);
    })
    .join('\n');
}

/**
 * A reply as the Discord messages that carry it, in order: escaped, then split on line
 * boundaries at 2,000 characters with every code block closed and reopened where it is cut.
 */
export function discordMessagesOf(text: string, limit = DISCORD_MESSAGE_LIMIT): string[] {
  return splitReplyText(discordMarkdownOf(text), limit);
}
