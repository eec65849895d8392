import { randomBytes } from 'node:crypto';
import { ArgumentError, AuthorizationError, HedgeError } from '../domain/errors.ts';
import { mayRunDesk, sees } from '../domain/grants.ts';
import { roleAllows } from '../domain/roles.ts';
import { translator, type Translate } from '../i18n/index.ts';
import type { AuditOutcome } from '../services/audit.ts';
import type { Caller, CallerRef } from '../services/identity.ts';
import type { Services } from '../services/index.ts';
import { usageOf } from './args.ts';
import { ConfirmationStore } from './confirmations.ts';
import { argumentMessage, bindArgs, echoed, splitCommandLine, validateArgs } from './parse.ts';
import {
  isGroup,
  leafCommands,
  qualifiedSubcommand,
  type CommandContext,
  type CommandDef,
  type CommandEntry,
  type Reply,
} from './types.ts';

interface Pending {
  command: CommandDef;
  args: Record<string, unknown>;
}

export interface DispatchOptions {
  /** The console accepts `accounts` as well as `/accounts`. */
  slashOptional?: boolean;
}

const CONFIRM = 'cf:y:';
/** The audit detail of a refusal for the caller's role (`needs trader`) and for their grants. */
export const ROLE_REFUSAL = 'needs ';
export const GRANT_REFUSAL = 'no grant for account';
const CANCEL = 'cf:n:';
/** What people answer a confirmation with; said when nothing waits, they hear so. */
const CONFIRM_WORDS: ReadonlySet<string> = new Set(['yes', 'no', 'y', 'n']);

/**
 * The one way into the command layer for every adapter: parse, authorize, validate, confirm,
 * run, audit. Adapters only turn platform input into a CallerRef plus a line or values, and
 * render the Reply.
 */
export class CommandDispatcher {
  private readonly byName = new Map<string, CommandEntry>();
  private readonly confirmations: ConfirmationStore<Pending>;
  /** Every runnable command, subcommands as `group sub`. */
  readonly commands: readonly CommandDef[];

  constructor(
    readonly entries: readonly CommandEntry[],
    private readonly services: Services,
    options: { confirmationTtlMs?: number } = {},
  ) {
    for (const entry of entries) {
      for (const name of [entry.name, ...(entry.aliases ?? [])]) {
        if (this.byName.has(name)) throw new Error(`command name declared twice: ${name}`);
        this.byName.set(name, entry);
      }
    }
    this.commands = leafCommands(entries);
    for (const def of this.commands) {
      if (def.scope === 'account' && !def.accountOf && !('account' in def.args)) {
        throw new Error(`/${def.name} acts on an account but names none (an account argument or accountOf)`);
      }
    }
    this.confirmations = new ConfirmationStore<Pending>(options.confirmationTtlMs);
  }

  /** The declaration for `name` (`order`, or `vp close`). */
  find(name: string): CommandDef | undefined {
    const wanted = name.toLowerCase().trim().split(/\s+/).join(' ');
    return this.commands.find((c) => c.name === wanted || c.aliases?.includes(wanted));
  }

  /** Resolves a group's subcommand from the first word of the line. */
  private resolve(
    name: string,
    rest: string,
  ): { def: CommandDef; rest: string } | { group: string; choices: string[] } | undefined {
    const entry = this.byName.get(name);
    if (!entry) return undefined;
    if (!isGroup(entry)) return { def: entry, rest };
    const [word = '', ...others] = rest.split(/\s+/);
    const sub = entry.subcommands.find((s) => s.name === word.toLowerCase() || s.aliases?.includes(word.toLowerCase()));
    if (!sub) {
      const fallback = entry.subcommands.find((s) => s.name === entry.defaultSubcommand);
      if (fallback) return { def: qualifiedSubcommand(entry, fallback), rest };
      return { group: entry.name, choices: entry.subcommands.map((s) => s.name) };
    }
    return { def: qualifiedSubcommand(entry, sub), rest: others.join(' ') };
  }

