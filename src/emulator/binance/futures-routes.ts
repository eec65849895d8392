import type { Engine } from '../engine/engine.ts';
import { MARKETS } from '../engine/markets.ts';
import type { FuturesOrder, OrderType, TimeInForce } from '../engine/types.ts';
import { algoRoutes } from './algo-routes.ts';
import { BinanceError, errors } from './errors.ts';
import { futuresExchangeInfo } from './exchange-info.ts';
import {
  futuresAccountJson,
  futuresBalanceJson,
  leverageBracketJson,
  positionRiskJson,
  symbolConfigJson,
} from './futures-account-format.ts';
import { futuresOrderJson, futuresTradeJson } from './futures-format.ts';
import { futuresClientId, futuresSymbol, positionSide } from './futures-params.ts';
import type { ListenKeyStore } from './listen-keys.ts';
import { orderRef, type BinanceParams } from './params.ts';
import type { BinanceRoute } from './rest.ts';

const CONDITIONAL_TYPES = ['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'];

function timeInForce(params: BinanceParams, type: string): TimeInForce | undefined {
  const tif = params.string('timeInForce');
  if (type === 'MARKET') return undefined;
  if (tif === undefined) throw errors.mandatory('timeInForce');
  if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK' && tif !== 'GTX') throw errors.badTimeInForce();
  return tif;
}

/** ACK shows the order as accepted, before any fill; RESULT shows it after matching. */
function placedOrderJson(order: FuturesOrder, respType: string): Record<string, unknown> {
  const json = futuresOrderJson(order);
  if (respType === 'RESULT') return json;
  return { ...json, status: 'NEW', executedQty: '0', cumQty: '0', cumQuote: '0.00000000', avgPrice: '0.00' };
}

function placeOrder(engine: Engine, accountId: string, params: BinanceParams): Record<string, unknown> {
  const symbol = futuresSymbol(params);
  const side = params.side();
  const rawType = params.required('type');
  if (CONDITIONAL_TYPES.includes(rawType)) {
    throw new BinanceError(
      400,
      -4120,
      'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.',
    );
  }
  if (rawType !== 'MARKET' && rawType !== 'LIMIT') throw errors.badOrderType();
  const type: OrderType = rawType;
  const tif = timeInForce(params, type);
  const ps = positionSide(params);
  const { order } = engine.futures.place(accountId, {
    symbol,
    side,
    type,
    quantity: params.requiredDecimal('quantity'),
    ...(type === 'LIMIT' ? { price: params.requiredDecimal('price') } : {}),
    ...(tif === undefined ? {} : { timeInForce: tif }),
    ...(ps === undefined ? {} : { positionSide: ps }),
    reduceOnly: params.bool('reduceOnly') ?? false,
    reduceOnlySent: params.has('reduceOnly'),
    clientOrderId: futuresClientId(params, 'newClientOrderId'),
  });
  return placedOrderJson(order, params.string('newOrderRespType') ?? 'ACK');
}

function publicRoutes(engine: Engine, now: () => number): BinanceRoute[] {
  return [
    { method: 'GET', path: '/fapi/v1/ping', market: 'futures', security: 'NONE', weight: 1, handle: () => ({}) },
    {
      method: 'GET',
      path: '/fapi/v1/time',
      market: 'futures',
      security: 'NONE',
      weight: 1,
      handle: () => ({ serverTime: now() }),
    },
    {
      method: 'GET',
      path: '/fapi/v1/exchangeInfo',
      market: 'futures',
      security: 'NONE',
      weight: 1,
      handle: () => futuresExchangeInfo(now()),
    },
    // ccxt's fetchLastPrices reads v2; v1 is the older twin with the same answer.
    ...['/fapi/v1/ticker/price', '/fapi/v2/ticker/price'].map((path): BinanceRoute => ({
      method: 'GET',
      path,
      market: 'futures',
      security: 'NONE',
      weight: (p) => (p.has('symbol') ? 1 : 2),
      handle: ({ params }) => {
        const row = (symbol: string): unknown => ({ symbol, price: engine.price(symbol), time: now() });
        return params.has('symbol') ? row(futuresSymbol(params)) : MARKETS.binanceFutures.map((m) => row(m.symbol));
      },
    })),
  ];
}

