import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { FollowerPolicy } from '../../domain/copy-sizing.ts';
import { decimalSchema, toPositiveDecimal } from '../../domain/decimal-input.ts';
import { ArgumentError } from '../../domain/errors.ts';
import type { CopySettings } from '../../generated/prisma/client.ts';
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
  .transform((s, ctx) => (s === 'off' ? ('off' as const) : toPositiveDecimal(s, ctx, 'a number of USDT, or off')));

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

/**
 * Copy settings in the database: the global running flag, each leader's symbol, each follower's
 * policy. This store is their only writer, so it keeps what it read or wrote in memory (write
 * through): a leader event reads them without a query.
 */
export class CopySettingsStore {
  private running: boolean | undefined;
  private symbols: Map<string, string> | undefined;
  private policiesById: Map<string, FollowerPolicy> | undefined;

  constructor(private readonly db: Db) {}

  /** Off until a trader starts copying: a fresh desk never trades for followers on its own. */
  async isRunning(): Promise<boolean> {
    this.running ??= (await this.db.setting.findUnique({ where: { key: RUNNING } }))?.value === 'true';
    return this.running;
  }

  async setRunning(running: boolean): Promise<void> {
    const value = String(running);
    await this.db.setting.upsert({ where: { key: RUNNING }, create: { key: RUNNING, value }, update: { value } });
    this.running = running;
  }

  async leaderSymbol(leaderId: string): Promise<string> {
    return (await this.loaded()).symbols.get(leaderId) ?? DEFAULT_LEADER_SYMBOL;
  }

  async setLeaderSymbol(leaderId: string, symbol: string): Promise<void> {
    const row = await this.db.copySettings.upsert({
      where: { accountId: leaderId },
      create: { accountId: leaderId, symbol },
      update: { symbol },
    });
    this.remember(row);
  }

  async policies(followerIds: string[]): Promise<Map<string, FollowerPolicy>> {
    const { policies } = await this.loaded();
    return new Map(followerIds.map((id) => [id, policies.get(id) ?? DEFAULT_POLICY]));
  }

  async setFollower(followerId: string, input: FollowerSettingsInput): Promise<void> {
    const data = {
      ...(input.mode ? { mode: input.mode } : {}),
      ...(input.ratio !== undefined ? { ratio: input.ratio?.toFixed() ?? null } : {}),
      ...(input.maxPerTrade !== undefined ? { maxPerTrade: input.maxPerTrade?.toFixed() ?? null } : {}),
    };
    const row = await this.db.copySettings.upsert({
      where: { accountId: followerId },
      create: { accountId: followerId, ...data },
      update: data,
    });
    this.remember(row);
  }

  private async loaded(): Promise<{ symbols: Map<string, string>; policies: Map<string, FollowerPolicy> }> {
    if (!this.symbols || !this.policiesById) {
      const rows = await this.db.copySettings.findMany();
      this.symbols = new Map();
      this.policiesById = new Map();
      for (const row of rows) this.remember(row);
    }
    return { symbols: this.symbols, policies: this.policiesById };
  }

  private remember(row: CopySettings): void {
    if (row.symbol) this.symbols?.set(row.accountId, row.symbol);
    else this.symbols?.delete(row.accountId);
    this.policiesById?.set(row.accountId, {
      mode: row.mode === 'ratio' ? 'ratio' : 'share',
      ratio: row.ratio ? new Decimal(row.ratio) : null,
      maxPerTrade: row.maxPerTrade ? new Decimal(row.maxPerTrade) : null,
    });
  }
}

const DEFAULT_POLICY: FollowerPolicy = { mode: 'share', ratio: null, maxPerTrade: null };
