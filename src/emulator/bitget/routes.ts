import { randomUUID } from 'node:crypto';
import { numericUserId } from '../engine/accounts.ts';
import { parseDecimal, type Dec } from '../engine/decimal.ts';
import type { Engine } from '../engine/engine.ts';
import { findMarket } from '../engine/markets.ts';
import type { OrderRef } from '../engine/queries.ts';
import type { Account, TimeInForce } from '../engine/types.ts';
import { bitgetErrors } from './errors.ts';
import {
  bitgetAccountInfoJson,
  bitgetAssetJson,
  bitgetFillJson,
  bitgetOrderJson,
  bitgetSymbols,
  engineId,
} from './format.ts';
import { bitgetSpotMarketRoutes } from './market-routes.ts';
import type { BitgetRoute } from './rest.ts';

export function text(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function requiredText(params: Record<string, unknown>, name: string): string {
  const value = text(params, name);
  if (value === undefined) throw bitgetErrors.missing(name);
  return value;
}

export function decimalParam(params: Record<string, unknown>, name: string): Dec {
  const value = parseDecimal(requiredText(params, name));
  if (!value || value.lte(0)) throw bitgetErrors.invalid(name);
  return value;
}

export function optionalInt(params: Record<string, unknown>, name: string): number | undefined {
  const value = text(params, name);
  return value === undefined ? undefined : Number(value);
}

const FORCES: Record<string, TimeInForce> = { gtc: 'GTC', ioc: 'IOC', fok: 'FOK', post_only: 'GTX' };

/** An order by orderId or clientOid; an unknown orderId simply matches nothing. */
function orderRef(params: Record<string, unknown>): OrderRef {
  const orderId = text(params, 'orderId');
  const clientOid = text(params, 'clientOid');
  if (orderId === undefined && clientOid === undefined) throw bitgetErrors.missing('orderId');
  if (orderId !== undefined) return { orderId: engineId(orderId) ?? -1 };
  return { clientOrderId: clientOid };
}

function placeOrder(engine: Engine, account: Account, params: Record<string, unknown>): Record<string, unknown> {
  const symbol = requiredText(params, 'symbol');
  const side = requiredText(params, 'side');
  const orderType = requiredText(params, 'orderType');
  if (side !== 'buy' && side !== 'sell') throw bitgetErrors.invalid('side');
  if (orderType !== 'market' && orderType !== 'limit') throw bitgetErrors.invalid('orderType');
  const size = decimalParam(params, 'size');
  const force = FORCES[(text(params, 'force') ?? 'gtc').toLowerCase()];
  if (force === undefined) throw bitgetErrors.invalid('force');
  const isMarket = orderType === 'market';
  const { order } = engine.spot.place(account.id, {
    symbol,
    side: side === 'buy' ? 'BUY' : 'SELL',
    type: isMarket ? 'MARKET' : force === 'GTX' ? 'LIMIT_MAKER' : 'LIMIT',
    ...(isMarket ? {} : { timeInForce: force, price: decimalParam(params, 'price') }),
    // A Bitget market buy is sized by the quote amount to spend.
    ...(isMarket && side === 'buy' ? { quoteOrderQty: size } : { quantity: size }),
    clientOrderId: text(params, 'clientOid') ?? randomUUID(),
  });
  return { orderId: String(bitgetOrderJson(order, '', undefined)['orderId']), clientOid: order.clientOrderId };
}

function userIdOf(account: Account): string {
  return String(numericUserId(account.id));
}

function orderRoutes(engine: Engine, now: () => number): BitgetRoute[] {
  const orderJson = (account: Account) => (o: Parameters<typeof bitgetOrderJson>[0]) =>
    bitgetOrderJson(o, userIdOf(account), findMarket('bitgetSpot', o.symbol));
  const orderInfo = (account: Account, params: Record<string, unknown>): unknown[] => {
    const order = engine.spot.find(account.id, undefined, orderRef(params));
    return order ? [orderJson(account)(order)] : [];
  };
  return [
    {
      method: 'POST',
      path: '/api/v2/spot/trade/place-order',
      private: true,
      perSecond: 10,
      orderPlacement: true,
      trading: true,
      handle: ({ account, params }) => placeOrder(engine, account, params),
    },
    {
      method: 'POST',
      path: '/api/v2/spot/trade/cancel-order',
      private: true,
      perSecond: 10,
      trading: true,
      handle: ({ account, params }) => {
        const order = engine.spot.cancel(account.id, requiredText(params, 'symbol'), orderRef(params));
        return { orderId: String(orderJson(account)(order)['orderId']), clientOid: order.clientOrderId };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/spot/trade/orderInfo',
      private: true,
      perSecond: 20,
      handle: ({ account, params }) => orderInfo(account, params),
    },
    {
      method: 'POST',
      path: '/api/v2/spot/trade/orderInfo',
      private: true,
      perSecond: 20,
      handle: ({ account, params }) => orderInfo(account, params),
    },
    {
      method: 'GET',
      path: '/api/v2/spot/trade/unfilled-orders',
      private: true,
      perSecond: 20,
      handle: ({ account, params }) =>
        engine.spot.openOrders(account.id, text(params, 'symbol')).map(orderJson(account)),
    },
    {
      method: 'GET',
      path: '/api/v2/spot/trade/history-orders',
      private: true,
      perSecond: 20,
      handle: ({ account, params }) =>
        engine.spot
          .allOrders(account.id, text(params, 'symbol'))
          .filter((o) => o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED')
          .reverse()
          .map(orderJson(account)),
    },
    {
      method: 'GET',
      path: '/api/v2/spot/trade/fills',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => {
        const orderId = text(params, 'orderId');
        const trades = engine.spot.trades(account.id, {
          symbol: text(params, 'symbol'),
          orderId: orderId === undefined ? undefined : (engineId(orderId) ?? -1),
          startTime: optionalInt(params, 'startTime'),
          endTime: optionalInt(params, 'endTime'),
          limit: Math.min(optionalInt(params, 'limit') ?? 100, 100),
        });
        return trades
          .reverse()
          .map((t) =>
            bitgetFillJson(t, engine.spot.find(account.id, undefined, { orderId: t.orderId }), userIdOf(account)),
          );
      },
    },
    {
      // "Get Account Information": the key's permissions (`authorities`) and IP whitelist (`ips`).
      method: 'GET',
      path: '/api/v2/spot/account/info',
      private: true,
      perSecond: 1,
      handle: ({ account, key }) => bitgetAccountInfoJson(account, key, userIdOf(account)),
    },
    {
      method: 'GET',
      path: '/api/v2/spot/account/assets',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => {
        const coin = text(params, 'coin');
        const all = text(params, 'assetType') === 'all';
        return Object.entries(account.spot.balances)
          .filter(
            ([asset, b]) =>
              (coin === undefined || asset === coin) &&
              (all || coin !== undefined || b.free !== '0' || b.locked !== '0'),
          )
          .map(([asset]) => bitgetAssetJson(account, asset, now()));
      },
    },
  ];
}

/** /api/v2: the Bitget spot subset ccxt's loadMarkets, fetchBalance and order calls use. */
export function bitgetRoutes(engine: Engine, now: () => number): BitgetRoute[] {
  return [
    {
      method: 'GET',
      path: '/api/v2/public/time',
      private: false,
      perSecond: 20,
      handle: () => ({ serverTime: String(now()) }),
    },
    {
      method: 'GET',
      path: '/api/v2/spot/public/symbols',
      private: false,
      perSecond: 20,
      handle: ({ params }) => {
        const symbol = text(params, 'symbol');
        const found = bitgetSymbols(symbol);
        // Not documented for an unknown symbol: answered as the emulator answers one elsewhere.
        if (symbol !== undefined && found.length === 0) throw bitgetErrors.unknownSymbol(symbol);
        return found;
      },
    },
    // ccxt's spot loadMarkets asks for margin currencies too; an empty list means "no margin".
    { method: 'GET', path: '/api/v2/margin/currencies', private: false, perSecond: 20, handle: () => [] },
    // Tickers, order book, trades and candles: market-routes.ts.
    ...bitgetSpotMarketRoutes(engine),
    ...orderRoutes(engine, now),
  ];
}
