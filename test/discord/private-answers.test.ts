import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/catalog/index.ts';
import { defineCommand } from '../../src/commands/types.ts';
import { NotFoundError } from '../../src/domain/errors.ts';
import { t as translate } from '../../src/i18n/index.ts';
import { plainTextOf, type FakeDiscordUser, type StoredMessage } from '../support/fake-discord.ts';
import { GUILD, OWNER, STRANGER, startDiscordDesk, type DiscordDesk } from './discord-desk.ts';

/**
 * Who sees an answer in a server channel: a refusal or an error only the caller, from the very
 * first answer — never a public "thinking…" that is deleted and replaced — while a slow command
 * is still acknowledged within Discord's 3 seconds. Driven through the real discord.js client
 * against the fake Discord, which keeps a deferral's visibility for the first follow-up as
 * Discord does.
 */
const EPHEMERAL = 64;
/** Commands slower than this are deferred in these tests (1.5 s in production). */
const DIRECT_REPLY_MS = 200;
const SLOW_MS = 500;
const ZH_OWNER: FakeDiscordUser = { ...OWNER, locale: 'zh-CN' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A slow check that ends in a refusal, as an order's look-up of a VP on a slow exchange would. */
const slowRefusal = defineCommand({
  name: 'slowrefusal',
  role: 'public',
  scope: 'none',
  mutates: true,
  confirm: true,
  args: {},
  async describe() {
    await sleep(SLOW_MS);
    throw new NotFoundError('vp.not_found', { account: 'sub_a', vp: 'ghost' });
  },
  run: () => Promise.resolve({ text: 'never' }),
});

/** A slow check that ends in a confirmation prompt for the channel. */
const slowPrompt = defineCommand({
  name: 'slowprompt',
  role: 'public',
  scope: 'none',
  mutates: true,
  confirm: true,
  args: {},
  async describe() {
    await sleep(SLOW_MS);
    return 'do the slow thing';
  },
  run: () => Promise.resolve({ text: 'The slow thing is done.' }),
});

/** A reply of three Discord messages, answered at once. */
const longRead = defineCommand({
  name: 'longread',
  role: 'public',
  scope: 'none',
  mutates: false,
  args: {},
  run: () => Promise.resolve({ text: Array.from({ length: 3 }, (_, i) => `part ${i} ${'x'.repeat(1900)}`).join('\n') }),
});

let desk: DiscordDesk | undefined;
afterEach(async () => {
  await desk?.close();
  desk = undefined;
});

async function open(env: Record<string, string> = {}): Promise<DiscordDesk> {
  desk = await startDiscordDesk(
    env,
    { commands: [...COMMANDS, slowRefusal, slowPrompt, longRead] },
    { directReplyMs: DIRECT_REPLY_MS },
  );
  return desk;
}

/** The interaction callbacks the fake received, in order: type and flags. */
function callbacks(d: DiscordDesk): { type: number; flags: number }[] {
  return d.fake.callsTo('POST', /^\/interactions\/\d+\/[^/]+\/callback$/).map((c) => {
    const body = c.body as { type: number; data?: { flags?: number } };
    return { type: body.type, flags: body.data?.flags ?? 0 };
  });
}

const publicIn = (d: DiscordDesk, messages: StoredMessage[]) => messages.filter((m) => !m.ephemeral);

describe('refusals and errors are private from the first answer', () => {
  it('a bad argument, an unknown account and a stranger’s command: one private reply each, no placeholder', async () => {
    const d = await open();
    const answers = [
      await d.slash(OWNER, 'balance', { account: 'nosuch' }, GUILD),
      await d.slash(OWNER, 'order', { account: 'sub_a', symbol: 'BTCUSDT', side: 'buy' }, GUILD),
      await d.slash(STRANGER, 'order', { account: 'sub_a', symbol: 'BTCUSDT', side: 'buy', amount: '0.01' }, GUILD),
    ];
    expect(callbacks(d)).toEqual([
      { type: 4, flags: EPHEMERAL },
      { type: 4, flags: EPHEMERAL },
      { type: 4, flags: EPHEMERAL },
    ]);
    for (const messages of answers) {
      expect(messages).toHaveLength(1);
      expect(messages[0]?.ephemeral).toBe(true);
    }
    expect(d.textOf(answers[1] ?? [])).toContain(translate('en', 'errors.arg_missing', { arg: 'amount' }));
    expect(d.fake.deleted).toEqual([]);
    expect(d.fake.callsTo('DELETE', /./)).toEqual([]);
    expect(publicIn(d, d.fake.channel(GUILD.channelId))).toEqual([]);
  });

  it('in Chinese too', async () => {
    const d = await open();
    const [refusal] = await d.slash(ZH_OWNER, 'order', { account: 'sub_a', symbol: 'BTCUSDT', side: 'buy' }, GUILD);
    expect(plainTextOf(refusal?.content ?? '')).toContain(translate('zh', 'errors.arg_missing', { arg: 'amount' }));
    expect(refusal?.ephemeral).toBe(true);
    expect(callbacks(d)).toEqual([{ type: 4, flags: EPHEMERAL }]);
    expect(d.fake.deleted).toEqual([]);
  });

  it('a slow command that ends in a refusal is deferred privately and the refusal takes the placeholder’s place', async () => {
    const d = await open();
    const started = Date.now();
    const answers = await d.slash(OWNER, 'slowrefusal', {}, GUILD);
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_MS);
    expect(callbacks(d)).toEqual([{ type: 5, flags: EPHEMERAL }]);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ ephemeral: true, deferred: false });
    expect(d.textOf(answers)).toBe(translate('en', 'vp.not_found', { account: 'sub_a', vp: 'ghost' }));
    expect(d.fake.callsTo('PATCH', /messages\/@original$/)).toHaveLength(1);
    expect(d.fake.deleted).toEqual([]);
    expect(publicIn(d, d.fake.channel(GUILD.channelId))).toEqual([]);
  });
});

