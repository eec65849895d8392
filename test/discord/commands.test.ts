import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argShapes, usageOf } from '../../src/commands/args.ts';
import { COMMANDS } from '../../src/commands/catalog/index.ts';
import { isGroup, leafCommands } from '../../src/commands/types.ts';
import { namesDiscordRefuses, slashCommandsOf } from '../../src/adapters/discord/index.ts';
import { t as translate } from '../../src/i18n/index.ts';
import { grantUser } from '../support/harness.ts';
import { GUILD, OWNER, startDiscordDesk, type DiscordDesk } from './discord-desk.ts';

/** Every command, through the real discord.js client logged in to a fake Discord, as slash commands. */
let desk: DiscordDesk;
beforeAll(async () => {
  desk = await startDiscordDesk();
});
afterAll(async () => desk.close());

const LEAVES = leafCommands(COMMANDS);
const en = (key: string, params?: Record<string, string>) => translate('en', key, params);
const discordUser = (id: string) => ({ platform: 'discord' as const, externalId: id });

interface OptionJson {
  name: string;
  type: number;
  required?: boolean;
  description: string;
  description_localizations?: Record<string, string>;
  choices?: { name: string; value: string }[];
  autocomplete?: boolean;
  min_value?: number;
  max_value?: number;
  options?: OptionJson[];
}

describe('every declared command over Discord', () => {
  for (const def of LEAVES) {
    const shapes = argShapes(def);
    const sample = (s: (typeof shapes)[number]) => s.example ?? s.choices?.[0] ?? 'x';
    const required = shapes.filter((s) => s.required);
    const valid = Object.fromEntries(required.map((s) => [s.name, sample(s)]));

    it(`/${def.name} ${JSON.stringify(valid)}: answered without an argument error`, async () => {
      const answers = await desk.slash(OWNER, def.name, valid, GUILD);
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.every((m) => !m.deferred)).toBe(true);
      const text = desk.textOf(answers);
      expect(text).not.toContain('Usage:');
      expect(text).not.toContain('Unknown command');
      expect(text).not.toContain('Something went wrong');
      if (text.startsWith('Please confirm')) {
        const buttons = answers.at(-1)?.components.flatMap((row) => row.components) ?? [];
        expect(buttons.map((b) => [b.label, b.style])).toEqual([
          ['Confirm', 4],
          ['Cancel', 2],
        ]);
      }
    });

    // Discord's own client enforces required options and choices; a raw interaction need not.
    const missing = required.at(-1);
    const invalid = missing
      ? {
          values: Object.fromEntries(required.slice(0, -1).map((s) => [s.name, sample(s)])),
          error: en('errors.arg_missing', { arg: missing.name }),
        }
      : { values: { surplus: 'x' }, error: en('errors.arg_extra', { value: 'surplus' }) };
    it(`/${def.name} ${JSON.stringify(invalid.values)}: the error and the right usage, privately`, async () => {
      const answers = await desk.slash(OWNER, def.name, invalid.values, GUILD);
      expect(desk.textOf(answers)).toBe(`${invalid.error}\n${en('errors.usage', { usage: usageOf(def) })}`);
      expect(answers.every((m) => m.ephemeral)).toBe(true);
    });
  }

  it('/help lists every command the owner may use', async () => {
    const text = desk.textOf(await desk.slash(OWNER, 'help'));
    for (const def of LEAVES) expect(text, def.name).toContain(usageOf(def));
  });

  it('answers in the language Discord reports for the user (zh-CN)', async () => {
    const text = desk.textOf(
      await desk.slash({ id: '320000000000000001', locale: 'zh-CN' }, 'lang', { language: 'xx' }),
    );
    expect(text).toContain(translate('zh', 'errors.usage', { usage: '/lang <en|zh>' }));
  });
});

