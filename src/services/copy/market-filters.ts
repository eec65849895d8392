import type { MarketInterface } from 'ccxt';
import type { MarketFilters } from '../../domain/copy-sizing.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import type { ClientSpec } from '../../exchange/endpoints.ts';
import { decimalOf } from '../../exchange/normalize.ts';
import type { AccountView } from '../accounts.ts';

/**
 * A follower market's lot size and minimums, from the markets the exchange layer already loaded
 * for that (exchange, market, env): checked before sending, so a small follower hears "skipped:
 * below minimum" instead of an exchange refusal. ccxt gives steps as tick sizes (TICK_SIZE mode
 * on Binance and Bitget); a Binance market buy by quote is truncated to the price precision.
 */
export async function marketFiltersOf(
  exchanges: ExchangeClients,
  account: Pick<AccountView, 'exchange' | 'market' | 'env'>,
  symbol: string,
): Promise<MarketFilters> {
  const spec: ClientSpec = { exchange: account.exchange, market: account.market, env: account.env };
  const source = await exchanges.markets.sourceFor(spec);
  const market = (source.markets as Record<string, MarketInterface | undefined>)[symbol];
  const positive = (value: unknown) => {
    const d = decimalOf(value);
    return d?.greaterThan(0) ? d : undefined;
  };
  return {
    amountStep: positive(market?.precision.amount),
    quoteStep: positive(market?.precision.price),
    minAmount: positive(market?.limits.amount?.min),
    minNotional: positive(market?.limits.cost?.min),
  };
}
