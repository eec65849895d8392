import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { MARGIN_PASS_FRESH_MS, MarginPasses } from '../../src/services/orders/margin-passes.ts';
import type { PlaceOrderInput } from '../../src/services/orders/order-service.ts';

const order = (o: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
  accountId: 'main',
  symbol: 'BTC/USDT',
  side: 'buy',
  type: 'limit',
  amount: new Decimal('0.01'),
  price: new Decimal('60000'),
  ...o,
});

describe("a confirmation's margin check, as the send takes it", () => {
  it('a prompt yes uses it once; the same order sent again is read again', () => {
    let now = 1_000_000;
    const passes = new MarginPasses(() => now);
    passes.remember(order());
    now += MARGIN_PASS_FRESH_MS;
    expect(passes.takeFresh(order())).toBe(true);
    expect(passes.takeFresh(order())).toBe(false);
  });

  it('a yes later than the bound is read again, and the stale pass is gone', () => {
    let now = 1_000_000;
    const passes = new MarginPasses(() => now);
    passes.remember(order());
    now += MARGIN_PASS_FRESH_MS + 1;
    expect(passes.takeFresh(order())).toBe(false);
    now += 1;
    expect(passes.takeFresh(order())).toBe(false);
  });

  it('covers only the order it checked: another amount, price, side or account is read', () => {
    const passes = new MarginPasses(() => 0);
    passes.remember(order());
    expect(passes.takeFresh(order({ amount: new Decimal('0.02') }))).toBe(false);
    expect(passes.takeFresh(order({ price: new Decimal('60001') }))).toBe(false);
    expect(passes.takeFresh(order({ side: 'sell', positionSide: 'SHORT' }))).toBe(false);
    expect(passes.takeFresh(order({ accountId: 'sub_a' }))).toBe(false);
    expect(passes.takeFresh(order())).toBe(true);
  });
});
