import ccxt from 'ccxt';
import { toCcxtNumber } from './normalize.ts';
import type { ConditionalOrderRequest, KeyPermissions, MarketKind, PlaceOrderRequest } from './types.ts';
import {
  headerOf,
  infoObject,
  infoString,
  toPositionSide,
  type ErrorCodeRule,
  type OrderCall,
  type RateLimits,
  UnsupportedOrderError,
  type Venue,
} from './venue.ts';

/**
 * Request weights from Binance's API docs (spot: 6000 weight per IP per minute, 100 orders per
 * account per 10 s; USDT-M: 2400 weight per minute, 300 orders per 10 s and 1200 per minute).
 * `noSymbolWeight` is the cost of the "all symbols" form of a listing.
 */
const SPOT_LIMITS: RateLimits = {
  hostWeight: { limit: 6000, windowMs: 60_000 },
  accountOrders: [
    { limit: 100, windowMs: 10_000 },
    { limit: 200_000, windowMs: 86_400_000 },
  ],
  endpoints: {
    'GET /api/v3/exchangeInfo': { weight: 20 },
    'GET /api/v3/time': { weight: 1 },
    'GET /api/v3/account': { weight: 20 },
    'POST /api/v3/order': { weight: 1, orders: 1 },
    'DELETE /api/v3/order': { weight: 1 },
    'GET /api/v3/order': { weight: 4 },
    'GET /api/v3/openOrders': { weight: 6, noSymbolWeight: 80 },
    'GET /api/v3/myTrades': { weight: 20 },
    'GET /sapi/v1/account/apiRestrictions': { weight: 1 },
  },
  fallback: { weight: 20 },
};

const USDM_LIMITS: RateLimits = {
  hostWeight: { limit: 2400, windowMs: 60_000 },
  accountOrders: [
    { limit: 300, windowMs: 10_000 },
    { limit: 1200, windowMs: 60_000 },
  ],
  endpoints: {
    'GET /fapi/v1/exchangeInfo': { weight: 1 },
    'GET /fapi/v1/time': { weight: 1 },
    'GET /fapi/v2/account': { weight: 5 },
    'GET /fapi/v3/account': { weight: 5 },
    'GET /fapi/v2/balance': { weight: 5 },
    'GET /fapi/v3/balance': { weight: 5 },
    'POST /fapi/v1/order': { weight: 0, orders: 1 },
    'DELETE /fapi/v1/order': { weight: 1 },
    'GET /fapi/v1/order': { weight: 1 },
    'GET /fapi/v1/openOrders': { weight: 1, noSymbolWeight: 40 },
    'GET /fapi/v1/userTrades': { weight: 5 },
    'POST /fapi/v1/algoOrder': { weight: 0, orders: 1 },
    'DELETE /fapi/v1/algoOrder': { weight: 1 },
    'GET /fapi/v1/algoOrder': { weight: 1 },
    'GET /fapi/v1/openAlgoOrders': { weight: 1, noSymbolWeight: 40 },
    'GET /fapi/v1/leverageBracket': { weight: 1 },
    'GET /fapi/v1/symbolConfig': { weight: 5 },
    'GET /fapi/v2/positionRisk': { weight: 5 },
    'GET /fapi/v3/positionRisk': { weight: 5 },
    'GET /fapi/v1/positionSide/dual': { weight: 30 },
    'POST /fapi/v1/positionSide/dual': { weight: 1 },
    'POST /fapi/v1/listenKey': { weight: 1 },
    'PUT /fapi/v1/listenKey': { weight: 1 },
    // Asked by USDT-M accounts too; it lives on the spot API host (weight 1 per IP).
    'GET /sapi/v1/account/apiRestrictions': { weight: 1 },
  },
  fallback: { weight: 10 },
};

/**
 * Binance codes by meaning. Matched before ccxt's class because ccxt picks exception tables by
 * host (so local URLs lose -2019/-4164) and reports -2015 after an earlier success as
 * DDoSProtection. -2010 is "new order rejected" with many reasons; the message tells which.
 */
