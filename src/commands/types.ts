import type { z } from 'zod';
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
}

export interface CommandContext {
  caller: Caller;
  t: Translate;
  services: Services;
  /** Every command the dispatcher knows, for /help. */
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
  /** Changes state: accepted runs are written to the audit log (refusals always are). */
  mutates: boolean;
  /** Must be confirmed with a button (or `yes` on the console) before it runs. */
  confirm?: boolean | ((args: ArgsOf<A>) => boolean);
  /** The account the command acts on, checked against the caller's grants. Default: `args.account`. */
  accountOf?: (args: ArgsOf<A>) => string | undefined;
  /** What the command is about to do, shown with the Confirm / Cancel buttons. */
  describe?: (ctx: CommandContext, args: ArgsOf<A>) => string | Promise<string>;
  run: (ctx: CommandContext, args: ArgsOf<A>) => Promise<Reply>;
}

/** Keeps the argument types of a declaration while storing it in a plain list. */
export function defineCommand<A extends ArgDefs>(def: CommandDef<A>): CommandDef {
  return def as unknown as CommandDef;
}

export function descriptionKeyOf(def: CommandDef): string {
  return def.descriptionKey ?? `commands.${def.name}.description`;
}
