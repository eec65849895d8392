import type { Rejection } from '../engine/errors.ts';

/** A Binance error answer: HTTP status plus the `{code, msg}` body Binance sends. */
export class BinanceError extends Error {
  /** Headers the answer carries besides the router's own (Retry-After, the weight of a refused request). */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly httpStatus: number,
    readonly code: number,
    readonly msg: string,
  ) {
    super(msg);
    this.name = 'BinanceError';
  }

  get body(): { code: number; msg: string } {
    return { code: this.code, msg: this.msg };
  }
}

export type BinanceMarket = 'spot' | 'futures';

export const errors = {
  keyFormat: () => new BinanceError(401, -2014, 'API-key format invalid.'),
  badKey: () => new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  badSignature: () => new BinanceError(400, -1022, 'Signature for this request is not valid.'),
  timestampAhead: () =>
    new BinanceError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  timestampOutside: () => new BinanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  recvWindowTooLarge: () => new BinanceError(400, -1131, 'recvWindow must be less than 60000'),
  mandatory: (name: string) =>
    new BinanceError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  /** Binance's text when neither of two alternative parameters was sent (template "Param '%s' or '%s' must be sent, but both were empty/null!"). */
  eitherMandatory: (first: string, second: string) =>
    new BinanceError(400, -1102, `Param '${first}' or '${second}' must be sent, but both were empty/null!`),
  notRequired: (name: string) => new BinanceError(400, -1106, `Parameter '${name}' sent when not required.`),
  illegalChars: (name: string, pattern: string) =>
    new BinanceError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '${pattern}'.`),
  badSymbol: () => new BinanceError(400, -1121, 'Invalid symbol.'),
  badSide: () => new BinanceError(400, -1117, 'Invalid side.'),
  badOrderType: () => new BinanceError(400, -1116, 'Invalid orderType.'),
  badTimeInForce: () => new BinanceError(400, -1115, 'Invalid timeInForce.'),
  unknownOrder: () => new BinanceError(400, -2011, 'Unknown order sent.'),
  orderDoesNotExist: () => new BinanceError(400, -2013, 'Order does not exist.'),
  unknownStatus: () =>
    new BinanceError(
      408,
      -1007,
      'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
    ),
  tooMuchWeight: (limit: number) =>
    new BinanceError(
      429,
      -1003,
      `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
    ),
  banned: (until: number) =>
    new BinanceError(
      418,
      -1003,
      `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
    ),
  tooManyOrders: (limit: number, interval = '10 SECOND') =>
    new BinanceError(429, -1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`),
  notFound: () => new BinanceError(404, -1000, 'Not found.'),
};

/** The same engine refusal reads differently on spot and on USDT-M futures, as on Binance. */
export function fromRejection(rejection: Rejection, market: BinanceMarket): BinanceError {
  const d = rejection.detail;
  const spot = market === 'spot';
  switch (rejection.reason) {
    case 'UNKNOWN_SYMBOL':
      return errors.badSymbol();
    case 'TRADING_DISABLED':
      return errors.badKey();
    case 'INSUFFICIENT_BALANCE':
      return new BinanceError(400, -2010, 'Account has insufficient balance for requested action.');
    case 'MARGIN_INSUFFICIENT':
      return new BinanceError(400, -2019, 'Margin is insufficient.');
    case 'QTY_ZERO':
      return spot
        ? new BinanceError(400, -1013, 'Filter failure: LOT_SIZE')
        : new BinanceError(400, -4003, 'Quantity less than or equal to zero.');
    case 'QTY_MIN':
      return spot
        ? new BinanceError(400, -1013, 'Filter failure: LOT_SIZE')
        : new BinanceError(400, -4003, 'Quantity less than or equal to zero.');
    case 'QTY_MAX':
      return spot
        ? new BinanceError(400, -1013, 'Filter failure: LOT_SIZE')
        : new BinanceError(400, -4005, 'Quantity greater than max quantity.');
    case 'QTY_STEP':
      return spot
        ? new BinanceError(400, -1013, 'Filter failure: LOT_SIZE')
        : new BinanceError(400, -1111, 'Precision is over the maximum defined for this asset.');
    case 'PRICE_TICK':
      return spot
        ? new BinanceError(400, -1013, 'Filter failure: PRICE_FILTER')
        : new BinanceError(400, -4014, 'Price not increased by tick size.');
    case 'PRICE_RANGE':
      return spot
        ? new BinanceError(400, -1013, 'Filter failure: PRICE_FILTER')
        : new BinanceError(400, -4016, `Limit price can't be higher than ${d['maxPrice'] ?? ''}.`);
    case 'MIN_NOTIONAL':
      return spot
        ? new BinanceError(400, -1013, 'Filter failure: NOTIONAL')
        : new BinanceError(
            400,
            -4164,
            `Order's notional must be no smaller than ${d['minNotional'] ?? ''} (unless you choose reduce only).`,
          );
    case 'DUPLICATE_CLIENT_ID':
      return spot
        ? new BinanceError(400, -2010, 'Duplicate order sent.')
        : new BinanceError(400, -4116, 'ClientOrderId is duplicated.');
    case 'ORDER_NOT_FOUND':
      return errors.unknownOrder();
    case 'WOULD_TAKE':
      return spot
        ? new BinanceError(400, -2010, 'Order would immediately match and take.')
        : new BinanceError(
            400,
            -5022,
            'Due to the order could not be executed as maker, the Post Only order will be rejected.',
          );
    case 'WOULD_TRIGGER':
      return new BinanceError(400, -2021, 'Order would immediately trigger.');
    case 'REDUCE_ONLY_REJECTED':
      return new BinanceError(400, -2022, 'ReduceOnly Order is rejected.');
    case 'POSITION_SIDE_MISMATCH':
      return new BinanceError(400, -4061, "Order's position side does not match user's setting.");
    case 'REDUCE_ONLY_IN_HEDGE_MODE':
      return errors.notRequired('reduceOnly');
    case 'POSITION_MODE_UNCHANGED':
      return new BinanceError(400, -4059, 'No need to change position side.');
    case 'POSITION_MODE_HAS_POSITION':
      return new BinanceError(400, -4068, 'Position side cannot be changed if there exists position.');
    case 'POSITION_MODE_HAS_ORDERS':
      return new BinanceError(400, -4067, 'Position side cannot be changed if there exists open orders.');
  }
}
