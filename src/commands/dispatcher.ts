import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { ArgumentError, AuthorizationError, HedgeError, VaultError } from '../domain/errors.ts';
import { mayRunDesk, sees } from '../domain/grants.ts';
import { roleAllows } from '../domain/roles.ts';
import { translator, type Translate } from '../i18n/index.ts';
import { ExchangeRequestError } from '../exchange/errors.ts';
import {
  auditMessageOf,
  auditOrderOf,
  type AuditMessage,
  type AuditOrder,
  type AuditOutcome,
} from '../services/audit.ts';
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
  /** The client order ids of the orders a command run moved, for its audit row. */
  private readonly ordersMoved = new AsyncLocalStorage<Set<string>>();
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
    // Every order a command places or cancels passes through the tracker; noted here, whatever
    // command it was (an order, a VP close, a cancel), its audit row names it.
    services.tracker.onChange((change) => this.ordersMoved.getStore()?.add(change.after.clientOrderId));
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
    return this.dispatch(caller, def, () => bindArgs(def, rest), { typed: rest });
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
    { confirmed = false, typed }: { confirmed?: boolean; typed?: string } = {},
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
      const reason = { key: refusalKey(caller), params: { command: `/${def.name}`, role: def.role } };
      await this.audit(caller, def, {}, 'refused', { detail: `${ROLE_REFUSAL}${def.role}`, reason });
      return refusal(t, caller, def);
    }
    let args: Record<string, unknown>;
    try {
      args = readArgs();
    } catch (err) {
      if (!(err instanceof ArgumentError)) throw err;
      if (def.mutates !== false) {
        const line = typed?.trim() ? `/${def.name} ${typed.trim()}` : undefined;
        await this.audit(caller, def, {}, 'invalid', { reason: auditMessageOf(err), line });
      }
      const usage = usageOf(def);
      return { text: `${argumentMessage(t, def, err)}\n${t('errors.usage', { usage })}`, ephemeral: true };
    }
    const denied = await this.outOfScope(caller, def, args);
    if (denied) {
      await this.audit(caller, def, args, 'refused', {
        detail: denied.audit,
        reason: { key: denied.key, params: denied.params },
      });
      return { text: t(denied.key, denied.params), ephemeral: true };
    }
    if (!confirmed && needsConfirmation(def, args)) {
      let summary: string;
      try {
        // Describing an action checks it: a refusal comes now, not after the trader confirmed.
        summary = def.describe ? await def.describe(ctx, args) : `/${def.name}`;
      } catch (err) {
        await this.audit(caller, def, args, outcomeOf(err), { reason: auditMessageOf(err) });
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
    const moved = new Set<string>();
    try {
      const reply = await this.ordersMoved.run(moved, () => def.run(ctx, args));
      if (mutates(def, args)) {
        const { unchanged } = reply;
        const orders = await this.ordersOf(moved);
        await this.audit(caller, def, args, unchanged ? 'unchanged' : 'ok', { reason: unchanged, orders });
      }
      return reply;
    } catch (err) {
      const text = ctx.describeError(err);
      if (mutates(def, args) || err instanceof AuthorizationError) {
        const orders = await this.ordersOf(moved);
        await this.audit(caller, def, args, outcomeOf(err), { reason: auditMessageOf(err), orders });
      }
      return { text, ephemeral: true };
    }
  }

  /** The orders a run moved as they stand now; copies it set off on followers are their own story. */
  private async ordersOf(moved: ReadonlySet<string>): Promise<AuditOrder[]> {
    const rows = await Promise.all([...moved].map((id) => this.services.tracker.current(id)));
    return rows.flatMap((row) => (row && row.purpose !== 'copy' ? [auditOrderOf(row)] : []));
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
    extra: {
      detail?: string;
      reason?: AuditMessage | undefined;
      orders?: AuditOrder[];
      line?: string | undefined;
    } = {},
  ): Promise<void> {
    const typed = argsText(args);
    await this.services.audit.record({
      userId: caller.userId,
      platform: caller.platform,
      externalId: caller.externalId,
      command: def.name,
      accountId: accountOf(def, args),
      symbol: typeof args['symbol'] === 'string' ? args['symbol'] : undefined,
      outcome,
      detail: extra.detail,
      facts: { line: extra.line ?? commandLine(def, typed), args: typed, reason: extra.reason, orders: extra.orders },
    });
  }
}

/**
 * How a run that threw ended: the exchange, the vault or a bug failed it; any other catalog
 * error is the desk declining, for a reason the trader can act on.
 */
function outcomeOf(err: unknown): 'refused' | 'failed' {
  if (!(err instanceof HedgeError) || err instanceof ExchangeRequestError || err instanceof VaultError) return 'failed';
  return 'refused';
}

/** The validated arguments as text: decimals exact, a quote amount as `$100`, lists comma-separated. */
function argsText(args: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(args)) {
    const text = valueText(value);
    if (text !== undefined) out[name] = text;
  }
  return out;
}

function valueText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Decimal.isDecimal(value)) return value.toFixed();
  if (Array.isArray(value)) return value.map((v) => valueText(v) ?? '').join(',');
  if (typeof value === 'object') {
    const { quote, value: amount } = value as { quote?: unknown; value?: unknown };
    if (typeof quote === 'boolean' && Decimal.isDecimal(amount)) return `${quote ? '$' : ''}${amount.toFixed()}`;
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? String(value)
    : undefined;
}

/** The command as one could type it again: required arguments in order, optional ones as `name=value`. */
function commandLine(def: CommandDef, typed: Record<string, string>): string {
  const words = Object.entries(typed).map(([name, text]) => {
    const arg = def.args[name];
    const optional = arg ? arg.schema.safeParse(undefined).success : false;
    return optional ? `${name}=${text}` : text;
  });
  return [`/${def.name}`, ...words].join(' ');
}

function refusalKey(caller: Caller): string {
  return caller.role === undefined ? 'errors.not_linked' : 'errors.role_required';
}

function refusal(t: Translate, caller: Caller, def: CommandDef): Reply {
  return { text: t(refusalKey(caller), { command: `/${def.name}`, role: t(`roles.${def.role}`) }), ephemeral: true };
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
