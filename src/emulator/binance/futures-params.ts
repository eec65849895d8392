import { MARKETS } from '../engine/markets.ts';
import type { PositionSide } from '../engine/types.ts';
import { BinanceError, errors } from './errors.ts';
import { randomClientId, type BinanceParams } from './params.ts';

export function futuresSymbol(params: BinanceParams): string {
  const symbol = params.required('symbol');
  if (!MARKETS.binanceFutures.some((m) => m.symbol === symbol)) throw errors.badSymbol();
  return symbol;
}

export function positionSide(params: BinanceParams): PositionSide | undefined {
  const value = params.string('positionSide');
  if (value === undefined) return undefined;
  if (value !== 'BOTH' && value !== 'LONG' && value !== 'SHORT')
    throw new BinanceError(400, -4006, 'Invalid position side.');
  return value;
}

/** Futures client ids are checked by their own rule and refused with -4015. */
export function futuresClientId(params: BinanceParams, name: string): string {
  try {
    return params.clientId(name, randomClientId);
  } catch {
    throw new BinanceError(400, -4015, 'Client order id is not valid.');
  }
}
