import { afterEach, describe, expect, it } from 'vitest';
import { t as translate } from '../../src/i18n/index.ts';
import type { StoredMessage } from '../support/fake-telegram.ts';
import { GROUP, OWNER, startTelegramDesk, type TelegramDesk } from './telegram-desk.ts';

/** Confirm / Cancel as inline buttons: only the asker, once, before it expires. */
let desk: TelegramDesk | undefined;
afterEach(async () => {
  await desk?.close();
  desk = undefined;
});

const en = (key: string) => translate('en', key);
const STRANGER = { id: 8001, first_name: 'Eve', language_code: 'en' };
const ORDER = '/order sub_a BTCUSDT buy 0.01';

async function orderPrompt(d: TelegramDesk, chat?: typeof GROUP): Promise<StoredMessage> {
  const [prompt] = await d.say(OWNER, ORDER, chat);
  if (!prompt) throw new Error('no prompt');
  expect(prompt.text).toContain('Please confirm');
  return prompt;
}

const buttonData = (m: StoredMessage, label: string): string => {
  const button = m.replyMarkup?.inline_keyboard.flat().find((b) => b.text === label);
  if (!button || !('callback_data' in button)) throw new Error(`no ${label} button`);
  expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64);
  return button.callback_data;
};

const orderCount = (d: TelegramDesk) => d.t.app.services.db.order.count({ where: { accountId: 'sub_a' } });
const stored = (d: TelegramDesk, m: StoredMessage) => d.fake.messages.get(`${m.chatId}:${m.messageId}`);
const answers = (d: TelegramDesk) => d.fake.callsOf('answerCallbackQuery').map((c) => c.body);

describe('confirmations over Telegram', () => {
  it('Confirm runs the order once and replaces the buttons with the outcome', async () => {
    desk = await startTelegramDesk();
    const prompt = await orderPrompt(desk);
    expect(await orderCount(desk)).toBe(0);
    await desk.press(OWNER, prompt, buttonData(prompt, 'Confirm'));
    expect(await orderCount(desk)).toBe(1);
    const after = stored(desk, prompt);
    expect(after?.replyMarkup).toBeUndefined();
    expect(after?.text).toMatch(/^Account sub_a: order #\d+/);
    expect(answers(desk).at(-1)?.['show_alert']).toBeUndefined();
  });

  it('Cancel does nothing but say so', async () => {
    desk = await startTelegramDesk();
    const prompt = await orderPrompt(desk);
    await desk.press(OWNER, prompt, buttonData(prompt, 'Cancel'));
    expect(await orderCount(desk)).toBe(0);
    expect(stored(desk, prompt)?.text).toBe(en('confirm.cancelled'));
    expect(stored(desk, prompt)?.replyMarkup).toBeUndefined();
  });

  it('a stranger pressing Confirm in a group is refused privately; the asker can still confirm', async () => {
    desk = await startTelegramDesk();
    const prompt = await orderPrompt(desk, GROUP);
    await desk.press(STRANGER, prompt, buttonData(prompt, 'Confirm'));
    expect(await orderCount(desk)).toBe(0);
    expect(answers(desk).at(-1)).toMatchObject({ text: en('confirm.not_yours'), show_alert: true });
    expect(stored(desk, prompt)?.replyMarkup?.inline_keyboard.flat()).toHaveLength(2);
    expect(stored(desk, prompt)?.text).toContain('Please confirm');

    await desk.press(OWNER, prompt, buttonData(prompt, 'Confirm'));
    expect(await orderCount(desk)).toBe(1);
  });

  it('a press after the confirmation expired runs nothing and says so', async () => {
    desk = await startTelegramDesk({}, { confirmationTtlMs: 150 });
    const prompt = await orderPrompt(desk);
    await new Promise((r) => setTimeout(r, 250));
    await desk.press(OWNER, prompt, buttonData(prompt, 'Confirm'));
    expect(await orderCount(desk)).toBe(0);
    expect(stored(desk, prompt)?.text).toBe(en('confirm.expired'));
    expect(stored(desk, prompt)?.replyMarkup).toBeUndefined();
  });

  it('a double press runs the order once; the second press is refused without touching the outcome', async () => {
    desk = await startTelegramDesk();
    const prompt = await orderPrompt(desk);
    const data = buttonData(prompt, 'Confirm');
    // Both presses arrive before the first edit removes the buttons.
    desk.fake.press(OWNER, prompt, data);
    await desk.press(OWNER, prompt, data);
    expect(await orderCount(desk)).toBe(1);
    expect(stored(desk, prompt)?.text).toMatch(/^Account sub_a: order #\d+/);
    expect(answers(desk).at(-1)).toMatchObject({ text: en('confirm.unknown'), show_alert: true });
  });
});