  /** Runs a typed command line such as `/balance sub_a`. Lines that are no command get undefined. */
  async handleLine(ref: CallerRef, line: string, options: DispatchOptions = {}): Promise<Reply | undefined> {
    const parsed = splitCommandLine(line, { slashOptional: options.slashOptional ?? false });
    if (!parsed) return undefined;
    const caller = await this.services.identity.resolve(ref);
    const t = translator(caller.language);
    const found = this.resolve(parsed.name, parsed.rest);
    if (!found) {
      // `yes` / `no` with nothing waiting (a console habit, or `/yes` in a chat) is no unknown command.
      if (CONFIRM_WORDS.has(parsed.name)) return { text: t('confirm.nothing_pending'), ephemeral: true };
      return { text: t('errors.unknown_command', { command: echoed(parsed.name) }), ephemeral: true };
    }
    if ('group' in found) {
      const choices = found.choices.map((c) => `/${found.group} ${c}`).join(', ');
      return { text: t('errors.unknown_subcommand', { command: found.group, choices }), ephemeral: true };
    }
    const { def, rest } = found;
    return this.dispatch(caller, def, () => bindArgs(def, rest));
  }

  /** Runs a command whose arguments arrive already split (Discord options, web forms). */
  async handleValues(ref: CallerRef, name: string, values: Record<string, unknown>): Promise<Reply> {
    const caller = await this.services.identity.resolve(ref);
    const def = this.find(name);
    if (!def) {
      const text = translator(caller.language)('errors.unknown_command', { command: echoed(name) });
      return { text, ephemeral: true };
    }
    return this.dispatch(caller, def, () => validateArgs(def, values));
  }

  /** A button press (or `yes` on the console): `cf:y:<id>` confirms, `cf:n:<id>` cancels. */
  async handleAction(ref: CallerRef, data: string): Promise<Reply | undefined> {
    const accept = data.startsWith(CONFIRM);
    if (!accept && !data.startsWith(CANCEL)) return undefined;
    const caller = await this.services.identity.resolve(ref);
    const t = translator(caller.language);
    const taken = this.confirmations.take(data.slice(CONFIRM.length), ownerKey(caller));
    if (taken.status !== 'ok') return { text: t(`confirm.${taken.status}`), ephemeral: true };
    const { command, args } = taken.pending.payload;
    if (!accept) {
      await this.audit(caller, command, args, 'cancelled');
      return { text: t('confirm.cancelled') };
    }
    // Roles and grants may have changed while the buttons were showing.
    return this.dispatch(caller, command, () => args, { confirmed: true });
  }

  private async dispatch(
    caller: Caller,
    def: CommandDef,
    readArgs: () => Record<string, unknown>,
    { confirmed = false } = {},
  ): Promise<Reply> {
    const t = translator(caller.language);
    const ctx: CommandContext = {
      caller,
      t,
      services: this.services,
      commands: this.commands,
      describeError: (err) => this.describeError(t, def, err),
    };
    if (!roleAllows(caller.role, def.role)) {
      await this.audit(caller, def, {}, 'refused', `${ROLE_REFUSAL}${def.role}`);
      return refusal(t, caller, def);
    }
    let args: Record<string, unknown>;
    try {
      args = readArgs();
    } catch (err) {
      if (!(err instanceof ArgumentError)) throw err;
      if (def.mutates !== false) await this.audit(caller, def, {}, 'invalid', err.key);
      const usage = usageOf(def);
      return { text: `${argumentMessage(t, def, err)}\n${t('errors.usage', { usage })}`, ephemeral: true };
    }
    const denied = await this.outOfScope(caller, def, args);
    if (denied) {
      await this.audit(caller, def, args, 'refused', denied.audit);
      return { text: t(denied.key, denied.params), ephemeral: true };
    }
    if (!confirmed && needsConfirmation(def, args)) {
      let summary: string;
      try {
        // Describing an action checks it: a refusal comes now, not after the trader confirmed.
        summary = def.describe ? await def.describe(ctx, args) : `/${def.name}`;
      } catch (err) {
        const outcome = err instanceof AuthorizationError || err instanceof HedgeError ? 'refused' : 'failed';
        await this.audit(caller, def, args, outcome, err instanceof HedgeError ? err.key : 'internal error');
        return { text: ctx.describeError(err), ephemeral: true };
      }
      const pending = this.confirmations.create(ownerKey(caller), { command: def, args });
      return {
        text: t('confirm.prompt', { summary }),
        confirmation: { id: pending.id, expiresAt: pending.expiresAt },
        buttons: [
          [
            { label: t('confirm.confirm_button'), data: CONFIRM + pending.id, style: 'danger' },
            { label: t('confirm.cancel_button'), data: CANCEL + pending.id, style: 'secondary' },
          ],
        ],
      };
    }
    return this.run(ctx, def, args);
  }

