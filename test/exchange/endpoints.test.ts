import type { Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { disposeClient, newCcxtClient, type RequestGate } from '../../src/exchange/ccxt-client.ts';
import { ccxtConfig } from '../../src/exchange/endpoints.ts';
import { exchangeBodyOf, sanitize } from '../../src/exchange/errors.ts';

const paper = { httpUrl: 'http://127.0.0.1:4100', wsUrl: 'ws://127.0.0.1:4100' };
const credentials = { apiKey: 'k'.repeat(16), secret: 's'.repeat(16), passphrase: 'p'.repeat(8) };
const openGate: RequestGate = { beforeRequest: () => Promise.resolve(), afterResponse: () => undefined };

function apiUrls(client: Exchange): Record<string, unknown> {
  return (client.urls as { api: Record<string, unknown> }).api;
}

async function withClient<T>(
  spec: Parameters<typeof newCcxtClient>[0],
  use: (client: Exchange) => T,
  options: Parameters<typeof newCcxtClient>[3] = {},
): Promise<T> {
  const client = newCcxtClient(spec, credentials, openGate, options);
  try {
    return use(client);
  } finally {
    await disposeClient(client);
  }
}

describe('ccxt configuration per exchange, market and environment', () => {
  it('switches ccxt fixed spacing off: the rate budget is the one limiter', () => {
    expect(ccxtConfig({ exchange: 'binance', market: 'spot', env: 'prod' }, undefined)['enableRateLimit']).toBe(false);
  });

  it('points every Binance REST and WebSocket key at the paper exchange, test and demo too', async () => {
    await withClient(
      { exchange: 'binance', market: 'usdm', env: 'paper' },
      (client) => {
        const api = apiUrls(client);
        expect(api['fapiPrivate']).toBe('http://127.0.0.1:4100/fapi/v1');
        expect(api['fapiPrivateV3']).toBe('http://127.0.0.1:4100/fapi/v3');
        expect(api['private']).toBe('http://127.0.0.1:4100/api/v3');
        expect(api['ws']).toMatchObject({
          future: 'ws://127.0.0.1:4100/ws',
          'ws-api': { spot: 'ws://127.0.0.1:4100/ws-api/v3' },
        });
        const urls = client.urls as Record<string, Record<string, unknown>>;
        expect(urls['test']?.['fapiPrivate']).toBe('http://127.0.0.1:4100/fapi/v1');
        expect(urls['demo']?.['private']).toBe('http://127.0.0.1:4100/api/v3');
        expect(client.httpAgent).toBeDefined();
        expect(client.enableRateLimit).toBe(false);
      },
      { paper },
    );
  });

  it('uses ccxt testnet hosts for a Binance testnet account and demo hosts for a demo account', async () => {
    await withClient({ exchange: 'binance', market: 'spot', env: 'testnet' }, (client) => {
      expect(apiUrls(client)['private']).toBe('https://testnet.binance.vision/api/v3');
    });
    await withClient({ exchange: 'binance', market: 'usdm', env: 'demo' }, (client) => {
      expect(apiUrls(client)['fapiPrivate']).toBe('https://demo-fapi.binance.com/fapi/v1');
    });
    await withClient({ exchange: 'binance', market: 'spot', env: 'prod' }, (client) => {
      expect(apiUrls(client)['private']).toBe('https://api.binance.com/api/v3');
    });
  });

  it('signs Bitget demo requests with the paptrading header on the live host', async () => {
    await withClient({ exchange: 'bitget', market: 'spot', env: 'demo' }, (client) => {
      const signed = client.sign('v2/spot/account/assets', ['private', 'spot'], 'GET', {}) as {
        url: string;
        headers: Record<string, string>;
      };
      expect(signed.headers['PAPTRADING']).toBe('1');
      expect(signed.url).toMatch(/^https:\/\/api\.bitget\.com\/api\/v2\/spot\/account\/assets/);
    });
  });

  it('refuses a paper account when no paper exchange runs', () => {
    expect(() => ccxtConfig({ exchange: 'bitget', market: 'spot', env: 'paper' }, undefined)).toThrow(/paper exchange/);
  });
});

describe('error text that may reach a chat', () => {
  it('drops signed query strings and stray signatures', () => {
    const ccxtMessage =
      'binance GET http://127.0.0.1:4100/api/v3/account?timestamp=1&recvWindow=10000&signature=ab12cd 502 Bad Gateway';
    expect(sanitize(ccxtMessage)).toBe('binance GET http://127.0.0.1:4100/api/v3/account 502 Bad Gateway');
    expect(sanitize('POST body timestamp=1&signature=ffee')).toBe('POST body timestamp=1&signature=[redacted]');
  });

  it('finds the exchange code in either envelope', () => {
    expect(exchangeBodyOf('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}')).toEqual({
      code: '-2015',
      msg: 'Invalid API-key, IP, or permissions for action.',
    });
    expect(exchangeBodyOf('bitget {"code":"43012","msg":"Insufficient balance","requestTime":1,"data":null}')).toEqual({
      code: '43012',
      msg: 'Insufficient balance',
    });
    expect(exchangeBodyOf('bitget {"code":"00000","msg":"success","data":[]}')).toEqual({});
    expect(exchangeBodyOf('binance GET http://x 502 Bad Gateway <html></html>')).toEqual({});
  });
});
