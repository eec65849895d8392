import type { EngineContext } from './context.ts';
import { dec, Dec, ZERO } from './decimal.ts';
import { unrealizedPnl } from './positions.ts';
import type { Account, FuturesOrder, Position } from './types.ts';

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

function openOrderMargin(ctx: EngineContext, account: Account, symbol: string, positionSide: string): Dec {
  let total = ZERO;
  for (const order of Object.values(account.futures.orders)) {
    if (order.symbol !== symbol || order.positionSide !== positionSide) continue;
    if (order.status !== 'NEW' && order.status !== 'PARTIALLY_FILLED') continue;
    if (!isOpening(account, order)) continue;
    const price = order.type === 'MARKET' ? ctx.price(symbol) : dec(order.price);
    total = total.add(dec(order.origQty).sub(order.executedQty).mul(price).div(leverageOf(account, symbol)));
  }
  return total;
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
