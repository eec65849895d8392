import type { Dec } from './decimal.ts';
import type { Side } from './types.ts';

/** A resting limit order fills once the market trades through its price. */
export function crosses(side: Side, limit: Dec, market: Dec): boolean {
  return side === 'BUY' ? market.lte(limit) : market.gte(limit);
}

/** Resting limit orders by symbol (order id → account id), so a price move checks only those. */
export class RestingOrders {
  private readonly bySymbol = new Map<string, Map<number, string>>();

  add(accountId: string, order: { id: number; symbol: string }): void {
    let orders = this.bySymbol.get(order.symbol);
    if (!orders) {
      orders = new Map();
      this.bySymbol.set(order.symbol, orders);
    }
    orders.set(order.id, accountId);
  }

  remove(order: { id: number; symbol: string }): void {
    this.bySymbol.get(order.symbol)?.delete(order.id);
  }

  /** A snapshot: the caller may fill (and so remove) orders while iterating. */
  at(symbol: string): [orderId: number, accountId: string][] {
    return [...(this.bySymbol.get(symbol) ?? [])];
  }

  clear(): void {
    this.bySymbol.clear();
  }
}
