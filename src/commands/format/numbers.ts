import { marketNumbers, type MarketNumbers } from '../../domain/display-number.ts';
import type { AccountExchange } from '../../exchange/types.ts';
import type { Services } from '../../services/index.ts';

export { marketNumbers, type MarketNumbers };

/** The numbers of `symbol` on this exchange account's market. */
export function numbersOn(exchange: AccountExchange, symbol: string): MarketNumbers {
  return marketNumbers(symbol, exchange.precisionOf(symbol));
}

/**
 * The numbers of `symbol` on an account's market. An account whose exchange cannot be reached
 * still gets its figures, by the asset defaults.
 */
export async function accountNumbers(
  services: Pick<Services, 'exchanges'>,
  accountId: string,
  symbol: string,
): Promise<MarketNumbers> {
  try {
    return numbersOn(await services.exchanges.for(accountId), symbol);
  } catch {
    return marketNumbers(symbol);
  }
}
