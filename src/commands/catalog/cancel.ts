import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { defineCommand } from '../types.ts';
import { describeOrder } from './orders.ts';
import { accountArg, symbolArg } from './scope.ts';

/**
 * Cancels one open order, named by the exchange's order id or by our client order id; the
 * symbol is found among the account's open orders when not given.
 */
export const cancelCommand = defineCommand({
  name: 'cancel',
  role: 'trader',
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
  describe: ({ t }, { account, order }) => t('cancel.describe', { account, order }),
  async run(ctx, { account, order: ref, symbol: symbolInput }) {
    const exchange = await ctx.services.exchanges.for(account);
    const symbol = symbolInput ? exchange.resolveSymbol(symbolInput) : undefined;
    const open = await exchange.fetchOpenOrders(symbol);
    const target = open.find((o) => o.id === ref || o.clientOrderId === ref);
    if (!target) throw new NotFoundError('cancel.not_open', { account, order: ref });
    const byClientId = target.clientOrderId === ref;
    // Through the book: the order's row is CANCELED from the answer, whatever its stream says later.
    const cancelled = await ctx.services.orders.cancel(
      account,
      target.symbol,
      byClientId ? { clientOrderId: ref } : { id: ref },
    );
    return { text: ctx.t('cancel.done', { account, order: describeOrder(ctx.t, cancelled) }) };
  },
});
