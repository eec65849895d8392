import { randomBytes } from 'node:crypto';
import { parseDecimal, type Dec } from '../engine/decimal.ts';
import type { OrderRef } from '../engine/queries.ts';
import type { Side } from '../engine/types.ts';
import { errors } from './errors.ts';

const DECIMAL_PATTERN = '^([0-9]{1,20})(\\.[0-9]{1,20})?$';
const CLIENT_ID_PATTERN = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** Request parameters: Binance reads the query string and the urlencoded body as one set. */
export class BinanceParams {
  private constructor(readonly all: URLSearchParams) {}

  static from(rawQuery: string, rawBody: string): BinanceParams {
    const all = new URLSearchParams(rawQuery);
    for (const [key, value] of new URLSearchParams(rawBody)) all.set(key, value);
    return new BinanceParams(all);
  }

  has(name: string): boolean {
    return this.all.has(name);
  }

  string(name: string): string | undefined {
    const value = this.all.get(name);
    return value === null || value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw errors.mandatory(name);
    return value;
  }

  decimal(name: string): Dec | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = parseDecimal(raw);
    if (!value || value.isNegative()) throw errors.illegalChars(name, DECIMAL_PATTERN);
    return value;
  }

  requiredDecimal(name: string): Dec {
    const value = this.decimal(name);
    if (value === undefined) throw errors.mandatory(name);
    return value;
  }

  int(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isSafeInteger(value)) throw errors.illegalChars(name, '^[0-9]{1,20}$');
    return value;
  }

  bool(name: string): boolean | undefined {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') throw errors.illegalChars(name, 'true|false');
    return raw === 'true';
  }

  side(): Side {
    const side = this.required('side');
    if (side !== 'BUY' && side !== 'SELL') throw errors.badSide();
    return side;
  }

  /** A client order id as Binance accepts it; `fallback` when the client sent none. */
  clientId(name: string, fallback: () => string): string {
    const value = this.string(name);
    if (value === undefined) return fallback();
    if (!CLIENT_ID_PATTERN.test(value)) throw errors.illegalChars(name, '^[\\.A-Z\\:/a-z0-9_-]{1,36}$');
    return value;
  }
}

/** Binance's own client ids when the client sent none: 22 random characters. */
export function randomClientId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/** orderId wins over origClientOrderId, as on Binance; one of them is required (-1102 in Binance's words). */
export function orderRef(params: BinanceParams, clientKey = 'origClientOrderId'): OrderRef {
  const orderId = params.int('orderId');
  const clientOrderId = params.string(clientKey);
  if (orderId === undefined && clientOrderId === undefined) throw errors.eitherMandatory(clientKey, 'orderId');
  return orderId === undefined ? { clientOrderId } : { orderId };
}
