import { dec, str } from '../engine/decimal.ts';
import type { ExecutionType } from '../engine/events.ts';
import type { MarketSpec } from '../engine/markets.ts';
import { FEES, MARKETS } from '../engine/markets.ts';
import { permissionsOf } from '../engine/accounts.ts';
import type { Account, ApiKey, OrderStatus, SpotOrder, SpotTrade } from '../engine/types.ts';

/** Bitget ids are long numeric strings; ours are the engine's ids shifted into that range. */
const ID_BASE = 1_100_000_000_000_000_000n;

export function bitgetId(id: number): string {
  return (ID_BASE + BigInt(id)).toString();
}

export function engineId(bitget: string): number | undefined {
  if (!/^\d+$/.test(bitget)) return undefined;
  const value = BigInt(bitget) - ID_BASE;
  return value > 0n && value < BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

export function bitgetStatus(status: OrderStatus): string {
  switch (status) {
    case 'NEW':
      return 'live';
    case 'PARTIALLY_FILLED':
      return 'partially_filled';
    case 'FILLED':
      return 'filled';
    default:
      return 'cancelled';
  }
}

function isMarketBuy(order: SpotOrder): boolean {
  return order.type === 'MARKET' && order.side === 'BUY';
}

/** Market buys are sized in quote currency on Bitget; everything else in base. */
function sizeOf(order: SpotOrder): string {
  return isMarketBuy(order) ? str(order.origQuoteOrderQty) : str(order.origQty);
}

/** Bitget's `force` (time in force): gtc, ioc, fok or post_only (the emulator's GTX). */
export function forceOf(order: SpotOrder): string {
  return order.timeInForce === 'GTX' ? 'post_only' : order.timeInForce.toLowerCase();
}

function averagePrice(order: SpotOrder): string {
  const executed = dec(order.executedQty);
  return executed.isZero() ? '0' : str(dec(order.cumQuote).div(executed).toDecimalPlaces(8));
}

/** orderInfo's feeDetail is a JSON string whose numbers are negative fees, keyed by coin. */
function feeDetailText(order: SpotOrder): string | undefined {
  if (dec(order.commission).isZero()) return undefined;
  const fee = `-${str(order.commission)}`;
  return (
    `{"newFees":{"c":0,"d":0,"deduction":false,"r":${fee},"t":${fee},"totalDeductionFee":0},` +
    `"${order.commissionAsset}":{"deduction":false,"feeCoinCode":"${order.commissionAsset}","totalDeductionFee":0,"totalFee":${fee}}}`
  );
}

export function bitgetOrderJson(
  order: SpotOrder,
  userId: string,
  market: MarketSpec | undefined,
): Record<string, unknown> {
  const feeDetail = feeDetailText(order);
  return {
    userId,
    symbol: order.symbol,
    orderId: bitgetId(order.id),
    clientOid: order.clientOrderId,
    price: str(order.price),
    size: sizeOf(order),
    orderType: order.type === 'MARKET' ? 'market' : 'limit',
    force: forceOf(order),
    side: order.side === 'BUY' ? 'buy' : 'sell',
    status: bitgetStatus(order.status),
    priceAvg: averagePrice(order),
    baseVolume: str(order.executedQty),
    quoteVolume: str(order.cumQuote),
    enterPointSource: 'API',
    ...(feeDetail === undefined ? {} : { feeDetail }),
    orderSource: order.type === 'MARKET' ? 'market' : 'normal',
    cancelReason: order.status === 'CANCELED' ? 'normal_cancel' : '',
    triggerPrice: null,
    tpslType: 'normal',
    quoteCoin: market?.quote ?? 'USDT',
    baseCoin: market?.base ?? '',
    cTime: String(order.createdAt),
    uTime: String(order.updatedAt),
  };
}

export function bitgetFillJson(t: SpotTrade, order: SpotOrder | undefined, userId: string): Record<string, unknown> {
  return {
    userId,
    symbol: t.symbol,
    orderId: bitgetId(t.orderId),
    tradeId: bitgetId(t.id),
    orderType: order?.type === 'MARKET' ? 'market' : 'limit',
    side: t.side === 'BUY' ? 'buy' : 'sell',
    priceAvg: str(t.price),
    size: str(t.qty),
    amount: str(t.quoteQty),
    feeDetail: {
      deduction: 'no',
      feeCoin: t.commissionAsset,
      totalDeductionFee: '',
      totalFee: `-${str(t.commission)}`,
    },
    tradeScope: t.isMaker ? 'maker' : 'taker',
    cTime: String(t.time),
    uTime: String(t.time),
  };
}

export function bitgetAssetJson(account: Account, coin: string, now: number): Record<string, unknown> {
  const b = account.spot.balances[coin] ?? { free: '0', locked: '0' };
  return { coin, available: str(b.free), frozen: str(b.locked), locked: '0', limitAvailable: '0', uTime: String(now) };
}

export function bitgetSymbolJson(m: MarketSpec): Record<string, unknown> {
  return {
    symbol: m.symbol,
    baseCoin: m.base,
    quoteCoin: m.quote,
    minTradeAmount: m.minQty,
    maxTradeAmount: m.maxQty,
    takerFeeRate: FEES.bitgetSpot.taker,
    makerFeeRate: FEES.bitgetSpot.maker,
    pricePrecision: String(m.pricePrecision),
    quantityPrecision: String(m.quantityPrecision),
    quotePrecision: '8',
    status: 'online',
    minTradeUSDT: m.minNotional,
    buyLimitPriceRatio: '0.05',
    sellLimitPriceRatio: '0.05',
    areaSymbol: 'no',
    orderQuantity: '200',
    openTime: '1532454360000',
    offTime: '',
  };
}

/** Every spot symbol, or the one asked for ("supporting both individual and full queries"). */
export function bitgetSymbols(symbol?: string): Record<string, unknown>[] {
  const markets = symbol === undefined ? MARKETS.bitgetSpot : MARKETS.bitgetSpot.filter((m) => m.symbol === symbol);
  return markets.map(bitgetSymbolJson);
}

/** The `orders` channel push for one order event, fill fields included when it traded. */
export function bitgetOrderPush(
  order: SpotOrder,
  execution: ExecutionType,
  trade: SpotTrade | undefined,
): Record<string, unknown> {
  const size = sizeOf(order);
  return {
    instId: order.symbol,
    orderId: bitgetId(order.id),
    clientOid: order.clientOrderId,
    ...(order.type === 'MARKET' ? {} : { price: str(order.price) }),
    size,
    newSize: size,
    notional: isMarketBuy(order) ? size : str(dec(order.origQty).mul(order.price)),
    orderType: order.type === 'MARKET' ? 'market' : 'limit',
    force: forceOf(order),
    side: order.side === 'BUY' ? 'buy' : 'sell',
    ...(trade && execution === 'TRADE'
      ? {
          fillPrice: str(trade.price),
          tradeId: bitgetId(trade.id),
          baseVolume: str(trade.qty),
          fillTime: String(trade.time),
          fillFee: `-${str(trade.commission)}`,
          fillFeeCoin: trade.commissionAsset,
          tradeScope: trade.isMaker ? 'M' : 'T',
        }
      : {}),
    accBaseVolume: str(order.executedQty),
    priceAvg: averagePrice(order),
    status: bitgetStatus(order.status),
    cTime: String(order.createdAt),
    uTime: String(order.updatedAt),
    feeDetail: dec(order.commission).isZero()
      ? []
      : [{ feeCoin: order.commissionAsset, fee: `-${str(order.commission)}` }],
    enterPointSource: 'API',
  };
}

/** The `fill` channel push (ccxt watchMyTrades): one trade, its fee as a list. */
export function bitgetFillPush(t: SpotTrade, order: SpotOrder): Record<string, unknown> {
  return {
    orderId: bitgetId(t.orderId),
    tradeId: bitgetId(t.id),
    symbol: t.symbol,
    orderType: order.type === 'MARKET' ? 'market' : 'limit',
    side: t.side === 'BUY' ? 'buy' : 'sell',
    priceAvg: str(t.price),
    size: str(t.qty),
    amount: str(t.quoteQty),
    tradeScope: t.isMaker ? 'maker' : 'taker',
    feeDetail: [
      { feeCoin: t.commissionAsset, deduction: 'no', totalDeductionFee: '0', totalFee: `-${str(t.commission)}` },
    ],
    cTime: String(t.time),
    uTime: String(t.time),
  };
}

/** The address an IP-restricted emulator key is bound to (the emulator answers loopback callers). */
const WHITELISTED_IP = '127.0.0.1';

/**
 * `GET /api/v2/spot/account/info` data. `authorities` in Bitget's codes: spot trade `stor` (read
 * only) or `stow` (read and write), futures orders `coor` / `coow`, withdrawal `wwow`; `ips` is
 * the key's IP whitelist, empty when it has none.
 */
export function bitgetAccountInfoJson(account: Account, key: ApiKey, userId: string): Record<string, unknown> {
  const permissions = permissionsOf(key);
  const authorities: string[] = [];
  if (permissions.spotTrading) authorities.push('stow');
  else if (permissions.reading) authorities.push('stor');
  if (permissions.futuresTrading) authorities.push('coow');
  else if (permissions.reading) authorities.push('coor');
  if (permissions.withdrawals) authorities.push('wwow');
  return {
    userId,
    inviterId: '',
    ips: permissions.ipRestrict ? WHITELISTED_IP : '',
    authorities,
    parentId: Number(userId),
    traderType: 'not_trader',
    channelCode: '',
    channel: '',
    regisTime: String(account.createdAt),
  };
}
