import ccxt, { type Exchange, type MarketInterface, type Order } from 'ccxt';
import { toCcxtNumber } from './normalize.ts';
import type {
  ConditionalOrderRequest,
  KeyPermissions,
  MarketKind,
  OrderRef,
  PlaceOrderRequest,
  PositionMode,
} from './types.ts';
import {
  infoString,
  toPositionSide,
  UnsupportedOrderError,
  type ConditionalOrderApi,
  type ErrorCodeRule,
  type OrderCall,
  type OrderExtras,
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

/**
 * USDT-M futures (v2 mix) limits per UID from Bitget's contract docs: place/cancel and plan
 * orders 10/s, order detail, lists and fills 10/s, accounts 10/s, all positions 5/s, position
 * mode and leverage changes 5/s; public market data 20/s per IP.
 */
const USDM_LIMITS: RateLimits = {
  accountOrders: [],
  endpoints: {
    'GET /api/v2/public/time': { perSecond: 20 },
    'GET /api/v2/mix/market/contracts': { perSecond: 20 },
    'GET /api/v2/mix/market/tickers': { perSecond: 20 },
    'GET /api/v2/mix/market/ticker': { perSecond: 20 },
    'GET /api/v2/mix/market/symbol-price': { perSecond: 20 },
    'GET /api/v2/spot/account/info': { perSecond: 1 },
    'GET /api/v2/mix/account/accounts': { perSecond: 10 },
    'GET /api/v2/mix/account/account': { perSecond: 10 },
    'POST /api/v2/mix/account/set-position-mode': { perSecond: 5 },
    'POST /api/v2/mix/account/set-leverage': { perSecond: 5 },
    'GET /api/v2/mix/position/all-position': { perSecond: 5 },
    'GET /api/v2/mix/position/single-position': { perSecond: 10 },
    'POST /api/v2/mix/order/place-order': { perSecond: 10, orders: 1 },
    'POST /api/v2/mix/order/cancel-order': { perSecond: 10 },
    'GET /api/v2/mix/order/detail': { perSecond: 10 },
    'GET /api/v2/mix/order/orders-pending': { perSecond: 10 },
    'GET /api/v2/mix/order/orders-history': { perSecond: 10 },
    'GET /api/v2/mix/order/fills': { perSecond: 10 },
    'POST /api/v2/mix/order/place-tpsl-order': { perSecond: 10, orders: 1 },
    'POST /api/v2/mix/order/place-plan-order': { perSecond: 10, orders: 1 },
    'POST /api/v2/mix/order/cancel-plan-order': { perSecond: 10 },
    'GET /api/v2/mix/order/orders-plan-pending': { perSecond: 10 },
    'GET /api/v2/mix/order/orders-plan-history': { perSecond: 10 },
  },
  fallback: { perSecond: 10 },
};

const PRODUCT_TYPE = 'USDT-FUTURES';

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
  // Futures (mix): order and order detail not found, duplicate clientOid, nothing (or not enough)
  // to close, an order of the other position mode, a stop on the wrong side of the mark price.
  { code: '40768', kind: 'order_not_found' },
  { code: '40109', kind: 'order_not_found' },
  { code: '40786', kind: 'duplicate_client_id' },
  { code: '22002', kind: 'rejected' },
  { code: '40757', kind: 'rejected' },
  { code: '40774', kind: 'invalid_parameter' },
  { code: '40917', kind: 'rejected' },
  { code: '45122', kind: 'rejected' },
  { code: '45110', kind: 'rejected_min_notional' },
  { code: '45111', kind: 'rejected_lot_size' },
  { code: '40808', kind: 'rejected_precision' },
  { code: '43011', kind: 'rejected' },
  { code: '40017', kind: 'invalid_parameter' },
  { code: '40019', kind: 'invalid_parameter' },
  { code: '40015', kind: 'unavailable' },
];

const API_KEYS = ['spot', 'mix', 'user', 'p2p', 'broker', 'margin', 'common', 'tax', 'convert', 'copy', 'earn', 'uta'];

/** Hedge mode closes the position the order names: a sell on LONG, a buy on SHORT. */
function closes(req: { side: 'buy' | 'sell'; positionSide?: 'LONG' | 'SHORT' | undefined }): boolean {
  return (req.positionSide === 'LONG' && req.side === 'sell') || (req.positionSide === 'SHORT' && req.side === 'buy');
}

