import type { AppOptions } from '../../src/app.ts';
import { TelegramBot } from '../../src/adapters/telegram/index.ts';
import { FakeTelegram, sourceTextOf, type FakeUser, type StoredMessage } from '../support/fake-telegram.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

export const OWNER: FakeUser = { id: 5001, first_name: 'Olga', language_code: 'en' };
export const GROUP = { id: -100200300, type: 'supergroup' as const };

/**
 * The real grammY bot of hedgestack, long polling a fake Bot API, over a paper-mode app.
 * `say` sends a message as a user and returns the bot's answers once it has finished.
 */
export interface TelegramDesk {
  t: TestApp;
  fake: FakeTelegram;
  bot: TelegramBot;
  say(user: FakeUser, text: string, chat?: typeof GROUP): Promise<StoredMessage[]>;
  press(user: FakeUser, message: StoredMessage, data: string): Promise<void>;
  /** The answers as the reply's own text (``` fences, no HTML), joined when split. */
  textOf(messages: StoredMessage[]): string;
  close(): Promise<void>;
}

export async function startTelegramDesk(
  env: Record<string, string> = {},
  options: Partial<AppOptions> = {},
): Promise<TelegramDesk> {
  const fake = await new FakeTelegram().start();
  const t = await startTestApp(
    { OWNER_TELEGRAM_IDS: String(OWNER.id), TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url, ...env },
    options,
  );
  const bot = new TelegramBot({
    token: fake.token,
    apiRoot: fake.url,
    dispatcher: t.app.dispatcher,
    identity: t.app.services.identity,
    logger: t.app.services.logger,
    defaultLanguage: t.config.defaultLanguage,
  });
  const status = await bot.start();
  if (status.state !== 'running') throw new Error(`bot did not start: ${JSON.stringify(status)}`);

  const settle = async (updateId: number) => {
    await waitFor(() => fake.confirmedUpTo >= updateId && bot.pendingWork === 0, 10_000, 5);
  };
  return {
    t,
    fake,
    bot,
    async say(user, text, chat) {
      const chatId = chat?.id ?? user.id;
      const before = new Set(fake.chat(chatId).map((m) => m.messageId));
      fake.sendText(user, text, chat);
      await settle(fake.lastUpdateId);
      return fake.chat(chatId).filter((m) => !before.has(m.messageId));
    },
    async press(user, message, data) {
      fake.press(user, message, data);
      await settle(fake.lastUpdateId);
    },
    textOf: (messages) => messages.map((m) => sourceTextOf(m.text)).join('\n'),
    async close() {
      await bot.stop();
      await t.close();
      await fake.stop();
    },
  };
}
