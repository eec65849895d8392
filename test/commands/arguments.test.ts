import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CALLER } from '../../src/app.ts';
import { argShapes, usageOf } from '../../src/commands/args.ts';
import { COMMANDS as ENTRIES } from '../../src/commands/catalog/index.ts';
import { leafCommands } from '../../src/commands/types.ts';

const COMMANDS = leafCommands(ENTRIES);
import { bindArgs, splitCommandLine, tokenize } from '../../src/commands/parse.ts';
import { ArgumentError } from '../../src/domain/errors.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

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
