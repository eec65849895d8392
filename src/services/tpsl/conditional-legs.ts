import { Decimal } from 'decimal.js';
import { ClientOrderIdFactory, decodeClientOrderId } from '../../domain/client-order-id.ts';
import { HedgeError, reasonParams } from '../../domain/errors.ts';
import type { PositionSide } from '../../domain/vp-ledger.ts';
import type { AccountExchange, ExchangeOrder } from '../../exchange/types.ts';
import type { Order, VirtualPosition } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import type { AccountCodes } from '../orders/account-codes.ts';
import { fromColumn, toColumn } from '../orders/decimal-columns.ts';
import type { OrderTracker } from '../orders/order-tracker.ts';
import { LEGS, wantedLegs, type ArmedVp, type TpslLeg, type WantedLeg } from './rules.ts';

export interface TpslOutcome {
  vp: VirtualPosition;
  /** Client ids of the conditional orders now resting for each leg (futures). */
  placed: Partial<Record<TpslLeg, string>>;
  /** Legs the exchange refused; they are disarmed. */
  failed: Partial<Record<TpslLeg, unknown>>;
}

export type RaiseTpslAlert = (
  vp: VirtualPosition,
  severity: 'info' | 'warning' | 'critical',
  key: string,
  params: Record<string, string>,
) => void;

export const PRICE_COLUMN = { tp: 'tpPrice', sl: 'slPrice' } as const;
export const CLIENT_ID_COLUMN = { tp: 'tpClientId', sl: 'slClientId' } as const;

export function sideOf(vp: VirtualPosition): PositionSide {
  return vp.positionSide === 'SHORT' ? 'SHORT' : 'LONG';
}

export function armedOf(vp: VirtualPosition): ArmedVp {
  return {
    side: sideOf(vp),
    netQty: fromColumn(vp.netQty),
    tp: vp.tpPrice ? new Decimal(vp.tpPrice) : null,
    sl: vp.slPrice ? new Decimal(vp.slPrice) : null,
  };
}

/**
 * Futures TP/SL as Binance conditional (algo) orders: one reduce order per armed leg for exactly
 * the VP's quantity on its position side. Never closePosition: that closes the whole exchange
 * position, the other VPs' shares included. A leg's new order is placed only after every other
 * order of that leg is gone, so a VP never has two live take-profits.
 */
export class ConditionalLegs {
  private readonly ids = new ClientOrderIdFactory();

  constructor(private readonly deps: { db: Db; codes: AccountCodes; tracker: OrderTracker; alert: RaiseTpslAlert }) {}

  /**
   * Brings the exchange in line with the VP's armed legs: keeps an order that is exactly right,
   * cancels every other order of this VP's legs, then places what is missing.
   */
  async align(vp: VirtualPosition, exchange: AccountExchange): Promise<TpslOutcome> {
    const { db, codes } = this.deps;
    const code = await codes.codeOf(vp.accountId);
    const wanted = wantedLegs(armedOf(vp));
    const live = (await exchange.fetchOpenConditionalOrders(vp.symbol)).flatMap((order) => {
      const leg = ownLegOf(order, code, vp.id);
      return leg && order.clientOrderId ? [{ leg, clientOrderId: order.clientOrderId }] : [];
    });

    const placed: Partial<Record<TpslLeg, string>> = {};
    for (const order of live) {
      const want = wanted[order.leg];
      const row = await db.order.findUnique({ where: { clientOrderId: order.clientOrderId } });
      const current = want && !placed[order.leg] && order.clientOrderId === vp[CLIENT_ID_COLUMN[order.leg]];
      if (current && row && sameLeg(row, want)) placed[order.leg] = order.clientOrderId;
      else await this.cancelLeg(exchange, vp.symbol, order.clientOrderId);
    }

    const disarmed = new Set<TpslLeg>();
    for (const leg of LEGS) {
      const recorded = vp[CLIENT_ID_COLUMN[leg]];
      if (!wanted[leg] || !recorded || live.some((o) => o.clientOrderId === recorded)) continue;
      // It left the book without us: triggered (its fill is on the way and closes the VP) or
      // cancelled on the exchange's site. The book records how it ended; not placed again: the
      // VP's quantity may be gone already.
      const row = await this.deps.tracker.current(recorded);
      if (row) await this.deps.tracker.lookUp(row, 'lookup').catch(() => undefined);
      this.deps.alert(vp, 'warning', 'alerts.tpsl_left_book', { leg });
      disarmed.add(leg);
    }

    const failed: Partial<Record<TpslLeg, unknown>> = {};
    for (const leg of LEGS) {
      const want = wanted[leg];
      if (!want || placed[leg] || disarmed.has(leg)) continue;
      try {
        placed[leg] = await this.placeLeg(exchange, vp, want, code);
      } catch (err) {
        failed[leg] = err;
        disarmed.add(leg);
        this.deps.alert(vp, 'warning', 'alerts.tpsl_failed', { ...reasonParams(err), leg });
      }
    }

    const updated = await db.virtualPosition.update({
      where: { id: vp.id },
      data: {
        tpClientId: placed.tp ?? null,
        slClientId: placed.sl ?? null,
        ...(disarmed.has('tp') ? { tpPrice: null } : {}),
        ...(disarmed.has('sl') ? { slPrice: null } : {}),
      },
    });
    return { vp: updated, placed, failed };
  }

