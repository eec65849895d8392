import type { Engine } from '../engine/engine.ts';
import { allSymbols, MARKETS } from '../engine/markets.ts';
import type { OrderType, TimeInForce } from '../engine/types.ts';
import { errors } from './errors.ts';
import { spotExchangeInfo } from './exchange-info.ts';
import { orderRef, randomClientId, type BinanceParams } from './params.ts';
import type { BinanceRoute } from './rest.ts';
import { spotAccountJson, spotCancelJson, spotNewOrderJson, spotOrderJson, spotTradeJson } from './spot-format.ts';

function orderType(params: BinanceParams): OrderType {
  const type = params.required('type');
  if (type !== 'MARKET' && type !== 'LIMIT' && type !== 'LIMIT_MAKER') throw errors.badOrderType();
  return type;
}

function timeInForce(params: BinanceParams, type: OrderType): TimeInForce | undefined {
  const tif = params.string('timeInForce');
  if (type !== 'LIMIT') {
    if (tif !== undefined) throw errors.notRequired('timeInForce');
    return undefined;
  }
  if (tif === undefined) throw errors.mandatory('timeInForce');
  if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK') throw errors.badTimeInForce();
  return tif;
}

function knownSymbol(params: BinanceParams): string {
  const symbol = params.required('symbol');
  if (!allSymbols().includes(symbol)) throw errors.badSymbol();
  return symbol;
}

/**
 * exchangeInfo's `symbol=BTCUSDT` or `symbols=["BTCUSDT","ETHUSDT"]`: only those. "If any symbol
 * provided in either symbol or symbols do not exist, the endpoint will throw an error" (-1121).
 */
function requestedSymbols(params: BinanceParams): string[] | undefined {
  const one = params.string('symbol');
  const many = params.string('symbols');
  if (one === undefined && many === undefined) return undefined;
  let names: unknown = [one];
  if (many !== undefined) {
    try {
      names = JSON.parse(many) as unknown;
    } catch {
      throw errors.illegalChars('symbols', SYMBOLS_PATTERN);
    }
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
      throw errors.illegalChars('symbols', SYMBOLS_PATTERN);
    }
  }
  const symbols = names as string[];
  if (!symbols.every((s) => MARKETS.binanceSpot.some((m) => m.symbol === s))) throw errors.badSymbol();
  return symbols;
}

const SYMBOLS_PATTERN = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';

/** /api/v3: the spot REST endpoints ccxt uses, with Binance's documented request weights. */
export function spotRoutes(engine: Engine, now: () => number): BinanceRoute[] {
  return [
    { method: 'GET', path: '/api/v3/ping', market: 'spot', security: 'NONE', weight: 1, handle: () => ({}) },
    {
      method: 'GET',
      path: '/sapi/v1/system/status',
      market: 'spot',
      security: 'NONE',
      weight: 1,
      handle: () => ({ status: 0, msg: 'normal' }),
    },
    {
      method: 'GET',
      path: '/api/v3/time',
      market: 'spot',
      security: 'NONE',
      weight: 1,
      handle: () => ({ serverTime: now() }),
    },
    {
      method: 'GET',
      path: '/api/v3/exchangeInfo',
      market: 'spot',
      security: 'NONE',
      weight: 20,
      handle: ({ params }) => spotExchangeInfo(now(), requestedSymbols(params)),
    },
    {
      method: 'GET',
      path: '/api/v3/account',
      market: 'spot',
      security: 'SIGNED',
      weight: 20,
      handle: ({ account }) => spotAccountJson(account, now()),
    },
    {
      method: 'POST',
      path: '/api/v3/order',
      market: 'spot',
      security: 'SIGNED',
      weight: 1,
      orderPlacement: true,
      handle: ({ account, params }) => {
        const type = orderType(params);
        const tif = timeInForce(params, type);
        const quantity = params.decimal('quantity');
        const quoteOrderQty = params.decimal('quoteOrderQty');
        if (type === 'MARKET' && quantity === undefined && quoteOrderQty === undefined)
          throw errors.mandatory('quantity');
        if (type === 'MARKET' && quantity !== undefined && quoteOrderQty !== undefined)
          throw errors.notRequired('quoteOrderQty');
        if (type !== 'MARKET') {
          params.requiredDecimal('price');
          params.requiredDecimal('quantity');
        }
        const { order, trades } = engine.spot.place(account.id, {
          symbol: knownSymbol(params),
          side: params.side(),
          type,
          ...(tif === undefined ? {} : { timeInForce: tif }),
          ...(quantity === undefined ? {} : { quantity }),
          ...(quoteOrderQty === undefined || type !== 'MARKET' ? {} : { quoteOrderQty }),
          ...(type === 'MARKET' ? {} : { price: params.requiredDecimal('price') }),
          clientOrderId: params.clientId('newClientOrderId', randomClientId),
        });
        return spotNewOrderJson(order, trades, params.string('newOrderRespType') ?? 'FULL');
      },
    },
    {
      method: 'POST',
      path: '/api/v3/order/test',
      market: 'spot',
      security: 'SIGNED',
      weight: 1,
      handle: ({ params }) => {
        knownSymbol(params);
        params.side();
        orderType(params);
        return {};
      },
    },
    {
      method: 'GET',
      path: '/api/v3/order',
      market: 'spot',
      security: 'SIGNED',
      weight: 4,
      handle: ({ account, params }) => {
        const order = engine.spot.find(account.id, knownSymbol(params), orderRef(params));
        if (!order) throw errors.orderDoesNotExist();
        return spotOrderJson(order);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v3/order',
      market: 'spot',
      security: 'SIGNED',
      weight: 1,
      handle: ({ account, params }) => {
        // "newClientOrderId: Used to uniquely identify this cancel. Automatically generated by default."
        const cancelId = params.clientId('newClientOrderId', randomClientId);
        const order = engine.spot.cancel(account.id, knownSymbol(params), orderRef(params), cancelId);
        return spotCancelJson(order, cancelId, now());
      },
    },
    {
      method: 'DELETE',
      path: '/api/v3/openOrders',
      market: 'spot',
      security: 'SIGNED',
      weight: 1,
      handle: ({ account, params }) => {
        const symbol = knownSymbol(params);
        return engine.spot.openOrders(account.id, symbol).map((o) => {
          const cancelId = randomClientId();
          return spotCancelJson(engine.spot.cancel(account.id, symbol, { orderId: o.id }, cancelId), cancelId, now());
        });
      },
    },
    {
      method: 'GET',
      path: '/api/v3/openOrders',
      market: 'spot',
      security: 'SIGNED',
      weight: (p) => (p.has('symbol') ? 6 : 80),
      handle: ({ account, params }) => {
        const symbol = params.has('symbol') ? knownSymbol(params) : undefined;
        return engine.spot.openOrders(account.id, symbol).map(spotOrderJson);
      },
    },
    {
      method: 'GET',
      path: '/api/v3/allOrders',
      market: 'spot',
      security: 'SIGNED',
      weight: 20,
      handle: ({ account, params }) => engine.spot.allOrders(account.id, knownSymbol(params)).map(spotOrderJson),
    },
    {
      method: 'GET',
      path: '/api/v3/myTrades',
      market: 'spot',
      security: 'SIGNED',
      weight: 20,
      handle: ({ account, params }) => {
        const query = {
          symbol: knownSymbol(params),
          orderId: params.int('orderId'),
          startTime: params.int('startTime'),
          endTime: params.int('endTime'),
          fromId: params.int('fromId'),
          limit: params.int('limit'),
        };
        return engine.spot.trades(account.id, query).map(spotTradeJson);
      },
    },
  ];
}
