import type { EngineContext } from './context.ts';
import { dec, Dec, ZERO } from './decimal.ts';
import { positionKey, unrealizedPnl } from './positions.ts';
import type { Account, FuturesOrder, Position, PositionSide } from './types.ts';

export const DEFAULT_LEVERAGE = 20;
/** First bracket of Binance's BTCUSDT table; one bracket is enough for margin arithmetic. */
export const MAINT_MARGIN_RATE = '0.004';
export const MARGIN_ASSET = 'USDT';

export interface PositionMetrics {
  position: Position;
  markPrice: Dec;
  notional: Dec;
  unrealized: Dec;
  initialMargin: Dec;
  maintMargin: Dec;
  openOrderInitialMargin: Dec;
  leverage: number;
}

export interface FuturesSummary {
  wallet: Dec;
  unrealized: Dec;
  marginBalance: Dec;
  positionInitialMargin: Dec;
  openOrderInitialMargin: Dec;
  maintMargin: Dec;
  available: Dec;
  positions: PositionMetrics[];
}

export function leverageOf(account: Account, symbol: string): number {
  return account.futures.leverage[symbol] ?? DEFAULT_LEVERAGE;
}

/** Does this order add to (rather than reduce) its position? Only opening orders need margin. */
export function isOpening(
  account: Account,
  order: Pick<FuturesOrder, 'side' | 'positionSide' | 'reduceOnly' | 'closePosition'>,
): boolean {
  if (order.reduceOnly || order.closePosition) return false;
  if (order.positionSide === 'LONG') return order.side === 'BUY';
  if (order.positionSide === 'SHORT') return order.side === 'SELL';
  return !account.futures.hedgeMode;
}

type Draft = Pick<FuturesOrder, 'symbol' | 'side' | 'positionSide'>;

function isResting(order: FuturesOrder): boolean {
  return order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
}

/** What the open orders of one position side would trade, at their prices (market orders at the last price). */
function orderValues(ctx: EngineContext, account: Account, symbol: string, positionSide: PositionSide) {
  let bids = ZERO;
  let asks = ZERO;
  for (const order of Object.values(account.futures.orders)) {
    if (order.symbol !== symbol || order.positionSide !== positionSide) continue;
    if (!isResting(order) || !isOpening(account, order)) continue;
    const price = order.type === 'MARKET' ? ctx.price(symbol) : dec(order.price);
    const value = dec(order.origQty).sub(order.executedQty).mul(price);
    if (order.side === 'BUY') bids = bids.add(value);
    else asks = asks.add(value);
  }
  return { bids, asks };
}

/**
 * Binance's one-way margin requirement of a symbol, times the leverage: "Max(Abs(Position
 * Notional Value + Bid Order Value), Abs(Position Notional Value - Ask Order Value))" — the
 * position signed (long > 0) at the mark price. An order against the position therefore needs
 * margin only for what takes the exposure past the position's own size.
 */
function oneWayExposure(position: Dec, bids: Dec, asks: Dec): Dec {
  return Dec.max(position.add(bids).abs(), position.sub(asks).abs());
}

function positionNotional(ctx: EngineContext, account: Account, symbol: string, positionSide: PositionSide): Dec {
  const amount = account.futures.positions[positionKey(symbol, positionSide)]?.amount ?? '0';
  return dec(amount).mul(ctx.price(symbol));
}

/** Margin the open orders of one position side hold: in one-way mode, only what they add to the requirement. */
function openOrderMargin(ctx: EngineContext, account: Account, symbol: string, positionSide: PositionSide): Dec {
  const { bids, asks } = orderValues(ctx, account, symbol, positionSide);
  const leverage = leverageOf(account, symbol);
  if (positionSide !== 'BOTH') return bids.add(asks).div(leverage);
  const position = positionNotional(ctx, account, symbol, positionSide);
  return oneWayExposure(position, bids, asks).sub(position.abs()).div(leverage);
}

/**
 * The initial margin a new opening order of `value` adds: value / leverage in hedge mode; in
 * one-way mode the rise of the symbol's requirement (nothing for an order no larger than twice
 * the position it trades against, as on Binance).
 */
export function addedMargin(ctx: EngineContext, account: Account, order: Draft, value: Dec): Dec {
  const leverage = leverageOf(account, order.symbol);
  if (order.positionSide !== 'BOTH') return value.div(leverage);
  const { bids, asks } = orderValues(ctx, account, order.symbol, order.positionSide);
  const position = positionNotional(ctx, account, order.symbol, order.positionSide);
  const before = oneWayExposure(position, bids, asks);
  const after =
    order.side === 'BUY'
      ? oneWayExposure(position, bids.add(value), asks)
      : oneWayExposure(position, bids, asks.add(value));
  return Dec.max(ZERO, after.sub(before)).div(leverage);
}

/** Cross-margin account figures the way Binance reports them (mark price = last price here). */
export function futuresSummary(ctx: EngineContext, account: Account): FuturesSummary {
  const positions: PositionMetrics[] = [];
  const seen = new Set<string>();
  for (const position of Object.values(account.futures.positions)) {
    const markPrice = ctx.price(position.symbol);
    const leverage = leverageOf(account, position.symbol);
    const notional = dec(position.amount).mul(markPrice);
    seen.add(`${position.symbol}:${position.positionSide}`);
    positions.push({
      position,
      markPrice,
      notional,
      unrealized: unrealizedPnl(position, markPrice),
      initialMargin: notional.abs().div(leverage),
      maintMargin: notional.abs().mul(MAINT_MARGIN_RATE),
      openOrderInitialMargin: openOrderMargin(ctx, account, position.symbol, position.positionSide),
      leverage,
    });
  }
  let orderMarginWithoutPosition = ZERO;
  for (const order of Object.values(account.futures.orders)) {
    const key = `${order.symbol}:${order.positionSide}`;
    if (seen.has(key)) continue;
    seen.add(key);
    orderMarginWithoutPosition = orderMarginWithoutPosition.add(
      openOrderMargin(ctx, account, order.symbol, order.positionSide),
    );
  }
  const wallet = dec(account.futures.wallet[MARGIN_ASSET] ?? '0');
  const sum = (pick: (m: PositionMetrics) => Dec): Dec => positions.reduce((acc, m) => acc.add(pick(m)), ZERO);
  const unrealized = sum((m) => m.unrealized);
  const positionInitialMargin = sum((m) => m.initialMargin);
  const openOrderInitialMargin = sum((m) => m.openOrderInitialMargin).add(orderMarginWithoutPosition);
  const marginBalance = wallet.add(unrealized);
  return {
    wallet,
    unrealized,
    marginBalance,
    positionInitialMargin,
    openOrderInitialMargin,
    maintMargin: sum((m) => m.maintMargin),
    available: Dec.max(ZERO, marginBalance.sub(positionInitialMargin).sub(openOrderInitialMargin)),
    positions,
  };
}