  /**
   * Opens the order in the book, then sends it; an unanswered send is looked up by its client id,
   * never repeated. Still in doubt after the look-ups, the leg counts as failed (disarmed, the
   * trader told); the in-doubt sweep settles the order, and the next alignment cancels it if it
   * turns out to rest after all.
   */
  private async placeLeg(
    exchange: AccountExchange,
    vp: VirtualPosition,
    want: WantedLeg,
    code: number,
  ): Promise<string> {
    const { tracker } = this.deps;
    // Hedge mode closes the VP's side; one-way mode shrinks the net position and never reverses
    // it. Read before the row exists: a failure here leaves nothing open in the book.
    const hedged = (await exchange.positionMode()) === 'hedge';
    const clientOrderId = this.ids.next({ accountCode: code, vpId: vp.id, purpose: want.leg });
    const row = await tracker.open({
      clientOrderId,
      accountId: vp.accountId,
      vpId: vp.id,
      purpose: want.leg,
      symbol: vp.symbol,
      side: want.side,
      positionSide: vp.positionSide,
      type: want.kind,
      amount: toColumn(want.qty),
      triggerPrice: toColumn(want.triggerPrice),
      reduceOnly: true,
    });
    const placed = await tracker.send(row, () =>
      exchange.placeConditionalOrder({
        symbol: vp.symbol,
        side: want.side,
        kind: want.kind,
        triggerPrice: want.triggerPrice,
        amount: want.qty,
        ...(hedged ? { positionSide: sideOf(vp) } : { reduceOnly: true }),
        clientOrderId,
      }),
    );
    if (placed.status === 'UNKNOWN') throw new HedgeError('tpsl.leg_unknown', { leg: want.leg });
    return clientOrderId;
  }

  private async cancelLeg(exchange: AccountExchange, symbol: string, clientOrderId: string): Promise<void> {
    await this.deps.tracker.cancelConditional(exchange, symbol, { clientOrderId });
  }
}

/** The leg an open conditional order is for, when it is one of ours for this VP. */
function ownLegOf(order: ExchangeOrder, accountCode: number, vpId: number): TpslLeg | undefined {
  const decoded = order.clientOrderId ? decodeClientOrderId(order.clientOrderId) : undefined;
  if (!decoded || decoded.accountCode !== accountCode || decoded.vpId !== vpId) return undefined;
  return decoded.purpose === 'tp' || decoded.purpose === 'sl' ? decoded.purpose : undefined;
}

/** Whether the recorded order is exactly what the leg needs now (our own record, not the exchange's rounding). */
function sameLeg(row: Order, want: WantedLeg): boolean {
  return (
    row.type === want.kind &&
    row.side === want.side &&
    row.amount !== null &&
    row.triggerPrice !== null &&
    fromColumn(row.amount).equals(want.qty) &&
    fromColumn(row.triggerPrice).equals(want.triggerPrice)
  );
}
