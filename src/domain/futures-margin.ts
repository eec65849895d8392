import { Decimal } from 'decimal.js';

/** One-way mode's one net position on a symbol, and the open orders that may add to it. */
export interface OneWayBook {
  /** The net position's notional at the mark price, signed (long > 0), in quote: Binance values it so. */
  positionValue: Decimal;
  /** What the open orders that are not reduce-only would buy and sell, at their prices, in quote. */
  bidValue: Decimal;
  askValue: Decimal;
}

/** A futures order that opens exposure, as the margin it needs is judged before confirming. */
export interface MarginOrder {
  side: 'buy' | 'sell';
  /** Base quantity, as it will be sent. */
  amount: Decimal;
  /** What the order is judged at: its limit price, or the last price read while fitting it. */
  price: Decimal;
  /** The account's leverage on the symbol, for the side the order opens. */
  leverage: Decimal;
  /** One-way mode; undefined in hedge mode, where an opening order adds all of itself to its side. */
  oneWay?: OneWayBook | undefined;
}

export type MarginVerdict =
  { ok: true; needed: Decimal } | { ok: false; needed: Decimal; available: Decimal; leverage: Decimal };

/**
 * Binance's one-way margin requirement of a symbol, times the leverage: "Max(Abs(Position
 * Notional Value + Bid Order Value), Abs(Position Notional Value - Ask Order Value))", the
 * position at the mark price and the orders at their limit prices.
 */
function oneWayExposure(position: Decimal, bids: Decimal, asks: Decimal): Decimal {
  return Decimal.max(position.plus(bids).abs(), position.minus(asks).abs());
}

/**
 * The initial margin an order needs available: the exposure it adds, at its price, over the
 * leverage. In hedge mode that is all of it. In one-way mode it is what the order adds to the
 * requirement above (the position at the mark, the order at its own price), so an order against
 * the position adds nothing until its value goes past twice the position's: one that only
 * reduces, or flips to no more than the position was worth, needs no margin at all. The fee and
 * Binance's "open loss" of a price worse than the mark are left out: the estimate asks no more
 * than the exchange does, and where it is short the exchange still refuses.
 */
export function initialMarginNeeded(order: MarginOrder): Decimal {
  const value = order.amount.times(order.price);
  let added = value;
  if (order.oneWay) {
    const { positionValue: position, bidValue: bids, askValue: asks } = order.oneWay;
    const before = oneWayExposure(position, bids, asks);
    const after =
      order.side === 'buy'
        ? oneWayExposure(position, bids.plus(value), asks)
        : oneWayExposure(position, bids, asks.plus(value));
    added = after.minus(before);
  }
  if (!added.greaterThan(0) || !order.leverage.greaterThan(0)) return new Decimal(0);
  return added.div(order.leverage);
}

/** Whether the margin the order needs is available; refused with the figures to name otherwise. Pure. */
export function checkMargin(order: MarginOrder, available: Decimal): MarginVerdict {
  const needed = initialMarginNeeded(order);
  if (needed.isZero() || available.greaterThanOrEqualTo(needed)) return { ok: true, needed };
  return { ok: false, needed, available, leverage: order.leverage };
}
