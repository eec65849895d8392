import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONSOLE_CALLER } from '../../src/app.ts';
import { argShapes, usageOf } from '../../src/commands/args.ts';
import { COMMANDS as ENTRIES } from '../../src/commands/catalog/index.ts';
import { defineCommand, leafCommands } from '../../src/commands/types.ts';

const COMMANDS = leafCommands(ENTRIES);
import { bindArgs, splitCommandLine, tokenize } from '../../src/commands/parse.ts';
import { ArgumentError } from '../../src/domain/errors.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    return err;
  }
  throw new Error('nothing was thrown');
}

describe('command lines', () => {
  it('splits name, bot mention and arguments', () => {
    expect(splitCommandLine('/balance@hedge_bot sub_a')).toEqual({
      name: 'balance',
      mention: 'hedge_bot',
      rest: 'sub_a',
    });
    expect(splitCommandLine('/ACCOUNTS')).toEqual({ name: 'accounts', mention: undefined, rest: '' });
    expect(splitCommandLine('accounts')).toBeUndefined();
    expect(splitCommandLine('accounts', { slashOptional: true })?.name).toBe('accounts');
    expect(splitCommandLine('hello there, bot')).toBeUndefined();
  });

  it('keeps quoted arguments together', () => {
    expect(tokenize(`a "b c" 'd e' f`).map((t) => t.value)).toEqual(['a', 'b c', 'd e', 'f']);
  });

  it('usage is generated from the declaration', () => {
    const usage = Object.fromEntries(COMMANDS.map((c) => [c.name, usageOf(c)]));
    expect(usage).toMatchObject({ lang: '/lang <en|zh>', help: '/help [command…]', accounts: '/accounts' });
  });
});

/**
 * Every declared command answers a bad argument with a message that names the argument and
 * shows the right usage — generated from the registry, so commands added later are covered.
 */
describe('argument validation for every command', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const run = async (line: string) => (await t.app.dispatcher.handleLine(CONSOLE_CALLER, line))?.text ?? '';

  for (const def of COMMANDS) {
    const shapes = argShapes(def);
    const sample = (s: (typeof shapes)[number]) => s.example ?? s.choices?.[0] ?? 'x';
    const valid = shapes.filter((s) => s.required).map(sample);

    if (shapes.some((s) => s.rest)) {
      it(`/${def.name}: the last argument takes the rest of the line`, async () => {
        const text = await run(`/${def.name} ${[...shapes.map(sample), 'surplus'].join(' ')}`);
        expect(text).not.toContain('Unexpected extra argument');
      });
    } else {
      it(`/${def.name}: too many arguments`, async () => {
        const text = await run(`/${def.name} ${[...shapes.map(sample), 'surplus'].join(' ')}`);
        expect(text).toContain('Unexpected extra argument: "surplus"');
        expect(text).toContain(`Usage: ${usageOf(def)}`);
        expect(text).not.toMatch(/at .+\.ts:\d+/);
      });
    }

    for (const [i, shape] of shapes.entries()) {
      if (shape.required) {
        it(`/${def.name}: missing ${shape.name}`, async () => {
          const text = await run(`/${def.name} ${valid.slice(0, i).join(' ')}`);
          expect(text).toContain(`Missing argument: ${shape.name}.`);
          expect(text).toContain(`Usage: ${usageOf(def)}`);
        });
      }
      if (shape.choices) {
        it(`/${def.name}: ${shape.name} outside its choices`, async () => {
          // A flexible argument is recognised by its form, so name it to give it a wrong value.
          const wrong = shape.flexible ? `${shape.name}=klingon` : 'klingon';
          const args = shape.required ? [...valid.slice(0, i), wrong] : [...valid, wrong];
          const text = await run(`/${def.name} ${args.join(' ')}`);
          expect(text).toContain(
            `Argument ${shape.name}: "klingon" is not allowed; use one of: ${shape.choices?.join(', ')}`,
          );
          expect(text).toContain(`Usage: ${usageOf(def)}`);
        });
      }
    }
  }

  it('a flexible argument with a form takes every word of that form, and its own error for a bad one', () => {
    const def = defineCommand({
      name: 'probe',
      role: 'public',
      scope: 'none',
      mutates: false,
      args: {
        where: { schema: z.string().optional(), descriptionKey: 'args.account' },
        count: {
          schema: z.coerce
            .number()
            .refine((n) => n > 0 && n <= 10, { params: { key: 'errors.arg_range', min: '0', max: '10' } })
            .optional(),
          descriptionKey: 'args.percent',
          form: /^-?\d+$/,
          flexible: true,
        },
        word: { schema: z.string().regex(/^\w+$/).optional(), descriptionKey: 'args.symbol', flexible: true },
      },
      run: () => Promise.resolve({ text: '' }),
    });
    expect(bindArgs(def, 'here 5 abc')).toEqual({ where: 'here', count: 5, word: 'abc' });
    // Before positional arguments take words: the optional `where` stays empty.
    expect(bindArgs(def, '5')).toEqual({ count: 5 });
    expect(bindArgs(def, '7 here abc')).toEqual({ where: 'here', count: 7, word: 'abc' });
    // Out of range: refused as a count, not taken by `word`, whose schema would accept it.
    const err = thrownBy(() => bindArgs(def, 'here 50'));
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err).toMatchObject({ key: 'errors.arg_range', params: { arg: 'count', value: '50', min: '0', max: '10' } });
  });

  it('/vp close and /vp list read percent, side, symbol and closed by their form', () => {
    const close = COMMANDS.find((c) => c.name === 'vp close');
    const list = COMMANDS.find((c) => c.name === 'vp list');
    if (!close || !list) throw new Error('no /vp close or /vp list');
    expect(bindArgs(close, 'sub_a both short')).toMatchObject({ account: 'sub_a', name: 'both', side: 'short' });
    expect(bindArgs(close, 'sub_a both BTCUSDT 50 long')).toMatchObject({ symbol: 'BTCUSDT', side: 'long' });
    expect(thrownBy(() => bindArgs(close, 'sub_a scalp 150'))).toMatchObject({
      key: 'errors.arg_range',
      params: { arg: 'percent', value: '150' },
    });
    // A side word in capitals is still a side word: told the choices, not read as a symbol.
    expect(thrownBy(() => bindArgs(close, 'sub_a scalp SHORT'))).toMatchObject({ key: 'errors.arg_choice' });
    expect(bindArgs(list, 'closed')).toEqual({ closed: 'closed' });
    expect(bindArgs(list, 'main BTCUSDT closed')).toEqual({ account: 'main', symbol: 'BTCUSDT', closed: 'closed' });
  });

  it('named arguments bind by name', () => {
    const lang = COMMANDS.find((c) => c.name === 'lang');
    if (!lang) throw new Error('no /lang');
    expect(bindArgs(lang, 'language=zh')).toEqual({ language: 'zh' });
    expect(() => bindArgs(lang, 'language=xx')).toThrow(ArgumentError);
  });

  it('a bad argument to a command that changes state is audited as invalid', async () => {
    await run('/lang xx');
    const row = await t.app.services.db.auditLog.findFirst({ orderBy: { id: 'desc' } });
    expect(row).toMatchObject({ command: 'lang', outcome: 'invalid' });
  });

  it('an unknown command says so and points to /help', async () => {
    expect(await run('/nonsense')).toBe('Unknown command /nonsense. Send /help to see what you can do.');
  });
});