  /**
   * The grant check of the command's scope (domain/grants.ts): the account it names must be
   * granted; copying as a whole needs an owner or a grant on every leader.
   */
  private async outOfScope(
    caller: Caller,
    def: CommandDef,
    args: Record<string, unknown>,
  ): Promise<{ key: string; params: Record<string, string>; audit: string } | undefined> {
    const accountId = accountOf(def, args);
    if (def.scope !== 'none' && accountId && !sees(caller.accounts, accountId)) {
      return { key: 'errors.account_not_granted', params: { account: accountId }, audit: GRANT_REFUSAL };
    }
    if (def.scope === 'desk') {
      const leaders = (await this.services.accounts.list()).filter((a) => a.copyRole === 'LEADER').map((a) => a.id);
      if (!mayRunDesk(caller.accounts, leaders)) {
        return {
          key: leaders.length > 0 ? 'errors.desk_not_granted' : 'errors.desk_owner_only',
          // Not named: someone who may not see the leader does not learn its id from a refusal.
          params: { command: `/${def.name}` },
          audit: GRANT_REFUSAL,
        };
      }
    }
    return undefined;
  }

  private async run(ctx: CommandContext, def: CommandDef, args: Record<string, unknown>): Promise<Reply> {
    const { caller } = ctx;
    try {
      const reply = await def.run(ctx, args);
      if (mutates(def, args)) await this.audit(caller, def, args, 'ok');
      return reply;
    } catch (err) {
      const outcome = err instanceof AuthorizationError ? 'refused' : 'failed';
      const text = ctx.describeError(err);
      if (mutates(def, args) || outcome === 'refused') {
        await this.audit(caller, def, args, outcome, err instanceof HedgeError ? err.key : 'internal error');
      }
      return { text, ephemeral: true };
    }
  }

  private describeError(t: Translate, def: CommandDef, err: unknown): string {
    if (err instanceof HedgeError) return t(err.key, err.params);
    const ref = randomBytes(4).toString('hex');
    this.services.logger.error({ err, ref, command: def.name }, 'command failed unexpectedly');
    return t('errors.internal', { ref });
  }

  private async audit(
    caller: Caller,
    def: CommandDef,
    args: Record<string, unknown>,
    outcome: AuditOutcome,
    detail?: string,
  ): Promise<void> {
    await this.services.audit.record({
      userId: caller.userId,
      platform: caller.platform,
      externalId: caller.externalId,
      command: def.name,
      accountId: accountOf(def, args),
      symbol: typeof args['symbol'] === 'string' ? args['symbol'] : undefined,
      outcome,
      detail,
    });
  }
}

function refusal(t: Translate, caller: Caller, def: CommandDef): Reply {
  const key = caller.role === undefined ? 'errors.not_linked' : 'errors.role_required';
  return { text: t(key, { command: `/${def.name}`, role: t(`roles.${def.role}`) }), ephemeral: true };
}

function accountOf(def: CommandDef, args: Record<string, unknown>): string | undefined {
  const id = def.accountOf ? def.accountOf(args) : args['account'];
  return typeof id === 'string' && id !== 'all' ? id : undefined;
}

function mutates(def: CommandDef, args: Record<string, unknown>): boolean {
  return typeof def.mutates === 'function' ? def.mutates(args) : def.mutates;
}

function needsConfirmation(def: CommandDef, args: Record<string, unknown>): boolean {
  return typeof def.confirm === 'function' ? def.confirm(args) : def.confirm === true;
}

function ownerKey(caller: Caller): string {
  return `${caller.platform}:${caller.externalId}`;
}
