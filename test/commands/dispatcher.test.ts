import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONSOLE_CALLER } from '../../src/app.ts';
import { COMMANDS } from '../../src/commands/catalog/index.ts';
import { defineCommand } from '../../src/commands/types.ts';
import { accountIdSchema } from '../../src/domain/account.ts';
import { grantUser, startTestApp, telegramUser, type TestApp } from '../support/harness.ts';

const executed: string[] = [];

/** A trading-shaped command that needs confirmation, to drive the core the way /order will. */
const nudgeCommand = defineCommand({
  name: 'nudge',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: {
    account: { schema: accountIdSchema, descriptionKey: 'commands.help.args.command', complete: 'account' },
    side: { schema: z.enum(['buy', 'sell']), descriptionKey: 'commands.help.args.command' },
  },
  describe: (_ctx, { account, side }) => `nudge ${side} on ${account}`,
  async run(_ctx, { account, side }) {
    executed.push(`${account}:${side}`);
    return { text: `nudged ${account} ${side}` };
  },
});

let t: TestApp;
const stranger = telegramUser('1001');
const viewer = telegramUser('2002');
const trader = telegramUser('3003');

beforeEach(async () => {
  executed.length = 0;
  t = await startTestApp({}, { commands: [...COMMANDS, nudgeCommand], confirmationTtlMs: 60_000 });
  await grantUser(t.app, viewer, 'viewer', ['sub_a']);
  await grantUser(t.app, trader, 'trader', ['sub_a']);
});
afterEach(async () => t.close());

const audit = () => t.app.services.db.auditLog.findMany({ orderBy: { id: 'asc' } });

describe('authorization', () => {
  it('a stranger is refused /accounts politely, told the role needed, and audited', async () => {
    const reply = await t.app.dispatcher.handleLine(stranger, '/accounts');
    expect(reply?.text).toContain('/accounts');
    expect(reply?.text).toContain('viewer');
    expect(reply?.text).toContain('/whoami');
    expect(reply?.ephemeral).toBe(true);
    const rows = await audit();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      platform: 'telegram',
      externalId: '1001',
      command: 'accounts',
      outcome: 'refused',
    });
  });

  it('a viewer is refused a trader command, before its arguments are even read', async () => {
    const reply = await t.app.dispatcher.handleLine(viewer, '/nudge sub_a buy');
    expect(reply?.text).toMatch(/\/nudge needs the trader role/);
    expect(executed).toEqual([]);
    expect((await audit()).at(-1)).toMatchObject({ command: 'nudge', outcome: 'refused' });
  });

  it('a trader cannot act on an account not granted to them', async () => {
    const reply = await t.app.dispatcher.handleLine(trader, '/nudge main buy');
    expect(reply?.text).toContain('no access to account main');
    expect(executed).toEqual([]);
    expect((await audit()).at(-1)).toMatchObject({ command: 'nudge', accountId: 'main', outcome: 'refused' });
  });

  it('a viewer sees only the accounts granted to them', async () => {
    const reply = await t.app.dispatcher.handleLine(viewer, '/accounts');
    expect(reply?.text).toContain('sub_a');
    expect(reply?.text).not.toContain('main');
  });

  it('/whoami answers anyone with their platform id, so an owner can grant access', async () => {
    const reply = await t.app.dispatcher.handleLine(stranger, '/whoami');
    expect(reply?.text).toContain('1001');
    expect(reply?.text).toContain('not registered');
  });

  it('/help lists only what the role may run', async () => {
    const forStranger = (await t.app.dispatcher.handleLine(stranger, '/help'))?.text ?? '';
    expect(forStranger).toContain('/whoami');
    expect(forStranger).not.toContain('/accounts');
    const forTrader = (await t.app.dispatcher.handleLine(trader, '/help'))?.text ?? '';
    expect(forTrader).toContain('/accounts');
    expect(forTrader).toContain('/nudge <account> <buy|sell>');
  });
});

