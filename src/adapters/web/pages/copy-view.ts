import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { accountIdSchema } from '../../../domain/account.ts';
import { displayHolding, displayMoney } from '../../../domain/display-number.ts';
import type { Translate } from '../../../i18n/index.ts';
import { outcomeOf, percent, tallyOf } from '../../../commands/catalog/copy.ts';
import type { Services } from '../../../services/index.ts';
import {
  copyCapSchema,
  copyModeSchema,
  copyRatioSchema,
  copySymbolSchema,
  DEFAULT_LEADER_SYMBOL,
} from '../../../services/copy/copy-settings.ts';
import { assetsOf } from '../../../domain/market-symbol.ts';
import { blankToUndefined } from './page-action.ts';

export const followerRef = z.object({ follower: accountIdSchema });
export const addFollowerForm = z.object({ account: accountIdSchema });
export const symbolForm = z.object({ symbol: copySymbolSchema });

/**
 * `/followers set` as a form. Fields are labelled, so a ratio left in the box while switching to
 * share mode is simply not used (chat refuses it only because a positional number is ambiguous);
 * an empty cap is no cap (`off`).
 */
export const followerSettingsForm = z.preprocess(
  (raw) => {
    const fields = { ...(raw as Record<string, unknown>) };
    if (fields['mode'] === 'share') delete fields['ratio'];
    return fields;
  },
  z
    .object({
      follower: accountIdSchema,
      mode: copyModeSchema,
      ratio: z.preprocess(blankToUndefined, copyRatioSchema.optional()),
      cap: z.preprocess((v) => blankToUndefined(v) ?? 'off', copyCapSchema),
    })
    .refine((f) => f.mode !== 'ratio' || f.ratio !== undefined, {
      path: ['ratio'],
      message: 'ratio mode needs a ratio, e.g. 0.5 (half the leader’s amount)',
    }),
);

/** A figure by the display rule, blank when there is none. */
const shown = (d: Decimal | undefined | null, display: (d: Decimal) => string) => (d ? display(d) : '');
const time = (at: Date) => `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** Everything the Copy page shows, read through the copy engine's public methods. */
export async function copyPageData(services: Services, t: Translate) {
  const { copy, streams, accounts } = services;
  const roster = await copy.refreshRoster();
  const leader = roster.find((a) => a.copyRole === 'LEADER');
  const followers = roster.filter((a) => a.copyRole === 'FOLLOWER');
  const symbol = leader ? await copy.settings.leaderSymbol(leader.id) : DEFAULT_LEADER_SYMBOL;
  const { base, quote } = assetsOf(symbol);
  const ids = followers.map((f) => f.id);
  const [running, policies, last, events, all] = await Promise.all([
    copy.isRunning(),
    copy.settings.policies(ids),
    copy.lastCopies(ids),
    copy.recentEvents(15),
    accounts.list(),
  ]);
  const rows = followers.map((f) => {
    const policy = policies.get(f.id);
    const latest = last.get(f.id);
    return {
      id: f.id,
      name: f.name,
      exchange: f.exchange,
      env: f.env,
      status: f.status,
      statusReason: f.statusReason,
      mode: policy?.mode ?? 'share',
      ratio: policy?.ratio?.toFixed() ?? '',
      cap: shown(policy?.maxPerTrade, (d) => displayMoney(d)),
      freeQuote: shown(copy.balances.snapshot(f.id, quote), (d) => displayHolding(d, quote)),
      freeBase: shown(copy.balances.snapshot(f.id, base), (d) => displayHolding(d, base)),
      lastCopy: latest ? `#${latest.eventId} ${outcomeOf(t, latest.event, latest)}` : '',
      lastCopyAt: latest ? time(latest.updatedAt) : '',
    };
  });
  return {
    running,
    leader: leader && {
      id: leader.id,
      name: leader.name,
      exchange: leader.exchange,
      env: leader.env,
      status: leader.status,
      stream: t(`accounts.stream.${streams.status(leader.id)?.health ?? 'off'}`),
    },
    symbol,
    base,
    quote,
    followers: rows,
    // What /followers add accepts: a spot account with a key that is neither leader nor follower.
    candidates: all
      .filter((a) => a.copyRole === 'NONE' && a.market === 'spot' && a.hasCredentials)
      .map((a) => ({ id: a.id, name: a.name })),
    events: events.map((e) => ({
      id: e.id,
      at: time(e.createdAt),
      leader: e.leaderId,
      side: e.side,
      symbol: e.symbol,
      percent: percent(e.fraction),
      status: t(`copy.event_status.${e.status}`),
      ...tallyOf(e.intents),
      outcomes: e.intents.map((i) => ({ follower: i.followerId, text: outcomeOf(t, e, i) })),
    })),
  };
}
