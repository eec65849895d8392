import type { MarketInterface } from 'ccxt';
import type { MarketFilters } from '../domain/market-filters.ts';
import type { ExchangeClients } from './clients.ts';
import type { ClientSpec } from './endpoints.ts';
import { decimalOf } from './normalize.ts';

/**
 * A market's lot size, minimums and maximums and price filter, from the markets the exchange
 * layer already loaded for its (exchange, market, env): orders are fitted to them before anything
 * asks to confirm, and a small copy hears "skipped: below minimum" instead of an exchange refusal.
 * ccxt gives steps as tick sizes (TICK_SIZE mode on Binance and Bitget); a Binance market buy by
 * quote is truncated to the price precision.
 */
export async function marketFiltersOf(
  exchanges: ExchangeClients,
  spec: ClientSpec,
  symbol: string,
): Promise<MarketFilters> {
  const source = await exchanges.markets.sourceFor({ exchange: spec.exchange, market: spec.market, env: spec.env });
  return filtersOfMarket((source.markets as Record<string, MarketInterface | undefined>)[symbol]);
}

/** A zero or missing figure is a filter the exchange does not enforce (Bitget spot's minimum quantity of 0). */
export function filtersOfMarket(market: MarketInterface | undefined): MarketFilters {
  const positive = (value: unknown) => {
    const d = decimalOf(value);
    return d?.greaterThan(0) ? d : undefined;
  };
  return {
    amountStep: positive(market?.precision.amount),
    quoteStep: positive(market?.precision.price),
    minAmount: positive(market?.limits.amount?.min),
    minNotional: positive(market?.limits.cost?.min),
    maxAmount: positive(market?.limits.amount?.max),
    maxMarketAmount: positive((market?.limits as { market?: { max?: unknown } } | undefined)?.market?.max),
    maxNotional: positive(market?.limits.cost?.max),
    priceTick: positive(market?.precision.price),
    minPrice: positive(market?.limits.price?.min),
    maxPrice: positive(market?.limits.price?.max),
  };
}
