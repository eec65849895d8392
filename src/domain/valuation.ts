import { Decimal } from 'decimal.js';

/** Assets counted at 1 USDT without a price lookup. */
export const USD_STABLES = new Set(['USDT', 'USDC', 'FDUSD', 'BUSD']);

export interface Valued {
  totalUsdt: Decimal;
  /** Assets held that had no USDT price, left out of the total (never guessed). */
  unpriced: string[];
}

/** Sums holdings in USDT at the given prices (asset → price in USDT). */
export function valueInUsdt(
  holdings: { asset: string; total: Decimal }[],
  prices: ReadonlyMap<string, Decimal>,
): Valued {
  let totalUsdt = new Decimal(0);
  const unpriced: string[] = [];
  for (const { asset, total } of holdings) {
    if (total.isZero()) continue;
    const price = USD_STABLES.has(asset) ? new Decimal(1) : prices.get(asset);
    if (price) totalUsdt = totalUsdt.plus(total.times(price));
    else unpriced.push(asset);
  }
  return { totalUsdt, unpriced };
}
