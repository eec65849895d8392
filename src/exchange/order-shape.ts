import { notSupported } from './errors.ts';
import type { AccountExchange, PlaceOrderRequest } from './types.ts';
import { UnsupportedOrderError } from './venue.ts';
import { venueOf } from './venues.ts';

/**
 * Refuses, as sending it would, an order the account's exchange does not take in this shape (a
 * Bitget spot market buy sized in base, a quote amount on futures) — without sending anything,
 * so the refusal comes before the trader is asked to confirm.
 */
export function checkOrderShape(exchange: AccountExchange, req: Omit<PlaceOrderRequest, 'clientOrderId'>): void {
  try {
    venueOf(exchange.exchange).placeOrderCall({ ...req, clientOrderId: 'shape-check' }, exchange.market);
  } catch (err) {
    if (!(err instanceof UnsupportedOrderError)) throw err;
    throw notSupported(
      { accountId: exchange.accountId, exchange: exchange.exchange, operation: 'placeOrder' },
      err.feature,
    );
  }
}
