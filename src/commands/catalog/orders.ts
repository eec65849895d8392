import { formatAmount } from '../../domain/valuation.ts';
import type { ExchangeOrder } from '../../exchange/types.ts';
import type { Translate } from '../../i18n/index.ts';
import { defineCommand } from '../types.ts';
import { accountOrAllArg, replyPerAccount, symbolArg } from './scope.ts';

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
  run: (ctx, { account, symbol }) =>
    replyPerAccount(
      ctx,
      account,
      (exchange) => exchange.fetchOpenOrders(symbol ? exchange.resolveSymbol(symbol) : undefined),
      (a, orders) => {
        const head = ctx.t('orders.account', { account: a.id, count: orders.length });
        return [head, ...orders.map((o) => `  ${describeOrder(ctx.t, o)}`)].join('\n');
      },
    ),
});