describe('confirmation', () => {
  it('shows what will happen, and runs once the asker confirms', async () => {
    const ask = await t.app.dispatcher.handleLine(trader, '/nudge sub_a sell');
    expect(ask?.text).toContain('nudge sell on sub_a');
    expect(ask?.buttons?.[0]?.map((b) => b.label)).toEqual(['Confirm', 'Cancel']);
    expect(executed).toEqual([]);
    const confirm = ask?.buttons?.[0]?.[0]?.data ?? '';
    expect(Buffer.byteLength(confirm)).toBeLessThanOrEqual(64);
    expect((await t.app.dispatcher.handleAction(trader, confirm))?.text).toBe('nudged sub_a sell');
    expect(executed).toEqual(['sub_a:sell']);
    expect((await audit()).at(-1)).toMatchObject({ command: 'nudge', accountId: 'sub_a', outcome: 'ok' });
  });

  it('works once', async () => {
    const ask = await t.app.dispatcher.handleLine(trader, '/nudge sub_a buy');
    const confirm = ask?.buttons?.[0]?.[0]?.data ?? '';
    await t.app.dispatcher.handleAction(trader, confirm);
    const again = await t.app.dispatcher.handleAction(trader, confirm);
    expect(again?.text).toContain('already used');
    expect(executed).toEqual(['sub_a:buy']);
  });

  it('only the asker can press it', async () => {
    await grantUser(t.app, telegramUser('4004'), 'owner');
    const ask = await t.app.dispatcher.handleLine(trader, '/nudge sub_a buy');
    const confirm = ask?.buttons?.[0]?.[0]?.data ?? '';
    expect((await t.app.dispatcher.handleAction(telegramUser('4004'), confirm))?.text).toContain('Only the person');
    expect(executed).toEqual([]);
    expect((await t.app.dispatcher.handleAction(trader, confirm))?.text).toBe('nudged sub_a buy');
  });

  it('expires', async () => {
    await t.close();
    t = await startTestApp({}, { commands: [...COMMANDS, nudgeCommand], confirmationTtlMs: 1 });
    await grantUser(t.app, trader, 'trader', ['sub_a']);
    const ask = await t.app.dispatcher.handleLine(trader, '/nudge sub_a buy');
    await new Promise((r) => setTimeout(r, 5));
    expect((await t.app.dispatcher.handleAction(trader, ask?.buttons?.[0]?.[0]?.data ?? ''))?.text).toContain(
      'expired',
    );
    expect(executed).toEqual([]);
  });

  it('cancel does nothing and is audited', async () => {
    const ask = await t.app.dispatcher.handleLine(trader, '/nudge sub_a buy');
    const cancel = ask?.buttons?.[0]?.[1]?.data ?? '';
    expect((await t.app.dispatcher.handleAction(trader, cancel))?.text).toContain('Cancelled');
    expect(executed).toEqual([]);
    expect((await audit()).at(-1)).toMatchObject({ command: 'nudge', outcome: 'cancelled' });
  });

  it('on the console, yes confirms and anything else cancels', async () => {
    const { ConsoleSession } = await import('../../src/adapters/console/session.ts');
    const session = new ConsoleSession(t.app.dispatcher, t.app.services.identity, CONSOLE_CALLER);
    expect(await session.input('/nudge main buy')).toContain('Type yes to confirm');
    expect(await session.input('no')).toContain('Cancelled');
    await session.input('nudge main sell');
    expect(await session.input('yes')).toBe('nudged main sell');
    expect(executed).toEqual(['main:sell']);
  });
});

describe('language', () => {
  it('/lang zh switches replies to Chinese and is remembered and audited', async () => {
    expect((await t.app.dispatcher.handleLine(viewer, '/lang zh'))?.text).toBe('语言已设置为中文。');
    expect((await t.app.dispatcher.handleLine(viewer, '/help'))?.text).toContain('你可以使用的命令');
    expect((await audit()).at(-1)).toMatchObject({ command: 'lang', outcome: 'ok' });
  });

  it('a caller with no choice gets the platform locale', async () => {
    const reply = await t.app.dispatcher.handleLine(telegramUser('5005', 'zh-hans'), '/whoami');
    expect(reply?.text).toContain('你的 ID');
  });

  it('a stranger may choose a language too; it is kept for when they are linked', async () => {
    await t.app.dispatcher.handleLine(stranger, '/lang zh');
    expect((await t.app.dispatcher.handleLine(stranger, '/whoami'))?.text).toContain('你尚未注册');
  });
});
