import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import type { PositionSide } from '../../domain/vp-ledger.ts';
import { AmbiguousVpError, type VirtualPosition } from '../../services/orders/virtual-positions.ts';
import type { ArgDef, CommandContext } from '../types.ts';
import { vpNameSchema } from './trading-args.ts';

/** The words that name one VP: `<account> <vp> [symbol] [long|short]`. */
export interface VpAddress {
  account: string;
  name: string;
  symbol?: string | undefined;
  side?: 'long' | 'short' | undefined;
}

export const vpNameArg = {
  schema: vpNameSchema,
  descriptionKey: 'args.vp',
  complete: 'vp',
  example: 'alpha',
} satisfies ArgDef;

/** `long` / `short`: which side's VP, when one name is used on both sides of a hedge-mode account. */
export const vpSideArg = {
  schema: z.enum(['long', 'short']).optional(),
  descriptionKey: 'args.vp_side',
  form: /^(long|short)$/i,
  flexible: true,
} satisfies ArgDef;

export function positionSideOf(side: VpAddress['side']): PositionSide | undefined {
  if (side === undefined) return undefined;
  return side === 'short' ? 'SHORT' : 'LONG';
}

/** The VP the words name; the symbol in any form the account's exchange knows (BTCUSDT, BTC/USDT). */
export async function findVp(ctx: CommandContext, address: VpAddress): Promise<VirtualPosition> {
  const { account, symbol } = address;
  const unified = symbol ? (await ctx.services.exchanges.for(account)).resolveSymbol(symbol) : undefined;
  return ctx.services.vps.byName(account, address.name, {
    symbol: unified,
    positionSide: positionSideOf(address.side),
  });
}

/** `/vp close sub_a default 50`: a command line from its words, blanks left out. */
export function commandLine(command: string, words: readonly (string | undefined)[]): string {
  return [`/${command}`, ...words.filter((w): w is string => Boolean(w))].join(' ');
}

/**
 * Runs a VP command's work. When the name is used by several VPs, the refusal lists them and
 * shows the trader's own command with the words that pick one: `retry` gets those words.
 */
export async function explainingAmbiguity<T>(
  retry: (added: readonly string[]) => string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof AmbiguousVpError)) throw err;
    const { key, added } = wayOut(err.candidates);
    throw new NotFoundError(key, { ...err.params, example: retry(added) });
  }
}

/**
 * The words that single out one of several VPs sharing a name — the symbol when their symbols
 * differ, then the side when that symbol holds both — shown for the last of them.
 */
export function wayOut(candidates: readonly VirtualPosition[]): { key: string; added: string[] } {
  const pick = candidates.at(-1);
  if (!pick) return { key: 'vp.ambiguous', added: [] };
  const symbol = candidates.some((c) => c.symbol !== pick.symbol);
  const side = candidates.filter((c) => c.symbol === pick.symbol).length > 1;
  const added = [...(symbol ? [pick.symbol] : []), ...(side ? [pick.positionSide.toLowerCase()] : [])];
  const key = symbol && side ? 'vp.ambiguous_symbol_side' : symbol ? 'vp.ambiguous_symbol' : 'vp.ambiguous_side';
  return { key, added };
}