const ERROR_RULES: readonly ErrorCodeRule[] = [
  { code: '-2015', kind: 'auth' },
  { code: '-2014', kind: 'auth' },
  { code: '-1022', kind: 'auth' },
  { code: '-1021', kind: 'clock' },
  { code: '-1003', kind: 'rate_limit' },
  { code: '-1015', kind: 'rate_limit' },
  { code: '-1006', kind: 'status_unknown' },
  { code: '-1007', kind: 'status_unknown' },
  { code: '-2010', kind: 'duplicate_client_id', when: /duplicate order/i },
  // USDT-M: "ClientOrderId is duplicated." (ccxt: InvalidOrder on Binance's host, ExchangeError on a local one).
  { code: '-4116', kind: 'duplicate_client_id' },
  { code: '-2010', kind: 'insufficient_funds', when: /insufficient balance/i },
  { code: '-2010', kind: 'rejected' },
  { code: '-2011', kind: 'order_not_found' },
  { code: '-2013', kind: 'order_not_found' },
  { code: '-2019', kind: 'margin_insufficient' },
  { code: '-1013', kind: 'rejected_min_notional', when: /NOTIONAL/i },
  { code: '-1013', kind: 'rejected_lot_size', when: /LOT_SIZE|quantity/i },
  { code: '-1013', kind: 'rejected_price', when: /PRICE|price/ },
  { code: '-1013', kind: 'rejected' },
  { code: '-4164', kind: 'rejected_min_notional' },
  { code: '-4003', kind: 'rejected_lot_size' },
  { code: '-4005', kind: 'rejected_lot_size' },
  { code: '-4131', kind: 'rejected_price' },
  { code: '-1111', kind: 'rejected_precision' },
  { code: '-2022', kind: 'rejected' },
  { code: '-4061', kind: 'invalid_parameter' },
  { code: '-1106', kind: 'invalid_parameter' },
  { code: '-1100', kind: 'invalid_parameter' },
  { code: '-1102', kind: 'invalid_parameter' },
  { code: '-1121', kind: 'invalid_parameter' },
  // "An unknown error occurred while processing the request": an order may have been taken.
  { code: '-1000', kind: 'status_unknown' },
  { code: '-1001', kind: 'unavailable' },
  { code: '-1004', kind: 'unavailable' },
  { code: '-1008', kind: 'unavailable' },
];

/** Default pauses when Binance gives no Retry-After: a 418 is an IP ban (2 min at least). */
const DEFAULT_PAUSE_MS = { 429: 10_000, 418: 120_000 } as const;

function wsUrls(wsUrl: string) {
  // `…/ws` matters for futures: ccxt.pro rewrites it to `…/private/ws?listenKey=…`.
  const ws = `${wsUrl}/ws`;
  return {
    spot: ws,
    margin: ws,
    future: ws,
    delivery: ws,
    'ws-api': { spot: `${wsUrl}/ws-api/v3`, future: `${wsUrl}/ws-fapi/v1`, delivery: `${wsUrl}/ws-dapi/v1` },
  };
}