describe('a failure after a public first answer', () => {
  it('leaves what the channel saw alone and tells the caller privately, with a reference', async () => {
    const d = await open();
    d.fake.refuse(1, /^POST \/webhooks\//);
    const answers = await d.slash(OWNER, 'longread', {}, GUILD);
    const [first, apology] = answers;
    expect(first).toMatchObject({ ephemeral: false });
    expect(first?.content).toMatch(/^part 0 x+$/);
    expect(apology?.ephemeral).toBe(true);
    expect(plainTextOf(apology?.content ?? '')).toMatch(/Reference: \w+/);
    expect(publicIn(d, answers)).toHaveLength(1);
    expect(d.fake.callsTo('PATCH', /./)).toEqual([]);
  });
});

describe('answers for the channel', () => {
  it('a quick answer is the first answer itself: one public callback, nothing deferred, nothing edited', async () => {
    const d = await open();
    const answers = await d.slash(OWNER, 'accounts', {}, GUILD);
    expect(callbacks(d)).toEqual([{ type: 4, flags: 0 }]);
    expect(answers.every((m) => !m.ephemeral && !m.deferred)).toBe(true);
    expect(d.textOf(answers)).toContain('sub_a');
    expect(d.fake.callsTo('PATCH', /./)).toEqual([]);
  });

  it('a slow one is acknowledged in time, privately; its answer follows in the channel and its buttons work', async () => {
    const d = await open();
    const answers = await d.slash(OWNER, 'slowprompt', {}, GUILD);
    expect(callbacks(d)).toEqual([{ type: 5, flags: EPHEMERAL }]);
    const [note, prompt] = answers;
    expect(note).toMatchObject({ ephemeral: true, content: translate('en', 'discord.answered_in_channel') });
    expect(prompt?.ephemeral).toBe(false);
    expect(plainTextOf(prompt?.content ?? '')).toContain('do the slow thing');
    expect(d.fake.deleted).toEqual([]);

    const confirm = prompt?.components.flatMap((row) => row.components).find((b) => b.label === 'Confirm');
    if (!prompt || !confirm?.custom_id) throw new Error('no Confirm button');
    await d.press(OWNER, prompt, confirm.custom_id, GUILD);
    expect(d.fake.messages.get(prompt.id)).toMatchObject({ content: 'The slow thing is done.', components: [] });
  });

  it('the note on a slow public answer is in the caller’s language', async () => {
    const d = await open();
    const [note] = await d.slash(ZH_OWNER, 'slowprompt', {}, GUILD);
    expect(note).toMatchObject({ ephemeral: true, content: translate('zh', 'discord.answered_in_channel') });
  });

  it('with PRIVATE_BALANCES=true a slow balance is private throughout: deferred privately, edited in place', async () => {
    const d = await open({ PRIVATE_BALANCES: 'true' });
    d.t.app.services.paper?.emulator.fault('sub_a', { latencyMs: SLOW_MS });
    const balance = await d.slash(OWNER, 'balance', { account: 'sub_a' }, GUILD);
    expect(callbacks(d)).toEqual([{ type: 5, flags: EPHEMERAL }]);
    expect(d.textOf(balance)).toContain('sub_a');
    expect(balance.every((m) => m.ephemeral)).toBe(true);
    expect(d.fake.deleted).toEqual([]);
  });
});
