import type { Decimal } from 'decimal.js';
import type { FitAdjustment } from '../../domain/market-filters.ts';
import type { Order, VirtualPosition } from '../../generated/prisma/client.ts';
import type { Translate } from '../../i18n/index.ts';
import type { OrderPlan, PlaceOrderInput } from '../../services/orders/order-service.ts';
import { fromColumn } from '../../services/orders/decimal-columns.ts';
import { accountNumbers, type MarketNumbers } from '../format/numbers.ts';
import { defineCommand } from '../types.ts';
import { accountArg } from './scope.ts';
import { amountArg, positionSideArg, priceArg, reduceArg, sideArg, vpArg } from './trading-args.ts';
import { symbolRequiredArg } from './trading-symbol.ts';

interface OrderArgs {
  account: string;
  symbol: string;
  side: 'buy' | 'sell';
  amount: { quote: boolean; value: Decimal };
  price?: Decimal | undefined;
  position?: 'long' | 'short' | undefined;
  reduce?: 'reduce' | undefined;
  vp?: string | undefined;
}

function inputOf(args: OrderArgs, userId: number | undefined): PlaceOrderInput {
  return {
    accountId: args.account,
    symbol: args.symbol,
    side: args.side,
    type: args.price ? 'limit' : 'market',
    ...(args.amount.quote ? { cost: args.amount.value } : { amount: args.amount.value }),
    ...(args.price ? { price: args.price } : {}),
    ...(args.vp ? { vpName: args.vp } : {}),
    ...(args.position ? { positionSide: args.position === 'long' ? ('LONG' as const) : ('SHORT' as const) } : {}),
    ...(args.reduce ? { reduce: true } : {}),
    ...(userId !== undefined ? { userId } : {}),
  };
}

export function describePlan(t: Translate, plan: OrderPlan, numbers: MarketNumbers): string {
  const size = plan.cost ? `${numbers.money(plan.cost)} USDT` : numbers.quantity(plan.amount ?? fromColumn('0'));
  const line = t('order.plan', {
    account: plan.accountId,
    side: plan.side,
    size,
    symbol: plan.symbol,
    positionSide: plan.positionSide,
    effect: t(plan.increases ? 'order.opens' : 'order.reduces'),
    price: plan.price ? numbers.price(plan.price) : t('orders.market'),
    vp: plan.vpName,
  });
  return [line, ...adjustmentLines(t, plan)].join('\n');
}

/** What fitting the order to its market changed: the trader confirms the figures that are sent. */
function adjustmentLines(t: Translate, plan: OrderPlan): string[] {
  const notes: [string, FitAdjustment | undefined][] = [
    ['order.rounded_amount', plan.adjusted?.amount],
    ['order.rounded_cost', plan.adjusted?.cost],
    ['order.rounded_price', plan.adjusted?.price],
  ];
  return notes.flatMap(([key, change]) =>
    change ? [t(key, { step: change.step.toFixed(), from: change.from.toFixed(), to: change.to.toFixed() })] : [],
  );
}

export function describeResult(t: Translate, order: Order, vp: VirtualPosition | null, numbers: MarketNumbers): string {
  const lines = [
    t('order.result', {
      account: order.accountId,
      id: order.exchangeOrderId ?? '—',
      clientId: order.clientOrderId,
      status: order.status,
      filled: numbers.quantity(fromColumn(order.filledQty)),
      avg: order.avgPrice ? numbers.price(fromColumn(order.avgPrice)) : '—',
    }),
  ];
  if (order.status === 'UNKNOWN') lines.push(t('order.in_doubt'));
  if (vp) {
    lines.push(
      t('order.vp_after', {
        vp: vp.name,
        qty: numbers.holding(fromColumn(vp.netQty)),
        avg: numbers.price(fromColumn(vp.avgEntry)),
        realized: numbers.money(fromColumn(vp.realizedPnl)),
      }),
    );
  }
  return lines.join('\n');
}

export const orderCommand = defineCommand({
  name: 'order',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: {
    account: accountArg,
    symbol: symbolRequiredArg,
    side: sideArg,
    amount: amountArg,
    price: priceArg,
    position: positionSideArg,
    reduce: reduceArg,
    vp: vpArg,
  },
  async describe(ctx, args) {
    const plan = await ctx.services.orders.check(inputOf(args, ctx.caller.userId));
    return describePlan(ctx.t, plan, await accountNumbers(ctx.services, plan.accountId, plan.symbol));
  },
  async run(ctx, args) {
    const { order, vp } = await ctx.services.orders.place(inputOf(args, ctx.caller.userId));
    return {
      text: describeResult(ctx.t, order, vp, await accountNumbers(ctx.services, order.accountId, order.symbol)),
    };
  },
});
