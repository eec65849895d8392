import { z } from 'zod';
import type { Difference } from '../../domain/reconciliation.ts';
import type { PositionSide } from '../../domain/vp-ledger.ts';
import { term, type Translate } from '../../i18n/index.ts';
import type { AcceptInput, AssignInput, ReconcileReport } from '../../services/reconciliation.ts';
import { fromColumn } from '../../services/orders/decimal-columns.ts';
import { accountNumbers, marketNumbers } from '../format/numbers.ts';
import { monospaceTable } from '../format/table.ts';
import { defineCommand, type CommandContext, type CommandGroup } from '../types.ts';
import { accountArg, accountOrAllArg, replyPerAccount } from './scope.ts';
import { decimalSchema, vpNameSchema } from './trading-args.ts';
import { symbolArg, symbolRequiredArg } from './trading-symbol.ts';

const sideArg = { schema: z.enum(['long', 'short']), descriptionKey: 'args.reconcile_side' };
const qtyArg = { schema: decimalSchema.optional(), descriptionKey: 'args.reconcile_qty', example: '0.005' };

function positionSide(side: 'long' | 'short'): PositionSide {
  return side === 'short' ? 'SHORT' : 'LONG';
}

function differenceTable(t: Translate, differences: readonly Difference[]): string {
  return monospaceTable(
    t('reconcile.columns').split('|'),
    differences.map((d) => {
      const { holding } = marketNumbers(d.symbol);
      return [
        d.symbol,
        term(t, 'position_side', d.side),
        holding(d.exchangeQty),
        holding(d.vpQty),
        holding(d.acceptedQty),
        holding(d.diff),
        holding(d.explainedByExternal),
        holding(d.unexplained),
        t(`reconcile.cause.${d.likelyCause}`),
      ];
    }),
  );
}

/** `0.1 BTC/USDT LONG, 0.2 ETH/USDT LONG`: what was accepted as held outside the VPs. */
function acceptedList(t: Translate, accepted: ReconcileReport['accepted']): string {
  const one = (a: ReconcileReport['accepted'][number]) =>
    `${marketNumbers(a.symbol).holding(a.qty)} ${a.symbol} ${term(t, 'position_side', a.side)}`;
  return accepted.map(one).join(', ');
}

/** `/reconcile [account] [symbol]` (also `/reconcile show …`): the differences, one table per account. */
const showCommand = defineCommand({
  name: 'show',
  role: 'trader',
  scope: 'visible',
  mutates: false,
  args: { account: accountOrAllArg, symbol: symbolArg },
  run: (ctx, { account, symbol }) =>
    replyPerAccount(
      ctx,
      account,
      (_exchange, a) => ctx.services.reconciliation.report(a.id, symbol),
      (a, { differences, accepted }) => {
        const head = { account: a.id, exchange: a.exchange, market: a.market };
        const outside =
          accepted.length > 0 ? [ctx.t('reconcile.accepted_outside', { list: acceptedList(ctx.t, accepted) })] : [];
        if (differences.length === 0) return [ctx.t('reconcile.agree', head), ...outside].join('\n');
        return [
          ctx.t('reconcile.account', { ...head, count: String(differences.length) }),
          differenceTable(ctx.t, differences),
          ctx.t('reconcile.hint', { account: a.id }),
          ...outside,
        ].join('\n');
      },
    ),
});

function assignInput(args: {
  account: string;
  symbol: string;
  side: 'long' | 'short';
  vp: string;
  qty?: AssignInput['qty'];
  price?: AssignInput['price'];
}): AssignInput {
  return {
    accountId: args.account,
    symbol: args.symbol,
    side: positionSide(args.side),
    vpName: args.vp,
    qty: args.qty,
    price: args.price,
  };
}

