import { Decimal } from 'decimal.js';
import type { OneWayBook } from '../../domain/futures-margin.ts';
import type { AccountExchange, PositionSide } from '../../exchange/types.ts';

/** What a futures order's margin is judged on, as the exchange reports it now. */
export interface MarginTerms {
  /** The account's leverage on the symbol, for the side the order opens. */
  leverage: Decimal;
  /** Margin an opening order may use, as the exchange counts it (0 when the wallet holds none). */
  available: Decimal;
  /** One-way mode: the net position and the open orders on the symbol; undefined in hedge mode. */
  oneWay: OneWayBook | undefined;
}

/**
 * Reads the leverage, the available margin and, in one-way mode, the net position and open
 * orders, all at once (reads overlap in the account's lane). A reason instead when the exchange
 * leaves a figure out (no leverage, a position without its mark price): the caller lets the
 * exchange judge.
 */
export async function readMarginTerms(
  exchange: AccountExchange,
  symbol: string,
  openedSide: PositionSide,
): Promise<MarginTerms | string> {
  const hedged = (await exchange.positionMode()) === 'hedge';
  const [{ leverage, available }, oneWay] = await Promise.all([
    exchange.fetchOpeningMargin(symbol, openedSide),
    hedged ? Promise.resolve(undefined) : oneWayBook(exchange, symbol),
  ]);
  if (leverage === undefined) return 'the exchange gave no leverage';
  if (oneWay === 'no mark') return 'the exchange gave no mark price for the position';
  return { leverage: new Decimal(leverage), available, oneWay };
}

async function oneWayBook(exchange: AccountExchange, symbol: string): Promise<OneWayBook | 'no mark'> {
  const [positions, orders] = await Promise.all([exchange.fetchPositions(), exchange.fetchOpenOrders(symbol)]);
  // Binance values the position at the mark, whatever price the order is judged at.
  let positionValue = new Decimal(0);
  for (const position of positions.filter((p) => p.symbol === symbol)) {
    if (!position.markPrice) return 'no mark';
    const value = position.contracts.times(position.markPrice);
    positionValue = position.side === 'LONG' ? positionValue.plus(value) : positionValue.minus(value);
  }
  let bidValue = new Decimal(0);
  let askValue = new Decimal(0);
  // Reduce-only orders hold no margin; an open order with no price (a market order in flight) is left out.
  for (const order of orders) {
    if (order.reduceOnly || !order.price) continue;
    const value = order.remaining.times(order.price);
    if (order.side === 'buy') bidValue = bidValue.plus(value);
    else askValue = askValue.plus(value);
  }
  return { positionValue, bidValue, askValue };
}
