import { formatAmount } from '../../domain/valuation.ts';
import type { ExchangeOrder } from '../../exchange/types.ts';
import type { Translate } from '../../i18n/index.ts';
import { defineCommand } from '../types.ts';
import { accountOrAllArg, accountsInScope, perAccount, symbolArg } from './scope.ts';

export function describeOrder(t: Translate, o: ExchangeOrder): string {
  return t('orders.line', {
    id: o.id,
    clientId: o.clientOrderId ?? '—',
    symbol: o.symbol,
    side: o.positionSide ? `${o.side} ${o.positionSide}` : o.side,
    type: o.type,
    amount: formatAmount(o.amount),
    filled: formatAmount(o.filled),
    price: o.price ? formatAmount(o.price) : o.triggerPrice ? `@${formatAmount(o.triggerPrice)}` : t('orders.market'),
    status: o.status,
  });
}

export const ordersCommand = defineCommand({
  name: 'orders',
  role: 'trader',
  mutates: false,
  args: { account: accountOrAllArg, symbol: symbolArg },
  async run(ctx, { account, symbol }) {
    const accounts = await accountsInScope(ctx, account);
    if (accounts.length === 0) return { text: ctx.t('accounts.none') };
    const blocks = await perAccount(
      ctx,
      accounts,
      async (a) => {
        const exchange = await ctx.services.exchanges.for(a.id);
        return exchange.fetchOpenOrders(symbol ? exchange.resolveSymbol(symbol) : undefined);
      },
      (a, orders) => {
        const head = ctx.t('orders.account', { account: a.id, count: orders.length });
        return [head, ...orders.map((o) => `  ${describeOrder(ctx.t, o)}`)].join('\n');
      },
    );
    return { text: blocks.join('\n\n') };
  },
});