/** After settling: does the (symbol, side) agree now? */
async function sideAfter(ctx: CommandContext, accountId: string, symbol: string, side: PositionSide): Promise<string> {
  const left = (await ctx.services.reconciliation.differences(accountId, symbol)).find((d) => d.side === side);
  const { holding } = marketNumbers(symbol);
  return left
    ? ctx.t('reconcile.side_differs', {
        symbol,
        side,
        diff: holding(left.diff),
        unexplained: holding(left.unexplained),
      })
    : ctx.t('reconcile.side_agrees', { symbol, side });
}

/** `/reconcile assign …`: moves a difference into a VP as a ledger adjustment; nothing is sent to the exchange. */
const assignCommand = defineCommand({
  name: 'assign',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: {
    account: accountArg,
    symbol: symbolRequiredArg,
    side: sideArg,
    vp: { schema: vpNameSchema, descriptionKey: 'args.reconcile_vp', example: 'alpha', complete: 'vp' },
    qty: qtyArg,
    price: { schema: decimalSchema.optional(), descriptionKey: 'args.reconcile_price', example: '60000' },
  },
  async describe(ctx, args) {
    const plan = await ctx.services.reconciliation.planAssign(assignInput(args));
    const numbers = await accountNumbers(ctx.services, plan.accountId, plan.symbol);
    const params = {
      account: plan.accountId,
      qty: numbers.holding(plan.qty),
      symbol: plan.symbol,
      side: plan.side,
      price: numbers.price(plan.price),
      vp: plan.vpName,
      state: ctx.t(plan.vpExists ? 'reconcile.vp_existing' : 'reconcile.vp_new'),
    };
    const lines = [ctx.t(plan.adds ? 'reconcile.assign_add' : 'reconcile.assign_reduce', params)];
    if (plan.consumesExternal.greaterThan(0)) {
      lines.push(ctx.t('reconcile.consumes', { qty: numbers.holding(plan.consumesExternal) }));
    }
    if (plan.consumesAccepted.greaterThan(0)) {
      lines.push(ctx.t('reconcile.consumes_accepted', { qty: numbers.holding(plan.consumesAccepted) }));
    }
    return lines.join('\n');
  },
  async run(ctx, args) {
    const { plan, vp } = await ctx.services.reconciliation.assign(assignInput(args));
    const numbers = await accountNumbers(ctx.services, plan.accountId, plan.symbol);
    const done = ctx.t('reconcile.assigned', {
      account: plan.accountId,
      vp: vp.name,
      qty: numbers.holding(fromColumn(vp.netQty)),
      avg: numbers.price(fromColumn(vp.avgEntry)),
      realized: numbers.money(fromColumn(vp.realizedPnl)),
    });
    return { text: [done, await sideAfter(ctx, plan.accountId, plan.symbol, plan.side)].join('\n') };
  },
});

function acceptInput(args: { account: string; symbol: string; side: 'long' | 'short'; qty?: AcceptInput['qty'] }) {
  return { accountId: args.account, symbol: args.symbol, side: positionSide(args.side), qty: args.qty };
}

/** `/reconcile accept …`: records a difference as external, so it no longer counts as unexplained. */
const acceptCommand = defineCommand({
  name: 'accept',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: { account: accountArg, symbol: symbolRequiredArg, side: sideArg, qty: qtyArg },
  async describe(ctx, args) {
    const plan = await ctx.services.reconciliation.planAccept(acceptInput(args));
    return ctx.t('reconcile.accept_plan', {
      account: plan.accountId,
      qty: marketNumbers(plan.symbol).holding(plan.qty),
      symbol: plan.symbol,
      side: plan.side,
    });
  },
  async run(ctx, args) {
    const plan = await ctx.services.reconciliation.accept(acceptInput(args));
    const done = ctx.t('reconcile.accepted', {
      account: plan.accountId,
      qty: marketNumbers(plan.symbol).holding(plan.qty),
      symbol: plan.symbol,
      side: plan.side,
    });
    return { text: [done, await sideAfter(ctx, plan.accountId, plan.symbol, plan.side)].join('\n') };
  },
});

export const reconcileGroup: CommandGroup = {
  name: 'reconcile',
  defaultSubcommand: 'show',
  subcommands: [showCommand, assignCommand, acceptCommand],
};
