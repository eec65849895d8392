/**
 * Why the engine refused a request. The engine speaks no exchange dialect: each protocol layer
 * (Binance, Bitget) turns a reason into that exchange's own code, HTTP status and message text.
 */
export type RejectionReason =
  | 'UNKNOWN_SYMBOL'
  | 'INSUFFICIENT_BALANCE'
  | 'MARGIN_INSUFFICIENT'
  | 'QTY_ZERO'
  | 'QTY_STEP'
  | 'QTY_MIN'
  | 'QTY_MAX'
  | 'PRICE_TICK'
  | 'PRICE_RANGE'
  | 'MIN_NOTIONAL'
  | 'DUPLICATE_CLIENT_ID'
  | 'ORDER_NOT_FOUND'
  | 'WOULD_TAKE'
  | 'WOULD_TRIGGER'
  | 'REDUCE_ONLY_REJECTED'
  | 'POSITION_SIDE_MISMATCH'
  | 'REDUCE_ONLY_IN_HEDGE_MODE'
  | 'POSITION_MODE_UNCHANGED'
  | 'POSITION_MODE_HAS_POSITION'
  | 'POSITION_MODE_HAS_ORDERS'
  | 'TRADING_DISABLED';

export class Rejection extends Error {
  constructor(
    readonly reason: RejectionReason,
    /** Values the exchange puts into its message, e.g. the minimum notional. */
    readonly detail: Record<string, string> = {},
  ) {
    super(reason);
    this.name = 'Rejection';
  }
}