describe('the slash commands registered with Discord', () => {
  it('hold every declared command and subcommand, typed, with zh descriptions, in one guild overwrite', () => {
    expect(namesDiscordRefuses(COMMANDS)).toEqual([]);
    const [registration, ...more] = desk.fake.registered;
    expect(more).toEqual([]);
    expect(registration?.scope).toBe(GUILD.guildId);
    const commands = (registration?.commands ?? []) as unknown as (OptionJson & { name: string })[];
    expect(commands.map((c) => c.name)).toEqual(COMMANDS.map((e) => e.name));

    for (const entry of COMMANDS) {
      const json = commands.find((c) => c.name === entry.name);
      const leaves = isGroup(entry)
        ? entry.subcommands.map((sub) => ({ def: sub, options: json?.options?.find((o) => o.name === sub.name) }))
        : [{ def: entry, options: json }];
      if (isGroup(entry)) expect(json?.options?.map((o) => o.type)).toEqual(entry.subcommands.map(() => 1));
      for (const { def, options } of leaves) {
        expect(options, `${entry.name} ${def.name}`).toBeDefined();
        const listed = options?.options ?? [];
        expect(listed.map((o) => o.name).sort()).toEqual(Object.keys(def.args).sort());
        const firstOptional = listed.findIndex((o) => !o.required);
        if (firstOptional >= 0) expect(listed.slice(firstOptional).every((o) => !o.required)).toBe(true);
        for (const [name, arg] of Object.entries(def.args)) {
          const option = listed.find((o) => o.name === name);
          expect(option?.autocomplete === true, `${def.name} ${name}`).toBe(arg.complete !== undefined);
        }
      }
    }
    for (const c of commands) {
      for (const node of [c, ...(c.options ?? []), ...(c.options ?? []).flatMap((o) => o.options ?? [])]) {
        expect(node.description.length, node.name).toBeGreaterThan(0);
        expect(node.description.length, node.name).toBeLessThanOrEqual(100);
        expect(node.description_localizations?.['zh-CN'], node.name).toBeTruthy();
      }
    }
    const balance = commands.find((c) => c.name === 'balance');
    expect(balance?.description_localizations?.['zh-CN']).toBe(translate('zh', 'commands.balance.description'));
    const order = commands.find((c) => c.name === 'order')?.options ?? [];
    expect(order.find((o) => o.name === 'side')?.choices).toEqual([
      { name: 'buy', value: 'buy' },
      { name: 'sell', value: 'sell' },
    ]);
    const events = commands.find((c) => c.name === 'events')?.options ?? [];
    expect(events.find((o) => o.name === 'count')).toMatchObject({ type: 4, min_value: 1, max_value: 50 });
    const vp = commands.find((c) => c.name === 'vp')?.options ?? [];
    const sides = [
      { name: 'long', value: 'long' },
      { name: 'short', value: 'short' },
    ];
    for (const sub of ['show', 'close', 'tpsl']) {
      const options = vp.find((o) => o.name === sub)?.options ?? [];
      expect(
        options.find((o) => o.name === 'side'),
        sub,
      ).toMatchObject({ type: 3, required: false, choices: sides });
      expect(
        options.find((o) => o.name === 'symbol'),
        sub,
      ).toMatchObject({ type: 3, required: false });
      expect(
        options.find((o) => o.name === 'name'),
        sub,
      ).toMatchObject({ required: true, autocomplete: true });
    }
    const list = vp.find((o) => o.name === 'list')?.options ?? [];
    expect(list.find((o) => o.name === 'closed')).toMatchObject({
      required: false,
      choices: [{ name: 'closed', value: 'closed' }],
    });
  });

  it('a VP is reached by the side option and any symbol form', async () => {
    const { vps } = desk.t.app.services;
    await vps.open({ accountId: 'sub_a', symbol: 'BTC/USDT:USDT', positionSide: 'LONG', name: 'twin' });
    await vps.open({ accountId: 'sub_a', symbol: 'BTC/USDT:USDT', positionSide: 'SHORT', name: 'twin' });
    const ambiguous = desk.textOf(await desk.slash(OWNER, 'vp show', { account: 'sub_a', name: 'twin' }, GUILD));
    expect(ambiguous).toContain('(BTC/USDT:USDT LONG, BTC/USDT:USDT SHORT): add the side');
    const shown = desk.textOf(
      await desk.slash(OWNER, 'vp show', { account: 'sub_a', name: 'twin', side: 'short', symbol: 'btcusdt' }, GUILD),
    );
    expect(shown).toMatch(/sub_a\s+BTC\/USDT:USDT\s+SHORT\s+twin/);
    const percent = desk.textOf(
      await desk.slash(OWNER, 'vp close', { account: 'sub_a', name: 'twin', percent: '150' }, GUILD),
    );
    expect(percent).toContain('Argument percent: 150 must be more than 0 and at most 100.');
  });

  it('a command declared later appears without being declared twice', () => {
    const extra = {
      name: 'ping',
      role: 'public',
      mutates: false,
      args: {},
      run: () => Promise.resolve({ text: 'pong' }),
    };
    const names = slashCommandsOf([...COMMANDS, extra] as typeof COMMANDS).map((c) => c.name);
    expect(names.at(-1)).toBe('ping');
  });
});

describe('server channels', () => {
  it('a member without rights is refused privately and audited while an owner in the same channel is served', async () => {
    const member = { id: '330000000000000001', username: 'mallory', locale: 'en-US' };
    const refused = await desk.slash(member, 'balance', { account: 'sub_a' }, GUILD);
    expect(desk.textOf(refused)).toBe(en('errors.not_linked', { command: '/balance', role: en('roles.viewer') }));
    expect(refused.every((m) => m.ephemeral)).toBe(true);
    const row = await desk.t.app.services.db.auditLog.findFirst({ orderBy: { id: 'desc' } });
    expect(row).toMatchObject({ platform: 'discord', externalId: member.id, command: 'balance', outcome: 'refused' });

    const served = await desk.slash(OWNER, 'balance', { account: 'sub_a' }, GUILD);
    expect(desk.textOf(served)).toContain('sub_a');
    expect(served.every((m) => !m.ephemeral)).toBe(true);
  });

  it('a viewer is told the role a trader command needs; a grant on one account does not open another', async () => {
    const viewer = { id: '330000000000000002', locale: 'en-US' };
    await grantUser(desk.t.app, discordUser(viewer.id), 'viewer', ['sub_a']);
    const orders = desk.textOf(await desk.slash(viewer, 'orders', { account: 'sub_a' }, GUILD));
    expect(orders).toBe(en('errors.role_required', { command: '/orders', role: en('roles.trader') }));
    const other = desk.textOf(await desk.slash(viewer, 'balance', { account: 'sub_b' }, GUILD));
    expect(other).toBe(en('errors.account_not_granted', { account: 'sub_b' }));
  });
});
