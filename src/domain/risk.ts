import type { Decimal } from 'decimal.js';

/** Pre-trade limits of one account; null means the limit is not enforced. */
export interface RiskLimits {
  maxOrderNotional: Decimal | null;
  /** per symbol */
  maxPositionNotional: Decimal | null;
  maxOpenOrders: number | null;
  /** positive number: the most realized loss allowed today */
  maxDailyLoss: Decimal | null;
}

export interface OrderRiskContext {
  orderNotional: Decimal;
  /** |position| × price after this order if it increases exposure */
  positionNotionalAfter: Decimal;
  increasesExposure: boolean;
  /** before this one */
  openOrders: number;
  /** negative = loss */
  realizedPnlToday: Decimal;
  isLimitOrder: boolean;
}

export type RiskLimitName = 'max_order_notional' | 'max_position_notional' | 'max_open_orders' | 'max_daily_loss';

export type RiskVerdict =
  | { ok: true }
  | {
      ok: false;
      limit: RiskLimitName;
      /** i18n key risk.blocked.<limit> */
      key: string;
      /** `limit`: the limit's value; `value`: the order's figure — both as decimal strings */
      params: Record<string, string>;
    };

export const NO_LIMITS: RiskLimits = Object.freeze({
  maxOrderNotional: null,
  maxPositionNotional: null,
  maxOpenOrders: null,
  maxDailyLoss: null,
});

/**
 * The first limit this order would break, checked in a fixed order:
 * 1. max_daily_loss — first because once today's loss is reached no smaller order helps;
 *    new exposure is blocked when realizedPnlToday ≤ −maxDailyLoss.
 * 2. max_order_notional — orderNotional above the limit.
 * 3. max_position_notional — positionNotionalAfter above the limit.
 * 4. max_open_orders — a limit order would rest and make open orders exceed the limit.
 * An order that does not increase exposure is never blocked by 1–3: a trader must always be able
 * to reduce risk. A market order never rests, so it never counts against 4. A figure equal to a
 * limit is allowed (except the daily loss, which stops new exposure once reached).
 */
export function checkOrderRisk(limits: RiskLimits, ctx: OrderRiskContext): RiskVerdict {
  if (ctx.increasesExposure) {
    const { maxDailyLoss, maxOrderNotional, maxPositionNotional } = limits;
    const lossToday = finite(ctx.realizedPnlToday, 'realizedPnlToday').negated();
    if (maxDailyLoss !== null && lossToday.greaterThanOrEqualTo(maxDailyLoss)) {
      return blocked('max_daily_loss', maxDailyLoss.toFixed(), lossToday.toFixed());
    }
    const orderNotional = finite(ctx.orderNotional, 'orderNotional');
    if (maxOrderNotional !== null && orderNotional.greaterThan(maxOrderNotional)) {
      return blocked('max_order_notional', maxOrderNotional.toFixed(), orderNotional.toFixed());
    }
    const positionNotional = finite(ctx.positionNotionalAfter, 'positionNotionalAfter');
    if (maxPositionNotional !== null && positionNotional.greaterThan(maxPositionNotional)) {
      return blocked('max_position_notional', maxPositionNotional.toFixed(), positionNotional.toFixed());
    }
  }
  if (ctx.isLimitOrder && limits.maxOpenOrders !== null) {
    if (!Number.isSafeInteger(ctx.openOrders) || ctx.openOrders < 0) {
      throw new RangeError(`openOrders ${ctx.openOrders} is not a count`);
    }
    const openAfter = ctx.openOrders + 1;
    if (openAfter > limits.maxOpenOrders) {
      return blocked('max_open_orders', String(limits.maxOpenOrders), String(openAfter));
    }
  }
  return { ok: true };
}

function blocked(limit: RiskLimitName, limitValue: string, value: string): RiskVerdict {
  return { ok: false, limit, key: `risk.blocked.${limit}`, params: { limit: limitValue, value } };
}

/** A figure that is not a number would compare false against every limit: refuse instead of passing. */
function finite(value: Decimal, what: string): Decimal {
  if (!value.isFinite()) throw new RangeError(`${what} ${value.toString()} is not a number`);
  return value;
}
