import type { AlertSender } from '../../services/alerts/alert-service.ts';
import type { TelegramSender } from './sender.ts';

/** The alert service's way into Telegram: plain sends, paced as Telegram asks. */
export function telegramAlertSender(sender: TelegramSender): AlertSender {
  return {
    platform: 'telegram',
    async send(chatId, text) {
      await sender.send(chatId, text);
    },
    // About one message a second per chat, and 20 a minute in a group (negative chat ids).
    minIntervalMs: (chatId) => (chatId.startsWith('-') ? 3_000 : 1_000),
  };
}
