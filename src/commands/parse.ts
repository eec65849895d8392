import type { z } from 'zod';
import { ArgumentError, type MessageParams } from '../domain/errors.ts';
import type { Translate } from '../i18n/index.ts';
import { argsObjectSchema } from './args.ts';
import type { ArgDef, CommandDef } from './types.ts';

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
 * Binds the text after a command name to its declared arguments — as `name=value`, by the form of
 * a flexible argument, or positionally — and validates them with the declaration's schemas.
 */
export function bindArgs(def: CommandDef, rest: string): Record<string, unknown> {
  const names = Object.keys(def.args);
  const raw: Record<string, string> = {};
  const unnamed: Token[] = [];
  for (const token of tokenize(rest)) {
    const named = /^([a-z_]+)=(.*)$/s.exec(token.value);
    if (named && names.includes(named[1] ?? '')) raw[named[1] ?? ''] = named[2] ?? '';
    else unnamed.push(token);
  }
  const positional = names.filter((n) => !(n in raw) && !def.args[n]?.flexible);
  const leftover: Token[] = [];
  for (const token of unnamed) {
    const formed = names.find((n) => isUnboundFlexible(def, raw, n) && def.args[n]?.form?.test(token.value));
    if (formed) {
      raw[formed] = token.value;
      continue;
    }
    const name = positional.shift();
    if (name === undefined) leftover.push(token);
    else if (def.args[name]?.rest) {
      raw[name] = rest.slice(token.start).trim();
      break;
    } else raw[name] = token.value;
  }
  for (const token of leftover) {
    const unbound = names.filter((n) => isUnboundFlexible(def, raw, n));
    // A word no argument accepts but one resembles is that argument's bad value (`-5` as a price).
    const name =
      unbound.find((n) => recognises(def.args[n], token.value)) ??
      unbound.find((n) => def.args[n]?.resembles?.test(token.value));
    if (!name) throw new ArgumentError('errors.arg_extra', { value: echoed(token.value) });
    raw[name] = token.value;
  }
  return validateArgs(def, raw);
}

function isUnboundFlexible(def: CommandDef, raw: Record<string, string>, name: string): boolean {
  return def.args[name]?.flexible === true && !(name in raw);
}

/** A flexible argument knows its words by their form, or failing a form, by its schema accepting them. */
function recognises(arg: ArgDef | undefined, word: string): boolean {
  if (!arg) return false;
  return arg.form ? arg.form.test(word) : arg.schema.safeParse(word).success;
}

/** Validates already-typed values (from Discord options, web forms, or bindArgs). */
export function validateArgs(def: CommandDef, values: Record<string, unknown>): Record<string, unknown> {
  const result = argsObjectSchema(def.args).safeParse(values);
  if (result.success) return result.data;
  throw argumentErrorFrom(result.error, values);
}

/**
 * The first problem zod found, as one of our messages naming the argument and its value: never
 * zod's own English. A refinement may name its message (`params: { key: 'errors.arg_range', … }`).
 */
function argumentErrorFrom(error: z.ZodError, values: Record<string, unknown>): ArgumentError {
  const first = error.issues[0];
  const arg = String(first?.path[0] ?? '');
  // `z.coerce.number().int().max(50)` says both "above the safe integer range" and "above 50": the declared bound.
  const issue =
    error.issues.find((i) => i.code === 'too_big' && i.origin !== 'int' && String(i.path[0] ?? '') === arg) ?? first;
  if (!issue) return new ArgumentError('errors.arg_invalid', { arg, value: '' });
  if (issue.code === 'unrecognized_keys') {
    return new ArgumentError('errors.arg_extra', { value: echoed(issue.keys.join(', ')) });
  }
  const given = display(values[arg]);
  if (given === '') return new ArgumentError('errors.arg_missing', { arg });
  const value = echoed(given);
  const own = issue.code === 'custom' ? messageOf(issue.params) : undefined;
  if (own) return new ArgumentError(own.key, { arg, value, ...own.params });
  switch (issue.code) {
    case 'invalid_value':
      return new ArgumentError('errors.arg_choice', { arg, value, allowed: issue.values.map(String).join(', ') });
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') {
        return new ArgumentError('errors.arg_not_number', { arg, value });
      }
      break;
    case 'too_small':
      return new ArgumentError(issue.inclusive ? 'errors.arg_at_least' : 'errors.arg_more_than', {
        arg,
        value,
        min: String(issue.minimum),
      });
    case 'too_big':
      return new ArgumentError(issue.inclusive ? 'errors.arg_at_most' : 'errors.arg_less_than', {
        arg,
        value,
        max: String(issue.maximum),
      });
  }
  return new ArgumentError('errors.arg_invalid', { arg, value });
}

/** Longest echo of a typed value in a reply: a pasted page is named by its start, not repeated. */
const ECHO_MAX = 40;

/** A typed value as a reply repeats it: at most ~40 characters. */
export function echoed(value: string): string {
  const graphemes = Array.from(new Intl.Segmenter().segment(value), (s) => s.segment);
  return graphemes.length > ECHO_MAX ? `${graphemes.slice(0, ECHO_MAX - 1).join('')}…` : value;
}

/**
 * An argument error in the caller's words. `{{expected}}` is the argument's own description
 * ("base quantity (0.01) or quote amount ($100)"), so a refusal says what would have been right.
 */
export function argumentMessage(t: Translate, def: CommandDef, err: ArgumentError): string {
  const arg = def.args[String(err.params['arg'] ?? '')];
  return t(err.key, { ...(arg ? { expected: t(arg.descriptionKey) } : {}), ...err.params });
}

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The message a refinement names: its `key`, the other params filling the key's placeholders. */
function messageOf(params: Record<string, unknown> | undefined): { key: string; params: MessageParams } | undefined {
  if (typeof params?.['key'] !== 'string') return undefined;
  const { key, ...rest } = params as { key: string } & MessageParams;
  return { key, params: rest };
}
