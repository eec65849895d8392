import type { z } from 'zod';
import { ArgumentError } from '../domain/errors.ts';
import { argsObjectSchema } from './args.ts';
import type { CommandDef } from './types.ts';

export interface CommandLine {
  name: string;
  /** `botname` of `/balance@botname`, for group chats where several bots listen. */
  mention: string | undefined;
  /** The text after the command name. */
  rest: string;
}

/** Splits `/balance@bot sub_a` into its name, mention and rest; undefined when it is no command. */
export function splitCommandLine(line: string, { slashOptional = false } = {}): CommandLine | undefined {
  const m = /^\s*(\/)?([A-Za-z][\w-]*)(?:@(\w+))?(?:\s+([\s\S]*))?$/.exec(line);
  if (!m || (!m[1] && !slashOptional)) return undefined;
  return { name: (m[2] ?? '').toLowerCase(), mention: m[3], rest: (m[4] ?? '').trim() };
}

interface Token {
  value: string;
  /** Where the token starts in the text, so a `rest` argument can take everything after it. */
  start: number;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    tokens.push({ value: m[1] ?? m[2] ?? m[3] ?? '', start: m.index });
  }
  return tokens;
}

/**
 * Binds the text after a command name to its declared arguments — positionally, or as
 * `name=value` — and validates them with the declaration's schemas.
 */
export function bindArgs(def: CommandDef, rest: string): Record<string, unknown> {
  const names = Object.keys(def.args);
  const raw: Record<string, string> = {};
  const positional: Token[] = [];
  const tokens = tokenize(rest);
  for (const token of tokens) {
    const named = /^([a-z_]+)=(.*)$/s.exec(token.value);
    if (named && names.includes(named[1] ?? '')) raw[named[1] ?? ''] = named[2] ?? '';
    else positional.push(token);
  }
  const free = names.filter((n) => !(n in raw) && !def.args[n]?.flexible);
  let used = 0;
  for (const name of free) {
    const token = positional[used];
    if (!token) break;
    if (def.args[name]?.rest) {
      raw[name] = rest.slice(token.start).trim();
      used = positional.length;
      break;
    }
    raw[name] = token.value;
    used++;
  }
  for (const token of positional.slice(used)) {
    const name = names.find(
      (n) => def.args[n]?.flexible === true && !(n in raw) && def.args[n].schema.safeParse(token.value).success,
    );
    if (!name) throw new ArgumentError('errors.arg_extra', { value: token.value });
    raw[name] = token.value;
  }
  return validateArgs(def, raw);
}

/** Validates already-typed values (from Discord options, web forms, or bindArgs). */
export function validateArgs(def: CommandDef, values: Record<string, unknown>): Record<string, unknown> {
  const result = argsObjectSchema(def.args).safeParse(values);
  if (result.success) return result.data;
  throw argumentErrorFrom(result.error, values);
}

function argumentErrorFrom(error: z.ZodError, values: Record<string, unknown>): ArgumentError {
  const issue = error.issues[0];
  const arg = String(issue?.path[0] ?? '');
  if (!issue) return new ArgumentError('errors.arg_invalid', { arg, problem: 'invalid' });
  if (issue.code === 'unrecognized_keys') {
    return new ArgumentError('errors.arg_extra', { value: issue.keys.join(', ') });
  }
  const given = display(values[arg]);
  if (given === '') return new ArgumentError('errors.arg_missing', { arg });
  if (issue.code === 'invalid_value') {
    return new ArgumentError('errors.arg_choice', {
      arg,
      value: given,
      allowed: issue.values.map(String).join(', '),
    });
  }
  return new ArgumentError('errors.arg_invalid', { arg, value: given, problem: issue.message });
}

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
