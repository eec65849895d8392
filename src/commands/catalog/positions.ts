import { formatAmount } from '../../domain/valuation.ts';
import type { ExchangePosition } from '../../exchange/types.ts';
import type { Translate } from '../../i18n/index.ts';
import type { AccountView } from '../../services/accounts.ts';
import { defineCommand } from '../types.ts';
import { accountOrAllArg, replyPerAccount } from './scope.ts';

function renderPositions(t: Translate, account: AccountView, positions: ExchangePosition[]): string {
  const head = t('positions.account', { account: account.id, exchange: account.exchange, market: account.market });
  if (positions.length === 0) return `${head}\n  ${t('positions.none')}`;
  const rows = positions.map((p) =>
    t('positions.line', {
      symbol: p.symbol,
      side: p.side,
      qty: formatAmount(p.contracts),
      entry: formatAmount(p.entryPrice),
      mark: p.markPrice ? formatAmount(p.markPrice) : '—',
      pnl: p.unrealizedPnl ? formatAmount(p.unrealizedPnl, 2) : '—',
    }),
  );
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
          ? { kind: 'futures' as const, positions: await exchange.fetchPositions() }
          : { kind: 'spot' as const, holdings: await exchange.fetchBalance() },
      (a, value) => {
        if (value.kind === 'futures') return renderPositions(ctx.t, a, value.positions);
        const held = value.holdings.filter((l) => !l.total.isZero());
        const head = ctx.t('positions.holdings', { account: a.id, exchange: a.exchange });
        const rows = held.map((l) => `  ${l.asset} ${formatAmount(l.total)}`);
        return [head, ...(rows.length > 0 ? rows : [`  ${ctx.t('balance.empty')}`])].join('\n');
      },
      { showsBalances: true },
    ),
});
