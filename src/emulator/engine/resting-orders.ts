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

/** An order named by exchange id or client id, within one book (spot or futures) of an account. */
export function findInBook<O extends { symbol: string; clientOrderId: string }>(
  book: { orders: Record<string, O>; clientOrderIds: Record<string, number> },
  symbol: string | undefined,
  ref: { orderId?: number; clientOrderId?: string },
): O | undefined {
  const id = ref.orderId ?? (ref.clientOrderId === undefined ? undefined : book.clientOrderIds[ref.clientOrderId]);
  const order = id === undefined ? undefined : book.orders[String(id)];
  if (!order || (symbol !== undefined && order.symbol !== symbol)) return undefined;
  if (ref.clientOrderId !== undefined && order.clientOrderId !== ref.clientOrderId) return undefined;
  return order;
}
