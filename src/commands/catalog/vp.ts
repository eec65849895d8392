import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { unrealizedPnl } from '../../domain/vp-ledger.ts';
import { formatAmount } from '../../domain/valuation.ts';
import type { VirtualPosition } from '../../generated/prisma/client.ts';
import type { Translate } from '../../i18n/index.ts';
import { ledgerOf } from '../../services/orders/virtual-positions.ts';
import { monospaceTable } from '../format/table.ts';
import { defineCommand, type CommandContext, type CommandGroup } from '../types.ts';
import { describePlan, describeResult } from './order.ts';
import { accountArg, accountOrAllArg, accountsInScope } from './scope.ts';
import { positionSideArg, vpNameSchema } from './trading-args.ts';
import { flexibleSymbolArg, symbolArg, symbolRequiredArg } from './trading-symbol.ts';
import { tpslCommand } from './vp-tpsl.ts';

const nameArg = { schema: vpNameSchema, descriptionKey: 'args.vp', complete: 'vp' as const, example: 'alpha' };
const percentArg = {
  schema: z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?%?$/, 'a percentage such as 50 or 50%')
    .transform((s) => new Decimal(s.replace('%', '')))
    .refine((d) => d.greaterThan(0) && d.lessThanOrEqualTo(100), 'between 0 and 100')
    .optional(),
  descriptionKey: 'args.percent',
  example: '50',
  flexible: true,
};

/** The VP table's cells, one row per VP. */
export function vpCells(vp: VirtualPosition): string[] {
  const ledger = ledgerOf(vp);
  return [
    vp.accountId,
    vp.symbol,
    vp.positionSide,
    vp.name,
    formatAmount(ledger.netQty),
    formatAmount(ledger.avgEntry),
    formatAmount(ledger.realizedPnl, 2),
    formatAmount(ledger.fees, 4),
    vp.tpPrice ?? '—',
    vp.slPrice ?? '—',
  ];
}

export function vpTable(t: Translate, rows: readonly VirtualPosition[]): string {
  return monospaceTable(t('vp.header').split('|'), rows.map(vpCells));
}

async function markPrice(ctx: CommandContext, vp: VirtualPosition): Promise<Decimal | undefined> {
  const exchange = await ctx.services.exchanges.for(vp.accountId);
  const base = vp.symbol.split('/')[0] ?? '';
  return (await exchange.fetchUsdtPrices([base])).get(base);
}

const listCommand = defineCommand({
  name: 'list',
  role: 'viewer',
  mutates: false,
  args: { account: accountOrAllArg, symbol: symbolArg },
  async run(ctx, { account, symbol }) {
    const accounts = await accountsInScope(ctx, account);
    const rows = await ctx.services.vps.list(
      accounts.map((a) => a.id),
      symbol,
    );
    if (rows.length === 0) return { text: ctx.t('vp.none') };
    return { text: vpTable(ctx.t, rows) };
  },
});

const openCommand = defineCommand({
  name: 'open',
  role: 'trader',
  mutates: true,
  args: { account: accountArg, symbol: symbolRequiredArg, name: nameArg, position: positionSideArg },
  async run(ctx, { account, symbol, name, position }) {
    const exchange = await ctx.services.exchanges.for(account);
    const unified = exchange.resolveSymbol(symbol);
    if (exchange.market === 'spot' && position === 'short') {
      return { text: ctx.t('orders.no_short_on_spot', { account }), ephemeral: true };
    }
    const positionSide = position === 'short' ? 'SHORT' : 'LONG';
    const vp = await ctx.services.vps.open({ accountId: account, symbol: unified, positionSide, name });
    return { text: ctx.t('vp.opened', { account, vp: vp.name, symbol: vp.symbol, side: vp.positionSide }) };
  },
});

const showCommand = defineCommand({
  name: 'show',
  role: 'viewer',
  mutates: false,
  args: { account: accountArg, name: nameArg, symbol: symbolArg },
  async run(ctx, { account, name, symbol }) {
    const vp = await ctx.services.vps.byName(account, name, symbol);
    const mark = await markPrice(ctx, vp).catch(() => undefined);
    const lines = [vpTable(ctx.t, [vp])];
    if (mark) {
      lines.push(
        ctx.t('vp.unrealized', {
          mark: formatAmount(mark),
          pnl: formatAmount(unrealizedPnl(ledgerOf(vp), mark), 2),
        }),
      );
    }
    return { text: lines.join('\n') };
  },
});

/** Closes all of a VP (or a percentage) with a market order on its own account and side. */
const closeCommand = defineCommand({
  name: 'close',
  role: 'trader',
  mutates: true,
  confirm: true,
  args: { account: accountArg, name: nameArg, percent: percentArg, symbol: flexibleSymbolArg },
  describe: async (ctx, args) => describePlan(ctx.t, await ctx.services.orders.check(await closeInput(ctx, args))),
  async run(ctx, args) {
    const { order, vp } = await ctx.services.orders.place(await closeInput(ctx, args));
    return { text: describeResult(ctx.t, order, vp) };
  },
});

async function closeInput(
  ctx: CommandContext,
  args: { account: string; name: string; percent?: Decimal | undefined; symbol?: string | undefined },
) {
  const vp = await ctx.services.vps.byName(args.account, args.name, args.symbol);
  const ledger = ledgerOf(vp);
  const percent = args.percent ?? new Decimal(100);
  const amount = ledger.netQty.times(percent).div(100);
  if (amount.isZero()) {
    throw new NotFoundError('vp.empty', { account: vp.accountId, vp: vp.name });
  }
  return {
    accountId: vp.accountId,
    symbol: vp.symbol,
    side: vp.positionSide === 'LONG' ? ('sell' as const) : ('buy' as const),
    type: 'market' as const,
    amount,
    vpName: vp.name,
    positionSide: vp.positionSide === 'SHORT' ? ('SHORT' as const) : ('LONG' as const),
    reduce: true,
    ...(ctx.caller.userId !== undefined ? { userId: ctx.caller.userId } : {}),
  };
}

export const vpGroup: CommandGroup = {
  name: 'vp',
  subcommands: [listCommand, openCommand, showCommand, closeCommand, tpslCommand],
};
