import { term, type Translate } from '../../i18n/index.ts';
import type { ExchangeOrder } from '../../exchange/types.ts';
import type { OpenOrderView } from '../../services/open-orders.ts';
import { numbersOn, type MarketNumbers } from '../format/numbers.ts';
import { defineCommand } from '../types.ts';
import { accountOrAllArg, replyPerAccount, symbolArg } from './scope.ts';

export function describeOrder(t: Translate, o: ExchangeOrder, numbers: MarketNumbers): string {
  const side = term(t, 'side', o.side);
  return t('orders.line', {
    id: o.id,
    clientId: o.clientOrderId ?? '—',
    symbol: o.symbol,
    side: o.positionSide ? `${side} ${term(t, 'position_side', o.positionSide)}` : side,
    type: o.type,
    amount: numbers.quantity(o.amount),
    filled: numbers.quantity(o.filled),
    price: o.price ? numbers.price(o.price) : o.triggerPrice ? `@${numbers.price(o.triggerPrice)}` : t('orders.market'),
    status: o.status,
  });
}

/** One open order as /orders lists it: what it is, and the VP (and TP/SL leg) it belongs to. */
export function describeOpenOrder(t: Translate, view: OpenOrderView, numbers: MarketNumbers): string {
  const line =
    view.kind === 'watched'
      ? t('orders.watched_line', {
          ref: view.ref,
          symbol: view.order.symbol,
          side: view.order.side,
          leg: t(`tpsl.leg.${view.leg ?? 'tp'}`),
          amount: numbers.quantity(view.order.amount),
          trigger: view.order.triggerPrice ? numbers.price(view.order.triggerPrice) : '—',
        })
      : describeOrder(t, view.order, numbers);
  if (!view.vp) return line;
  const vp = view.leg
    ? t('orders.of_vp_leg', { vp: view.vp.name, side: view.vp.positionSide, leg: t(`tpsl.leg.${view.leg}`) })
    : t('orders.of_vp', { vp: view.vp.name, side: view.vp.positionSide });
  return `${line} · ${vp}`;
}

/** Open orders, conditional (TP/SL) orders and the spot TP/SL legs the desk watches, per account. */
export const ordersCommand = defineCommand({
  name: 'orders',
  role: 'trader',
  scope: 'visible',
  mutates: false,
  args: { account: accountOrAllArg, symbol: symbolArg },
  run: (ctx, { account, symbol }) =>
    replyPerAccount(
      ctx,
      account,
      async (exchange, a) => ({ exchange, views: await ctx.services.openOrders.list(a.id, symbol) }),
      (a, { exchange, views }) => {
        const head = ctx.t('orders.account', { account: a.id, count: views.length });
        const lines = views.map((v) => `  ${describeOpenOrder(ctx.t, v, numbersOn(exchange, v.order.symbol))}`);
        return [head, ...lines].join('\n');
      },
    ),
});