/**
 * Bitget's TP/SL plans are listed by plan type (`profit_loss` = every TP/SL kind) and have no
 * detail endpoint; a cancel names the plan's own type (loss_plan, pos_profit…), so the plan is
 * looked up first. ccxt's plan calls take these as params.
 */
const TPSL_LIST = { trigger: true, planType: 'profit_loss' };

function planRef(ref: OrderRef): Record<string, string> {
  if (ref.id) return { orderId: ref.id };
  if (ref.clientOrderId) return { clientOrderId: ref.clientOrderId };
  throw new Error('an order reference needs an id or a client order id');
}

function matches(order: Order, ref: OrderRef): boolean {
  return ref.id ? order.id === ref.id : order.clientOrderId === ref.clientOrderId;
}

const conditionalOrders: ConditionalOrderApi = {
  open: (client, symbol) => client.fetchOpenOrders(symbol, undefined, undefined, TPSL_LIST),

  async find(client, symbol, ref) {
    const query = { ...TPSL_LIST, ...planRef(ref) };
    const pending = await client.fetchOpenOrders(symbol, undefined, undefined, query);
    const found =
      pending.find((o) => matches(o, ref)) ??
      (await client.fetchCanceledAndClosedOrders(symbol, undefined, undefined, query)).find((o) => matches(o, ref));
    if (!found) throw new ccxt.OrderNotFound(`bitget plan order ${ref.id ?? ref.clientOrderId ?? ''} not found`);
    return found;
  },

  async cancel(client, symbol, ref) {
    const [plan] = (
      await client.fetchOpenOrders(symbol, undefined, undefined, { ...TPSL_LIST, ...planRef(ref) })
    ).filter((o) => matches(o, ref));
    const planType = infoString(plan?.info, 'planType');
    if (!plan?.id || !planType)
      throw new ccxt.OrderNotFound(`bitget plan order ${ref.id ?? ref.clientOrderId ?? ''} is not pending`);
    // A plan that is gone by now comes back in the failure list, not as an error.
    const canceled = await client.cancelOrder(plan.id, symbol, { trigger: true, planType });
    if (!canceled.id) throw new ccxt.OrderNotFound(`bitget plan order ${plan.id} was not cancelled`);
  },
};

/** A swap market to name in a request that needs a symbol but applies to the whole product type. */
function anyUsdtSwap(client: Exchange): MarketInterface {
  const markets = Object.values((client.markets ?? {}) as Record<string, MarketInterface>);
  const market = markets.find((m) => m.swap && m.linear && m.settle === 'USDT');
  if (!market) throw new ccxt.BadSymbol('bitget: no USDT-M swap market loaded');
  return market;
}