export const binance: Venue = {
  id: 'binance',
  displayName: 'Binance',
  markets: ['spot', 'usdm'],

  newClient(market, config) {
    return market === 'usdm' ? new ccxt.pro.binanceusdm(config) : new ccxt.pro.binance(config);
  },

  clientConfig(market) {
    const common = {
      fetchCurrencies: false,
      // We always pass a symbol when it matters and budget the all-symbols weight ourselves.
      warnOnFetchOpenOrdersWithoutSymbol: false,
      fetchOpenOrders: { warnWithoutSymbol: false },
    };
    const options =
      market === 'usdm'
        ? { ...common, fetchMarkets: { types: ['linear'] } }
        : { ...common, fetchMargins: false, fetchMarkets: { types: ['spot'] } };
    return { options };
  },

  paperUrls({ httpUrl, wsUrl }) {
    const api = {
      public: `${httpUrl}/api/v3`,
      private: `${httpUrl}/api/v3`,
      v1: `${httpUrl}/api/v1`,
      sapi: `${httpUrl}/sapi/v1`,
      fapiPublic: `${httpUrl}/fapi/v1`,
      fapiPrivate: `${httpUrl}/fapi/v1`,
      fapiPublicV2: `${httpUrl}/fapi/v2`,
      fapiPrivateV2: `${httpUrl}/fapi/v2`,
      fapiPublicV3: `${httpUrl}/fapi/v3`,
      fapiPrivateV3: `${httpUrl}/fapi/v3`,
      ws: wsUrls(wsUrl),
    };
    // test/demo too: setSandboxMode/enableDemoTrading would otherwise swap real hosts back in.
    return { api, test: api, demo: api };
  },

  // Binance demo trading is its own set of hosts; the paper exchange stands in for prod only.
  demoOnPaper: false,

  applyEnv(client, env) {
    if (env === 'testnet') client.setSandboxMode(true);
    if (env === 'demo') client.enableDemoTrading(true);
  },

  endpointOf(client, api, method, path) {
    const base = typeof api === 'string' ? (client.urls as { api?: Record<string, unknown> }).api?.[api] : undefined;
    let prefix = `/${String(api)}`;
    if (typeof base === 'string') {
      try {
        prefix = new URL(base).pathname.replace(/\/+$/, '');
      } catch {
        // keep the api name: the request then costs the fallback weight
      }
    }
    return `${method.toUpperCase()} ${prefix}/${path}`;
  },

  limits: (market: MarketKind) => (market === 'usdm' ? USDM_LIMITS : SPOT_LIMITS),

  errorRules: ERROR_RULES,

  rateLimitHint({ status, headers, body }, now) {
    const code = /"code"\s*:\s*"?(-?\d+)/.exec(body)?.[1];
    // -1015 is the account's own order limit: pausing the host would stall every other account.
    if (code === '-1015') return { scope: 'account', untilMs: now + 10_000 };
    if (status !== 429 && status !== 418 && code !== '-1003') return undefined;
    const bannedUntil = /banned until (\d{12,})/i.exec(body)?.[1];
    if (bannedUntil) return { scope: 'host', untilMs: Number(bannedUntil) };
    const retryAfter = Number(headerOf(headers, 'Retry-After'));
    if (Number.isFinite(retryAfter) && retryAfter > 0) return { scope: 'host', untilMs: now + retryAfter * 1000 };
    return { scope: 'host', untilMs: now + (status === 418 ? DEFAULT_PAUSE_MS[418] : DEFAULT_PAUSE_MS[429]) };
  },

  placeOrderCall(req: PlaceOrderRequest, market: MarketKind): OrderCall {
    if (market === 'usdm' && req.cost) throw new UnsupportedOrderError('quote_amount_on_futures');
    const params: Record<string, unknown> = { newClientOrderId: req.clientOrderId };
    if (market === 'usdm') {
      // Hedge mode closes with positionSide alone; Binance rejects reduceOnly there (-1106).
      if (req.positionSide) params['positionSide'] = req.positionSide;
      else if (req.reduceOnly) params['reduceOnly'] = true;
    }
    // A spot market buy by quote amount: ccxt sends it as quoteOrderQty.
    if (req.cost) params['cost'] = req.cost.toFixed();
    return {
      type: req.type,
      side: req.side,
      amount: req.amount ? toCcxtNumber(req.amount) : undefined,
      price: req.price ? toCcxtNumber(req.price) : undefined,
      params,
    };
  },

  conditionalOrderCall(req: ConditionalOrderRequest): OrderCall {
    // ccxt 4.5.84 turns stopLossPrice/takeProfitPrice on a linear swap into STOP_MARKET /
    // TAKE_PROFIT_MARKET sent to POST /fapi/v1/algoOrder, the client id as clientAlgoId.
    const trigger = req.triggerPrice.toFixed();
    const params: Record<string, unknown> = {
      clientOrderId: req.clientOrderId,
      ...(req.kind === 'stop' ? { stopLossPrice: trigger } : { takeProfitPrice: trigger }),
    };
    if (req.positionSide) params['positionSide'] = req.positionSide;
    else if (req.reduceOnly && !req.closePosition) params['reduceOnly'] = true;
    if (req.closePosition) params['closePosition'] = true;
    return {
      type: 'market',
      side: req.side,
      amount: req.amount && !req.closePosition ? toCcxtNumber(req.amount) : undefined,
      price: undefined,
      params,
    };
  },

  clientIdParams: (clientOrderId) => ({ origClientOrderId: clientOrderId }),

  tradeParams({ sinceTradeId, since, orderId }) {
    // myTrades / userTrades take orderId with the symbol, alone: the order's trades only.
    if (orderId) return { params: { orderId } };
    // Binance refuses fromId together with a time range; the id is the precise cursor.
    if (sinceTradeId) return { params: { fromId: sinceTradeId } };
    return since === undefined ? { params: {} } : { since, params: {} };
  },

  orderExtras(info) {
    // REST rows carry positionSide/clientOrderId; user-stream events use the one-letter keys.
    const inner = infoObject(info, 'o');
    const nested = typeof inner === 'object' && inner !== null ? inner : info;
    return {
      positionSide: toPositionSide(infoString(info, 'positionSide') ?? infoString(nested, 'ps')),
      // A cancel answers with its own clientOrderId and the order's as origClientOrderId (REST)
      // or `C` (stream); the order's is the one that names our account and VP.
      clientOrderId:
        infoString(info, 'origClientOrderId') ??
        (infoString(nested, 'C') || undefined) ??
        infoString(info, 'clientOrderId') ??
        (infoString(nested, 'c') || undefined),
      rawType: (infoString(info, 'orderType') ?? infoString(info, 'type') ?? infoString(nested, 'o'))?.toLowerCase(),
    };
  },

  async readKeyPermissions(client) {
    // GET /sapi/v1/account/apiRestrictions ("Get API Key Permission"): the key's own restrictions,
    // whatever market the account trades; binanceusdm reaches it through urls.api.sapi too.
    // Testnet and demo trading have no sapi host (ccxt leaves the URL out): nothing to read there.
    const api = (client.urls as { api?: Record<string, unknown> }).api ?? {};
    if (typeof api['sapi'] !== 'string') return undefined;
    const sapi = client as unknown as { sapiGetAccountApiRestrictions(): Promise<Record<string, unknown>> };
    const r = await sapi.sapiGetAccountApiRestrictions();
    const permissions: KeyPermissions = {
      canRead: r['enableReading'] === true,
      canTradeSpot: r['enableSpotAndMarginTrading'] === true,
      canTradeFutures: r['enableFutures'] === true,
      canWithdraw: r['enableWithdrawals'] === true,
      ipRestricted: r['ipRestrict'] === true,
    };
    return permissions;
  },

  leverageParams(client, symbol) {
    // ccxt 4.5.84 emulates fetchLeverage with fetchLeverages, whose GET /fapi/v1/symbolConfig
    // answers every symbol unless the request names one.
    return { symbol: client.market(symbol).id };
  },

  ordersEchoState: true,
  requestValidityMs: 10_000,
  // -4061 "Order's position side does not match user's setting."
  positionModeMismatchCodes: ['-4061'],

  resetStreamAuth(client, market) {
    if (market !== 'usdm') return; // spot re-subscribes with a signature on every connect
    // ccxt.pro reuses its listenKey for 20 minutes after creating it, even when Binance expired
    // it (listenKeyExpired) — the reconnect would then hang on a dead key. Forget it.
    const options = client.options as Record<string, Record<string, unknown> | undefined>;
    options['future'] = { ...options['future'], lastAuthenticatedTime: 0 };
  },
};
