import { binance } from './binance.ts';
import { bitget } from './bitget.ts';
import type { ExchangeId } from './types.ts';
import type { Venue } from './venue.ts';

const VENUES: Readonly<Record<ExchangeId, Venue>> = { binance, bitget };

export function venueOf(exchange: ExchangeId): Venue {
  return VENUES[exchange];
}
