import ccxt from 'ccxt';
import { toCcxtNumber } from './normalize.ts';
import type { KeyPermissions, PlaceOrderRequest } from './types.ts';
import {
  infoString,
  UnsupportedOrderError,
  type ErrorCodeRule,
  type OrderCall,
  type RateLimits,
  type Venue,
} from './venue.ts';

/**
 * Bitget limits each endpoint per second, per UID for trading and per IP for public data
 * (its API docs: place/cancel 10/s, order info and open orders 20/s, assets and fills 10/s).
 */
const SPOT_LIMITS: RateLimits = {
  accountOrders: [],
  endpoints: {
    'GET /api/v2/public/time': { perSecond: 20 },
    'GET /api/v2/spot/public/symbols': { perSecond: 20 },
    // ccxt loads spot markets with this too (margin flags); there is no option to skip it.
    'GET /api/v2/margin/currencies': { perSecond: 10 },
    'GET /api/v2/spot/account/assets': { perSecond: 10 },
    'GET /api/v2/spot/account/info': { perSecond: 1 },
    'POST /api/v2/spot/trade/place-order': { perSecond: 10, orders: 1 },
    'POST /api/v2/spot/trade/cancel-order': { perSecond: 10 },
    'GET /api/v2/spot/trade/orderInfo': { perSecond: 20 },
    'GET /api/v2/spot/trade/unfilled-orders': { perSecond: 20 },
    'GET /api/v2/spot/trade/fills': { perSecond: 10 },
  },
  fallback: { perSecond: 10 },
};

const ERROR_RULES: readonly ErrorCodeRule[] = [
  ...['40001', '40002', '40003', '40006', '40009', '40010', '40011', '40012', '40014', '40018', '40037'].map(
    (code) => ({ code, kind: 'auth' as const }),
  ),
  { code: '40004', kind: 'clock' },
  { code: '40005', kind: 'clock' },
  { code: '40008', kind: 'clock' },
  { code: '429', kind: 'rate_limit' },
  { code: '43012', kind: 'insufficient_funds' },
  { code: '40762', kind: 'insufficient_funds' },
  { code: '43001', kind: 'order_not_found' },
  // "clientOrderId duplicate": a clientOid still held by an unfilled order.
  { code: '43118', kind: 'duplicate_client_id' },
  { code: '43025', kind: 'order_not_found' },
  { code: '45110', kind: 'rejected_min_notional' },
  { code: '45111', kind: 'rejected_lot_size' },
  { code: '40808', kind: 'rejected_precision' },
  { code: '43011', kind: 'rejected' },
  { code: '40017', kind: 'invalid_parameter' },
  { code: '40019', kind: 'invalid_parameter' },
  { code: '40015', kind: 'unavailable' },
];

const API_KEYS = ['spot', 'mix', 'user', 'p2p', 'broker', 'margin', 'common', 'tax', 'convert', 'copy', 'earn', 'uta'];

export const bitget: Venue = {
  id: 'bitget',
  displayName: 'Bitget',
  markets: ['spot'],

  newClient(_market, config) {
    return new ccxt.pro.bitget(config);
  },

  clientConfig() {
    // uta: false skips ccxt's probe of /api/v3/account/settings before the first order.
    return { options: { uta: false, fetchMarkets: { types: ['spot'] } }, has: { fetchCurrencies: false } };
  },

  paperUrls({ httpUrl, wsUrl }) {
    const ws = {
      public: `${wsUrl}/v2/ws/public`,
      private: `${wsUrl}/v2/ws/private`,
      utaPublic: `${wsUrl}/v3/ws/public`,
      utaPrivate: `${wsUrl}/v3/ws/private`,
    };
    // ccxt appends /api/v2/... itself; `demo` holds the WebSocket hosts ccxt uses in demo mode.
    return { api: { ...Object.fromEntries(API_KEYS.map((key) => [key, httpUrl])), ws, demo: ws } };
  },

  demoOnPaper: true,

  applyEnv(client, env) {
    // Bitget demo trading is the live host plus a `paptrading: 1` header.
    if (env === 'demo') client.enableDemoTrading(true);
  },

  endpointOf(_client, _api, method, path) {
    return `${method.toUpperCase()} /api/${path}`;
  },

  limits: () => SPOT_LIMITS,

  errorRules: ERROR_RULES,

  rateLimitHint({ status, body }, now) {
    if (status !== 429 && !/"code"\s*:\s*"429"/.test(body)) return undefined;
    // Bitget's trading limits are per UID: one account's burst must not pause the others.
    return { scope: 'account', untilMs: now + 1000 };
  },

  placeOrderCall(req: PlaceOrderRequest): OrderCall {
    const params: Record<string, unknown> = { clientOid: req.clientOrderId };
    // A Bitget market buy is sized in quote (`size` = USDT to spend), never in base.
    if (req.type === 'market' && req.side === 'buy') {
      if (!req.cost) throw new UnsupportedOrderError('market_buy_by_base');
      params['cost'] = req.cost.toFixed();
      return { type: 'market', side: 'buy', amount: undefined, price: undefined, params };
    }
    return {
      type: req.type,
      side: req.side,
      amount: req.amount ? toCcxtNumber(req.amount) : undefined,
      price: req.price ? toCcxtNumber(req.price) : undefined,
      params,
    };
  },

  conditionalOrderCall() {
    throw new UnsupportedOrderError('spot_conditional');
  },

  clientIdParams: (clientOrderId) => ({ clientOid: clientOrderId }),

  tradeParams({ since, orderId }) {
    // fills take orderId: the order's trades only.
    if (orderId) return { params: { orderId } };
    // No forward cursor by id on Bitget fills: read from `since`, the caller filters by id.
    return since === undefined ? { params: {} } : { since, params: {} };
  },

  orderExtras(info) {
    return { positionSide: undefined, clientOrderId: infoString(info, 'clientOid') || undefined };
  },

  async readKeyPermissions(client) {
    // GET /api/v2/spot/account/info ("Get Account Information"): `authorities` are the key's
    // permissions in Bitget's codes — read only stor (spot), coor (futures orders); read and write
    // stow, coow; wwow withdrawal — and `ips` its IP whitelist (empty: none). The docs' example
    // still shows the older words "trade" and "readonly"; "trade" is read as trading both.
    const info = client as unknown as { privateSpotGetV2SpotAccountInfo(): Promise<{ data?: unknown }> };
    const { data } = await info.privateSpotGetV2SpotAccountInfo();
    const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    const raw = record['authorities'];
    const authorities = new Set(Array.isArray(raw) ? raw.map((a) => String(a).toLowerCase()) : []);
    const ips = typeof record['ips'] === 'string' ? record['ips'].trim() : '';
    const permissions: KeyPermissions = {
      // The endpoint answers only keys that may read spot ("SPOT read or read/write permission").
      canRead: true,
      canTradeSpot: authorities.has('stow') || authorities.has('trade'),
      canTradeFutures: authorities.has('coow') || authorities.has('trade'),
      canWithdraw: authorities.has('wwow') || authorities.has('withdraw'),
      ipRestricted: ips !== '',
    };
    return permissions;
  },

  ordersEchoState: false,
  requestValidityMs: 30_000,
};
