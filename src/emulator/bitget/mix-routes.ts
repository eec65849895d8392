import { randomUUID } from 'node:crypto';
import { permissionsOf } from '../engine/accounts.ts';
import { parseDecimal } from '../engine/decimal.ts';
import type { Engine } from '../engine/engine.ts';
import { Rejection } from '../engine/errors.ts';
import { MARGIN_ASSET } from '../engine/futures-margin.ts';
import { findMarket, MARKETS } from '../engine/markets.ts';
import type { OrderRef } from '../engine/queries.ts';
import type { Account, AlgoOrder, ApiKey, FuturesOrder, PositionSide, Side, TimeInForce } from '../engine/types.ts';
import { BitgetError, bitgetErrors } from './errors.ts';
import { bitgetId, engineId } from './format.ts';
import { fromMixRejection, mixErrors } from './mix-errors.ts';
import {
  contracts,
  enginePlanId,
  fromHedgeWire,
  isTpslPlan,
  mixAccountsJson,
  mixFillJson,
  mixOrderDetailJson,
  mixOrderListJson,
  mixPlanJson,
  mixPositionJson,
  mixSingleAccountJson,
  mixTickerJson,
  openPositions,
  planId,
  planTypeOf,
  PRODUCT_TYPE,
} from './mix-format.ts';
import type { BitgetRoute } from './rest.ts';
import { decimalParam, optionalInt, requiredText, text } from './routes.ts';

type Params = Record<string, unknown>;

const FORCES: Record<string, TimeInForce> = { gtc: 'GTC', ioc: 'IOC', fok: 'FOK', post_only: 'GTX' };
const TPSL_PLANS = ['profit_plan', 'loss_plan', 'pos_profit', 'pos_loss'];

/** Bitget takes product types and symbols in either case ("usdt-futures", "ethusdt" in its examples). */
function productType(params: Params): string {
  return requiredText(params, 'productType').toUpperCase();
}

/** Reads of another product type find nothing here: only USDT-FUTURES is emulated. */
function isUsdtFutures(params: Params): boolean {
  return productType(params) === PRODUCT_TYPE;
}

function requireUsdtFutures(params: Params): void {
  if (!isUsdtFutures(params)) throw mixErrors.productType();
}

function symbolOf(params: Params): string {
  return requiredText(params, 'symbol').toUpperCase();
}

function optionalSymbol(params: Params): string | undefined {
  return text(params, 'symbol')?.toUpperCase();
}

function lower(params: Params, name: string): string | undefined {
  return text(params, name)?.toLowerCase();
}

function requireMarginCoin(params: Params): void {
  if (requiredText(params, 'marginCoin').toUpperCase() !== MARGIN_ASSET) throw bitgetErrors.invalid('marginCoin');
}

function requireFuturesTrading(key: ApiKey): void {
  // Bitget's futures "orders" permission (coow); a read-only key (coor) gets 40014.
  if (!permissionsOf(key).futuresTrading) throw bitgetErrors.noPermission();
}

/** Engine refusals in mix words (the router's own mapping speaks spot). */
function mix<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof Rejection) throw fromMixRejection(err);
    throw err;
  }
}

function orderRef(params: Params): OrderRef {
  const orderId = text(params, 'orderId');
  const clientOid = text(params, 'clientOid');
  if (orderId === undefined && clientOid === undefined) throw bitgetErrors.missing('orderId');
  // "If both are entered, orderId prevails."
  if (orderId !== undefined) return { orderId: engineId(orderId) ?? -1 };
  return { clientOrderId: clientOid };
}

interface Placement {
  side: Side;
  positionSide: PositionSide;
  reduceOnly: boolean;
  closing: boolean;
}

/**
 * Bitget's place-order semantics: in hedge mode side names the position and tradeSide says open
 * or close (reduceOnly does not apply); in one-way mode side is the direction, reduceOnly YES
 * shrinks the position, and a hedge-mode order (tradeSide) is refused with 40774.
 */
