import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { NO_LIMITS, checkOrderRisk, type OrderRiskContext, type RiskLimits } from '../../src/domain/risk.ts';

const d = (value: string) => new Decimal(value);

const limits: RiskLimits = {
  maxOrderNotional: d('1000'),
  maxPositionNotional: d('5000'),
  maxOpenOrders: 3,
  maxDailyLoss: d('200'),
};

/** A modest limit order that opens exposure, well inside every limit. */
const order = (overrides: Partial<OrderRiskContext> = {}): OrderRiskContext => ({
  orderNotional: d('500'),
  positionNotionalAfter: d('2000'),
  increasesExposure: true,
  openOrders: 1,
  realizedPnlToday: d('-50'),
  isLimitOrder: true,
  ...overrides,
});

const reduction = (overrides: Partial<OrderRiskContext> = {}) => order({ increasesExposure: false, ...overrides });

describe('pre-trade risk limits', () => {
  it('passes an order inside every limit, and any order when no limit is set', () => {
    expect(checkOrderRisk(limits, order())).toEqual({ ok: true });
    const huge = order({
      orderNotional: d('1e12'),
      positionNotionalAfter: d('1e13'),
      openOrders: 10_000,
      realizedPnlToday: d('-1e9'),
    });
    expect(checkOrderRisk(NO_LIMITS, huge)).toEqual({ ok: true });
  });

  it('max order notional: equal passes, a cent more is blocked', () => {
    expect(checkOrderRisk(limits, order({ orderNotional: d('1000') }))).toEqual({ ok: true });
    expect(checkOrderRisk(limits, order({ orderNotional: d('1000.01') }))).toEqual({
      ok: false,
      limit: 'max_order_notional',
      key: 'risk.blocked.max_order_notional',
      params: { limit: '1000', value: '1000.01' },
    });
  });

  it('max position notional: equal passes, beyond is blocked', () => {
    expect(checkOrderRisk(limits, order({ positionNotionalAfter: d('5000') }))).toEqual({ ok: true });
    expect(checkOrderRisk(limits, order({ positionNotionalAfter: d('5000.00000001') }))).toEqual({
      ok: false,
      limit: 'max_position_notional',
      key: 'risk.blocked.max_position_notional',
      params: { limit: '5000', value: '5000.00000001' },
    });
  });

  it('max open orders: a limit order may bring the count up to the limit, not past it', () => {
    expect(checkOrderRisk(limits, order({ openOrders: 2 }))).toEqual({ ok: true });
    expect(checkOrderRisk(limits, order({ openOrders: 3 }))).toEqual({
      ok: false,
      limit: 'max_open_orders',
      key: 'risk.blocked.max_open_orders',
      params: { limit: '3', value: '4' },
    });
  });

  it('max open orders: a market order never rests, so it does not count', () => {
    expect(checkOrderRisk(limits, order({ openOrders: 3, isLimitOrder: false }))).toEqual({ ok: true });
  });

  it('daily loss: new exposure is allowed just short of the limit and blocked once the loss reaches it', () => {
    expect(checkOrderRisk(limits, order({ realizedPnlToday: d('-199.99') }))).toEqual({ ok: true });
    expect(checkOrderRisk(limits, order({ realizedPnlToday: d('-200') }))).toEqual({
      ok: false,
      limit: 'max_daily_loss',
      key: 'risk.blocked.max_daily_loss',
      params: { limit: '200', value: '200' },
    });
    expect(checkOrderRisk(limits, order({ realizedPnlToday: d('-350.5') }))).toMatchObject({
      limit: 'max_daily_loss',
      params: { value: '350.5' },
    });
    expect(checkOrderRisk(limits, order({ realizedPnlToday: d('900') }))).toEqual({ ok: true });
  });

  it('a reduction is never blocked by notional, position or daily-loss limits', () => {
    const everythingBreached = reduction({
      orderNotional: d('999999'),
      positionNotionalAfter: d('999999'),
      realizedPnlToday: d('-999999'),
      isLimitOrder: false,
      openOrders: 50,
    });
    expect(checkOrderRisk(limits, everythingBreached)).toEqual({ ok: true });
  });

  it('a resting reduction still counts against max open orders', () => {
    expect(checkOrderRisk(limits, reduction({ openOrders: 2 }))).toEqual({ ok: true });
    expect(checkOrderRisk(limits, reduction({ openOrders: 3 }))).toMatchObject({ ok: false, limit: 'max_open_orders' });
  });

  it('reports the first limit broken, in a fixed order: daily loss, order, position, open orders', () => {
    const all = order({
      realizedPnlToday: d('-500'),
      orderNotional: d('2000'),
      positionNotionalAfter: d('9000'),
      openOrders: 3,
    });
    expect(checkOrderRisk(limits, all)).toMatchObject({ limit: 'max_daily_loss' });
    expect(checkOrderRisk(limits, { ...all, realizedPnlToday: d('0') })).toMatchObject({ limit: 'max_order_notional' });
    expect(checkOrderRisk(limits, { ...all, realizedPnlToday: d('0'), orderNotional: d('1') })).toMatchObject({
      limit: 'max_position_notional',
    });
    expect(
      checkOrderRisk(limits, {
        ...all,
        realizedPnlToday: d('0'),
        orderNotional: d('1'),
        positionNotionalAfter: d('1'),
      }),
    ).toMatchObject({ limit: 'max_open_orders' });
  });

  it('a limit set to null is not enforced while the others still are', () => {
    const onlyOpenOrders: RiskLimits = { ...NO_LIMITS, maxOpenOrders: 0 };
    expect(checkOrderRisk(onlyOpenOrders, order({ orderNotional: d('1e9') }))).toMatchObject({
      limit: 'max_open_orders',
      params: { limit: '0', value: '2' },
    });
  });

  it('writes figures as plain decimal strings, never with an exponent', () => {
    const verdict = checkOrderRisk(limits, order({ orderNotional: d('1e21') }));
    expect(verdict).toMatchObject({ params: { value: '1000000000000000000000' } });
  });

  it('fails closed on a figure that is not a number instead of letting it pass', () => {
    expect(() => checkOrderRisk(limits, order({ orderNotional: d('NaN') }))).toThrow(RangeError);
    expect(() => checkOrderRisk(limits, order({ positionNotionalAfter: d('NaN') }))).toThrow(RangeError);
    expect(() => checkOrderRisk(limits, order({ realizedPnlToday: d('NaN') }))).toThrow(RangeError);
    expect(() => checkOrderRisk(limits, order({ openOrders: Number.NaN }))).toThrow(RangeError);
  });

  it('NO_LIMITS cannot be changed by accident', () => {
    expect(Object.isFrozen(NO_LIMITS)).toBe(true);
  });
});
