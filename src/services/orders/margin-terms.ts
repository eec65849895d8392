import { Decimal } from 'decimal.js';
import type { OneWayBook } from '../../domain/futures-margin.ts';
import type { AccountExchange, PositionSide } from '../../exchange/types.ts';

/** What a futures order's margin is judged on, as the exchange reports it now. */
export interface MarginTerms {
  /** The account's leverage on the symbol, for the side the order opens. */
  leverage: Decimal;
  /** Margin free for new orders: the futures wallet's available balance of the margin asset. */
  available: Decimal;
  /** One-way mode: the net position and the open orders on the symbol; undefined in hedge mode. */
  oneWay: OneWayBook | undefined;
}

/**
 * Reads the leverage, the available margin and, in one-way mode, the net position and open
 * orders, all at once (reads overlap in the account's lane). Undefined when the exchange leaves
 * a figure out (no leverage, no line for the margin asset): the caller lets the exchange judge.
 */
export async function readMarginTerms(
  exchange: AccountExchange,
  symbol: string,
  openedSide: PositionSide,
  marginAsset: string,
): Promise<MarginTerms | undefined> {
  const hedged = (await exchange.positionMode()) === 'hedge';
  const [leverage, balance, oneWay] = await Promise.all([
    exchange.fetchLeverage(symbol, openedSide),
    exchange.fetchBalance(),
    hedged ? Promise.resolve(undefined) : oneWayBook(exchange, symbol),
  ]);
  const available = balance.find((line) => line.asset === marginAsset)?.free;
  if (leverage === undefined || available === undefined) return undefined;
  return { leverage: new Decimal(leverage), available, oneWay };
}

async function oneWayBook(exchange: AccountExchange, symbol: string): Promise<OneWayBook> {
  const [positions, orders] = await Promise.all([exchange.fetchPositions(), exchange.fetchOpenOrders(symbol)]);
  const position = positions
    .filter((p) => p.symbol === symbol)
    .reduce((net, p) => (p.side === 'LONG' ? net.plus(p.contracts) : net.minus(p.contracts)), new Decimal(0));
  let bidValue = new Decimal(0);
  let askValue = new Decimal(0);
  // Reduce-only orders hold no margin; an open order with no price (a market order in flight) is left out.
  for (const order of orders) {
    if (order.reduceOnly || !order.price) continue;
    const value = order.remaining.times(order.price);
    if (order.side === 'buy') bidValue = bidValue.plus(value);
    else askValue = askValue.plus(value);
  }
  return { position, bidValue, askValue };
}
