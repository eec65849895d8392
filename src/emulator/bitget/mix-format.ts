import type { EngineContext } from '../engine/context.ts';
import { dec, Dec, str, ZERO } from '../engine/decimal.ts';
import type { ExecutionType } from '../engine/events.ts';
import {
  futuresSummary,
  leverageOf,
  MAINT_MARGIN_RATE,
  MARGIN_ASSET,
  type PositionMetrics,
} from '../engine/futures-margin.ts';
import { FEES, MARKETS, type MarketSpec } from '../engine/markets.ts';
import type { Account, AlgoOrder, FuturesOrder, FuturesTrade, PositionSide, Side } from '../engine/types.ts';
import { bitgetId } from './format.ts';

/**
 * Bitget v2 mix (USDT-M futures, productType USDT-FUTURES) in Bitget's own words: contracts,
 * tickers, accounts, positions, orders, fills and plan (trigger, TP/SL) orders, REST and WS.
 *
 * Bitget's `side` is not the trade's direction in hedge mode: it names the position ("buy" =
 * long, "sell" = short) and `tradeSide` says open or close — closing a long is side "buy",
 * tradeSide "close" (Place Order docs). In one-way mode side is the direction and tradeSide is
 * buy_single / sell_single. The engine keeps the direction; these helpers translate.
 */
export const PRODUCT_TYPE = 'USDT-FUTURES';

/** Plan (trigger) order ids live in their own range, apart from order ids. */
const PLAN_ID_BASE = 1_200_000_000_000_000_000n;

export function planId(algoId: number): string {
  return (PLAN_ID_BASE + BigInt(algoId)).toString();
}