function placementOf(account: Account, params: Params): Placement {
  const side = lower(params, 'side');
  if (side !== 'buy' && side !== 'sell') throw bitgetErrors.invalid('side');
  const tradeSide = lower(params, 'tradeSide');
  if (account.futures.hedgeMode) {
    if (tradeSide === undefined) throw bitgetErrors.missing('tradeSide');
    if (tradeSide !== 'open' && tradeSide !== 'close') throw bitgetErrors.invalid('tradeSide');
    const close = tradeSide === 'close';
    return { ...fromHedgeWire(side, close), reduceOnly: false, closing: close };
  }
  if (tradeSide !== undefined) throw mixErrors.oneWayMismatch();
  const reduceOnly = lower(params, 'reduceOnly') === 'yes';
  return { side: side === 'buy' ? 'BUY' : 'SELL', positionSide: 'BOTH', reduceOnly, closing: reduceOnly };
}

function placeOrder(engine: Engine, account: Account, params: Params): Record<string, unknown> {
  requireUsdtFutures(params);
  const symbol = symbolOf(params);
  requireMarginCoin(params);
  const marginMode = lower(params, 'marginMode');
  if (marginMode === undefined) throw bitgetErrors.missing('marginMode');
  if (marginMode !== 'crossed') throw mixErrors.notEmulated('marginMode (only crossed margin is emulated)');
  const orderType = lower(params, 'orderType');
  if (orderType !== 'market' && orderType !== 'limit') throw bitgetErrors.invalid('orderType');
  const size = decimalParam(params, 'size');
  const force = FORCES[lower(params, 'force') ?? 'gtc'];
  if (force === undefined) throw bitgetErrors.invalid('force');
  const placement = placementOf(account, params);
  const isMarket = orderType === 'market';
  if (placement.closing && engine.futures.closable(account, symbol, placement.side, placement.positionSide).isZero())
    throw mixErrors.noPosition();
  const { order } = mix(() =>
    engine.futures.place(account.id, {
      symbol,
      side: placement.side,
      positionSide: placement.positionSide,
      type: isMarket ? 'MARKET' : 'LIMIT',
      quantity: size,
      ...(isMarket ? {} : { price: decimalParam(params, 'price'), timeInForce: force }),
      reduceOnly: placement.reduceOnly,
      reduceOnlySent: false,
      clientOrderId: text(params, 'clientOid') ?? randomUUID(),
    }),
  );
  return { orderId: bitgetId(order.id), clientOid: order.clientOrderId };
}

/** The desk-facing shape of a refused trigger: which side of the mark the price must be. */
function wouldTrigger(loss: boolean, long: boolean, mark: string): BitgetError {
  if (loss && long) return new BitgetError(400, '40917', `Stop price for long positions please < mark price ${mark}`);
  if (loss) return new BitgetError(400, '45122', `Short position stop loss price please > mark price ${mark}`);
  // The emulator's choice of codes for the take-profit side.
  if (long) return new BitgetError(400, '40915', `Long position take profit price please > mark price ${mark}`);
  return new BitgetError(400, '45121', `Short position take profit price please < mark price ${mark}`);
}

/**
 * place-tpsl-order: a TP/SL plan on a position. holdSide names the position (hedge long/short,
 * one-way buy/sell); profit_plan / loss_plan close `size`, pos_profit / pos_loss the whole
 * position. Executes at market when triggered (a limit executePrice is not emulated).
 */
function placeTpsl(engine: Engine, account: Account, params: Params): Record<string, unknown> {
  requireUsdtFutures(params);
  const symbol = symbolOf(params);
  requireMarginCoin(params);
  const planType = lower(params, 'planType');
  if (planType === undefined) throw bitgetErrors.missing('planType');
  if (!TPSL_PLANS.includes(planType)) throw mixErrors.notEmulated(`planType ${planType}`);
  const executePrice = parseDecimal(text(params, 'executePrice') ?? '0');
  if (!executePrice?.isZero()) throw mixErrors.notEmulated('executePrice (TP/SL execute at market only)');
  const holdSide = lower(params, 'holdSide');
  const hedge = account.futures.hedgeMode;
  const holds = hedge ? ['long', 'short'] : ['buy', 'sell'];
  if (holdSide === undefined) throw bitgetErrors.missing('holdSide');
  if (!holds.includes(holdSide)) throw bitgetErrors.invalid('holdSide');
  const long = holdSide === 'long' || holdSide === 'buy';
  const whole = planType.startsWith('pos_');
  const loss = planType.endsWith('loss') || planType === 'loss_plan';
  const triggerPrice = decimalParam(params, 'triggerPrice');
  const mark = engine.price(symbol);
  try {
    const algo = engine.algo.place(account.id, {
      symbol,
      side: long ? 'SELL' : 'BUY',
      positionSide: hedge ? (long ? 'LONG' : 'SHORT') : 'BOTH',
      type: loss ? 'STOP_MARKET' : 'TAKE_PROFIT_MARKET',
      ...(whole ? {} : { quantity: decimalParam(params, 'size') }),
      closePosition: whole,
      reduceOnly: !hedge,
      reduceOnlySent: false,
      triggerPrice,
      workingType: lower(params, 'triggerType') ?? 'mark_price',
      priceProtect: false,
      clientAlgoId: text(params, 'clientOid') ?? randomUUID(),
      planType,
    });
    return { orderId: planId(algo.algoId), clientOid: algo.clientAlgoId };
  } catch (err) {
    if (err instanceof Rejection && err.reason === 'WOULD_TRIGGER') throw wouldTrigger(loss, long, mark);
    if (err instanceof Rejection) throw fromMixRejection(err, { markPrice: mark });
    throw err;
  }
}

