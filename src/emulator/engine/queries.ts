/** An order named by exchange id or client id. */
export interface OrderRef {
  orderId?: number;
  clientOrderId?: string;
}

export interface TradeQuery {
  symbol?: string;
  orderId?: number;
  startTime?: number;
  endTime?: number;
  fromId?: number;
  limit?: number;
}

/** Binance's rules: fromId wins (oldest first from that id); otherwise the most recent `limit`. */
export function selectTrades<T extends { id: number; orderId: number; symbol: string; time: number }>(
  all: readonly T[],
  query: TradeQuery,
): T[] {
  const limit = Math.min(query.limit ?? 500, 1000);
  const matching = all.filter(
    (t) =>
      (query.symbol === undefined || t.symbol === query.symbol) &&
      (query.orderId === undefined || t.orderId === query.orderId) &&
      (query.startTime === undefined || t.time >= query.startTime) &&
      (query.endTime === undefined || t.time <= query.endTime) &&
      (query.fromId === undefined || t.id >= query.fromId),
  );
  const fromStart = query.fromId !== undefined || query.startTime !== undefined;
  return fromStart ? matching.slice(0, limit) : matching.slice(-limit);
}
