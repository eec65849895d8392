import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argShapes, usageOf } from '../../src/commands/args.ts';
import { COMMANDS } from '../../src/commands/catalog/index.ts';
import { leafCommands } from '../../src/commands/types.ts';
import { namesTelegramCannotShow } from '../../src/adapters/telegram/command-menu.ts';
import { t as translate } from '../../src/i18n/index.ts';
import { grantUser, telegramUser } from '../support/harness.ts';
import { GROUP, OWNER, startTelegramDesk, type TelegramDesk } from './telegram-desk.ts';

/** Every command, through the real grammY bot long polling a fake Bot API, as a trader types it. */
let desk: TelegramDesk;
beforeAll(async () => {
  desk = await startTelegramDesk();
});
afterAll(async () => desk.close());

const LEAVES = leafCommands(COMMANDS);
const en = (key: string, params?: Record<string, string>) => translate('en', key, params);

describe('every declared command over Telegram', () => {
  for (const def of LEAVES) {
    const shapes = argShapes(def);
    const sample = (s: (typeof shapes)[number]) => s.example ?? s.choices?.[0] ?? 'x';
    const valid = `/${def.name} ${shapes
      .filter((s) => s.required)
      .map(sample)
      .join(' ')}`.trim();

    it(`${valid}: answered without an argument error`, async () => {
      const answers = await desk.say(OWNER, valid);
      expect(answers.length).toBeGreaterThan(0);
      const text = desk.textOf(answers);
      expect(text).not.toContain('Usage:');
      expect(text).not.toContain('Unknown command');
      expect(text).not.toContain('Something went wrong');
      const asksFirst = answers.at(-1)?.replyMarkup?.inline_keyboard.flat() ?? [];
      if (text.startsWith('Please confirm')) {
        expect(asksFirst.map((b) => b.text)).toEqual(['Confirm', 'Cancel']);
      }
    });

    const required = shapes.filter((s) => s.required);
    const bad = shapes.some((s) => s.rest)
      ? undefined
      : {
          line: `/${def.name} ${[...shapes.map(sample), 'surplus'].join(' ')}`,
          error: en('errors.arg_extra', { value: 'surplus' }),
        };
    const missing = required.at(-1);
    const invalid =
      bad ??
      (missing
        ? {
            line: `/${def.name} ${required.slice(0, -1).map(sample).join(' ')}`.trim(),
            error: en('errors.arg_missing', { arg: missing.name }),
          }
        : undefined);
    if (invalid) {
      it(`${invalid.line}: the error and the right usage`, async () => {
        const text = desk.textOf(await desk.say(OWNER, invalid.line));
        expect(text).toBe(`${invalid.error}\n${en('errors.usage', { usage: usageOf(def) })}`);
      });
    }
  }

  it('/help lists every command the owner may use', async () => {
    const text = desk.textOf(await desk.say(OWNER, '/help'));
    for (const def of LEAVES) expect(text, def.name).toContain(usageOf(def));
  });

  it('answers in the language Telegram reports for the user (zh-hans)', async () => {
    const text = desk.textOf(await desk.say({ id: 6001, language_code: 'zh-hans' }, '/lang xx'));
    expect(text).toContain(translate('zh', 'errors.usage', { usage: '/lang <en|zh>' }));
  });
});

describe('the Telegram command menu', () => {
  it('lists every declared command, groups once, in the default language and in zh', () => {
    expect(namesTelegramCannotShow(COMMANDS)).toEqual([]);
    const calls = desk.fake.callsOf('setMyCommands');
    const byLanguage = new Map(
      calls.map((c) => [typeof c.body['language_code'] === 'string' ? c.body['language_code'] : 'default', c.body]),
    );
    expect([...byLanguage.keys()].sort()).toEqual(['default', 'en', 'zh']);
    for (const [language, body] of byLanguage) {
      const listed = (body['commands'] as { command: string; description: string }[]).map((c) => c.command);
      expect(listed, language).toEqual(COMMANDS.map((e) => e.name));
      for (const c of body['commands'] as { command: string; description: string }[]) {
        expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
        expect(c.description.length).toBeGreaterThan(0);
        expect(c.description, `${c.command} needs commands.${c.command}.description`).not.toMatch(/^\/\w+( \(|$)/);
      }
    }
    const zh = byLanguage.get('zh')?.['commands'] as { command: string; description: string }[];
    expect(zh.find((c) => c.command === 'balance')?.description).toBe(translate('zh', 'commands.balance.description'));
  });
});

describe('group chats', () => {
  it('a member without rights is refused and audited while an owner in the same group is served', async () => {
    const member = { id: 7001, first_name: 'Mallory', language_code: 'en' };
    const refused = desk.textOf(await desk.say(member, '/balance@hedgestack_bot sub_a', GROUP));
    expect(refused).toContain(en('errors.not_linked', { command: '/balance', role: en('roles.viewer') }));
    const row = await desk.t.app.services.db.auditLog.findFirst({ orderBy: { id: 'desc' } });
    expect(row).toMatchObject({ platform: 'telegram', externalId: '7001', command: 'balance', outcome: 'refused' });

    const served = await desk.say(OWNER, '/balance sub_a', GROUP);
    expect(desk.textOf(served)).not.toContain('not registered');
    expect(desk.textOf(served)).toContain('sub_a');
    expect(served[0]?.replyTo).toBeDefined();
  });

  it('a viewer in the group is told the role a trader command needs', async () => {
    const viewer = { id: 7002, language_code: 'en' };
    await grantUser(desk.t.app, telegramUser('7002'), 'viewer', ['sub_a']);
    const text = desk.textOf(await desk.say(viewer, '/orders sub_a', GROUP));
    expect(text).toBe(en('errors.role_required', { command: '/orders', role: en('roles.trader') }));
  });

  it('commands addressed to another bot, and unknown bare commands in a group, are left alone', async () => {
    expect(await desk.say(OWNER, '/balance@other_bot sub_a', GROUP)).toEqual([]);
    expect(await desk.say(OWNER, '/balance@other_bot')).toEqual([]);
    expect(await desk.say(OWNER, '/weather', GROUP)).toEqual([]);
    expect(await desk.say(OWNER, 'just chatting', GROUP)).toEqual([]);
    expect(desk.textOf(await desk.say(OWNER, '/weather'))).toBe(en('errors.unknown_command', { command: 'weather' }));
  });
});
