import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterSuggestions } from '../../src/adapters/discord/completions.ts';
import { grantUser } from '../support/harness.ts';
import { GUILD, OWNER, startDiscordDesk, type DiscordDesk } from './discord-desk.ts';

let desk: DiscordDesk;
beforeAll(async () => {
  desk = await startDiscordDesk();
  const { vps } = desk.t.app.services;
  await vps.open({ accountId: 'sub_a', symbol: 'BTC/USDT:USDT', positionSide: 'LONG', name: 'alpha' });
  await vps.open({ accountId: 'sub_a', symbol: 'ETH/USDT:USDT', positionSide: 'SHORT', name: 'beta' });
  await vps.open({ accountId: 'sub_b', symbol: 'BTC/USDT:USDT', positionSide: 'LONG', name: 'gamma' });
});
afterAll(async () => desk.close());

const VIEWER = { id: '340000000000000001', locale: 'en-US' };
const NOBODY = { id: '340000000000000002', locale: 'en-US' };

describe('autocomplete', () => {
  it('offers an owner every account, filtered by what was typed', async () => {
    expect(await desk.autocomplete(OWNER, 'balance', { account: '' }, 'account', GUILD)).toEqual([
      'main',
      'sub_a',
      'sub_b',
      'lead',
      'f1',
      'f2',
    ]);
    expect(await desk.autocomplete(OWNER, 'order', { account: 'SUB' }, 'account', GUILD)).toEqual(['sub_a', 'sub_b']);
  });

  it('offers only the accounts a user was granted, and none to a stranger', async () => {
    await grantUser(desk.t.app, { platform: 'discord', externalId: VIEWER.id }, 'viewer', ['sub_b', 'f2']);
    expect(await desk.autocomplete(VIEWER, 'balance', { account: '' }, 'account', GUILD)).toEqual(['sub_b', 'f2']);
    expect(await desk.autocomplete(NOBODY, 'balance', { account: '' }, 'account', GUILD)).toEqual([]);
  });

  it('offers followers for /pause', async () => {
    expect(await desk.autocomplete(OWNER, 'pause', { follower: '' }, 'follower', GUILD)).toEqual(['f1', 'f2']);
    expect(await desk.autocomplete(VIEWER, 'resume', { follower: 'f' }, 'follower', GUILD)).toEqual(['f2']);
  });

  it('offers the VP names of the account chosen in the same command', async () => {
    expect(await desk.autocomplete(OWNER, 'vp close', { account: 'sub_a', name: '' }, 'name', GUILD)).toEqual([
      'alpha',
      'beta',
    ]);
    expect(await desk.autocomplete(OWNER, 'vp close', { account: 'sub_a', name: 'et' }, 'name', GUILD)).toEqual([
      'beta',
    ]);
    expect(
      await desk.autocomplete(OWNER, 'vp tpsl', { account: 'sub_a', side: 'short', name: '' }, 'name', GUILD),
    ).toEqual(['alpha', 'beta']);
    expect(await desk.autocomplete(OWNER, 'order', { account: 'sub_b', vp: '' }, 'vp', GUILD)).toEqual(['gamma']);
    // A VP of an account the user may not see is never suggested.
    expect(await desk.autocomplete(VIEWER, 'vp show', { account: 'sub_a', name: '' }, 'name', GUILD)).toEqual([]);
  });

  it('an option without completion gets no suggestions', async () => {
    expect(await desk.autocomplete(OWNER, 'order', { account: 'sub_a', symbol: 'BT' }, 'symbol', GUILD)).toEqual([]);
  });

  it('never offers more than 25, prefix matches first', () => {
    const many = Array.from({ length: 40 }, (_, i) => `acct${i}`);
    expect(filterSuggestions(many, '')).toHaveLength(25);
    expect(filterSuggestions(['xalpha', 'alpha2', 'beta'], 'alp')).toEqual(['alpha2', 'xalpha']);
  });
});
