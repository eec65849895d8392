import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { accountIdSchema } from '../../domain/account.ts';
import { sees, visibleOf } from '../../domain/grants.ts';
import { pausedBy } from '../../domain/status-reasons.ts';
import { displayHolding, displayMoney, displayPercent } from '../../domain/display-number.ts';
import type { CopyEvent, CopyIntent } from '../../generated/prisma/client.ts';
import { term, type Translate } from '../../i18n/index.ts';
import { copySymbolSchema } from '../../services/copy/copy-settings.ts';
import { CopyRefusedError } from '../../services/copy/copy-engine.ts';
import { assetsOf } from '../../domain/market-symbol.ts';
import { defineCommand, type CommandContext, type CommandGroup, type Reply } from '../types.ts';

export const followerArg = {
  schema: accountIdSchema,
  descriptionKey: 'args.follower',
  example: 'f1',
  complete: 'follower' as const,
};

/** A leader event's fraction as people read it: `0.25` → `25%`. */
export const percent = (fraction: string) => displayPercent(new Decimal(fraction));

/** A copy still under way: written (PENDING) or sent and not yet answered (SENT). */
const IN_FLIGHT: ReadonlySet<string> = new Set(['PENDING', 'SENT']);

/** How an event's copies stand: in flight counts as pending until the exchange answers. */
export function tallyOf(intents: readonly Pick<CopyIntent, 'status'>[]) {
  const count = (test: (status: string) => boolean) => intents.filter((i) => test(i.status)).length;
  return {
    ok: count((s) => s === 'FILLED'),
    failed: count((s) => s === 'FAILED'),
    skipped: count((s) => s === 'SKIPPED'),
    pending: count((s) => IN_FLIGHT.has(s)),
  };
}

/**
 * One follower's copy as it traded it: its own amount (quote for a buy, base for a sell) and what
 * that was of its own free balance — a ratio follower's share differs from the leader's — then the
 * result: `buy 500 USDT (25% of 2000 USDT free) → filled 0.01 BTC for 500 USDT`,
 * `sell → skipped: follower paused`.
 */
export function outcomeOf(t: Translate, event: CopyEvent, intent: CopyIntent): string {
  const { base, quote } = assetsOf(event.symbol);
  const side = term(t, 'side', event.side);
  const sized =
    intent.amount === null ? side : sizedAs(t, side, event.side === 'buy' ? quote : base, intent.amount, intent);
  return `${sized} → ${resultOf(t, intent, base, quote)}`;
}

function sizedAs(t: Translate, side: string, unit: string, amountColumn: string, intent: CopyIntent): string {
  const amount = new Decimal(amountColumn);
  const free = intent.freeBefore === null ? undefined : new Decimal(intent.freeBefore);
  const params = { side, unit, amount: displayHolding(amount, unit) };
  if (!free?.greaterThan(0)) return t('copy.outcome_sized', params);
  const share = displayPercent(amount.div(free));
  return t('copy.outcome_share', { ...params, percent: share, free: displayHolding(free, unit) });
}

function resultOf(t: Translate, intent: CopyIntent, base: string, quote: string): string {
  if (intent.status === 'FILLED' && intent.filledQty !== null) {
    const qty = displayHolding(new Decimal(intent.filledQty), base);
    return intent.cost === null
      ? `${t('copy.intent_status.FILLED')} ${qty} ${base}`
      : t('copy.outcome_filled', { qty, base, cost: displayMoney(new Decimal(intent.cost), quote), quote });
  }
  const status = t(`copy.intent_status.${intent.status}`);
  // Our own reason reads in the reader's language; the exchange's words only when we have none.
  const why = intent.reason ? t(intent.reason) : (intent.detail ?? undefined);
  return why ? t('copy.outcome_reason', { status, why }) : status;
}

/** Starting what runs (or stopping what is stopped) is said before a Confirm is offered. */
async function refuseWhenAlready(ctx: CommandContext, running: boolean): Promise<void> {
  if ((await ctx.services.copy.isRunning()) === running) throw new CopyRefusedError(alreadyKey(running));
}

function alreadyKey(running: boolean): string {
  return running ? 'copy.already_running' : 'copy.already_stopped';
}

/** It changed in the meantime (another chat, the admin): nothing to do, and audited so. */
function alreadyReply(ctx: CommandContext, running: boolean): Reply {
  const key = alreadyKey(running);
  return { text: ctx.t(key), unchanged: { key } };
}

const startCommand = defineCommand({
  name: 'start',
  role: 'trader',
  scope: 'desk',
  mutates: true,
  confirm: true,
  args: {},
  async describe(ctx) {
    await refuseWhenAlready(ctx, true);
    return ctx.t('copy.describe_start');
  },
  async run(ctx) {
    if (await ctx.services.copy.isRunning()) return alreadyReply(ctx, true);
    await ctx.services.copy.setRunning(true);
    return { text: ctx.t('copy.started') };
  },
});

const stopCommand = defineCommand({
  name: 'stop',
  role: 'trader',
  scope: 'desk',
  mutates: true,
  confirm: true,
  args: {},
  async describe(ctx) {
    await refuseWhenAlready(ctx, false);
    return ctx.t('copy.describe_stop');
  },
  async run(ctx) {
    if (!(await ctx.services.copy.isRunning())) return alreadyReply(ctx, false);
    await ctx.services.copy.setRunning(false);
    return { text: ctx.t('copy.stopped') };
  },
});

