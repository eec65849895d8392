import type { Rejection } from '../engine/errors.ts';

/** A Bitget error answer: HTTP status and the `{code, msg, requestTime, data: null}` envelope. */
export class BitgetError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    readonly msg: string,
  ) {
    super(msg);
    this.name = 'BitgetError';
  }

  body(requestTime: number): Record<string, unknown> {
    return { code: this.code, msg: this.msg, requestTime, data: null };
  }
}

export const bitgetErrors = {
  keyEmpty: () => new BitgetError(400, '40001', 'ACCESS_KEY cannot be empty'),
  signEmpty: () => new BitgetError(400, '40003', 'Signature cannot be empty'),
  badTimestamp: () => new BitgetError(400, '40005', 'Invalid ACCESS_TIMESTAMP'),
  badKey: () => new BitgetError(400, '40006', 'Invalid ACCESS_KEY'),
  timestampExpired: () => new BitgetError(400, '40008', 'Request timestamp expired'),
  badSign: () => new BitgetError(400, '40009', 'sign signature error'),
  passphraseEmpty: () => new BitgetError(400, '40011', 'ACCESS_PASSPHRASE cannot be empty'),
  badPassphrase: () => new BitgetError(400, '40012', 'apikey/password is incorrect'),
  noPermission: () => new BitgetError(400, '40014', 'Incorrect permissions'),
  wrongEnvironment: () => new BitgetError(400, '40099', 'exchange environment is incorrect'),
  missing: (name: string) => new BitgetError(400, '40019', `Parameter ${name} cannot be empty`),
  invalid: (name: string) => new BitgetError(400, '40017', `Parameter verification failed: ${name}`),
  unknownSymbol: (symbol: string) => new BitgetError(400, '40034', `Parameter ${symbol} does not exist`),
  tooMany: () => new BitgetError(429, '429', 'Too Many Requests'),
  notFound: () => new BitgetError(404, '40404', 'Request URL NOT FOUND'),
  /** A size or price off the market's step or tick (spot and futures alike). */
  badScale: (what: 'size' | 'price', checkScale: string | undefined) =>
    new BitgetError(
      400,
      '40808',
      `Parameter verification exception ${what} checkBDScale error checkScale=${checkScale ?? ''}`,
    ),
};

/** Engine refusals in Bitget's words. */
export function fromRejection(rejection: Rejection): BitgetError {
  const d = rejection.detail;
  switch (rejection.reason) {
    case 'UNKNOWN_SYMBOL':
      return bitgetErrors.unknownSymbol(d['symbol'] ?? '');
    case 'TRADING_DISABLED':
      return bitgetErrors.noPermission();
    case 'INSUFFICIENT_BALANCE':
    case 'MARGIN_INSUFFICIENT':
      return new BitgetError(400, '43012', 'Insufficient balance');
    case 'MIN_NOTIONAL':
      return new BitgetError(400, '45110', `less than the minimum amount ${d['minNotional'] ?? ''} USDT`);
    case 'QTY_ZERO':
    case 'QTY_MIN':
    case 'QTY_MAX':
    case 'QTY_STEP':
      return bitgetErrors.badScale('size', d['stepSize']);
    case 'PRICE_TICK':
    case 'PRICE_RANGE':
      return bitgetErrors.badScale('price', d['tickSize']);
    case 'DUPLICATE_CLIENT_ID':
      // Bitget's error table: 43118 "clientOrderId duplicate" (43111 is "param error").
      return new BitgetError(400, '43118', 'clientOrderId duplicate');
    case 'ORDER_NOT_FOUND':
      return new BitgetError(400, '43001', 'The order does not exist');
    case 'WOULD_TAKE':
      return new BitgetError(400, '43009', 'Post only order will be executed immediately');
    default:
      return new BitgetError(400, '40808', `Parameter verification exception ${rejection.reason}`);
  }
}