export const bitget: Venue = {
  id: 'bitget',
  displayName: 'Bitget',
  markets: ['spot', 'usdm'],

  newClient(_market, config) {
    return new ccxt.pro.bitget(config);
  },

  clientConfig(market: MarketKind) {
    // uta: false skips ccxt's probe of /api/v3/account/settings before the first order. USDT-M is
    // ccxt's swap type (v2 mix, productType USDT-FUTURES): `defaultType` steers fetchBalance and the
    // private streams there; loadMarkets then asks for the contracts of every product type.
    const options =
      market === 'usdm'
        ? { uta: false, defaultType: 'swap', defaultSubType: 'linear', fetchMarkets: { types: ['swap'] } }
        : { uta: false, fetchMarkets: { types: ['spot'] } };
    return { options, has: { fetchCurrencies: false } };
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

  limits: (market: MarketKind) => (market === 'usdm' ? USDM_LIMITS : SPOT_LIMITS),

  errorRules: ERROR_RULES,

  rateLimitHint({ status, body }, now) {
    if (status !== 429 && !/"code"\s*:\s*"429"/.test(body)) return undefined;
    // Bitget's trading limits are per UID: one account's burst must not pause the others.
    return { scope: 'account', untilMs: now + 1000 };
  },

  placeOrderCall(req: PlaceOrderRequest, market: MarketKind): OrderCall {
    const params: Record<string, unknown> = { clientOid: req.clientOrderId };
    if (market === 'usdm') {
      if (req.cost) throw new UnsupportedOrderError('quote_amount_on_futures');
      // Hedge mode: ccxt sends tradeSide open, or for a reduce-only close tradeSide close with the
      // position's side (closing a long is side "buy" on Bitget). One-way: reduceOnly YES.
      if (req.positionSide) {
        params['hedged'] = true;
        if (closes(req)) params['reduceOnly'] = true;
      } else if (req.reduceOnly) {
        params['reduceOnly'] = true;
      }
      return {
        type: req.type,
        side: req.side,
        amount: req.amount ? toCcxtNumber(req.amount) : undefined,
        price: req.price ? toCcxtNumber(req.price) : undefined,
        params,
      };
    }
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

  conditionalOrderCall(req: ConditionalOrderRequest, market: MarketKind): OrderCall {
    if (market !== 'usdm') throw new UnsupportedOrderError('spot_conditional');
    // ccxt sends stopLossPrice / takeProfitPrice on a swap to POST /api/v2/mix/order/place-tpsl-order
    // with holdSide from the side (hedge: the position, long/short; one-way: buy/sell). Partial
    // plans (loss_plan / profit_plan) close exactly `size`; pos_loss / pos_profit the whole position.
    const trigger = req.triggerPrice.toFixed();
    const stop = req.kind === 'stop';
    const params: Record<string, unknown> = {
      clientOid: req.clientOrderId,
      ...(stop ? { stopLossPrice: trigger } : { takeProfitPrice: trigger }),
      planType: req.closePosition ? (stop ? 'pos_loss' : 'pos_profit') : stop ? 'loss_plan' : 'profit_plan',
    };
    if (req.positionSide) params['hedged'] = true;
    return {
      type: 'market',
      side: req.side,
      amount: req.amount && !req.closePosition ? toCcxtNumber(req.amount) : undefined,
      price: undefined,
      params,
    };
  },

  clientIdParams: (clientOrderId) => ({ clientOid: clientOrderId }),

  tradeParams({ since, orderId }) {
    // fills take orderId: the order's trades only.
    if (orderId) return { params: { orderId } };
    // No forward cursor by id on Bitget fills: read from `since`, the caller filters by id.
    return since === undefined ? { params: {} } : { since, params: {} };
  },

  orderExtras(info): OrderExtras {
    const clientOrderId = infoString(info, 'clientOid') || undefined;
    const posMode = infoString(info, 'posMode');
    if (posMode === undefined) return { positionSide: undefined, clientOrderId };
    // Futures: in hedge mode `side` is the position ("buy" = long) and tradeSide says open or
    // close, so a close's direction is the other side (Place Order docs); one-way orders carry
    // their direction. A fill names no posSide: the position is its side.
    const wire = infoString(info, 'side')?.toLowerCase();
    const hedged = posMode === 'hedge_mode';
    const closing = hedged && (infoString(info, 'tradeSide') ?? '').toLowerCase().includes('close');
    const side = wire === 'buy' || wire === 'sell' ? (closing ? (wire === 'buy' ? 'sell' : 'buy') : wire) : undefined;
    const positionSide =
      toPositionSide(infoString(info, 'posSide') ?? infoString(info, 'holdSide')) ??
      (hedged && wire ? (wire === 'buy' ? 'LONG' : 'SHORT') : undefined);
    const planType = infoString(info, 'planType');
    return { positionSide, clientOrderId, side, ...(planType ? { rawType: planType.toLowerCase() } : {}) };
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
  // "The order type for unilateral position must also be the unilateral position type."
  positionModeMismatchCodes: ['40774'],

  async readPositionMode(client): Promise<PositionMode> {
    // ccxt has no fetchPositionMode for Bitget; "Get Single Account" reports posMode for the
    // product type (hedge_mode / one_way_mode), whichever symbol it is asked about.
    const market = anyUsdtSwap(client);
    const mix = client as unknown as {
      privateMixGetV2MixAccountAccount(params: Record<string, string>): Promise<{ data?: unknown }>;
    };
    const { data } = await mix.privateMixGetV2MixAccountAccount({
      symbol: market.id ?? '',
      productType: PRODUCT_TYPE,
      marginCoin: market.settleId ?? 'USDT',
    });
    return infoString(data, 'posMode') === 'hedge_mode' ? 'hedge' : 'oneway';
  },

  openingMarginIn(leverage) {
    // "Get Single Account", which ccxt's fetchLeverage reads: Bitget opens a position against
    // crossedMaxAvailable (isolated: isolatedMaxAvailable), not `available` or maxTransferOut
    // (ccxt's free), which leave unrealized profit out and may even be negative beside it.
    const isolated = infoString(leverage.info, 'marginMode') === 'isolated';
    return infoString(leverage.info, isolated ? 'isolatedMaxAvailable' : 'crossedMaxAvailable');
  },

  conditionalOrders,
};
