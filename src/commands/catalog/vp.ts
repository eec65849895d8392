import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { unrealizedPnl } from '../../domain/vp-ledger.ts';
import { UnknownSymbolError } from '../../exchange/errors.ts';
import type { VirtualPosition } from '../../generated/prisma/client.ts';
import { term, type Translate } from '../../i18n/index.ts';
import { fromColumn } from '../../services/orders/decimal-columns.ts';
import { ledgerOf } from '../../services/orders/virtual-positions.ts';
import { accountNumbers, type MarketNumbers } from '../format/numbers.ts';
import { monospaceTable } from '../format/table.ts';
import { defineCommand, type ArgDef, type CommandContext, type CommandGroup } from '../types.ts';
import { describePlan, describeResult } from './order.ts';
import { accountArg, accountOrAllArg, accountsInScope } from './scope.ts';
import { positionSideArg } from './trading-args.ts';
import { flexibleSymbolArg, symbolArg, symbolRequiredArg } from './trading-symbol.ts';
import { commandLine, explainingAmbiguity, findVp, vpNameArg, vpSideArg, type VpAddress } from './vp-address.ts';
import { tpslCommand } from './vp-tpsl.ts';

/** How a percentage looks, right or wrong: `150`, `-5` and `1e308` are refused as percents, not read as symbols. */
const PERCENT_FORM = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?%?$/i;

const percentArg = {
  schema: z
    .string()
    .trim()
    .regex(PERCENT_FORM, 'a percentage such as 50 or 50%')
    .transform((s) => new Decimal(s.replace('%', '')))
    .refine((d) => d.greaterThan(0) && d.lessThanOrEqualTo(100), {
      params: { key: 'errors.arg_range', min: '0', max: '100' },
    })
    .optional(),
  descriptionKey: 'args.percent',
  example: '50',
  form: PERCENT_FORM,
  flexible: true,
} satisfies ArgDef;

/** `closed`: also the VPs at zero quantity, which /vp list leaves out otherwise. */
const closedArg = {
  schema: z.literal('closed').optional(),
  descriptionKey: 'args.vp_closed',
  form: /^closed$/i,
  flexible: true,
} satisfies ArgDef;

/** The VP table's cells, one row per VP, its numbers as its market has them. */
export function vpCells(t: Translate, vp: VirtualPosition, numbers: MarketNumbers): string[] {
  const ledger = ledgerOf(vp);
  const price = (p: string | null) => (p ? numbers.price(fromColumn(p)) : '—');
  return [
    vp.accountId,
    vp.symbol,
    term(t, 'position_side', vp.positionSide),
    vp.name,
    numbers.holding(ledger.netQty),
    numbers.price(ledger.avgEntry),
    numbers.money(ledger.realizedPnl),
    numbers.money(ledger.fees),
    price(vp.tpPrice),
    price(vp.slPrice),
  ];
}

export async function vpTable(ctx: CommandContext, rows: readonly VirtualPosition[]): Promise<string> {
  const cells = await Promise.all(
    rows.map(async (vp) => vpCells(ctx.t, vp, await accountNumbers(ctx.services, vp.accountId, vp.symbol))),
  );
  return monospaceTable(ctx.t('vp.header').split('|'), cells);
}

async function markPrice(ctx: CommandContext, vp: VirtualPosition): Promise<Decimal | undefined> {
  const exchange = await ctx.services.exchanges.for(vp.accountId);
  const base = vp.symbol.split('/')[0] ?? '';
  return (await exchange.fetchUsdtPrices([base])).get(base);
}

