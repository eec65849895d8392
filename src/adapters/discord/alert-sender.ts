import type { AlertSender } from '../../services/alerts/alert-service.ts';
import type { DiscordSender } from './sender.ts';

/** The alert service's way into Discord: plain channel messages, paced under Discord's per-channel limit. */
export function discordAlertSender(sender: DiscordSender): AlertSender {
  return {
    platform: 'discord',
    async send(channelId, text) {
      await sender.send(channelId, text);
    },
    // Discord allows about 5 messages per 5 s in a channel; the REST queue also honours its 429s.
    minIntervalMs: () => 1_000,
  };
}