/**
 * place-plan-order (normal_plan): a market order placed when the price reaches the trigger. The
 * direction of the trigger is where the price is not yet: above the mark it waits for a rise,
 * below for a fall. Limit execution and trailing (track_plan) are not emulated.
 */
function placePlan(engine: Engine, account: Account, params: Params): Record<string, unknown> {
  requireUsdtFutures(params);
  const symbol = symbolOf(params);
  requireMarginCoin(params);
  const planType = lower(params, 'planType') ?? 'normal_plan';
  if (planType !== 'normal_plan') throw mixErrors.notEmulated(`planType ${planType}`);
  if (lower(params, 'orderType') !== 'market') throw mixErrors.notEmulated('orderType (plan orders execute at market)');
  const marginMode = lower(params, 'marginMode') ?? 'crossed';
  if (marginMode !== 'crossed') throw mixErrors.notEmulated('marginMode (only crossed margin is emulated)');
  const placement = placementOf(account, params);
  const triggerPrice = decimalParam(params, 'triggerPrice');
  const rising = triggerPrice.gt(engine.price(symbol));
  // STOP_MARKET buys on a rise and sells on a fall; TAKE_PROFIT_MARKET the other way round.
  const type = rising === (placement.side === 'BUY') ? 'STOP_MARKET' : 'TAKE_PROFIT_MARKET';
  const algo = mix(() =>
    engine.algo.place(account.id, {
      symbol,
      side: placement.side,
      positionSide: placement.positionSide,
      type,
      quantity: decimalParam(params, 'size'),
      closePosition: false,
      reduceOnly: placement.reduceOnly,
      reduceOnlySent: false,
      triggerPrice,
      workingType: lower(params, 'triggerType') ?? 'mark_price',
      priceProtect: false,
      clientAlgoId: text(params, 'clientOid') ?? randomUUID(),
      planType,
    }),
  );
  return { orderId: planId(algo.algoId), clientOid: algo.clientAlgoId };
}

/** Which plan orders a list query means: profit_loss is every TP/SL type, normal_plan the triggers. */
function planFilter(params: Params): (algo: AlgoOrder) => boolean {
  const wanted = lower(params, 'planType');
  if (wanted === undefined) throw bitgetErrors.missing('planType');
  if (wanted === 'profit_loss') return isTpslPlan;
  return (algo) => planTypeOf(algo) === wanted;
}

function planRefMatches(algo: AlgoOrder, params: Params): boolean {
  const orderId = text(params, 'orderId');
  const clientOid = text(params, 'clientOid');
  if (orderId !== undefined) return enginePlanId(orderId) === algo.algoId;
  return clientOid === undefined || clientOid === algo.clientAlgoId;
}

function inWindow(time: number, params: Params): boolean {
  const start = optionalInt(params, 'startTime');
  const end = optionalInt(params, 'endTime');
  return (start === undefined || time >= start) && (end === undefined || time <= end);
}

/** Newest first, at most `limit` (default and maximum 100), as Bitget pages. */
function page<T>(rows: T[], params: Params): T[] {
  const limit = Math.min(Math.max(optionalInt(params, 'limit') ?? 100, 1), 100);
  return rows.slice(0, limit);
}

