import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { FollowerPolicy } from '../../domain/copy-sizing.ts';
import { decimalSchema } from '../../domain/decimal-input.ts';
import { ArgumentError } from '../../domain/errors.ts';
import type { Db } from '../../infra/db/client.ts';

export const DEFAULT_LEADER_SYMBOL = 'BTC/USDT';
const RUNNING = 'copy.running';

/** Chat (`/followers set`, `/copy symbol`) and the admin's Copy page validate with these same schemas. */
export const copyModeSchema = z.enum(['share', 'ratio'], { error: 'share or ratio' });
export const copyRatioSchema = decimalSchema;

/** `off` removes the cap; a number is the most one copy may be worth, in USDT. */
export const copyCapSchema = z
  .string()
  .trim()
  .regex(/^(off|\d+(\.\d+)?)$/, 'a number of USDT, or off')
  .transform((s) => (s === 'off' ? ('off' as const) : new Decimal(s)))
  .refine((cap) => cap === 'off' || cap.greaterThan(0), 'must be greater than 0');

export const copySymbolSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]+\/?[A-Za-z0-9]+$/, 'a spot symbol such as BTC/USDT');

/** Ratio mode needs a ratio; share mode takes none (a positional `share 200` would misread a cap). */
export function checkFollowerPolicy(mode: 'share' | 'ratio', ratio: Decimal | undefined): void {
  if (mode === 'share' && ratio) throw new ArgumentError('copy.ratio_only_in_ratio_mode');
  if (mode === 'ratio' && !ratio) throw new ArgumentError('copy.ratio_required');
}

export interface FollowerSettingsInput {
  mode?: 'share' | 'ratio';
  ratio?: Decimal | null;
  maxPerTrade?: Decimal | null;
}

/** Copy settings in the database: the global running flag, each leader's symbol, each follower's policy. */
export class CopySettingsStore {
  constructor(private readonly db: Db) {}

  /** Off until a trader starts copying: a fresh desk never trades for followers on its own. */
  async isRunning(): Promise<boolean> {
    return (await this.db.setting.findUnique({ where: { key: RUNNING } }))?.value === 'true';
  }

  async setRunning(running: boolean): Promise<void> {
    const value = String(running);
    await this.db.setting.upsert({ where: { key: RUNNING }, create: { key: RUNNING, value }, update: { value } });
  }

  async leaderSymbol(leaderId: string): Promise<string> {
    return (await this.db.copySettings.findUnique({ where: { accountId: leaderId } }))?.symbol ?? DEFAULT_LEADER_SYMBOL;
  }

  async setLeaderSymbol(leaderId: string, symbol: string): Promise<void> {
    await this.db.copySettings.upsert({
      where: { accountId: leaderId },
      create: { accountId: leaderId, symbol },
      update: { symbol },
    });
  }

  async policies(followerIds: string[]): Promise<Map<string, FollowerPolicy>> {
    const rows = await this.db.copySettings.findMany({ where: { accountId: { in: followerIds } } });
    const byId = new Map(rows.map((r) => [r.accountId, r]));
    return new Map(
      followerIds.map((id) => {
        const row = byId.get(id);
        return [
          id,
          {
            mode: row?.mode === 'ratio' ? 'ratio' : 'share',
            ratio: row?.ratio ? new Decimal(row.ratio) : null,
            maxPerTrade: row?.maxPerTrade ? new Decimal(row.maxPerTrade) : null,
          },
        ];
      }),
    );
  }

  async setFollower(followerId: string, input: FollowerSettingsInput): Promise<void> {
    const data = {
      ...(input.mode ? { mode: input.mode } : {}),
      ...(input.ratio !== undefined ? { ratio: input.ratio?.toFixed() ?? null } : {}),
      ...(input.maxPerTrade !== undefined ? { maxPerTrade: input.maxPerTrade?.toFixed() ?? null } : {}),
    };
    await this.db.copySettings.upsert({
      where: { accountId: followerId },
      create: { accountId: followerId, ...data },
      update: data,
    });
  }
}
