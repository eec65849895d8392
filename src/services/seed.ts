import { randomBytes } from 'node:crypto';
import type { Db } from '../infra/db/client.ts';
import type { NewAccount } from '../domain/account.ts';
import type { AccountService } from './accounts.ts';
import { acceptedBaseline } from './reconciliation.ts';

/** The demo desk of paper mode: a main account with two subs, a leader and two followers. */
export const DEMO_ACCOUNTS: readonly NewAccount[] = [
  {
    id: 'main',
    name: 'Main (USDT-M futures)',
    exchange: 'binance',
    market: 'usdm',
    env: 'paper',
    kind: 'MAIN',
    copyRole: 'NONE',
  },
  {
    id: 'sub_a',
    name: 'Sub A (USDT-M futures)',
    exchange: 'binance',
    market: 'usdm',
    env: 'paper',
    kind: 'SUB',
    copyRole: 'NONE',
  },
  {
    id: 'sub_b',
    name: 'Sub B (spot)',
    exchange: 'binance',
    market: 'spot',
    env: 'paper',
    kind: 'SUB',
    copyRole: 'NONE',
  },
  {
    id: 'lead',
    name: 'Leader (spot)',
    exchange: 'binance',
    market: 'spot',
    env: 'paper',
    kind: 'MAIN',
    copyRole: 'LEADER',
  },
  {
    id: 'f1',
    name: 'Follower 1 (Binance spot)',
    exchange: 'binance',
    market: 'spot',
    env: 'paper',
    kind: 'SUB',
    copyRole: 'FOLLOWER',
  },
  {
    id: 'f2',
    name: 'Follower 2 (Bitget spot)',
    exchange: 'bitget',
    market: 'spot',
    env: 'paper',
    kind: 'MAIN',
    copyRole: 'FOLLOWER',
  },
];

/** What each demo account holds when the paper exchange opens it. */
export const DEMO_BALANCES: Readonly<
  Record<string, { spot?: Record<string, string>; futures?: Record<string, string> }>
> = {
  main: { futures: { USDT: '50000' } },
  sub_a: { futures: { USDT: '10000' } },
  sub_b: { spot: { USDT: '5000', BTC: '0.1' } },
  lead: { spot: { USDT: '10000', BTC: '0.2' } },
  f1: { spot: { USDT: '2000', BTC: '0.05' } },
  f2: { spot: { USDT: '1500', BTC: '0.03' } },
};

const SEEDED = 'paper.demoSeeded';

/**
 * Seeds the demo accounts once, on the first paper-mode start. Their keys are random and only
 * the paper exchange knows them; deleting a demo account later does not bring it back. The coins
 * they start with are recorded as accepted, so a fresh desk reconciles without a difference.
 */
export async function seedPaperAccounts(db: Db, accounts: AccountService): Promise<string[]> {
  if (await db.setting.findUnique({ where: { key: SEEDED } })) return [];
  const created: string[] = [];
  for (const account of DEMO_ACCOUNTS) {
    if (await accounts.find(account.id)) continue;
    await accounts.create(account, {
      apiKey: randomBytes(32).toString('hex'),
      secret: randomBytes(32).toString('hex'),
      ...(account.exchange === 'bitget' ? { passphrase: randomBytes(8).toString('hex') } : {}),
    });
    const spot = DEMO_BALANCES[account.id]?.spot;
    if (spot) await db.fill.createMany({ data: acceptedBaseline(account.id, spot) });
    created.push(account.id);
  }
  await db.setting.create({ data: { key: SEEDED, value: new Date().toISOString() } });
  return created;
}
