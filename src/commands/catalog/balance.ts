import type { Decimal } from 'decimal.js';
import { displayHolding, displayMoney } from '../../domain/display-number.ts';
import { valueInUsdt } from '../../domain/valuation.ts';
import type { BalanceLine } from '../../exchange/types.ts';
import type { Translate } from '../../i18n/index.ts';
import type { AccountView } from '../../services/accounts.ts';
import { defineCommand } from '../types.ts';
import { accountOrAllArg, replyPerAccount } from './scope.ts';

interface AccountBalance {
  lines: BalanceLine[];
  prices: ReadonlyMap<string, Decimal>;
}

function renderBalance(t: Translate, account: AccountView, { lines, prices }: AccountBalance): string {
  const held = lines.filter((l) => !l.total.isZero());
  const head = t('balance.account', {
    account: account.id,
    exchange: account.exchange,
    market: account.market,
    env: account.env,
  });
  if (held.length === 0) return `${head}\n  ${t('balance.empty')}`;
  const rows = held.map((l) =>
    t('balance.line', {
      asset: l.asset,
      free: displayHolding(l.free, l.asset),
      locked: displayHolding(l.locked, l.asset),
    }),
  );
  const { totalUsdt, unpriced } = valueInUsdt(held, prices);
  const total = t('balance.total', { total: displayMoney(totalUsdt) });
  const note = unpriced.length > 0 ? ` ${t('balance.unpriced', { assets: unpriced.join(', ') })}` : '';
  return [head, ...rows.map((r) => `  ${r}`), `  ${total}${note}`].join('\n');
}

export const balanceCommand = defineCommand({
  name: 'balance',
  aliases: ['bal'],
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: { account: accountOrAllArg },
  run: (ctx, { account }) =>
    replyPerAccount(
      ctx,
      account,
      async (exchange) => {
        const lines = await exchange.fetchBalance();
        const prices = await exchange.fetchUsdtPrices(lines.filter((l) => !l.total.isZero()).map((l) => l.asset));
        return { lines, prices };
      },
      (a, value) => renderBalance(ctx.t, a, value),
      { showsBalances: true },
    ),
});