function orderRoutes(engine: Engine): BinanceRoute[] {
  return [
    {
      method: 'POST',
      path: '/fapi/v1/order',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      orderPlacement: true,
      handle: ({ account, params }) => placeOrder(engine, account.id, params),
    },
    {
      method: 'GET',
      path: '/fapi/v1/order',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      handle: ({ account, params }) => {
        const order = engine.futures.find(account.id, futuresSymbol(params), orderRef(params));
        if (!order) throw errors.orderDoesNotExist();
        return futuresOrderJson(order);
      },
    },
    {
      method: 'DELETE',
      path: '/fapi/v1/order',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      handle: ({ account, params }) =>
        futuresOrderJson(engine.futures.cancel(account.id, futuresSymbol(params), orderRef(params))),
    },
    {
      method: 'DELETE',
      path: '/fapi/v1/allOpenOrders',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      handle: ({ account, params }) => {
        const symbol = futuresSymbol(params);
        for (const o of engine.futures.openOrders(account.id, symbol))
          engine.futures.cancel(account.id, symbol, { orderId: o.id });
        return { code: 200, msg: 'The operation of cancel all open order is done.' };
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/openOrders',
      market: 'futures',
      security: 'SIGNED',
      weight: (p) => (p.has('symbol') ? 1 : 40),
      handle: ({ account, params }) =>
        engine.futures
          .openOrders(account.id, params.has('symbol') ? futuresSymbol(params) : undefined)
          .map(futuresOrderJson),
    },
    {
      method: 'GET',
      path: '/fapi/v1/allOrders',
      market: 'futures',
      security: 'SIGNED',
      weight: 5,
      handle: ({ account, params }) =>
        engine.futures.allOrders(account.id, futuresSymbol(params)).map(futuresOrderJson),
    },
    {
      method: 'GET',
      path: '/fapi/v1/userTrades',
      market: 'futures',
      security: 'SIGNED',
      weight: 5,
      handle: ({ account, params }) =>
        engine.futures
          .trades(account.id, {
            symbol: futuresSymbol(params),
            orderId: params.int('orderId'),
            startTime: params.int('startTime'),
            endTime: params.int('endTime'),
            fromId: params.int('fromId'),
            limit: params.int('limit'),
          })
          .map(futuresTradeJson),
    },
  ];
}

function accountRoutes(engine: Engine): BinanceRoute[] {
  const ctx = engine.ctx;
  const versions = [2, 3] as const;
  return [
    ...versions.flatMap((v): BinanceRoute[] => [
      {
        method: 'GET',
        path: `/fapi/v${String(v)}/account`,
        market: 'futures',
        security: 'SIGNED',
        weight: 5,
        handle: ({ account }) => futuresAccountJson(ctx, account, v),
      },
      {
        method: 'GET',
        path: `/fapi/v${String(v)}/positionRisk`,
        market: 'futures',
        security: 'SIGNED',
        weight: 5,
        handle: ({ account, params }) =>
          positionRiskJson(ctx, account, v, params.has('symbol') ? futuresSymbol(params) : undefined),
      },
      {
        method: 'GET',
        path: `/fapi/v${String(v)}/balance`,
        market: 'futures',
        security: 'SIGNED',
        weight: 5,
        handle: ({ account }) => futuresBalanceJson(ctx, account),
      },
    ]),
    {
      method: 'GET',
      path: '/fapi/v1/leverageBracket',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params }) => {
        const symbols = params.has('symbol') ? [futuresSymbol(params)] : MARKETS.binanceFutures.map((m) => m.symbol);
        const rows = leverageBracketJson(symbols);
        return params.has('symbol') ? rows[0] : rows;
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/symbolConfig',
      market: 'futures',
      security: 'SIGNED',
      weight: 5,
      handle: ({ account, params }) =>
        symbolConfigJson(
          account,
          params.has('symbol') ? [futuresSymbol(params)] : MARKETS.binanceFutures.map((m) => m.symbol),
        ),
    },
    {
      method: 'GET',
      path: '/fapi/v1/positionSide/dual',
      market: 'futures',
      security: 'SIGNED',
      weight: 30,
      handle: ({ account }) => ({ dualSidePosition: account.futures.hedgeMode }),
    },
    {
      method: 'POST',
      path: '/fapi/v1/positionSide/dual',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      handle: ({ account, params }) => {
        const hedged = params.bool('dualSidePosition');
        if (hedged === undefined) throw errors.mandatory('dualSidePosition');
        engine.futures.setHedgeMode(account.id, hedged);
        return { code: 200, msg: 'success' };
      },
    },
    {
      method: 'POST',
      path: '/fapi/v1/leverage',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      handle: ({ account, params }) => {
        const symbol = futuresSymbol(params);
        const leverage = params.int('leverage');
        if (leverage === undefined) throw errors.mandatory('leverage');
        if (leverage < 1 || leverage > 125)
          throw new BinanceError(400, -4028, `Leverage ${String(leverage)} is not valid`);
        engine.futures.setLeverage(account.id, symbol, leverage);
        return { leverage, maxNotionalValue: '80000000', symbol };
      },
    },
  ];
}

function listenKeyRoutes(listenKeys: ListenKeyStore): BinanceRoute[] {
  return [
    {
      method: 'POST',
      path: '/fapi/v1/listenKey',
      market: 'futures',
      security: 'USER_STREAM',
      weight: 1,
      handle: ({ account }) => ({ listenKey: listenKeys.create(account.id).key }),
    },
    {
      method: 'PUT',
      path: '/fapi/v1/listenKey',
      market: 'futures',
      security: 'USER_STREAM',
      weight: 1,
      handle: ({ account }) => ({ listenKey: listenKeys.keepAlive(account.id).key }),
    },
    {
      method: 'DELETE',
      path: '/fapi/v1/listenKey',
      market: 'futures',
      security: 'USER_STREAM',
      weight: 1,
      handle: ({ account }) => {
        listenKeys.remove(account.id);
        return {};
      },
    },
  ];
}

/** /fapi/v1, /fapi/v2, /fapi/v3: USDT-M endpoints ccxt uses, conditional orders on the algo service. */
export function futuresRoutes(engine: Engine, listenKeys: ListenKeyStore, now: () => number): BinanceRoute[] {
  return [
    ...publicRoutes(engine, now),
    ...orderRoutes(engine),
    ...algoRoutes(engine),
    ...accountRoutes(engine),
    ...listenKeyRoutes(listenKeys),
  ];
}
