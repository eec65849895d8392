import { Decimal } from 'decimal.js';
import { accountIdSchema } from '../../domain/account.ts';
import { visibleOf } from '../../domain/grants.ts';
import { displayHolding, displayMoney } from '../../domain/display-number.ts';
import { term } from '../../i18n/index.ts';
import {
  checkFollowerPolicy,
  copyCapSchema,
  copyModeSchema,
  copyRatioSchema,
} from '../../services/copy/copy-settings.ts';
import { assetsOf } from '../../domain/market-symbol.ts';
import { monospaceTable } from '../format/table.ts';
import { defineCommand, type CommandContext, type CommandGroup } from '../types.ts';
import { followerArg, outcomeOf } from './copy.ts';

const listCommand = defineCommand({
  name: 'list',
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: {},
  async run({ caller, t, services }) {
    const { copy } = services;
    const roster = await copy.refreshRoster();
    const followers = visibleOf(
      caller.accounts,
      roster.filter((a) => a.copyRole === 'FOLLOWER'),
      (a) => a.id,
    );
    if (followers.length === 0) return { text: t('copy.no_followers') };
    const leader = roster.find((a) => a.copyRole === 'LEADER');
    const { base, quote } = assetsOf(leader ? await copy.settings.leaderSymbol(leader.id) : 'BTC/USDT');
    const ids = followers.map((f) => f.id);
    const [policies, last] = await Promise.all([copy.settings.policies(ids), copy.lastCopies(ids)]);
    const free = (id: string, asset: string) =>
      copy.balances.free(id, asset).then(
        (d) => displayHolding(d, asset),
        () => '—',
      );
    const rows = await Promise.all(
      followers.map(async (f) => {
        const policy = policies.get(f.id);
        const mode =
          policy?.mode === 'ratio'
            ? t('copy.mode_ratio', { ratio: policy.ratio?.toFixed() ?? '0' })
            : t('copy.mode_share');
        const cap = policy?.maxPerTrade ? displayMoney(policy.maxPerTrade) : '—';
        const latest = last.get(f.id);
        return [
          f.id,
          `${f.exchange} ${term(t, 'env', f.env)}`,
          f.statusReason
            ? t('accounts.status_because', { status: f.status, reason: f.statusReason })
            : term(t, 'status', f.status),
          mode,
          cap,
          await free(f.id, quote),
          await free(f.id, base),
          latest ? `#${latest.eventId} ${outcomeOf(t, latest.event, latest)}` : '—',
        ];
      }),
    );
    const header = t('copy.followers_header', { base, quote }).split('|');
    return { text: monospaceTable(header, rows) };
  },
});

const setCommand = defineCommand({
  name: 'set',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: {
    follower: followerArg,
    mode: { schema: copyModeSchema, descriptionKey: 'args.copy_mode', example: 'ratio' },
    ratio: { schema: copyRatioSchema.optional(), descriptionKey: 'args.copy_ratio', example: '0.5' },
    cap: { schema: copyCapSchema.optional(), descriptionKey: 'args.copy_cap', placeholder: 'cap|off', example: '200' },
  },
  accountOf: (args) => args.follower,
  async describe(ctx, { follower, mode, ratio, cap }) {
    const account = await followerPolicyTarget(ctx, follower, mode, ratio);
    return ctx.t(mode === 'ratio' ? 'copy.describe_set_ratio' : 'copy.describe_set_share', {
      follower: account.id,
      ratio: ratio?.toFixed() ?? '',
      cap: capText(ctx.t, cap),
    });
  },
  async run(ctx, { follower, mode, ratio, cap }) {
    const { copy } = ctx.services;
    const account = await followerPolicyTarget(ctx, follower, mode, ratio);
    await copy.settings.setFollower(account.id, {
      mode,
      ratio: mode === 'ratio' ? (ratio ?? null) : null,
      ...(cap === undefined ? {} : { maxPerTrade: cap === 'off' ? null : cap }),
    });
    const policy = (await copy.settings.policies([account.id])).get(account.id);
    return {
      text: ctx.t(mode === 'ratio' ? 'copy.set_ratio' : 'copy.set_share', {
        follower: account.id,
        ratio: policy?.ratio?.toFixed() ?? '',
        cap: capText(ctx.t, policy?.maxPerTrade ?? 'off'),
      }),
    };
  },
});

async function followerPolicyTarget(
  ctx: CommandContext,
  follower: string,
  mode: 'share' | 'ratio',
  ratio: Decimal | undefined,
) {
  checkFollowerPolicy(mode, ratio);
  return ctx.services.copy.follower(follower);
}

function capText(t: (key: string) => string, cap: Decimal | 'off' | undefined | null): string {
  if (cap === undefined) return t('copy.cap_unchanged');
  if (cap === null || cap === 'off') return t('copy.cap_none');
  return `${displayMoney(new Decimal(cap))} USDT`;
}

const accountArg = {
  schema: accountIdSchema,
  descriptionKey: 'args.account',
  example: 'f1',
  complete: 'account' as const,
};

const addCommand = defineCommand({
  name: 'add',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: { account: accountArg },
  describe: async (ctx, { account }) =>
    ctx.t('copy.describe_add', { account: (await ctx.services.copy.followerCandidate(account)).id }),
  async run(ctx, { account }) {
    const added = await ctx.services.copy.addFollower(account);
    return { text: ctx.t('copy.added', { follower: added.id }) };
  },
});

const removeCommand = defineCommand({
  name: 'remove',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: { follower: followerArg },
  accountOf: (args) => args.follower,
  describe: async (ctx, { follower }) =>
    ctx.t('copy.describe_remove', { follower: (await ctx.services.copy.follower(follower)).id }),
  async run(ctx, { follower }) {
    const removed = await ctx.services.copy.removeFollower(follower);
    return { text: ctx.t('copy.removed', { follower: removed.id }) };
  },
});

export const followersGroup: CommandGroup = {
  name: 'followers',
  subcommands: [listCommand, setCommand, addCommand, removeCommand],
  defaultSubcommand: 'list',
};
