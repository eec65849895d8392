import { Decimal } from 'decimal.js';
import type { ExchangeOrder } from '../../src/exchange/types.ts';

/**
 * A leader's filled market buy of 0.002 BTC for 100 USDT from a minute ago, as a stream would
 * hand it over after the desk was down or the stream lagged: past the copy window.
 */
export function staleLeaderBuy(id: string): ExchangeOrder {
  return {
    id,
    clientOrderId: undefined,
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'market',
    status: 'closed',
    price: undefined,
    average: new Decimal(50000),
    amount: new Decimal('0.002'),
    filled: new Decimal('0.002'),
    remaining: new Decimal(0),
    cost: new Decimal(100),
    positionSide: undefined,
    reduceOnly: false,
    timestamp: Date.now() - 60_000,
  };
}
