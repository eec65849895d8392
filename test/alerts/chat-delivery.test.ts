import { describe, expect, it } from 'vitest';
import { discordAlertSender } from '../../src/adapters/discord/alert-sender.ts';
import { telegramAlertSender } from '../../src/adapters/telegram/alert-sender.ts';
import { CONSOLE_CALLER } from '../../src/app.ts';
import type { App } from '../../src/app.ts';
import { GUILD, OWNER as DISCORD_OWNER, startDiscordDesk } from '../discord/discord-desk.ts';
import { OWNER as TELEGRAM_OWNER, startTelegramDesk } from '../telegram/telegram-desk.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Alerts through the real grammY and discord.js clients against their fake servers: a burst
 * arrives as one message with nothing lost; during an outage trading goes on and the alerts
 * arrive once the platform is back.
 */
function burst(app: App, count: number): void {
  for (let i = 1; i <= count; i++) {
    app.services.bus.emit({
      type: 'alert',
      accountId: `f${i}`,
      category: 'copy',
      severity: 'warning',
      key: 'alerts.order_failed',
      params: { account: `f${i}`, clientOrderId: `hs1c00${i}`, reason: 'exchange.insufficient_funds' },
    });
  }
}

function riskAlert(app: App): void {
  app.services.bus.emit({
    type: 'alert',
    accountId: 'main',
    category: 'risk_limit',
    severity: 'warning',
    key: 'risk.blocked.max_order_notional',
    params: { account: 'main', symbol: 'BTC/USDT:USDT', limit: '500', value: '600' },
  });
}

describe('alerts through Telegram', () => {
  it('a burst is one message; an outage delays alerts but not trading', async () => {
    const desk = await startTelegramDesk();
    const { app } = desk.t;
    try {
      app.services.alerts.registerSender(telegramAlertSender(desk.bot.sender));
      await desk.say(TELEGRAM_OWNER, '/alerts on');
      const chat = () =>
        desk.fake.chat(TELEGRAM_OWNER.id).filter((m) => m.text.includes('alerts in') || m.text.includes('Blocked'));

      burst(app, 5);
      await waitFor(() => chat().length === 1, 8_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(chat()).toHaveLength(1);
      for (let i = 1; i <= 5; i++) expect(chat()[0]?.text).toContain(`hs1c00${i}`);

      desk.fake.startOutage('reset');
      riskAlert(app);
      const balance = await app.dispatcher.handleLine(CONSOLE_CALLER, '/balance sub_b');
      expect(balance?.text).toContain('sub_b (binance spot paper)');
      await new Promise((r) => setTimeout(r, 1_500));
      expect(chat()).toHaveLength(1);
      desk.fake.endOutage();
      await waitFor(() => chat().length === 2, 15_000);
      expect(chat()[1]?.text).toContain('above the maximum order notional of 500 USDT');
    } finally {
      await desk.close();
    }
  }, 40_000);
});

describe('alerts through Discord', () => {
  it('a burst is one message; an outage delays alerts but not trading', async () => {
    const desk = await startDiscordDesk();
    const { app } = desk.t;
    try {
      app.services.alerts.registerSender(discordAlertSender(desk.bot.sender));
      await desk.slash(DISCORD_OWNER, 'alerts on', {}, GUILD);
      const channel = () =>
        desk.fake
          .channel(GUILD.channelId)
          .filter((m) => m.content.includes('alerts in') || m.content.includes('Blocked'));

      burst(app, 5);
      await waitFor(() => channel().length === 1, 8_000);
      await new Promise((r) => setTimeout(r, 300));
      expect(channel()).toHaveLength(1);
      for (let i = 1; i <= 5; i++) expect(channel()[0]?.content).toContain(`hs1c00${i}`);

      desk.fake.startOutage('reset');
      riskAlert(app);
      const balance = await app.dispatcher.handleLine(CONSOLE_CALLER, '/balance sub_b');
      expect(balance?.text).toContain('sub_b (binance spot paper)');
      await new Promise((r) => setTimeout(r, 1_500));
      expect(channel()).toHaveLength(1);
      desk.fake.endOutage();
      await waitFor(() => channel().length === 2, 15_000);
      expect(channel()[1]?.content).toContain('above the maximum order notional of 500 USDT');
    } finally {
      await desk.close();
    }
  }, 40_000);
});
