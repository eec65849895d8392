import type { Rejection } from '../engine/errors.ts';
import { BitgetError, bitgetErrors } from './errors.ts';

/**
 * Bitget's v2 mix (futures) error answers. Codes seen on the exchange and catalogued by ccxt
 * (40762, 40768, 40774, 40917, 45110, 45122, 43025), by Bitget's error table (40786 Duplicate
 * clientOid, 22002 No position to close, 40757 Not enough position is available, 40109 order
 * not found); the rest are marked where they are the emulator's choice.
 */
export const mixErrors = {
  orderNotFound: () => new BitgetError(400, '40768', 'Order does not exist'),
  detailNotFound: () =>
    new BitgetError(400, '40109', 'The data of the order cannot be found, please confirm the order number'),
  planNotFound: () => new BitgetError(400, '43025', 'Plan order does not exist'),
  noPosition: () => new BitgetError(400, '22002', 'No position to close'),
  notEnoughPosition: () => new BitgetError(400, '40757', 'Not enough position is available.'),
  oneWayMismatch: () =>
    new BitgetError(400, '40774', 'The order type for unilateral position must also be the unilateral position type.'),
  productType: () => new BitgetError(400, '40017', 'Parameter verification failed: productType'),
  /** Isolated margin and limit-priced plan orders are not emulated. */
  notEmulated: (what: string) => new BitgetError(400, '40017', `Parameter verification failed: ${what}`),
  /** The emulator's choice: Bitget refuses the switch while anything is open, under a code of its own. */
  modeLocked: () => new BitgetError(400, '40920', 'Position or order exists, the position mode cannot be switched'),
};

/** Engine refusals of a futures request in Bitget's mix words. */
export function fromMixRejection(rejection: Rejection, context: { markPrice?: string } = {}): BitgetError {
  const d = rejection.detail;
  switch (rejection.reason) {
    case 'UNKNOWN_SYMBOL':
      return bitgetErrors.unknownSymbol(d['symbol'] ?? '');
    case 'TRADING_DISABLED':
      return bitgetErrors.noPermission();
    case 'INSUFFICIENT_BALANCE':
    case 'MARGIN_INSUFFICIENT':
      return new BitgetError(400, '40762', 'The order amount exceeds the balance');
    case 'MIN_NOTIONAL':
      return new BitgetError(400, '45110', `less than the minimum amount ${d['minNotional'] ?? '5'} USDT`);
    case 'QTY_MIN':
      return new BitgetError(400, '45111', `less than the minimum order quantity ${d['minQty'] ?? ''}`);
    case 'QTY_ZERO':
    case 'QTY_MAX':
    case 'QTY_STEP':
      return bitgetErrors.badScale('size', d['stepSize']);
    case 'PRICE_TICK':
    case 'PRICE_RANGE':
      return bitgetErrors.badScale('price', d['tickSize']);
    case 'DUPLICATE_CLIENT_ID':
      return new BitgetError(400, '40786', 'Duplicate clientOid');
    case 'ORDER_NOT_FOUND':
      return mixErrors.orderNotFound();
    case 'REDUCE_ONLY_REJECTED':
      return mixErrors.notEnoughPosition();
    case 'WOULD_TAKE':
      // The emulator's choice of code.
      return new BitgetError(400, '22003', 'Post only order will be executed immediately');
    case 'POSITION_SIDE_MISMATCH':
    case 'REDUCE_ONLY_IN_HEDGE_MODE':
      return mixErrors.oneWayMismatch();
    case 'POSITION_MODE_HAS_POSITION':
    case 'POSITION_MODE_HAS_ORDERS':
      return mixErrors.modeLocked();
    case 'WOULD_TRIGGER':
      return new BitgetError(
        400,
        '40917',
        `Trigger price would trigger at once, mark price ${context.markPrice ?? ''}`,
      );
    default:
      return new BitgetError(400, '40808', `Parameter verification exception ${rejection.reason}`);
  }
}
