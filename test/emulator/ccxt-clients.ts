import http from 'node:http';
import ccxt from 'ccxt';
import type { Emulator } from '../../src/emulator/index.ts';

/**
 * The one place that points real ccxt at the emulator. Only URLs and options change; everything
 * else is stock ccxt, as the app's exchange layer builds it.
 */
export interface Credentials {
  apiKey: string;
  secret: string;
  password?: string;
}

type Urls = Pick<Emulator, 'httpUrl' | 'wsUrl'>;
export type BinanceClient = InstanceType<typeof ccxt.pro.binance>;
export type BinanceUsdmClient = InstanceType<typeof ccxt.pro.binanceusdm>;
export type BitgetClient = InstanceType<typeof ccxt.pro.bitget>;

interface WsClientLike {
  future(messageHash: string): Promise<unknown>;
}

/**
 * ccxt.pro rejects some internal futures nobody awaits (a refused subscribe, a socket the server
 * closed, close() itself), which the process sees as unhandled rejections; the app guards with
 * process.on('unhandledRejection'). Here each future gets a no-op handler instead, so tests
 * that drop streams stay clean. Awaiting callers still receive the rejection.
 */
function absorbInternalRejections<T extends object>(exchange: T): T {
  const target = exchange as unknown as { client(url: string): WsClientLike };
  const original = target.client.bind(target);
  const patched = new WeakSet<WsClientLike>();
  target.client = (url: string) => {
    const client = original(url);
    if (!patched.has(client)) {
      patched.add(client);
      const future = client.future.bind(client);
      client.future = (messageHash: string) => {
        const promise = future(messageHash);
        promise.catch(() => undefined);
        return promise;
      };
    }
    return client;
  };
  return exchange;
}

/** ccxt.pro refuses ws:// without an httpAgent; ccxt then uses it for the sockets. */
const common = { enableRateLimit: false, timeout: 5_000, httpAgent: new http.Agent() };

/**
 * ws.spot/future end in "/ws" because ccxt rewrites a future base ".../ws" into
 * ".../private/ws?listenKey=…" for the user stream; ws-api.spot is where the spot user-data
 * subscription goes.
 */
function binanceWsUrls(em: Urls): Record<string, unknown> {
  return {
    spot: `${em.wsUrl}/ws`,
    margin: `${em.wsUrl}/ws`,
    future: `${em.wsUrl}/ws`,
    delivery: `${em.wsUrl}/ws`,
    'ws-api': { spot: `${em.wsUrl}/ws-api/v3`, future: `${em.wsUrl}/ws-fapi/v1`, delivery: `${em.wsUrl}/ws-dapi/v1` },
  };
}

export function binanceSpot(em: Urls, creds: Credentials, options: Record<string, unknown> = {}): BinanceClient {
  return absorbInternalRejections(
    new ccxt.pro.binance({
      ...common,
      ...creds,
      urls: {
        api: {
          public: `${em.httpUrl}/api/v3`,
          private: `${em.httpUrl}/api/v3`,
          v1: `${em.httpUrl}/api/v1`,
          sapi: `${em.httpUrl}/sapi/v1`,
          ws: binanceWsUrls(em),
        },
      },
      options: { fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ['spot'] }, ...options },
    }),
  );
}

export function binanceUsdm(em: Urls, creds: Credentials, options: Record<string, unknown> = {}): BinanceUsdmClient {
  const fapi = (v: string): string => `${em.httpUrl}/fapi/${v}`;
  return absorbInternalRejections(
    new ccxt.pro.binanceusdm({
      ...common,
      ...creds,
      urls: {
        api: {
          fapiPublic: fapi('v1'),
          fapiPrivate: fapi('v1'),
          fapiPublicV2: fapi('v2'),
          fapiPrivateV2: fapi('v2'),
          fapiPublicV3: fapi('v3'),
          fapiPrivateV3: fapi('v3'),
          ws: binanceWsUrls(em),
        },
      },
      options: { fetchCurrencies: false, ...options },
    }),
  );
}

const BITGET_API_KEYS = [
  'spot',
  'mix',
  'user',
  'p2p',
  'broker',
  'margin',
  'common',
  'tax',
  'convert',
  'copy',
  'earn',
  'uta',
];

/** Demo keys: ccxt's enableDemoTrading only adds `paptrading: 1` and switches WS to urls.api.demo. */
export function bitgetSpot(em: Urls, creds: Credentials, demo = false): BitgetClient {
  return bitget(em, creds, demo, { defaultType: 'spot', fetchMarkets: { types: ['spot'] } });
}

/** USDT-M futures (v2 mix, USDT-FUTURES): swap markets only, `defaultType: 'swap'` for balance and streams. */
export function bitgetSwap(em: Urls, creds: Credentials, demo = false): BitgetClient {
  return bitget(em, creds, demo, { defaultType: 'swap', fetchMarkets: { types: ['swap'] } });
}

function bitget(em: Urls, creds: Credentials, demo: boolean, options: Record<string, unknown>): BitgetClient {
  const ws = { public: `${em.wsUrl}/v2/ws/public`, private: `${em.wsUrl}/v2/ws/private` };
  const exchange = absorbInternalRejections(
    new ccxt.pro.bitget({
      ...common,
      ...creds,
      urls: {
        api: {
          ...Object.fromEntries(BITGET_API_KEYS.map((key) => [key, em.httpUrl])),
          ws,
          demo: ws,
        },
      },
      has: { fetchCurrencies: false },
      options: { uta: false, ...options },
    }),
  );
  if (demo) exchange.enableDemoTrading(true);
  return exchange;
}

/** A Binance-format API key: 64 alphanumerics (shorter unknown keys are a -2014 format error). */
export function binanceKey(seed: string): string {
  return `${seed.replace(/[^A-Za-z0-9]/g, '')}Z${'0'.repeat(64)}`.slice(0, 64);
}
