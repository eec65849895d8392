import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A scriptable stand-in for the Binance and Bitget REST hosts on 127.0.0.1: it serves the
 * market lists ccxt loads and answers every other request from a script — the exact bodies,
 * statuses and headers the real exchanges send when they refuse something.
 */
export interface StubReply {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
  /** Hold the answer this long (to make ccxt time out). */
  delayMs?: number;
}

export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface StubExchange {
  httpUrl: string;
  /** Nothing listens here: these tests do not open streams. */
  wsUrl: string;
  requests: StubRequest[];
  /** Answers the next request to `METHOD /path` with `reply` (queued, one use each). */
  reply(endpoint: string, ...replies: StubReply[]): void;
  count(endpoint: string): number;
  stop(): Promise<void>;
}

const FILTERS = [
  { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000000.00', tickSize: '0.01' },
  { filterType: 'LOT_SIZE', minQty: '0.00001', maxQty: '9000.00000', stepSize: '0.00001' },
  { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000', maxQty: '100.00000', stepSize: '0.00000' },
  { filterType: 'NOTIONAL', minNotional: '5.00', applyMinToMarket: true, maxNotional: '9000000.00' },
];

export const BINANCE_SPOT_INFO = {
  timezone: 'UTC',
  serverTime: 1,
  rateLimits: [],
  symbols: [
    {
      symbol: 'BTCUSDT',
      status: 'TRADING',
      baseAsset: 'BTC',
      baseAssetPrecision: 8,
      quoteAsset: 'USDT',
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      quoteOrderQtyMarketAllowed: true,
      permissions: [],
      permissionSets: [['SPOT']],
      filters: FILTERS,
    },
  ],
};

export const BINANCE_USDM_INFO = {
  timezone: 'UTC',
  serverTime: 1,
  rateLimits: [],
  assets: [{ asset: 'USDT', marginAvailable: true }],
  symbols: [
    {
      symbol: 'BTCUSDT',
      pair: 'BTCUSDT',
      contractType: 'PERPETUAL',
      deliveryDate: 4133404800000,
      onboardDate: 1569398400000,
      status: 'TRADING',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      marginAsset: 'USDT',
      pricePrecision: 2,
      quantityPrecision: 3,
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: 'COIN',
      orderTypes: [
        'LIMIT',
        'MARKET',
        'STOP',
        'STOP_MARKET',
        'TAKE_PROFIT',
        'TAKE_PROFIT_MARKET',
        'TRAILING_STOP_MARKET',
      ],
      timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.10', maxPrice: '4529764', tickSize: '0.10' },
        { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '1000', stepSize: '0.001' },
        { filterType: 'MARKET_LOT_SIZE', minQty: '0.001', maxQty: '120', stepSize: '0.001' },
        { filterType: 'MIN_NOTIONAL', notional: '100' },
      ],
    },
  ],
};

export const BITGET_SPOT_SYMBOLS = {
  code: '00000',
  msg: 'success',
  requestTime: 1,
  data: [
    {
      symbol: 'BTCUSDT',
      baseCoin: 'BTC',
      quoteCoin: 'USDT',
      minTradeAmount: '0',
      maxTradeAmount: '10000000000',
      takerFeeRate: '0.001',
      makerFeeRate: '0.001',
      pricePrecision: '2',
      quantityPrecision: '6',
      quotePrecision: '8',
      status: 'online',
      minTradeUSDT: '1',
      buyLimitPriceRatio: '0.05',
      sellLimitPriceRatio: '0.05',
    },
  ],
};

const MARKET_LISTS: Record<string, unknown> = {
  'GET /api/v3/exchangeInfo': BINANCE_SPOT_INFO,
  'GET /fapi/v1/exchangeInfo': BINANCE_USDM_INFO,
  'GET /api/v2/spot/public/symbols': BITGET_SPOT_SYMBOLS,
  // ccxt 4.5.84 loads Bitget spot markets with a second request, for margin flags.
  'GET /api/v2/margin/currencies': { code: '00000', msg: 'success', requestTime: 1, data: [] },
};

export async function startStubExchange(): Promise<StubExchange> {
  const script = new Map<string, StubReply[]>();
  const requests: StubRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const method = req.method ?? 'GET';
      const endpoint = `${method} ${url.pathname}`;
      requests.push({
        method,
        path: url.pathname,
        query: url.searchParams,
        body: Buffer.concat(chunks).toString(),
        headers: req.headers,
      });
      const scripted = script.get(endpoint)?.shift();
      const reply: StubReply =
        scripted ?? (endpoint in MARKET_LISTS ? { json: MARKET_LISTS[endpoint] } : { status: 404, text: 'no route' });
      const send = () => {
        const body = reply.text ?? JSON.stringify(reply.json ?? {});
        const type = reply.text === undefined ? 'application/json' : 'text/plain';
        res.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers });
        res.end(body);
      };
      if (!reply.delayMs) return send();
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) send();
      }, reply.delayMs);
      timers.add(timer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: 'ws://127.0.0.1:9',
    requests,
    reply(endpoint, ...replies) {
      script.set(endpoint, [...(script.get(endpoint) ?? []), ...replies]);
    },
    count(endpoint) {
      return requests.filter((r) => `${r.method} ${r.path}` === endpoint).length;
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
