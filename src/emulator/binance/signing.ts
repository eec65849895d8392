import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Account, ApiKey } from '../engine/types.ts';
import { errors } from './errors.ts';

/** Binance API keys are 64 alphanumerics; anything else is a format error before any lookup. */
const API_KEY_FORMAT = /^[A-Za-z0-9]{64}$/;
const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60000;

export function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase());
  const right = Buffer.from(b.toLowerCase());
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Splits `signature=...` out of a raw urlencoded string, keeping the rest byte for byte. */
function withoutSignature(raw: string): { rest: string; signature?: string } {
  if (raw === '') return { rest: '' };
  let signature: string | undefined;
  const kept = raw.split('&').filter((part) => {
    if (!part.startsWith('signature=')) return true;
    signature = decodeURIComponent(part.slice('signature='.length));
    return false;
  });
  return { rest: kept.join('&'), ...(signature === undefined ? {} : { signature }) };
}

export interface KeyLookup {
  accountByApiKey(apiKey: string): Account | undefined;
  keyOf(apiKey: string): ApiKey | undefined;
}

/**
 * Resolves the X-MBX-APIKEY header to a Binance account and the key used: no key or a malformed
 * one is -2014, a well-formed key nobody owns (or a Bitget account's key) is -2015, as on Binance.
 */
export function accountForKey(apiKey: string | undefined, keys: KeyLookup): { account: Account; key: ApiKey } {
  if (apiKey === undefined || apiKey === '') throw errors.keyFormat();
  const account = keys.accountByApiKey(apiKey);
  const key = keys.keyOf(apiKey);
  if (account?.venue === 'binance' && key) return { account, key };
  if (!account && !API_KEY_FORMAT.test(apiKey)) throw errors.keyFormat();
  throw errors.badKey();
}

/**
 * Binance's SIGNED check: the signature is HMAC-SHA256 over query string + body (without the
 * signature itself), and the request must arrive within recvWindow of its timestamp and no more
 * than 1 s ahead of the server clock.
 */
export function verifySignature(
  secret: string,
  rawQuery: string,
  rawBody: string,
  params: URLSearchParams,
  serverTime: number,
): void {
  const timestampText = params.get('timestamp');
  const timestamp = timestampText === null ? NaN : Number(timestampText);
  if (!Number.isFinite(timestamp)) throw errors.mandatory('timestamp');
  const recvText = params.get('recvWindow');
  const recvWindow = recvText === null ? DEFAULT_RECV_WINDOW : Number(recvText);
  if (!Number.isFinite(recvWindow) || recvWindow <= 0) throw errors.mandatory('recvWindow');
  if (recvWindow > MAX_RECV_WINDOW) throw errors.recvWindowTooLarge();

  const query = withoutSignature(rawQuery);
  const body = withoutSignature(rawBody);
  const signature = query.signature ?? body.signature;
  if (signature === undefined || signature === '') throw errors.mandatory('signature');
  if (timestamp >= serverTime + 1000) throw errors.timestampAhead();
  if (serverTime - timestamp > recvWindow) throw errors.timestampOutside();
  if (!sameHex(signature, hmacHex(secret, query.rest + body.rest))) throw errors.badSignature();
}
