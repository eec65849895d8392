import { Decimal } from 'decimal.js';
import type { Balances, Order, Position, Trade } from 'ccxt';
import type { BalanceLine, ExchangeOrder, ExchangePosition, ExchangeTrade } from './types.ts';
import { infoString, type OrderExtras } from './venue.ts';

/**
 * The boundary between ccxt's JS numbers and our decimals. ccxt parses the exchange's decimal
 * strings into doubles; `String(x)` gives the shortest text that reads back as the same double,
 * which is the exchange's own text for any value with at most 15 significant digits — every
 * price, quantity and balance the exchanges we support send.
 */
export function decimalOf(value: unknown): Decimal | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? new Decimal(String(value)) : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    try {
      return new Decimal(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const ZERO = new Decimal(0);

function decimalOr0(value: unknown): Decimal {
  return decimalOf(value) ?? ZERO;
}

/**
 * ccxt's order API takes numbers and re-stringifies them (amountToPrecision) before signing; a
 * decimal with at most 15 significant digits survives that round trip exactly.
 */
export function toCcxtNumber(value: Decimal): number {
  return value.toNumber();
}

const STATUSES: Readonly<Record<string, ExchangeOrder['status']>> = {
  open: 'open',
  closed: 'closed',
  canceled: 'canceled',
  cancelled: 'canceled',
  expired: 'expired',
  rejected: 'rejected',
};

function side(value: string | undefined): 'buy' | 'sell' {
  return value?.toLowerCase() === 'sell' ? 'sell' : 'buy';
}

export function toOrder(order: Order, extras: OrderExtras): ExchangeOrder {
  const amount = decimalOr0(order.amount);
  const filled = decimalOr0(order.filled);
  const average = decimalOf(order.average);
  return {
    id: order.id ?? '',
    clientOrderId: extras.clientOrderId ?? (order.clientOrderId || undefined),
    symbol: order.symbol ?? '',
    side: extras.side ?? side(order.side),
    // A conditional order keeps its real type ('stop_market'); ccxt would call it 'market'.
    type: (order.triggerPrice !== undefined && extras.rawType) || order.type || 'unknown',
    // ccxt reports a cancel in flight as 'canceling': the order is still live until confirmed.
    status: STATUSES[order.status ?? ''] ?? 'open',
    price: decimalOf(order.price)?.isZero() ? undefined : decimalOf(order.price),
    average: average?.isZero() ? undefined : average,
    amount,
    filled,
    remaining: decimalOf(order.remaining) ?? Decimal.max(amount.minus(filled), 0),
    cost: decimalOf(order.cost) ?? (average ? average.times(filled) : ZERO),
    positionSide: extras.positionSide,
    reduceOnly: order.reduceOnly === true,
    timestamp: order.timestamp ?? order.lastUpdateTimestamp ?? Date.now(),
    triggerPrice: decimalOf(order.triggerPrice),
  };
}

export function toTrade(trade: Trade, extras: OrderExtras): ExchangeTrade {
  const price = decimalOr0(trade.price);
  const amount = decimalOr0(trade.amount);
  const feeCost = decimalOf(trade.fee?.cost);
  const feeCurrency = trade.fee?.currency;
  return {
    id: trade.id ?? '',
    orderId: trade.order ?? '',
    clientOrderId: extras.clientOrderId,
    symbol: trade.symbol ?? '',
    side: extras.side ?? side(trade.side),
    price,
    amount,
    cost: decimalOf(trade.cost) ?? price.times(amount),
    fee: feeCost && feeCurrency ? { cost: feeCost, currency: feeCurrency } : undefined,
    positionSide: extras.positionSide,
    timestamp: trade.timestamp ?? Date.now(),
  };
}

const BALANCE_META = new Set(['info', 'timestamp', 'datetime', 'free', 'used', 'total', 'debt']);

/** Assets with anything in them, free and locked as the exchange reports them. */
export function toBalanceLines(balances: Balances): BalanceLine[] {
  const lines: BalanceLine[] = [];
  for (const [asset, entry] of Object.entries(balances as Record<string, unknown>)) {
    if (BALANCE_META.has(asset) || typeof entry !== 'object' || entry === null) continue;
    const row = entry as { free?: unknown; used?: unknown; total?: unknown };
    const free = decimalOr0(row.free);
    const locked = decimalOr0(row.used);
    const total = decimalOf(row.total) ?? free.plus(locked);
    if (free.isZero() && locked.isZero() && total.isZero()) continue;
    lines.push({ asset, free, locked, total });
  }
  return lines.sort((a, b) => a.asset.localeCompare(b.asset));
}

export function toPosition(position: Position): ExchangePosition | undefined {
  const contracts = decimalOf(position.contracts);
  if (!contracts || contracts.isZero()) return undefined;
  const sideText = (position.side ?? infoString(position.info, 'positionSide') ?? '').toUpperCase();
  const positionSide = sideText === 'SHORT' ? 'SHORT' : sideText === 'LONG' ? 'LONG' : undefined;
  if (!positionSide) return undefined;
  return {
    symbol: position.symbol ?? '',
    side: positionSide,
    contracts: contracts.abs(),
    entryPrice: decimalOr0(position.entryPrice),
    markPrice: decimalOf(position.markPrice),
    unrealizedPnl: decimalOf(position.unrealizedPnl),
    leverage: typeof position.leverage === 'number' ? position.leverage : undefined,
  };
}
