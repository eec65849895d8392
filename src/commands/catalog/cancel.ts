import { z } from 'zod';
import { accountNumbers } from '../format/numbers.ts';
import { defineCommand } from '../types.ts';
import { describeOpenOrder } from './orders.ts';
import { accountArg, symbolArg } from './scope.ts';

/**
 * Cancels one open order — named by the exchange's order id or our client order id — a
 * conditional (TP/SL) order, or a spot TP/SL leg the desk watches (`tp-12`, as /orders lists it).
 * A TP/SL leg is taken off its VP. The symbol is found among the account's open orders when not given.
 */
export const cancelCommand = defineCommand({
  name: 'cancel',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: {
    account: accountArg,
    order: {
      schema: z
        .string()
        .trim()
        .min(1)
        .max(64)
        .regex(/^[\w-]+$/, 'an order id or client order id'),
      descriptionKey: 'args.order',
      example: 'hs1t001_mwq7isw0000m8yt62',
    },
    symbol: symbolArg,
  },
  async describe(ctx, { account, order, symbol }) {
    const view = await ctx.services.openOrders.find(account, order, symbol);
    const numbers = await accountNumbers(ctx.services, account, view.order.symbol);
    return ctx.t('cancel.describe', { account, order: describeOpenOrder(ctx.t, view, numbers) });
  },
  async run(ctx, { account, order: ref, symbol }) {
    const { openOrders } = ctx.services;
    const cancelled = await openOrders.cancel(account, await openOrders.find(account, ref, symbol));
    const numbers = await accountNumbers(ctx.services, account, cancelled.order.symbol);
    return { text: ctx.t('cancel.done', { account, order: describeOpenOrder(ctx.t, cancelled, numbers) }) };
  },
});