export function enginePlanId(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = BigInt(text) - PLAN_ID_BASE;
  return value > 0n && value < BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

type OrderLike = Pick<FuturesOrder, 'side' | 'positionSide'>;

export function posModeOf(positionSide: PositionSide): 'hedge_mode' | 'one_way_mode' {
  return positionSide === 'BOTH' ? 'one_way_mode' : 'hedge_mode';
}

export function accountPosMode(account: Account): 'hedge_mode' | 'one_way_mode' {
  return account.futures.hedgeMode ? 'hedge_mode' : 'one_way_mode';
}

export function posSideText(positionSide: PositionSide): string {
  return positionSide === 'LONG' ? 'long' : positionSide === 'SHORT' ? 'short' : 'net';
}

/** Bitget's `side`: the position in hedge mode, the direction in one-way mode. */
export function wireSide(o: OrderLike): 'buy' | 'sell' {
  if (o.positionSide === 'LONG') return 'buy';
  if (o.positionSide === 'SHORT') return 'sell';
  return o.side === 'BUY' ? 'buy' : 'sell';
}

export function isClosing(o: OrderLike): boolean {
  return (o.positionSide === 'LONG' && o.side === 'SELL') || (o.positionSide === 'SHORT' && o.side === 'BUY');
}

export function tradeSideOf(o: OrderLike): string {
  if (o.positionSide === 'BOTH') return o.side === 'BUY' ? 'buy_single' : 'sell_single';
  return isClosing(o) ? 'close' : 'open';
}

/** The engine's side and position side for Bitget's (side, tradeSide) in hedge mode. */
export function fromHedgeWire(side: 'buy' | 'sell', close: boolean): { side: Side; positionSide: PositionSide } {
  const positionSide: PositionSide = side === 'buy' ? 'LONG' : 'SHORT';
  const open: Side = side === 'buy' ? 'BUY' : 'SELL';
  return { positionSide, side: close ? (open === 'BUY' ? 'SELL' : 'BUY') : open };
}

/** Hedge-mode closes are reduce-only by nature; Bitget reports them so (ccxt reads it to flip side). */
function reduceOnlyOf(o: Pick<FuturesOrder, 'side' | 'positionSide' | 'reduceOnly' | 'closePosition'>): boolean {
  return o.positionSide === 'BOTH' ? o.reduceOnly || o.closePosition : isClosing(o);
}

export function forceText(tif: string): string {
  return tif === 'GTX' ? 'post_only' : tif.toLowerCase();
}

/** Order states as Bitget's order detail and lists spell them. */
export function mixStatus(status: FuturesOrder['status']): string {
  switch (status) {
    case 'NEW':
      return 'live';
    case 'PARTIALLY_FILLED':
      return 'partially_filled';
    case 'FILLED':
      return 'filled';
    default:
      return 'canceled';
  }
}

/** What placed the order: a plain one, or the market order of a triggered TP/SL plan. */
function orderSource(order: FuturesOrder): string {
  if (order.origType === 'STOP_MARKET') return 'loss_market';
  if (order.origType === 'TAKE_PROFIT_MARKET') return 'profit_market';
  return order.type === 'MARKET' ? 'market' : 'normal';
}

const negated = (fee: string): string => (dec(fee).isZero() ? '0' : `-${str(fee)}`);

export function contractJson(m: MarketSpec): Record<string, unknown> {
  return {
    symbol: m.symbol,
    baseCoin: m.base,
    quoteCoin: m.quote,
    buyLimitPriceRatio: '0.05',
    sellLimitPriceRatio: '0.05',
    feeRateUpRatio: '0.005',
    makerFeeRate: FEES.bitgetFutures.maker,
    takerFeeRate: FEES.bitgetFutures.taker,
    openCostUpRatio: '0.01',
    supportMarginCoins: [MARGIN_ASSET],
    minTradeNum: m.minQty,
    priceEndStep: '1',
    volumePlace: String(m.quantityPrecision),
    pricePlace: String(m.pricePrecision),
    sizeMultiplier: m.stepSize,
    symbolType: 'perpetual',
    minTradeUSDT: m.minNotional,
    maxSymbolOrderNum: '200',
    maxProductOrderNum: '400',
    maxPositionNum: '150',
    symbolStatus: 'normal',
    offTime: '-1',
    limitOpenTime: '-1',
    deliveryTime: '',
    deliveryStartTime: '',
    deliveryPeriod: '',
    launchTime: '',
    fundInterval: '8',
    minLever: '1',
    maxLever: '125',
    posLimit: '0.05',
    maintainTime: '',
  };
}

export function contracts(symbol?: string): Record<string, unknown>[] {
  return MARKETS.bitgetFutures.filter((m) => symbol === undefined || m.symbol === symbol).map(contractJson);
}

/** One ticker: mark = index = last price (the emulator has one price per symbol). */
export function mixTickerJson(symbol: string, price: string, now: number): Record<string, unknown> {
  return {
    symbol,
    lastPr: price,
    askPr: price,
    bidPr: price,
    bidSz: '0',
    askSz: '0',
    high24h: price,
    low24h: price,
    ts: String(now),
    change24h: '0',
    baseVolume: '0',
    quoteVolume: '0',
    usdtVolume: '0',
    openUtc: price,
    changeUtc24h: '0',
    indexPrice: price,
    fundingRate: '0',
    holdingAmount: '0',
    deliveryStartTime: null,
    deliveryTime: null,
    deliveryStatus: '',
    open24h: price,
    markPrice: price,
  };
}

function accountFigures(ctx: EngineContext, account: Account) {
  const s = futuresSummary(ctx, account);
  const settled = s.wallet.sub(s.positionInitialMargin).sub(s.openOrderInitialMargin);
  return {
    s,
    wallet: str(s.wallet),
    locked: str(s.openOrderInitialMargin),
    // What an opening order may use, unrealized profit included: crossedMaxAvailable (what the
    // engine judges Bitget's 40762 against, as Binance's availableBalance).
    openable: str(s.available),
    // The wallet less the margin held, unrealized PnL left out, so below zero when a profitable
    // position's margin at the mark outgrows the wallet (Bitget's own example: -4500.10 beside a
    // crossedMaxAvailable of 82755.87).
    available: str(settled),
    // What may leave the account, ccxt's free: no unrealized profit, never below zero.
    transferable: str(Dec.max(ZERO, Dec.min(settled, s.available))),
    equity: str(s.marginBalance),
    unrealized: str(s.unrealized),
    riskRate: s.marginBalance.isZero() ? '0' : str(s.maintMargin.div(s.marginBalance).toDecimalPlaces(8)),
  };
}

/** GET /api/v2/mix/account/accounts: one row per margin coin (USDT for USDT-FUTURES). */
export function mixAccountsJson(ctx: EngineContext, account: Account): Record<string, unknown>[] {
  const f = accountFigures(ctx, account);
  return [
    {
      marginCoin: MARGIN_ASSET,
      locked: f.locked,
      available: f.available,
      crossedMaxAvailable: f.openable,
      isolatedMaxAvailable: f.transferable,
      maxTransferOut: f.transferable,
      accountEquity: f.equity,
      usdtEquity: f.equity,
      btcEquity: '0',
      crossedRiskRate: f.riskRate,
      unrealizedPL: f.unrealized,
      coupon: '0',
      unionTotalMagin: f.equity,
      unionAvailable: f.openable,
      unionMm: str(f.s.maintMargin),
      assetList: [{ coin: MARGIN_ASSET, balance: f.wallet, available: f.transferable }],
      isolatedMargin: '0',
      crossedMargin: str(f.s.positionInitialMargin),
      crossedUnrealizedPL: f.unrealized,
      isolatedUnrealizedPL: '0',
      assetMode: 'single',
    },
  ];
}

/** GET /api/v2/mix/account/account: one symbol's view, with leverage, margin mode and position mode. */
export function mixSingleAccountJson(ctx: EngineContext, account: Account, symbol: string): Record<string, unknown> {
  const f = accountFigures(ctx, account);
  const leverage = String(leverageOf(account, symbol));
  return {
    marginCoin: MARGIN_ASSET,
    locked: f.locked,
    available: f.available,
    crossedMaxAvailable: f.openable,
    isolatedMaxAvailable: f.transferable,
    maxTransferOut: f.transferable,
    accountEquity: f.equity,
    usdtEquity: f.equity,
    btcEquity: '0',
    crossedRiskRate: f.riskRate,
    crossedMarginLeverage: leverage,
    isolatedLongLever: leverage,
    isolatedShortLever: leverage,
    marginMode: 'crossed',
    posMode: accountPosMode(account),
    unrealizedPL: f.unrealized,
    coupon: '0',
    crossedUnrealizedPL: f.unrealized,
    isolatedUnrealizedPL: '',
    assetMode: 'single',
  };
}

/** The account channel's row: `equity` and `frozen` instead of accountEquity and locked. */
export function mixAccountPush(ctx: EngineContext, account: Account): Record<string, unknown> {
  const f = accountFigures(ctx, account);
  return {
    marginCoin: MARGIN_ASSET,
    frozen: f.locked,
    available: f.available,
    maxOpenPosAvailable: f.openable,
    maxTransferOut: f.transferable,
    equity: f.equity,
    usdtEquity: f.equity,
    crossedRiskRate: f.riskRate,
    unrealizedPL: f.unrealized,
    unionTotalMargin: f.equity,
    unionAvailable: f.openable,
    unionMm: str(f.s.maintMargin),
    assetsMode: 'single',
  };
}

/** Open positions of the account (Bitget lists only those with a size). */
export function openPositions(ctx: EngineContext, account: Account, symbol?: string): PositionMetrics[] {
  return futuresSummary(ctx, account).positions.filter(
    (m) => !dec(m.position.amount).isZero() && (symbol === undefined || m.position.symbol === symbol),
  );
}

function holdSideOf(m: PositionMetrics): string {
  const p = m.position;
  if (p.positionSide === 'LONG') return 'long';
  if (p.positionSide === 'SHORT') return 'short';
  return dec(p.amount).isNegative() ? 'short' : 'long';
}

/** What open orders still want to add to the position (its openDelegateSize). */
function openDelegateSize(account: Account, m: PositionMetrics): string {
  let total = dec(0);
  for (const order of Object.values(account.futures.orders)) {
    if (order.symbol !== m.position.symbol || order.positionSide !== m.position.positionSide) continue;
    if (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') continue;
    if (isClosing(order) || order.reduceOnly) continue;
    total = total.add(dec(order.origQty).sub(order.executedQty));
  }
  return str(total);
}

/** all-position / single-position rows. */
export function mixPositionJson(account: Account, m: PositionMetrics): Record<string, unknown> {
  const p = m.position;
  const total = str(dec(p.amount).abs());
  return {
    marginCoin: MARGIN_ASSET,
    symbol: p.symbol,
    holdSide: holdSideOf(m),
    openDelegateSize: openDelegateSize(account, m),
    marginSize: str(m.initialMargin),
    available: total,
    locked: '0',
    total,
    leverage: String(m.leverage),
    achievedProfits: str(p.realizedPnl),
    openPriceAvg: str(p.entryPrice),
    marginMode: 'crossed',
    posMode: posModeOf(p.positionSide),
    unrealizedPL: str(m.unrealized),
    liquidationPrice: '0',
    keepMarginRate: MAINT_MARGIN_RATE,
    markPrice: str(m.markPrice),
    breakEvenPrice: str(p.entryPrice),
    totalFee: '',
    deductedFee: '0',
    marginRatio: m.notional.isZero() ? '0' : str(m.maintMargin.div(m.notional.abs()).toDecimalPlaces(8)),
    assetMode: 'single',
    cTime: String(p.updatedAt),
    uTime: String(p.updatedAt),
  };
}

/** The positions channel's row (instId, posId, unrealizedPLR, frozen). */
export function mixPositionPush(account: Account, m: PositionMetrics): Record<string, unknown> {
  const row = mixPositionJson(account, m);
  const unrealizedPLR = m.initialMargin.isZero() ? '0' : str(m.unrealized.div(m.initialMargin).toDecimalPlaces(8));
  return {
    posId: `${m.position.symbol}-${m.position.positionSide}`,
    instId: m.position.symbol,
    marginCoin: MARGIN_ASSET,
    marginSize: row['marginSize'],
    marginMode: 'crossed',
    holdSide: row['holdSide'],
    posMode: row['posMode'],
    total: row['total'],
    available: row['available'],
    frozen: '0',
    openPriceAvg: row['openPriceAvg'],
    leverage: m.leverage,
    achievedProfits: row['achievedProfits'],
    unrealizedPL: row['unrealizedPL'],
    unrealizedPLR,
    liquidationPrice: '0',
    keepMarginRate: MAINT_MARGIN_RATE,
    marginRate: row['marginRatio'],
    breakEvenPrice: row['breakEvenPrice'],
    totalFee: '',
    deductedFee: '0',
    markPrice: row['markPrice'],
    assetMode: 'single',
    autoMargin: 'off',
    cTime: row['cTime'],
    uTime: row['uTime'],
  };
}

function orderCore(order: FuturesOrder): Record<string, unknown> {
  const executed = dec(order.executedQty);
  return {
    symbol: order.symbol,
    size: str(order.origQty),
    orderId: bitgetId(order.id),
    clientOid: order.clientOrderId,
    baseVolume: str(order.executedQty),
    fee: negated(order.commission),
    price: str(order.price),
    priceAvg: executed.isZero() ? '' : str(order.avgPrice),
  };
}

function orderTail(account: Account, order: FuturesOrder): Record<string, unknown> {
  return {
    side: wireSide(order),
    force: forceText(order.timeInForce),
    totalProfits: str(order.realizedPnl),
    posSide: posSideText(order.positionSide),
    marginCoin: MARGIN_ASSET,
    presetStopSurplusPrice: '',
    presetStopLossPrice: '',
    quoteVolume: str(order.cumQuote),
    orderType: order.type === 'MARKET' ? 'market' : 'limit',
    leverage: String(leverageOf(account, order.symbol)),
    marginMode: 'crossed',
    reduceOnly: reduceOnlyOf(order) ? 'YES' : 'NO',
    enterPointSource: 'API',
    tradeSide: tradeSideOf(order),
    posMode: posModeOf(order.positionSide),
    orderSource: orderSource(order),
    cancelReason: order.status === 'CANCELED' ? 'normal_cancel' : '',
    cTime: String(order.createdAt),
    uTime: String(order.updatedAt),
  };
}

/** GET /api/v2/mix/order/detail: the status is `state` here. */
export function mixOrderDetailJson(account: Account, order: FuturesOrder): Record<string, unknown> {
  return { ...orderCore(order), state: mixStatus(order.status), ...orderTail(account, order) };
}

/** orders-pending / orders-history rows: the status is `status` there. */
export function mixOrderListJson(account: Account, order: FuturesOrder): Record<string, unknown> {
  return { ...orderCore(order), status: mixStatus(order.status), ...orderTail(account, order) };
}

/** GET /api/v2/mix/order/fills rows (no clientOid; fees negative, in feeDetail). */
export function mixFillJson(t: FuturesTrade): Record<string, unknown> {
  return {
    tradeId: bitgetId(t.id),
    symbol: t.symbol,
    orderId: bitgetId(t.orderId),
    price: str(t.price),
    baseVolume: str(t.qty),
    feeDetail: [
      { deduction: 'no', feeCoin: t.commissionAsset, totalDeductionFee: '0', totalFee: negated(t.commission) },
    ],
    side: wireSide(t),
    quoteVolume: str(t.quoteQty),
    profit: str(t.realizedPnl),
    enterPointSource: 'API',
    tradeSide: tradeSideOf(t),
    posMode: posModeOf(t.positionSide),
    tradeScope: t.isMaker ? 'maker' : 'taker',
    cTime: String(t.time),
  };
}

/** The `fill` channel push: the REST row plus the order's clientOid and uTime. */
export function mixFillPush(t: FuturesTrade, order: FuturesOrder): Record<string, unknown> {
  return {
    ...mixFillJson(t),
    clientOid: order.clientOrderId,
    orderType: order.type === 'MARKET' ? 'market' : 'limit',
    uTime: String(t.time),
  };
}

/** The `orders` channel push: the order after this event, the latest fill's fields when it traded. */
export function mixOrderPush(
  account: Account,
  order: FuturesOrder,
  execution: ExecutionType,
  trade: FuturesTrade | undefined,
): Record<string, unknown> {
  const filled = !dec(order.executedQty).isZero();
  const fill =
    trade && execution === 'TRADE'
      ? {
          fillPrice: str(trade.price),
          tradeId: bitgetId(trade.id),
          baseVolume: str(trade.qty),
          fillTime: String(trade.time),
          fillFee: negated(trade.commission),
          fillFeeCoin: trade.commissionAsset,
          fillNotionalUsd: str(trade.quoteQty),
          tradeScope: trade.isMaker ? 'M' : 'T',
          pnl: str(trade.realizedPnl),
        }
      : {};
  return {
    orderId: bitgetId(order.id),
    clientOid: order.clientOrderId,
    price: str(order.price),
    size: str(order.origQty),
    posMode: posModeOf(order.positionSide),
    enterPointSource: 'API',
    tradeSide: tradeSideOf(order),
    notionalUsd: str(dec(order.origQty).mul(order.type === 'MARKET' ? order.avgPrice : order.price)),
    orderType: order.type === 'MARKET' ? 'market' : 'limit',
    force: forceText(order.timeInForce),
    side: wireSide(order),
    posSide: posSideText(order.positionSide),
    marginMode: 'crossed',
    marginCoin: MARGIN_ASSET,
    ...fill,
    accBaseVolume: str(order.executedQty),
    // "This field will not be pushed if the order is cancelled."
    ...(order.status === 'CANCELED' ? {} : { priceAvg: filled ? str(order.avgPrice) : '0' }),
    status: mixStatus(order.status),
    cancelReason: order.status === 'CANCELED' ? 'normal_cancel' : '',
    leverage: String(leverageOf(account, order.symbol)),
    feeDetail: [{ feeCoin: MARGIN_ASSET, fee: negated(order.commission) }],
    totalProfits: str(order.realizedPnl),
    reduceOnly: reduceOnlyOf(order) ? 'yes' : 'no',
    presetStopSurplusPrice: '',
    presetStopLossPrice: '',
    stpMode: 'none',
    instId: order.symbol,
    cTime: String(order.createdAt),
    uTime: String(order.updatedAt),
  };
}

/** Plan order states: pending lists say `live`; history says executed, fail_execute or cancelled. */
export function planStatus(algo: AlgoOrder): string {
  switch (algo.status) {
    case 'NEW':
    case 'TRIGGERING':
      return 'live';
    case 'TRIGGERED':
    case 'FINISHED':
      return 'executed';
    case 'CANCELED':
    case 'EXPIRED':
      return 'cancelled';
    default:
      return 'fail_execute';
  }
}

/** The plan type a stored conditional order was placed as. */
export function planTypeOf(algo: AlgoOrder): string {
  if (algo.planType) return algo.planType;
  const loss = algo.orderType === 'STOP_MARKET';
  if (algo.closePosition) return loss ? 'pos_loss' : 'pos_profit';
  return loss ? 'loss_plan' : 'profit_plan';
}

export function isTpslPlan(algo: AlgoOrder): boolean {
  return planTypeOf(algo) !== 'normal_plan';
}

/**
 * orders-plan-pending / orders-plan-history rows. A TP/SL plan in one-way mode carries the
 * closing direction as its side (holdSide "buy" = the long it closes, side "sell").
 */
export function mixPlanJson(algo: AlgoOrder, executed?: FuturesOrder): Record<string, unknown> {
  const pending = algo.status === 'NEW' || algo.status === 'TRIGGERING';
  return {
    planType: planTypeOf(algo),
    symbol: algo.symbol,
    size: str(algo.quantity),
    orderId: planId(algo.algoId),
    ...(pending ? {} : { executeOrderId: algo.orderId === undefined ? '' : bitgetId(algo.orderId) }),
    clientOid: algo.clientAlgoId,
    price: '0',
    executePrice: '0',
    ...(pending
      ? {}
      : {
          priceAvg: executed && !dec(executed.executedQty).isZero() ? str(executed.avgPrice) : '0',
          baseVolume: str(executed?.executedQty ?? '0'),
        }),
    callbackRatio: '',
    triggerPrice: str(algo.triggerPrice),
    triggerType: algo.workingType,
    planStatus: planStatus(algo),
    side: wireSide(algo),
    posSide: posSideText(algo.positionSide),
    marginCoin: MARGIN_ASSET,
    marginMode: 'crossed',
    enterPointSource: 'API',
    tradeSide: tradeSideOf(algo),
    posMode: posModeOf(algo.positionSide),
    orderType: 'market',
    orderSource: 'normal',
    cTime: String(algo.createdAt),
    uTime: String(algo.updatedAt),
    stopSurplusExecutePrice: '',
    stopSurplusTriggerPrice: '',
    stopSurplusTriggerType: '',
    stopLossExecutePrice: '',
    stopLossTriggerPrice: '',
    stopLossTriggerType: '',
  };
}

/** The `orders-algo` channel push (Plan Order Channel): one plan order's state. */
export function mixPlanPush(algo: AlgoOrder): Record<string, unknown> {
  return {
    instId: algo.symbol,
    orderId: planId(algo.algoId),
    clientOid: algo.clientAlgoId,
    triggerPrice: str(algo.triggerPrice),
    triggerType: algo.workingType,
    triggerTime: String(algo.triggeredAt || algo.updatedAt),
    planType: planTypeOf(algo),
    price: '0',
    executePrice: '0',
    size: str(algo.quantity),
    actualSize: str(algo.executedQty),
    orderType: 'market',
    side: wireSide(algo),
    tradeSide: tradeSideOf(algo),
    posSide: posSideText(algo.positionSide),
    marginCoin: MARGIN_ASSET,
    status: planStatus(algo),
    posMode: posModeOf(algo.positionSide),
    enterPointSource: 'API',
    stopSurplusTriggerType: '',
    stopLossTriggerType: '',
    stpMode: 'none',
    cTime: String(algo.createdAt),
    uTime: String(algo.updatedAt),
  };
}
