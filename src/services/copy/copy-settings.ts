import { Decimal } from 'decimal.js';
import type { FollowerPolicy } from '../../domain/copy-sizing.ts';
import type { Db } from '../../infra/db/client.ts';

export const DEFAULT_LEADER_SYMBOL = 'BTC/USDT';
const RUNNING = 'copy.running';

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
