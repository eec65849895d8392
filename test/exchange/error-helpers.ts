import { Decimal } from 'decimal.js';
import { expect } from 'vitest';
import { ExchangeRequestError } from '../../src/exchange/errors.ts';
import type { PlaceOrderRequest } from '../../src/exchange/types.ts';
import type { TestCredentials } from './desk.ts';
import type { StubReply } from './stub-exchange.ts';

/** The error envelopes of the two exchanges, as they send them. */
export const binanceError = (code: number, msg: string, status = 400): StubReply => ({ status, json: { code, msg } });
export const bitgetError = (code: string, msg: string, status = 400): StubReply => ({
  status,
  json: { code, msg, requestTime: 1_700_000_000_000, data: null },
});

export const limitBuy = (over: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  symbol: 'BTCUSDT',
  side: 'buy',
  type: 'limit',
  amount: new Decimal('0.01'),
  price: new Decimal('50000'),
  clientOrderId: 'hs-sub-a-vp7-0001',
  ...over,
});

/** What a trader or a log could see of an error must hold no signature and no credential. */
export function expectNothingSecret(err: ExchangeRequestError, credentials: TestCredentials) {
  const visible = [err.message, err.detail ?? '', JSON.stringify(err.params)].join('\n');
  expect(visible).not.toMatch(/signature=/i);
  for (const secret of [credentials.apiKey, credentials.secret, credentials.passphrase]) {
    if (secret) expect(visible).not.toContain(secret);
  }
  expect(err.message).not.toContain('{{');
}

/** The typed error a call fails with (and a test failure if it succeeds or fails untyped). */
export async function failure(promise: Promise<unknown>): Promise<ExchangeRequestError> {
  const outcome = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(outcome instanceof ExchangeRequestError)) throw new Error(`expected a typed failure, got ${String(outcome)}`);
  return outcome;
}
