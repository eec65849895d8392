import { dec, Dec, str, ZERO } from './decimal.ts';
import type { Position, PositionSide } from './types.ts';

export interface PositionChange {
  amount: Dec;
  entryPrice: Dec;
  /** Profit realized by the part of the fill that reduced the position (before fees). */
  realized: Dec;
}

/**
 * Applies a signed fill (buy positive, sell negative) to a signed position. Adding keeps a
 * quantity-weighted average entry; reducing realizes (exit − entry) × closed quantity in the
 * position's direction; crossing through zero opens the remainder at the fill price.
 */
export function applyFill(amount: Dec, entryPrice: Dec, signedQty: Dec, price: Dec): PositionChange {
  if (amount.isZero() || amount.isPositive() === signedQty.isPositive()) {
    const total = amount.add(signedQty);
    const weighted = amount.abs().mul(entryPrice).add(signedQty.abs().mul(price));
    return { amount: total, entryPrice: weighted.div(total.abs()).toDecimalPlaces(8), realized: ZERO };
  }
  const closed = Dec.min(amount.abs(), signedQty.abs());
  const direction = amount.isPositive() ? 1 : -1;
  const realized = price.sub(entryPrice).mul(closed).mul(direction);
  const total = amount.add(signedQty);
  if (total.isZero()) return { amount: total, entryPrice: ZERO, realized };
  const flipped = total.isPositive() !== amount.isPositive();
  return { amount: total, entryPrice: flipped ? price : entryPrice, realized };
}

export function positionKey(symbol: string, positionSide: PositionSide): string {
  return `${symbol}:${positionSide}`;
}

export function emptyPosition(symbol: string, positionSide: PositionSide, now: number): Position {
  return { symbol, positionSide, amount: '0', entryPrice: '0', realizedPnl: '0', updatedAt: now };
}

export function unrealizedPnl(position: Position, markPrice: Dec): Dec {
  return dec(position.amount).mul(markPrice.sub(position.entryPrice));
}

export function storeChange(position: Position, change: PositionChange, now: number): void {
  position.amount = str(change.amount);
  position.entryPrice = str(change.entryPrice);
  position.realizedPnl = str(dec(position.realizedPnl).add(change.realized));
  position.updatedAt = now;
}
