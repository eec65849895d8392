import { REST } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/catalog/index.ts';
import { defineCommand } from '../../src/commands/types.ts';
import { DiscordSender, discordAlertSender, discordMessagesOf } from '../../src/adapters/discord/index.ts';
import { startHedgestack } from '../../src/runtime.ts';
import { FakeDiscord, plainTextOf } from '../support/fake-discord.ts';
import { capturingLogger, testConfig } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';
import { GUILD, OWNER, startDiscordDesk, type DiscordDesk } from './discord-desk.ts';

const tableRow = (i: number) => `row ${String(i).padStart(3, '0')} <BTC*USDT>  ${'x'.repeat(30)}`;
/** About 9,000 characters: prose with markdown characters, a long monospace table, more prose. */
const LONG_REPLY = [
  'Balances **and** more_stuff:',
  ...Array.from({ length: 40 }, (_, i) => `line ${i} of the intro`),
  '```',
  ...Array.from({ length: 160 }, (_, i) => tableRow(i)),
  '```',
  'the end',
].join('\n');

const longCommand = defineCommand({
  name: 'longread',
  role: 'public',
  scope: 'none',
  mutates: false,
  args: {},
  run: () => Promise.resolve({ text: LONG_REPLY }),
});

const fencesBalanced = (text: string) => (text.match(/^```/gm) ?? []).length % 2 === 0;

describe('Discord message text', () => {
  it('escapes markdown in prose, leaves code blocks alone, and splits at 2000 with fences balanced', () => {
    const parts = discordMessagesOf(LONG_REPLY);
    expect(parts.length).toBeGreaterThan(4);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect(fencesBalanced(part)).toBe(true);
    }
    expect(parts[0]?.startsWith('Balances \\*\\*and\\*\\* more\\_stuff:')).toBe(true);
    const rows = parts.flatMap((p) => p.split('\n')).filter((l) => l.startsWith('row '));
    expect(rows).toEqual(Array.from({ length: 160 }, (_, i) => tableRow(i)));
  });
});

describe('delivery through the bot', () => {
  let desk: DiscordDesk | undefined;
  afterEach(async () => {
    await desk?.close();
    desk = undefined;
  });

  it('a reply longer than 2000 arrives as the first answer plus follow-ups, tables intact', async () => {
    desk = await startDiscordDesk({}, { commands: [...COMMANDS, longCommand] });
    const messages = await desk.slash(OWNER, 'longread', {}, GUILD);
    expect(messages.length).toBeGreaterThan(4);
    expect(desk.fake.callsTo('POST', /\/callback$/).map((c) => (c.body as { type: number }).type)).toEqual([4]);
    expect(desk.fake.callsTo('POST', /^\/webhooks\/\d+\/[^/]+$/)).toHaveLength(messages.length - 1);
    for (const m of messages) {
      expect(m.content.length).toBeLessThanOrEqual(2000);
      expect(fencesBalanced(m.content)).toBe(true);
    }
    const rows = messages.flatMap((m) => m.content.split('\n')).filter((l) => l.startsWith('row '));
    expect(rows).toEqual(Array.from({ length: 160 }, (_, i) => tableRow(i)));
    expect(plainTextOf(messages[0]?.content ?? '')).toContain('Balances **and** more_stuff:');
  });

  it('a quick command is answered at once with its reply, without a placeholder', async () => {
    desk = await startDiscordDesk();
    await desk.slash(OWNER, 'balance', { account: 'sub_a' }, GUILD);
    const [answer] = desk.fake.callsTo('POST', /\/callback$/).slice(-1);
    const body = answer?.body as { type: number; data: { content: string } } | undefined;
    expect(body?.type).toBe(4);
    expect(body?.data.content).toContain('sub');
  });

  it('with PRIVATE_BALANCES=true a balance reaches only the caller, private from the first answer', async () => {
    desk = await startDiscordDesk({ PRIVATE_BALANCES: 'true' });
    const balance = await desk.slash(OWNER, 'balance', { account: 'sub_a' }, GUILD);
    expect(desk.textOf(balance)).toContain('sub_a');
    expect(balance.every((m) => m.ephemeral)).toBe(true);
    expect(desk.fake.callsTo('POST', /\/callback$/).at(-1)?.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(desk.fake.deleted).toEqual([]);
  });

  it('commands the adapter defers privately are answered so only the caller sees them, without a placeholder', async () => {
    desk = await startDiscordDesk({}, {}, { privateCommands: ['balance'] });
    const balance = await desk.slash(OWNER, 'balance', { account: 'sub_a' }, GUILD);
    expect(desk.textOf(balance)).toContain('sub_a');
    expect(balance.every((m) => m.ephemeral)).toBe(true);
    expect((await desk.slash(OWNER, 'accounts', {}, GUILD)).every((m) => !m.ephemeral)).toBe(true);
  });

  it('a 429 on the reply is waited out and the reply is delivered', async () => {
    desk = await startDiscordDesk();
    desk.fake.rateLimit(2, 0.2, /^POST \/interactions\//);
    const started = Date.now();
    const messages = await desk.slash(OWNER, 'balance', { account: 'sub_a' }, GUILD);
    expect(desk.textOf(messages)).toContain('sub_a');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(desk.fake.calls.filter((c) => c.path.endsWith('/callback') && c.status === 429)).toHaveLength(2);
  });

  it('a failure while answering never stops the client: the user gets a reference, the next command works', async () => {
    desk = await startDiscordDesk();
    desk.fake.refuse(1, /^POST \/interactions\//);
    const answers = await desk.slash(OWNER, 'balance', { account: 'sub_a' }, GUILD);
    const ref = /Reference: (\w+)/.exec(desk.textOf(answers))?.[1];
    expect(ref).toBeDefined();
    expect(
      desk.t.logs.some((l) => l.includes(String(ref)) && l.includes('discord: handling an interaction failed')),
    ).toBe(true);
    expect(desk.textOf(await desk.slash(OWNER, 'balance', { account: 'sub_a' }, GUILD))).toContain('sub_a');
  });
});

describe('DiscordSender (for pushes to a channel)', () => {
  let fake: FakeDiscord | undefined;
  afterEach(async () => fake?.stop());

  const senderFor = (f: FakeDiscord) => new DiscordSender(new REST({ api: f.apiBase }).setToken(f.token));

  it('splits a long text and sends the parts in order', async () => {
    fake = await new FakeDiscord().start();
    const ids = await senderFor(fake).send('555', LONG_REPLY);
    expect(ids.length).toBeGreaterThan(4);
    expect(fake.channel('555').map((m) => m.id)).toEqual(ids);
  });

  it('respects retry_after on a 429 and delivers', async () => {
    fake = await new FakeDiscord().start();
    fake.rateLimit(1, 0.3);
    const started = Date.now();
    await senderFor(fake).send('555', 'Copy failed on follower f1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.channel('555').map((m) => plainTextOf(m.content))).toEqual(['Copy failed on follower f1']);
  });

  it('an outage makes the send fail, for the alert queue to retry', async () => {
    fake = await new FakeDiscord().start();
    fake.startOutage('error5xx');
    const sender = discordAlertSender(senderFor(fake));
    await expect(sender.send('555', 'x')).rejects.toThrow();
    fake.endOutage();
    await sender.send('555', 'after the outage');
    expect(fake.channel('555').map((m) => m.content)).toEqual(['after the outage']);
  });
});

describe('starting hedgestack with Discord', () => {
  let fake: FakeDiscord | undefined;
  afterEach(async () => fake?.stop());

  async function start(env: Record<string, string>) {
    const { logger, lines } = capturingLogger();
    const f = fake;
    if (!f) throw new Error('no fake');
    const running = await startHedgestack(
      testConfig({ DISCORD_APP_ID: f.appId, DISCORD_API_BASE: f.apiBase, DISCORD_GUILD_ID: GUILD.guildId, ...env }),
      { logger },
    );
    // Stopping while account streams still connect leaves ccxt rejections behind.
    const { accounts, streams } = running.app.services;
    const ids = (await accounts.list()).map((a) => a.id);
    await waitFor(() => ids.every((id) => streams.status(id)?.health !== 'starting'), 10_000);
    return { running, lines };
  }

  it('a wrong token fails only Discord: the start line says why and /healthz answers', async () => {
    fake = await new FakeDiscord().start();
    const { running, lines } = await start({ DISCORD_TOKEN: 'wrong.discord.token' });
    try {
      expect(running.summary).toContain('discord FAILED: Discord rejected DISCORD_TOKEN (401 Unauthorized)');
      expect(lines.some((l) => l.includes('discord failed') && !l.includes('wrong.discord.token'))).toBe(true);
      expect((await fetch(`${running.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await running.stop();
    }
  });

  it('a token the gateway refuses (close 4004) fails only Discord too', async () => {
    fake = await new FakeDiscord().start();
    fake.rejectIdentify = true;
    const { running } = await start({ DISCORD_TOKEN: fake.token });
    try {
      expect(running.summary).toContain('discord FAILED: Discord rejected DISCORD_TOKEN');
      expect((await fetch(`${running.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await running.stop();
    }
  });

  it('a good token: the start line says the bot runs, and its commands are registered to the guild', async () => {
    fake = await new FakeDiscord().start();
    const { running } = await start({ DISCORD_TOKEN: fake.token });
    try {
      expect(running.summary).toContain('discord running as hedgestack');
      await waitFor(() => fake?.registered.length === 1);
      expect(fake.registered[0]?.scope).toBe(GUILD.guildId);
    } finally {
      await running.stop();
    }
  });

  it('an unreachable Discord does not hold up startup', async () => {
    fake = await new FakeDiscord().start();
    fake.startOutage('reset');
    const started = Date.now();
    const { running } = await start({ DISCORD_TOKEN: fake.token });
    try {
      expect(running.summary).toContain('discord connecting');
      expect(Date.now() - started).toBeLessThan(8_000);
      expect((await fetch(`${running.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await running.stop();
    }
  });
});

describe('push alerts in a Discord channel', () => {
  it('/alerts on in a channel, then a risk refusal elsewhere arrives there as an alert', async () => {
    const desk = await startDiscordDesk();
    try {
      desk.t.app.services.alerts.registerSender(discordAlertSender(desk.bot.sender));
      const on = await desk.slash(OWNER, 'alerts on', { categories: 'risk_limit' }, GUILD);
      expect(desk.textOf(on)).toContain('This chat now receives alerts: risk_limit, from info up.');
      desk.t.app.services.bus.emit({
        type: 'alert',
        accountId: 'main',
        category: 'risk_limit',
        severity: 'warning',
        key: 'risk.blocked.max_order_notional',
        params: { account: 'main', symbol: 'BTC/USDT:USDT', limit: '500', value: '600' },
      });
      await waitFor(() =>
        desk.fake
          .callsTo('POST', new RegExp(`^/channels/${GUILD.channelId}/messages$`))
          .some((c) => JSON.stringify(c.body).includes('above the maximum order notional')),
      );
    } finally {
      await desk.close();
    }
  });
});