const listCommand = defineCommand({
  name: 'list',
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: { account: accountOrAllArg, symbol: symbolArg, closed: closedArg },
  async run(ctx, { account, symbol, closed }) {
    const accounts = await accountsInScope(ctx, account);
    const rows = await vpsOf(
      ctx,
      accounts.map((a) => a.id),
      symbol,
    );
    if (rows.length === 0) return { text: ctx.t('vp.none') };
    const shown = closed ? rows : rows.filter((vp) => !ledgerOf(vp).netQty.isZero());
    const closedOnes = {
      count: String(rows.length - shown.length),
      command: commandLine('vp list', [account ?? (symbol ? 'all' : undefined), symbol, 'closed']),
    };
    if (shown.length === 0) return { text: ctx.t('vp.none_open', closedOnes) };
    const lines = [await vpTable(ctx, shown)];
    if (shown.length < rows.length) lines.push(ctx.t('vp.closed_hidden', closedOnes));
    return { text: lines.join('\n') };
  },
});

/**
 * The VPs of these accounts, on the symbol as each account's exchange reads it: BTCUSDT is
 * BTC/USDT:USDT on a futures account and BTC/USDT on a spot one.
 */
async function vpsOf(ctx: CommandContext, accountIds: readonly string[], symbol: string | undefined) {
  if (!symbol) return ctx.services.vps.list(accountIds);
  const perAccount = await Promise.all(
    [...accountIds].sort().map(async (id) => {
      const unified = await symbolOn(ctx, id, symbol);
      return unified ? ctx.services.vps.list([id], unified) : [];
    }),
  );
  return perAccount.flat();
}

/** Undefined when the account's market has no such symbol; as typed when its exchange cannot be reached. */
async function symbolOn(ctx: CommandContext, accountId: string, symbol: string): Promise<string | undefined> {
  try {
    return (await ctx.services.exchanges.for(accountId)).resolveSymbol(symbol);
  } catch (err) {
    return err instanceof UnknownSymbolError ? undefined : symbol;
  }
}

const openCommand = defineCommand({
  name: 'open',
  role: 'trader',
  scope: 'account',
  mutates: true,
  args: { account: accountArg, symbol: symbolRequiredArg, name: vpNameArg, position: positionSideArg },
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
  scope: 'account',
  mutates: false,
  args: { account: accountArg, name: vpNameArg, symbol: flexibleSymbolArg, side: vpSideArg },
  async run(ctx, args) {
    const retry = (added: readonly string[]) =>
      commandLine('vp show', [args.account, args.name, args.symbol, args.side, ...added]);
    const vp = await explainingAmbiguity(retry, () => findVp(ctx, args));
    const mark = await markPrice(ctx, vp).catch(() => undefined);
    const lines = [await vpTable(ctx, [vp])];
    if (mark) {
      const numbers = await accountNumbers(ctx.services, vp.accountId, vp.symbol);
      lines.push(
        ctx.t('vp.unrealized', {
          mark: numbers.price(mark),
          pnl: numbers.money(unrealizedPnl(ledgerOf(vp), mark)),
        }),
      );
    }
    return { text: lines.join('\n') };
  },
});

interface CloseArgs extends VpAddress {
  percent?: Decimal | undefined;
}

/** Closes all of a VP (or a percentage) with a market order on its own account and side. */
const closeCommand = defineCommand({
  name: 'close',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: { account: accountArg, name: vpNameArg, percent: percentArg, symbol: flexibleSymbolArg, side: vpSideArg },
  async describe(ctx, args) {
    const plan = await ctx.services.orders.check(await closeInput(ctx, args));
    return describePlan(ctx.t, plan, await accountNumbers(ctx.services, plan.accountId, plan.symbol));
  },
  async run(ctx, args) {
    const { order, vp } = await ctx.services.orders.place(await closeInput(ctx, args));
    return {
      text: describeResult(ctx.t, order, vp, await accountNumbers(ctx.services, order.accountId, order.symbol)),
    };
  },
});

async function closeInput(ctx: CommandContext, args: CloseArgs) {
  const retry = (added: readonly string[]) =>
    commandLine('vp close', [args.account, args.name, args.percent?.toFixed(), args.symbol, args.side, ...added]);
  const vp = await explainingAmbiguity(retry, () => findVp(ctx, args));
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
