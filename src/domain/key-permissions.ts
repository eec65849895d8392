import { z } from 'zod';
import { HedgeError } from './errors.ts';
import { keyCannotTrade } from './status-reasons.ts';

/**
 * What an API key may do, as every exchange's own reading comes out once normalized (Binance's
 * API-key restrictions, Bitget's key authorities and IP whitelist; see src/exchange/<venue>.ts).
 */
export interface KeyPermissions {
  canRead: boolean;
  canTradeSpot: boolean;
  canTradeFutures: boolean;
  canWithdraw: boolean;
  /** The key answers only from the IP addresses listed for it on the exchange. */
  ipRestricted: boolean;
}

/** A key that is accepted, but worth a second look: it could move funds out, or be used from anywhere. */
export type KeyWarning = 'can_withdraw' | 'no_ip_restriction';

export const KEY_WARNINGS: readonly KeyWarning[] = ['can_withdraw', 'no_ip_restriction'];

/** Whether the key can trade the account's market: a spot account needs spot trading, USDT-M futures. */
export function canTradeMarket(permissions: KeyPermissions, market: 'spot' | 'usdm'): boolean {
  return market === 'usdm' ? permissions.canTradeFutures : permissions.canTradeSpot;
}

/** What is risky about a key the desk accepts, in a fixed order. */
export function keyWarnings(permissions: KeyPermissions): KeyWarning[] {
  const warnings: KeyWarning[] = [];
  if (permissions.canWithdraw) warnings.push('can_withdraw');
  if (!permissions.ipRestricted) warnings.push('no_ip_restriction');
  return warnings;
}

/** A reading as the account row keeps it (JSON): the permissions and when they were read. */
export interface StoredKeyPermissions extends KeyPermissions {
  readAt: string;
}

const storedSchema = z.object({
  canRead: z.boolean(),
  canTradeSpot: z.boolean(),
  canTradeFutures: z.boolean(),
  canWithdraw: z.boolean(),
  ipRestricted: z.boolean(),
  readAt: z.string(),
});

export function storeKeyPermissions(permissions: KeyPermissions, readAt: Date): string {
  const { canRead, canTradeSpot, canTradeFutures, canWithdraw, ipRestricted } = permissions;
  const stored: StoredKeyPermissions = {
    canRead,
    canTradeSpot,
    canTradeFutures,
    canWithdraw,
    ipRestricted,
    readAt: readAt.toISOString(),
  };
  return JSON.stringify(stored);
}

/** The stored reading, or undefined when there is none (never read, or not readable there). */
export function storedKeyPermissions(text: string | null | undefined): StoredKeyPermissions | undefined {
  if (!text) return undefined;
  try {
    const parsed = storedSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The key works but cannot trade the account's market: refused, with what to enable where
 * (`web.accounts.key_cannot_trade.<exchange>.<market>`).
 */
export class KeyCannotTradeError extends HedgeError {
  constructor(
    readonly accountId: string,
    readonly exchange: 'binance' | 'bitget',
    readonly market: 'spot' | 'usdm',
    /** The reading that refused it. */
    readonly permissions?: KeyPermissions,
  ) {
    super(`web.accounts.key_cannot_trade.${exchange}.${market}`, { account: accountId });
  }

  /** Short, for the account's status line. */
  get statusReason(): string {
    return keyCannotTrade(this.market, this.exchange === 'binance' ? 'Binance' : 'Bitget');
  }
}
