import { afterEach, describe, expect, it } from 'vitest';
import { startHedgestack, type Running } from '../../src/runtime.ts';
import { FakeTelegram } from '../support/fake-telegram.ts';
import { capturingLogger, testConfig } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Webhook mode: instead of long polling, Telegram posts each update to the desk's own HTTP
 * server at the webhook URL's path, with the secret the desk registered.
 */
describe('telegram webhook mode', () => {
  let running: Running | undefined;
  let fake: FakeTelegram | undefined;
  afterEach(async () => {
    await running?.stop();
    await fake?.stop();
  });

  it('registers the webhook, answers a signed update, and refuses an unsigned one', async () => {
    fake = await new FakeTelegram().start();
    const config = testConfig({
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.url,
      TELEGRAM_WEBHOOK_URL: 'https://desk.example.com/telegram/hook-7f3a',
      TELEGRAM_WEBHOOK_SECRET: 'a-secret-of-enough-length',
      OWNER_TELEGRAM_IDS: '42',
    });
    running = await startHedgestack(config, { logger: capturingLogger().logger });
    expect(running.summary).toContain('telegram running as @');
    const registered = fake.calls.find((c) => c.method === 'setWebhook');
    expect(registered?.body).toMatchObject({
      url: 'https://desk.example.com/telegram/hook-7f3a',
      secret_token: 'a-secret-of-enough-length',
    });
    expect(fake.calls.some((c) => c.method === 'getUpdates')).toBe(false);

    const update = {
      update_id: 1,
      message: {
        message_id: 10,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 42, type: 'private', first_name: 'Olga' },
        from: { id: 42, is_bot: false, first_name: 'Olga', language_code: 'en' },
        text: '/whoami',
        entities: [{ type: 'bot_command', offset: 0, length: 7 }],
      },
    };
    const post = (secret: string | undefined) =>
      fetch(`${running?.httpUrl ?? ''}/telegram/hook-7f3a`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
        },
        body: JSON.stringify(update),
      });

    expect((await post('wrong-secret-wrong-secret')).status).toBe(401);
    expect((await post(undefined)).status).toBe(401);
    expect(fake.chat(42)).toEqual([]);

    expect((await post('a-secret-of-enough-length')).status).toBe(200);
    await waitFor(() => (fake?.chat(42).length ?? 0) > 0);
    expect(fake.chat(42)[0]?.text).toContain('Your id: 42');
  });
});
