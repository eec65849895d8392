import { afterEach, describe, expect, it } from 'vitest';
import { t as translate } from '../../src/i18n/index.ts';
import { plainTextOf, type StoredMessage } from '../support/fake-discord.ts';
import { GUILD, OWNER, STRANGER, startDiscordDesk, type DiscordDesk } from './discord-desk.ts';

let desk: DiscordDesk | undefined;
afterEach(async () => {
  await desk?.close();
  desk = undefined;
});

const en = (key: string) => translate('en', key);
const ORDER = { account: 'sub_a', symbol: 'BTCUSDT', side: 'buy', amount: '0.01' };

async function orderPrompt(d: DiscordDesk): Promise<StoredMessage> {
  const answers = await d.slash(OWNER, 'order', ORDER, GUILD);
  const prompt = answers.at(-1);
  if (!prompt) throw new Error('no prompt');
  expect(plainTextOf(prompt.content)).toContain('Please confirm');
  expect(prompt.ephemeral).toBe(false);
  return prompt;
}

const customId = (message: StoredMessage, label: string): string => {
  const button = message.components.flatMap((row) => row.components).find((b) => b.label === label);
  if (!button?.custom_id) throw new Error(`no ${label} button`);
  expect(button.custom_id.length).toBeLessThanOrEqual(100);
  return button.custom_id;
};

const orderCount = (d: DiscordDesk) => d.t.app.services.db.order.count({ where: { accountId: 'sub_a' } });
const stored = (d: DiscordDesk, m: StoredMessage) => d.fake.messages.get(m.id);

describe('confirmations over Discord', () => {
  it('Confirm runs the order once and replaces the buttons with the outcome', async () => {
    desk = await startDiscordDesk();
    const prompt = await orderPrompt(desk);
    expect(await orderCount(desk)).toBe(0);
    const added = await desk.press(OWNER, prompt, customId(prompt, 'Confirm'), GUILD);
    expect(await orderCount(desk)).toBe(1);
    expect(added).toEqual([]);
    const after = stored(desk, prompt);
    expect(after?.components).toEqual([]);
    expect(plainTextOf(after?.content ?? '')).toMatch(/^Account sub_a: order #\d+/);
  });

  it('Cancel does nothing but say so', async () => {
    desk = await startDiscordDesk();
    const prompt = await orderPrompt(desk);
    await desk.press(OWNER, prompt, customId(prompt, 'Cancel'), GUILD);
    expect(await orderCount(desk)).toBe(0);
    expect(plainTextOf(stored(desk, prompt)?.content ?? '')).toBe(en('confirm.cancelled'));
    expect(stored(desk, prompt)?.components).toEqual([]);
  });

  it('a stranger pressing Confirm is refused privately, the message untouched; the asker can still confirm', async () => {
    desk = await startDiscordDesk();
    const prompt = await orderPrompt(desk);
    const before = structuredClone(stored(desk, prompt));
    const refusal = await desk.press(STRANGER, prompt, customId(prompt, 'Confirm'), GUILD);
    expect(await orderCount(desk)).toBe(0);
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatchObject({ ephemeral: true, content: en('confirm.not_yours') });
    expect(stored(desk, prompt)).toEqual(before);

    await desk.press(OWNER, prompt, customId(prompt, 'Confirm'), GUILD);
    expect(await orderCount(desk)).toBe(1);
  });

  it('a press after the confirmation expired runs nothing and says so', async () => {
    desk = await startDiscordDesk({}, { confirmationTtlMs: 150 });
    const prompt = await orderPrompt(desk);
    await new Promise((r) => setTimeout(r, 250));
    await desk.press(OWNER, prompt, customId(prompt, 'Confirm'), GUILD);
    expect(await orderCount(desk)).toBe(0);
    expect(plainTextOf(stored(desk, prompt)?.content ?? '')).toBe(en('confirm.expired'));
    expect(stored(desk, prompt)?.components).toEqual([]);
  });

  it('a double press runs the order once; the second press is refused privately without touching the outcome', async () => {
    desk = await startDiscordDesk();
    const d = desk;
    const prompt = await orderPrompt(d);
    const data = customId(prompt, 'Confirm');
    // Both presses arrive before the first edit removes the buttons.
    const first = d.fake.press(OWNER, prompt, data, GUILD);
    const second = d.fake.press(OWNER, prompt, data, GUILD);
    await d.settle(first);
    await d.settle(second);
    expect(await orderCount(d)).toBe(1);
    expect(plainTextOf(stored(d, prompt)?.content ?? '')).toMatch(/^Account sub_a: order #\d+/);
    const privateAnswers = d.fake.channel(GUILD.channelId).filter((m) => m.ephemeral);
    expect(privateAnswers.map((m) => m.content)).toEqual([en('confirm.unknown')]);
  });

  it('a confirmation in a DM works the same way', async () => {
    desk = await startDiscordDesk();
    const [prompt] = await desk.slash(OWNER, 'order', ORDER);
    if (!prompt) throw new Error('no prompt');
    await desk.press(OWNER, prompt, customId(prompt, 'Confirm'));
    expect(await orderCount(desk)).toBe(1);
    expect(stored(desk, prompt)?.channelId).toBe(desk.fake.dmChannelOf(OWNER));
  });
});
