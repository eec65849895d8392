import type { z } from 'zod';
import type { MessageParams } from '../domain/errors.ts';
import type { CommandScope } from '../domain/grants.ts';
import type { RequiredRole } from '../domain/roles.ts';
import type { Translate } from '../i18n/index.ts';
import type { Caller } from '../services/identity.ts';
import type { Services } from '../services/index.ts';

/** What a chat adapter can offer for an argument while the user types (Discord autocomplete). */
export type ArgCompletion = 'account' | 'follower' | 'vp';

export interface ArgDef<S extends z.ZodType = z.ZodType> {
  /** Validates and converts the typed text; wrap in `.optional()` for an optional argument. */
  schema: S;
  /** i18n key of a one-line description, shown in help and as the Discord option description. */
  descriptionKey: string;
  /** Takes the rest of the line, spaces included (a note, a reason). Only for the last argument. */
  rest?: boolean;
  /** How usage shows the argument when its name alone would mislead (`account|all`). */
  placeholder?: string;
  /**
   * An optional argument recognised by its form rather than its position: after the positional
   * arguments, each remaining word goes to the first flexible argument that recognises it — by
   * `form` when declared, else because its schema accepts it (`/order main BTCUSDT buy 0.01 short reduce`).
   */
  flexible?: boolean;
  /**
   * What a word of this flexible argument looks like, tested before the schema validates it. A word
   * of this form goes to this argument wherever it stands, before a positional argument can take it
   * (`/vp list closed`), so a bad value gets this argument's error (`150` is a percent out of range,
   * not a symbol). No `g` flag: the test must not keep state.
   */
  form?: RegExp;
  /**
   * What a mistyped value of this flexible argument looks like (`-5`, `NaN` for a price): a word no
   * argument accepts goes here when it has this shape, so it is refused as this argument's value
   * rather than as an extra word. Unlike `form`, it never takes a word another argument accepts.
   */
  resembles?: RegExp;
  /** A valid value, shown in help (`e.g. 0.01`) and used by the generated validation tests. */
  example?: string;
  complete?: ArgCompletion;
}

export type ArgDefs = Record<string, ArgDef>;
export type ArgsOf<A extends ArgDefs> = { [K in keyof A]: z.output<A[K]['schema']> };

export interface ReplyButton {
  /** Already translated. */
  label: string;
  /** Opaque action data handed back by the adapter when pressed (≤ 64 bytes for Telegram). */
  data: string;
  style?: 'primary' | 'danger' | 'secondary';
}

/** A platform-neutral reply; adapters render it as a Telegram message, a Discord reply or text. */
export interface Reply {
  text: string;
  buttons?: ReplyButton[][];
  /** Only the caller should see it (Discord ephemeral; Telegram and console ignore it). */
  ephemeral?: boolean;
  /** Set while the reply waits for Confirm / Cancel. */
  confirmation?: { id: string; expiresAt: Date };
  /** The command was accepted but had nothing to do (alerts already off): audited so, with why. */
  unchanged?: { key: string; params?: MessageParams };
}

export interface CommandContext {
  caller: Caller;
  t: Translate;
  services: Services;
  /** Every command the dispatcher knows (subcommands as `group sub`), for /help. */
  commands: readonly CommandDef[];
  /** A failure in the caller's words: a HedgeError's message, or a logged reference for a bug. */
  describeError: (err: unknown) => string;
}

export interface CommandDef<A extends ArgDefs = ArgDefs> {
  name: string;
  aliases?: readonly string[];
  /** i18n key; defaults to `commands.<name>.description`. */
  descriptionKey?: string;
  args: A;
  role: RequiredRole;
  /** Which accounts it touches, checked against the caller's grants (domain/grants.ts states the rule). */
  scope: CommandScope;
  /** Changes state: accepted runs are written to the audit log (refusals always are). */
  mutates: boolean | ((args: ArgsOf<A>) => boolean);
  /** Must be confirmed with a button (or `yes` on the console) before it runs. */
  confirm?: boolean | ((args: ArgsOf<A>) => boolean);
  /** The account the command names, checked against the caller's grants. Default: `args.account`. */
  accountOf?: (args: ArgsOf<A>) => string | undefined;
  /** What the command is about to do, shown with the Confirm / Cancel buttons. */
  describe?: (ctx: CommandContext, args: ArgsOf<A>) => string | Promise<string>;
  run: (ctx: CommandContext, args: ArgsOf<A>) => Promise<Reply>;
}

/** A command made of subcommands (`/vp list`, `/vp close …`), each a full declaration. */
export interface CommandGroup {
  name: string;
  aliases?: readonly string[];
  descriptionKey?: string;
  subcommands: readonly CommandDef[];
  /** Runs when the first word names no subcommand (`/reconcile main` = `/reconcile show main`). */
  defaultSubcommand?: string;
}

export type CommandEntry = CommandDef | CommandGroup;

export function isGroup(entry: CommandEntry): entry is CommandGroup {
  return 'subcommands' in entry;
}

/** A subcommand as it runs: named `group sub`, described by `commands.<group>.<sub>.description`. */
export function qualifiedSubcommand(group: CommandGroup, sub: CommandDef): CommandDef {
  return {
    ...sub,
    name: `${group.name} ${sub.name}`,
    descriptionKey: sub.descriptionKey ?? `commands.${group.name}.${sub.name}.description`,
  };
}

/** Every runnable declaration, subcommands named `group sub` (`vp close`). */
export function leafCommands(entries: readonly CommandEntry[]): CommandDef[] {
  return entries.flatMap((e) => (isGroup(e) ? e.subcommands.map((sub) => qualifiedSubcommand(e, sub)) : [e]));
}

/** Keeps the argument types of a declaration while storing it in a plain list. */
export function defineCommand<A extends ArgDefs>(def: CommandDef<A>): CommandDef {
  return def as unknown as CommandDef;
}

export function descriptionKeyOf(def: CommandDef): string {
  return def.descriptionKey ?? `commands.${def.name}.description`;
}
