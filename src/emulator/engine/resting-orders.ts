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

/** An order that may still trade: accepted and not yet filled, cancelled or expired. */
export function isWorking(order: { status: string }): boolean {
  return order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
}

interface Book<O> {
  orders: Record<string, O>;
  /** Each client id → the most recent order placed with it. */
  clientOrderIds: Record<string, number>;
}

/**
 * Whether a new order may not use this client id: an order placed with it still works (Binance:
 * "a unique id among open orders"; Bitget: only while the earlier order is unfilled, and only
 * for orders placed since `sinceMs`). The book maps a client id to the latest order placed with
 * it, the only one that can still be open: an earlier one had ended before the id was reused.
 */
export function clientIdTaken<O extends { status: string; createdAt: number }>(
  book: Book<O>,
  clientOrderId: string,
  sinceMs = Number.NEGATIVE_INFINITY,
): boolean {
  const id = book.clientOrderIds[clientOrderId];
  const order = id === undefined ? undefined : book.orders[String(id)];
  return order !== undefined && isWorking(order) && order.createdAt >= sinceMs;
}

/**
 * An order named by exchange id or client id, within one book (spot or futures) of an account.
 * A client id used more than once names the most recent order placed with it (on `symbol`, when
 * given: the latest of the account may be on another symbol).
 */
export function findInBook<O extends { id: number; symbol: string; clientOrderId: string }>(
  book: Book<O>,
  symbol: string | undefined,
  ref: { orderId?: number; clientOrderId?: string },
): O | undefined {
  if (ref.orderId === undefined && ref.clientOrderId === undefined) return undefined;
  const id = ref.orderId ?? (ref.clientOrderId === undefined ? undefined : book.clientOrderIds[ref.clientOrderId]);
  const order = id === undefined ? undefined : book.orders[String(id)];
  if (order && (symbol === undefined || order.symbol === symbol)) {
    return ref.clientOrderId !== undefined && order.clientOrderId !== ref.clientOrderId ? undefined : order;
  }
  if (ref.orderId !== undefined || id === undefined) return undefined;
  let latest: O | undefined;
  for (const candidate of Object.values(book.orders)) {
    if (candidate.symbol !== symbol || candidate.clientOrderId !== ref.clientOrderId) continue;
    if (!latest || candidate.id > latest.id) latest = candidate;
  }
  return latest;
}