function entrusted(rows: Record<string, unknown>[]): Record<string, unknown> {
  const last = rows.at(-1);
  return { entrustedList: rows, endId: last ? String(last['orderId']) : null };
}

function isOpenOrder(o: FuturesOrder): boolean {
  return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
}

/**
 * cancel-plan-order: every plan of the list (or, without one, every plan of the symbol and plan
 * type) is cancelled; the answer lists what was and what was not, and is a success either way.
 */
function cancelPlans(engine: Engine, account: Account, params: Params): Record<string, unknown> {
  requireUsdtFutures(params);
  // "planType: normal_plan (default)"; a TP/SL plan is named by its own type (loss_plan, pos_profit…).
  const planType = lower(params, 'planType') ?? 'normal_plan';
  const symbol = optionalSymbol(params);
  const list = params['orderIdList'];
  const successList: Record<string, unknown>[] = [];
  const failureList: Record<string, unknown>[] = [];
  const open = engine.algo.openOrders(account.id, symbol).filter((a) => planTypeOf(a) === planType);
  const targets: { ref: Params; algo: AlgoOrder | undefined }[] = Array.isArray(list)
    ? list
        .filter((item): item is Params => typeof item === 'object' && item !== null)
        .map((ref) => ({ ref, algo: open.find((a) => planRefMatches(a, ref)) }))
    : open.map((algo) => ({ ref: {}, algo }));
  for (const { ref, algo } of targets) {
    if (!algo) {
      failureList.push({
        orderId: text(ref, 'orderId') ?? '',
        clientOid: text(ref, 'clientOid') ?? '',
        errorMsg: 'notExistend',
      });
      continue;
    }
    engine.algo.cancel(account.id, { algoId: algo.algoId });
    successList.push({ orderId: planId(algo.algoId), clientOid: algo.clientAlgoId });
  }
  return { successList, failureList };
}

function marketRoutes(engine: Engine, now: () => number): BitgetRoute[] {
  const tickers = (params: Params): Record<string, unknown>[] => {
    if (!isUsdtFutures(params)) return [];
    const symbol = optionalSymbol(params);
    return MARKETS.bitgetFutures
      .filter((m) => symbol === undefined || m.symbol === symbol)
      .map((m) => mixTickerJson(m.symbol, engine.price(m.symbol), now()));
  };
  return [
    {
      // ccxt's loadMarkets asks for every product type; only USDT-FUTURES lists contracts here.
      method: 'GET',
      path: '/api/v2/mix/market/contracts',
      private: false,
      perSecond: 20,
      handle: ({ params }) => (isUsdtFutures(params) ? contracts(optionalSymbol(params)) : []),
    },
    {
      method: 'GET',
      path: '/api/v2/mix/market/tickers',
      private: false,
      perSecond: 20,
      handle: ({ params }) => tickers(params),
    },
    {
      method: 'GET',
      path: '/api/v2/mix/market/ticker',
      private: false,
      perSecond: 20,
      handle: ({ params }) => {
        symbolOf(params);
        return tickers(params);
      },
    },
    {
      // ccxt fetchMarkPrice: last, index and mark price are one price here.
      method: 'GET',
      path: '/api/v2/mix/market/symbol-price',
      private: false,
      perSecond: 20,
      handle: ({ params }) => {
        const symbol = symbolOf(params);
        if (!isUsdtFutures(params) || !findMarket('bitgetFutures', symbol)) return [];
        const price = engine.price(symbol);
        return [{ symbol, price, indexPrice: price, markPrice: price, ts: String(now()) }];
      },
    },
  ];
}

