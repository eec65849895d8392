import { displayHolding } from '../../domain/display-number.ts';
import type { AccountExchange, ExchangePosition } from '../../exchange/types.ts';
import type { Translate } from '../../i18n/index.ts';
import type { AccountView } from '../../services/accounts.ts';
import { numbersOn } from '../format/numbers.ts';
import { defineCommand } from '../types.ts';
import { accountOrAllArg, replyPerAccount } from './scope.ts';

function renderPositions(
  t: Translate,
  account: AccountView,
  exchange: AccountExchange,
  positions: ExchangePosition[],
): string {
  const head = t('positions.account', { account: account.id, exchange: account.exchange, market: account.market });
  if (positions.length === 0) return `${head}\n  ${t('positions.none')}`;
  const rows = positions.map((p) => {
    const numbers = numbersOn(exchange, p.symbol);
    return t('positions.line', {
      symbol: p.symbol,
      side: p.side,
      qty: numbers.quantity(p.contracts),
      entry: numbers.price(p.entryPrice),
      mark: p.markPrice ? numbers.price(p.markPrice) : '—',
      pnl: p.unrealizedPnl ? numbers.money(p.unrealizedPnl) : '—',
    });
  });
  return [head, ...rows.map((r) => `  ${r}`)].join('\n');
}

/** Futures positions; spot accounts show their holdings, which is what "position" means there. */
export const positionsCommand = defineCommand({
  name: 'positions',
  aliases: ['pos'],
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: { account: accountOrAllArg },
  run: (ctx, { account }) =>
    replyPerAccount(
      ctx,
      account,
      async (exchange, a) =>
        a.market === 'usdm'
          ? { kind: 'futures' as const, exchange, positions: await exchange.fetchPositions() }
          : { kind: 'spot' as const, holdings: await exchange.fetchBalance() },
      (a, value) => {
        if (value.kind === 'futures') return renderPositions(ctx.t, a, value.exchange, value.positions);
        const held = value.holdings.filter((l) => !l.total.isZero());
        const head = ctx.t('positions.holdings', { account: a.id, exchange: a.exchange });
        const rows = held.map((l) => `  ${l.asset} ${displayHolding(l.total, l.asset)}`);
        return [head, ...(rows.length > 0 ? rows : [`  ${ctx.t('balance.empty')}`])].join('\n');
      },
      { showsBalances: true },
    ),
});
