import type { ExchangeOrder } from '../../exchange/types.ts';

/** Order states the desk records; PENDING = written, not yet answered; UNKNOWN = fate unknown. */
export type OrderStatus =
  'PENDING' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED' | 'UNKNOWN';

export const LIVE_STATUSES: readonly OrderStatus[] = ['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'UNKNOWN'];

export function statusOf(order: ExchangeOrder): OrderStatus {
  switch (order.status) {
    case 'open':
      return order.filled.isZero() ? 'OPEN' : 'PARTIALLY_FILLED';
    case 'closed':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
  }
}
