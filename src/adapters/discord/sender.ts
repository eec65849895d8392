import { Routes, type REST } from 'discord.js';
import { discordMessagesOf } from './format.ts';

/**
 * Sends text to one Discord channel (a server channel or a DM) outside any interaction: split at
 * Discord's limit, code blocks kept whole, nobody pinged. The REST client queues per route and
 * honours 429s with their `retry_after`; a refusal or an outage throws, for the caller to retry.
 * The alert service pushes through it.
 */
export class DiscordSender {
  constructor(private readonly rest: REST) {}

  /** Returns the message ids, in order. */
  async send(channelId: string, text: string): Promise<string[]> {
    const ids: string[] = [];
    for (const content of discordMessagesOf(text)) {
      const sent = (await this.rest.post(Routes.channelMessages(channelId), {
        body: { content, allowed_mentions: { parse: [] } },
      })) as { id: string };
      ids.push(sent.id);
    }
    return ids;
  }
}