const statusCommand = defineCommand({
  name: 'status',
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: {},
  async run({ caller, t, services }) {
    const { copy, streams } = services;
    // Only the accounts the caller sees, in the counts too.
    const everyone = await copy.refreshRoster();
    const roster = visibleOf(caller.accounts, everyone, (a) => a.id);
    const leaders = roster.filter((a) => a.copyRole === 'LEADER');
    const followers = roster.filter((a) => a.copyRole === 'FOLLOWER');
    const count = (status: string) => String(followers.filter((f) => f.status === status).length);
    const lines = [
      t((await copy.isRunning()) ? 'copy.running' : 'copy.not_running'),
      ...(await Promise.all(
        leaders.map(async (l) =>
          t('copy.leader_line', {
            leader: l.id,
            exchange: l.exchange,
            env: l.env,
            symbol: await copy.settings.leaderSymbol(l.id),
            stream: t(`accounts.stream.${streams.status(l.id)?.health ?? 'off'}`),
          }),
        ),
      )),
      ...(leaders.length > 0
        ? []
        : everyone.some((a) => a.copyRole === 'LEADER')
          ? [t('copy.leader_not_granted')]
          : [t('copy.no_leader')]),
      t('copy.counts', {
        followers: String(followers.length),
        active: count('ACTIVE'),
        paused: count('PAUSED'),
        disabled: count('DISABLED'),
        events: String(await copy.eventCount(caller.accounts)),
      }),
    ];
    return { text: lines.join('\n') };
  },
});

const symbolCommand = defineCommand({
  name: 'symbol',
  role: 'trader',
  scope: 'desk',
  mutates: true,
  confirm: true,
  args: {
    symbol: {
      schema: copySymbolSchema,
      descriptionKey: 'args.copy_symbol',
      example: 'BTC/USDT',
    },
  },
  describe: async (ctx, { symbol }) => ctx.t('copy.describe_symbol', await ctx.services.copy.leaderSymbolOf(symbol)),
  async run(ctx, { symbol }) {
    const set = await ctx.services.copy.setLeaderSymbol(symbol);
    return { text: ctx.t('copy.symbol_set', set) };
  },
});

export const copyGroup: CommandGroup = {
  name: 'copy',
  subcommands: [startCommand, stopCommand, statusCommand, symbolCommand],
  defaultSubcommand: 'status',
};

async function setPaused(ctx: CommandContext, follower: string, paused: boolean) {
  const { copy } = ctx.services;
  const reason = pausedBy(ctx.caller.displayName ?? ctx.caller.externalId);
  const account = paused ? await copy.pauseFollower(follower, reason) : await copy.resumeFollower(follower);
  return { text: ctx.t(paused ? 'copy.paused' : 'copy.resumed', { follower: account.id }) };
}

export const pauseCommand = defineCommand({
  name: 'pause',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: { follower: followerArg },
  accountOf: (args) => args.follower,
  describe: async (ctx, { follower }) =>
    ctx.t('copy.describe_pause', { follower: (await ctx.services.copy.pausable(follower)).id }),
  run: (ctx, { follower }) => setPaused(ctx, follower, true),
});

export const resumeCommand = defineCommand({
  name: 'resume',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: { follower: followerArg },
  accountOf: (args) => args.follower,
  describe: async (ctx, { follower }) =>
    ctx.t('copy.describe_resume', { follower: (await ctx.services.copy.resumable(follower)).id }),
  run: (ctx, { follower }) => setPaused(ctx, follower, false),
});

export const eventsCommand = defineCommand({
  name: 'events',
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: {
    count: {
      schema: z.coerce.number().int().min(1).max(50).optional(),
      descriptionKey: 'args.events_count',
      example: '10',
    },
    detail: {
      schema: z.enum(['detail']).optional(),
      descriptionKey: 'args.events_detail',
      flexible: true,
      // `/events detail`: the word is this argument's wherever it stands, not a count.
      form: /^detail$/i,
    },
  },
  async run({ caller, t, services }, { count, detail }) {
    // The events of leaders the caller sees or with a copy to a follower they see; tallies and
    // details count only the copies they see, and a leader they do not see is not named.
    const events = await services.copy.recentEvents(count ?? 10, caller.accounts);
    if (events.length === 0) return { text: t('copy.events_none') };
    const lines = events.flatMap((e) => {
      const tally = tallyOf(e.intents);
      const head = t('copy.event_line', {
        id: String(e.id),
        at: e.createdAt.toISOString().replace('T', ' ').slice(0, 19),
        leader: sees(caller.accounts, e.leaderId) ? e.leaderId : t('copy.leader_hidden'),
        side: e.side,
        symbol: e.symbol,
        percent: percent(e.fraction),
        status:
          e.status === 'EXPIRED'
            ? t('copy.event_expired', {
                status: t('copy.event_status.EXPIRED'),
                reason: t('copy.event_expired_reason', {
                  age: String(Math.round((e.createdAt.getTime() - e.filledAt.getTime()) / 1000)),
                  window: String(Math.round(services.copy.maxEventAgeMs / 1000)),
                }),
              })
            : t(`copy.event_status.${e.status}`),
        ok: String(tally.ok),
        failed: String(tally.failed),
        skipped: String(tally.skipped),
        pending: String(tally.pending),
      });
      if (!detail) return [head];
      return [head, ...e.intents.map((i) => `  ${i.followerId}: ${outcomeOf(t, e, i)}`)];
    });
    return { text: lines.join('\n') };
  },
});
