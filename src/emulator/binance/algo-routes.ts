import type { Engine } from '../engine/engine.ts';
import type { AlgoType } from '../engine/types.ts';
import { algoOrderJson } from './algo-format.ts';
import { errors } from './errors.ts';
import { futuresClientId, futuresSymbol, positionSide } from './futures-params.ts';
import type { BinanceParams } from './params.ts';
import type { BinanceRoute } from './rest.ts';

/** POST /fapi/v1/algoOrder: CONDITIONAL STOP_MARKET / TAKE_PROFIT_MARKET, by quantity or closePosition. */
function placeAlgoOrder(engine: Engine, accountId: string, params: BinanceParams): Record<string, unknown> {
  const algoType = params.required('algoType');
  if (algoType !== 'CONDITIONAL') throw errors.illegalChars('algoType', 'CONDITIONAL');
  const symbol = futuresSymbol(params);
  const side = params.side();
  const rawType = params.required('type');
  if (rawType !== 'STOP_MARKET' && rawType !== 'TAKE_PROFIT_MARKET') throw errors.badOrderType();
  const type: AlgoType = rawType;
  const closePosition = params.bool('closePosition') ?? false;
  if (closePosition && params.has('quantity')) throw errors.notRequired('quantity');
  if (closePosition && params.has('reduceOnly')) throw errors.notRequired('reduceOnly');
  const quantity = closePosition ? undefined : params.requiredDecimal('quantity');
  const ps = positionSide(params);
  const tif = params.string('timeInForce');
  const algo = engine.algo.place(accountId, {
    symbol,
    side,
    type,
    ...(quantity === undefined ? {} : { quantity }),
    ...(ps === undefined ? {} : { positionSide: ps }),
    ...(tif === 'GTC' || tif === 'IOC' || tif === 'FOK' || tif === 'GTX' ? { timeInForce: tif } : {}),
    closePosition,
    reduceOnly: params.bool('reduceOnly') ?? false,
    reduceOnlySent: params.has('reduceOnly'),
    triggerPrice: params.requiredDecimal('triggerPrice'),
    workingType: params.string('workingType') ?? 'CONTRACT_PRICE',
    priceProtect: params.bool('priceProtect') ?? false,
    clientAlgoId: futuresClientId(params, 'clientAlgoId'),
  });
  return algoOrderJson(algo);
}

function algoRef(params: BinanceParams): { algoId?: number; clientAlgoId?: string } {
  const algoId = params.int('algoId');
  const clientAlgoId = params.string('clientAlgoId');
  if (algoId === undefined && clientAlgoId === undefined) throw errors.mandatory('algoId');
  return algoId === undefined ? { clientAlgoId } : { algoId };
}

/** The algo service: where ccxt sends USDT-M conditional orders since Binance moved them off /fapi/v1/order. */
export function algoRoutes(engine: Engine): BinanceRoute[] {
  return [
    {
      method: 'POST',
      path: '/fapi/v1/algoOrder',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      orderPlacement: true,
      handle: ({ account, params }) => placeAlgoOrder(engine, account.id, params),
    },
    {
      method: 'DELETE',
      path: '/fapi/v1/algoOrder',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      handle: ({ account, params }) => {
        const algo = engine.algo.cancel(account.id, algoRef(params));
        return { algoId: algo.algoId, clientAlgoId: algo.clientAlgoId, code: '200', msg: 'success' };
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/algoOrder',
      market: 'futures',
      security: 'SIGNED',
      weight: 1,
      handle: ({ account, params }) => {
        const algo = engine.algo.find(account.id, algoRef(params));
        if (!algo) throw errors.orderDoesNotExist();
        return algoOrderJson(algo);
      },
    },
    {
      method: 'GET',
      path: '/fapi/v1/openAlgoOrders',
      market: 'futures',
      security: 'SIGNED',
      weight: (p) => (p.has('symbol') ? 1 : 40),
      handle: ({ account, params }) =>
        engine.algo.openOrders(account.id, params.has('symbol') ? futuresSymbol(params) : undefined).map(algoOrderJson),
    },
  ];
}