function accountRoutes(engine: Engine): BitgetRoute[] {
  const ctx = engine.ctx;
  return [
    {
      method: 'GET',
      path: '/api/v2/mix/account/accounts',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => (isUsdtFutures(params) ? mixAccountsJson(ctx, account) : []),
    },
    {
      method: 'GET',
      path: '/api/v2/mix/account/account',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => {
        requireUsdtFutures(params);
        requireMarginCoin(params);
        const symbol = symbolOf(params);
        mix(() => engine.futures.market(symbol, account.venue));
        return mixSingleAccountJson(ctx, account, symbol);
      },
    },
    {
      method: 'POST',
      path: '/api/v2/mix/account/set-position-mode',
      private: true,
      perSecond: 5,
      handle: ({ account, key, params }) => {
        requireFuturesTrading(key);
        requireUsdtFutures(params);
        const posMode = lower(params, 'posMode');
        if (posMode !== 'hedge_mode' && posMode !== 'one_way_mode') throw bitgetErrors.invalid('posMode');
        const hedged = posMode === 'hedge_mode';
        // Asking for the mode the account is in already changes nothing.
        if (account.futures.hedgeMode !== hedged) mix(() => engine.futures.setHedgeMode(account.id, hedged));
        return { posMode };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/mix/account/set-leverage',
      private: true,
      perSecond: 5,
      handle: ({ account, key, params }) => {
        requireFuturesTrading(key);
        requireUsdtFutures(params);
        requireMarginCoin(params);
        const symbol = symbolOf(params);
        const leverage = Number(requiredText(params, 'leverage'));
        if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125) throw bitgetErrors.invalid('leverage');
        mix(() => engine.futures.setLeverage(account.id, symbol, leverage));
        const text = String(leverage);
        return {
          symbol,
          marginCoin: MARGIN_ASSET,
          longLeverage: text,
          shortLeverage: text,
          crossMarginLeverage: text,
          marginMode: 'crossed',
        };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/mix/account/set-margin-mode',
      private: true,
      perSecond: 5,
      handle: ({ account, key, params }) => {
        requireFuturesTrading(key);
        requireUsdtFutures(params);
        requireMarginCoin(params);
        const symbol = symbolOf(params);
        mix(() => engine.futures.market(symbol, account.venue));
        if (lower(params, 'marginMode') !== 'crossed')
          throw mixErrors.notEmulated('marginMode (only crossed margin is emulated)');
        const leverage = String(account.futures.leverage[symbol] ?? 20);
        return {
          symbol,
          marginCoin: MARGIN_ASSET,
          longLeverage: leverage,
          shortLeverage: leverage,
          marginMode: 'crossed',
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/mix/position/all-position',
      private: true,
      perSecond: 5,
      handle: ({ account, params }) =>
        isUsdtFutures(params) ? openPositions(ctx, account).map((m) => mixPositionJson(account, m)) : [],
    },
    {
      method: 'GET',
      path: '/api/v2/mix/position/single-position',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => {
        requireUsdtFutures(params);
        requireMarginCoin(params);
        const symbol = symbolOf(params);
        mix(() => engine.futures.market(symbol, account.venue));
        return openPositions(ctx, account, symbol).map((m) => mixPositionJson(account, m));
      },
    },
  ];
}

function orderRoutes(engine: Engine): BitgetRoute[] {
  const orderOf = (account: Account, params: Params): FuturesOrder | undefined =>
    engine.futures.find(account.id, symbolOf(params), orderRef(params));
  const listed = (account: Account, params: Params, pick: (o: FuturesOrder) => boolean): Record<string, unknown> => {
    if (!isUsdtFutures(params)) return entrusted([]);
    const symbol = optionalSymbol(params);
    const rows = engine.futures
      .allOrders(account.id, symbol)
      .filter(pick)
      .filter((o) => inWindow(o.createdAt, params))
      .filter((o) => {
        const orderId = text(params, 'orderId');
        const clientOid = text(params, 'clientOid');
        if (orderId !== undefined) return bitgetId(o.id) === orderId;
        return clientOid === undefined || o.clientOrderId === clientOid;
      })
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    return entrusted(page(rows, params).map((o) => mixOrderListJson(account, o)));
  };
  return [
    {
      method: 'POST',
      path: '/api/v2/mix/order/place-order',
      private: true,
      perSecond: 10,
      orderPlacement: true,
      handle: ({ account, key, params }) => {
        requireFuturesTrading(key);
        return placeOrder(engine, account, params);
      },
    },
    {
      method: 'POST',
      path: '/api/v2/mix/order/cancel-order',
      private: true,
      perSecond: 10,
      handle: ({ account, key, params }) => {
        requireFuturesTrading(key);
        requireUsdtFutures(params);
        const order = mix(() => engine.futures.cancel(account.id, symbolOf(params), orderRef(params)));
        return { orderId: bitgetId(order.id), clientOid: order.clientOrderId };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/mix/order/detail',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => {
        requireUsdtFutures(params);
        const order = orderOf(account, params);
        if (!order) throw mixErrors.detailNotFound();
        return mixOrderDetailJson(account, order);
      },
    },
    {
      method: 'GET',
      path: '/api/v2/mix/order/orders-pending',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => {
        const status = lower(params, 'status');
        return listed(account, params, (o) =>
          status === 'live'
            ? o.status === 'NEW'
            : status === 'partially_filled'
              ? o.status === 'PARTIALLY_FILLED'
              : isOpenOrder(o),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/v2/mix/order/orders-history',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => listed(account, params, (o) => !isOpenOrder(o)),
    },
    {
      method: 'GET',
      path: '/api/v2/mix/order/fills',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => {
        if (!isUsdtFutures(params)) return { fillList: [], endId: null };
        const orderId = text(params, 'orderId');
        const idLessThan = text(params, 'idLessThan');
        const before = idLessThan === undefined ? undefined : engineId(idLessThan);
        const trades = engine.futures
          .trades(account.id, {
            symbol: optionalSymbol(params),
            orderId: orderId === undefined ? undefined : (engineId(orderId) ?? -1),
            startTime: optionalInt(params, 'startTime'),
            endTime: optionalInt(params, 'endTime'),
            limit: 1000,
          })
          .filter((t) => before === undefined || t.id < before)
          .reverse();
        const rows = page(trades, params).map(mixFillJson);
        const last = rows.at(-1);
        return { fillList: rows, endId: last ? String(last['tradeId']) : null };
      },
    },
  ];
}

function planRoutes(engine: Engine): BitgetRoute[] {
  const plans = (account: Account, params: Params, pending: boolean): Record<string, unknown> => {
    if (!isUsdtFutures(params)) return entrusted([]);
    const wanted = planFilter(params);
    const status = lower(params, 'planStatus');
    const symbol = optionalSymbol(params);
    const book = engine.ctx.account(account.id).futures;
    const rows = Object.values(book.algoOrders)
      .filter((a) => (a.status === 'NEW' || a.status === 'TRIGGERING') === pending)
      .filter((a) => (symbol === undefined || a.symbol === symbol) && wanted(a) && planRefMatches(a, params))
      .filter((a) => inWindow(a.createdAt, params))
      .map((a) => mixPlanJson(a, a.orderId === undefined ? undefined : book.orders[String(a.orderId)]))
      .filter((row) => status === undefined || row['planStatus'] === status)
      .sort((a, b) => Number(b['cTime']) - Number(a['cTime']));
    return entrusted(page(rows, params));
  };
  return [
    {
      method: 'POST',
      path: '/api/v2/mix/order/place-tpsl-order',
      private: true,
      perSecond: 10,
      orderPlacement: true,
      handle: ({ account, key, params }) => {
        requireFuturesTrading(key);
        return placeTpsl(engine, account, params);
      },
    },
    {
      method: 'POST',
      path: '/api/v2/mix/order/place-plan-order',
      private: true,
      perSecond: 10,
      orderPlacement: true,
      handle: ({ account, key, params }) => {
        requireFuturesTrading(key);
        return placePlan(engine, account, params);
      },
    },
    {
      method: 'POST',
      path: '/api/v2/mix/order/cancel-plan-order',
      private: true,
      perSecond: 10,
      handle: ({ account, key, params }) => {
        requireFuturesTrading(key);
        return cancelPlans(engine, account, params);
      },
    },
    {
      method: 'GET',
      path: '/api/v2/mix/order/orders-plan-pending',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => plans(account, params, true),
    },
    {
      method: 'GET',
      path: '/api/v2/mix/order/orders-plan-history',
      private: true,
      perSecond: 10,
      handle: ({ account, params }) => plans(account, params, false),
    },
  ];
}

/**
 * /api/v2/mix: Bitget USDT-M futures (productType USDT-FUTURES) on the emulator's futures engine,
 * as ccxt's `bitget` swap markets use it — contracts and tickers, accounts, positions, position
 * mode and leverage, orders, fills, and TP/SL and trigger plan orders.
 */
export function bitgetMixRoutes(engine: Engine, now: () => number): BitgetRoute[] {
  return [...marketRoutes(engine, now), ...accountRoutes(engine), ...orderRoutes(engine), ...planRoutes(engine)];
}
