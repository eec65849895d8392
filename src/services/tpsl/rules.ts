import type { Decimal } from 'decimal.js';
import type { MessageParams } from '../../domain/errors.ts';
import type { PositionSide } from '../../domain/vp-ledger.ts';

/**
 * The pure rules of a VP's take-profit and stop-loss: which way each leg sits, when a price
 * crosses it, and what the exchange should hold for it. No I/O; the TP/SL service applies them.
 */
export type TpslLeg = 'tp' | 'sl';
export const LEGS: readonly TpslLeg[] = ['tp', 'sl'];

export interface WantedLeg {
  leg: TpslLeg;
  kind: 'take_profit' | 'stop';
  /** The side of the order that closes the VP: sell for LONG, buy for SHORT. */
  side: 'buy' | 'sell';
  triggerPrice: Decimal;
  qty: Decimal;
}

export interface ArmedVp {
  side: PositionSide;
  netQty: Decimal;
  tp: Decimal | null;
  sl: Decimal | null;
}

export function closingSide(side: PositionSide): 'buy' | 'sell' {
  return side === 'LONG' ? 'sell' : 'buy';
}

/** The conditional orders a VP should have on the exchange: one per armed leg, for exactly its quantity. */
export function wantedLegs(vp: ArmedVp): Partial<Record<TpslLeg, WantedLeg>> {
  if (!vp.netQty.greaterThan(0)) return {};
  const wanted: Partial<Record<TpslLeg, WantedLeg>> = {};
  for (const leg of LEGS) {
    const triggerPrice = vp[leg];
    if (!triggerPrice) continue;
    wanted[leg] = {
      leg,
      kind: leg === 'tp' ? 'take_profit' : 'stop',
      side: closingSide(vp.side),
      triggerPrice,
      qty: vp.netQty,
    };
  }
  return wanted;
}

/** A LONG takes profit above and stops out below; a SHORT the other way round. */
export function crossed(side: PositionSide, leg: TpslLeg, trigger: Decimal, price: Decimal): boolean {
  const fromAbove = (side === 'LONG') === (leg === 'tp');
  return fromAbove ? price.greaterThanOrEqualTo(trigger) : price.lessThanOrEqualTo(trigger);
}

/** The leg a price has reached, if any; a stop wins when a gap somehow crosses both. */
export function crossedLeg(vp: ArmedVp, price: Decimal): TpslLeg | undefined {
  if (vp.sl && crossed(vp.side, 'sl', vp.sl, price)) return 'sl';
  if (vp.tp && crossed(vp.side, 'tp', vp.tp, price)) return 'tp';
  return undefined;
}

export interface TriggerProblem {
  key: string;
  params: MessageParams;
}

/**
 * Refuses a trigger price that is on the wrong side before anything is sent. Against the mark:
 * a leg already crossed would fire at once (Binance refuses it, -2021). A take-profit must also
 * beat the entry — below it (LONG) it would realize a loss under a profit's name; a stop may sit
 * above the entry (a stop that locks in profit is a normal thing to want).
 */
export function checkTriggers(
  side: PositionSide,
  given: { tp?: Decimal | undefined; sl?: Decimal | undefined },
  at: { mark: Decimal; entry: Decimal },
): TriggerProblem | undefined {
  const long = side === 'LONG';
  const { tp, sl } = given;
  if (tp) {
    const bound = long ? maxOf(at.mark, at.entry) : minOf(at.mark, at.entry);
    const ok = long ? tp.greaterThan(bound) : tp.lessThan(bound);
    if (!ok) {
      return {
        key: long ? 'tpsl.tp_not_above' : 'tpsl.tp_not_below',
        params: { price: tp.toFixed(), mark: at.mark.toFixed(), entry: at.entry.toFixed() },
      };
    }
  }
  if (sl) {
    const ok = long ? sl.lessThan(at.mark) : sl.greaterThan(at.mark);
    if (!ok) {
      return {
        key: long ? 'tpsl.sl_not_below' : 'tpsl.sl_not_above',
        params: { price: sl.toFixed(), mark: at.mark.toFixed(), entry: at.entry.toFixed() },
      };
    }
  }
  return undefined;
}

function maxOf(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b;
}

function minOf(a: Decimal, b: Decimal): Decimal {
  // An empty VP has entry 0: only the mark bounds a SHORT's take-profit then.
  if (b.isZero()) return a;
  return a.lessThan(b) ? a : b;
}
