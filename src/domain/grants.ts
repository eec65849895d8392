/**
 * Who sees what — the one rule every command, suggestion and alert follows (README, "Grants"):
 *
 * - an owner sees and acts on every account;
 * - anyone else sees and acts on the accounts granted to them, and nothing of the others — not
 *   their ids, balances, copies or counts;
 * - copying as a whole (start, stop, the leader's symbol) is the leader's business: owners, or a
 *   trader granted every leader account.
 */

/** The accounts a person may see: `all` for owners, else their grants. */
export type Visibility = 'all' | ReadonlySet<string>;

/**
 * Which accounts a command touches, declared with it and checked before it runs:
 * - `none`: no account's data (help, whoami, language, this chat's alert settings);
 * - `account`: the one account it names — granted, or refused;
 * - `visible`: reads many accounts — one it names must be granted; without one (or `all`) it shows
 *   only what the caller sees;
 * - `desk`: copying for every follower at once — owners, or a trader granted every leader.
 */
export type CommandScope = 'none' | 'account' | 'visible' | 'desk';

export function sees(visibility: Visibility, accountId: string): boolean {
  return visibility === 'all' || visibility.has(accountId);
}

/** What of `items` the caller may see, by each item's account. */
export function visibleOf<T>(visibility: Visibility, items: readonly T[], accountOf: (item: T) => string): T[] {
  return visibility === 'all' ? [...items] : items.filter((item) => visibility.has(accountOf(item)));
}

/** Whether the caller may change copying for the whole desk: an owner, or a grant on every leader (there is one). */
export function mayRunDesk(visibility: Visibility, leaderIds: readonly string[]): boolean {
  if (visibility === 'all') return true;
  return leaderIds.length > 0 && leaderIds.every((id) => visibility.has(id));
}

/**
 * Whether an alert about `accountId` may reach a destination whose people see `audience` (each
 * person's visibility; a group chat has several). Alerts about no account (the desk itself) reach
 * everyone who subscribed; an alert about an account reaches a chat only when every person known
 * behind it may see that account, and never a chat with nobody known behind it.
 */
export function alertReaches(audience: readonly Visibility[], accountId: string | undefined): boolean {
  if (accountId === undefined) return true;
  return audience.length > 0 && audience.every((v) => sees(v, accountId));
}
