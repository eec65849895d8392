import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { fitOrderToMarket, type MarketFilters, type OrderToFit } from '../../src/domain/market-filters.ts';

const d = (v: string) => new Decimal(v);

/** Binance USDT-M BTCUSDT as the emulator lists it. */
const FUTURES: MarketFilters = {
  amountStep: d('0.001'),
  quoteStep: d('0.1'),
  minAmount: d('0.001'),
  minNotional: d('100'),
  maxAmount: d('1000'),
  maxMarketAmount: d('120'),
  priceTick: d('0.1'),
  minPrice: d('0.1'),
  maxPrice: d('1000000'),
};

const order = (o: Partial<OrderToFit>): OrderToFit => ({
  side: 'buy',
  type: 'market',
  referencePrice: d('60000'),
  minNotionalApplies: true,
  ...o,
});

describe('fitting an order to its market', () => {
  it('rounds a quantity down to the lot step and says what it changed', () => {
    const fit = fitOrderToMarket(order({ amount: d('0.0029') }), FUTURES);
    expect(fit.ok && fit.amount?.toFixed()).toBe('0.002');
    expect(fit.ok && fit.adjusted.amount?.from.toFixed()).toBe('0.0029');
  });

  it("rounds a limit price to the tick in the trader's favour: a buy down, a sell up", () => {
    const buy = fitOrderToMarket(order({ type: 'limit', amount: d('0.01'), price: d('60000.05') }), FUTURES);
    const sell = fitOrderToMarket(
      order({ side: 'sell', type: 'limit', amount: d('0.01'), price: d('60000.05') }),
      FUTURES,
    );
    expect(buy.ok && buy.price?.toFixed()).toBe('60000');
    expect(sell.ok && sell.price?.toFixed()).toBe('60000.1');
  });

  it('a market order is held to the market-order maximum, a limit order to the lot maximum', () => {
    expect(fitOrderToMarket(order({ amount: d('200') }), FUTURES)).toMatchObject({
      ok: false,
      key: 'orders.amount_above_maximum',
      params: { max: '120' },
    });
    expect(fitOrderToMarket(order({ type: 'limit', amount: d('200'), price: d('60000') }), FUTURES).ok).toBe(true);
  });

  it('a futures reduction is exempt from the minimum value; an opening is not', () => {
    expect(fitOrderToMarket(order({ amount: d('0.001') }), FUTURES)).toMatchObject({
      ok: false,
      key: 'orders.notional_below_minimum',
      params: { value: '60', min: '100' },
    });
    expect(fitOrderToMarket(order({ amount: d('0.001'), minNotionalApplies: false }), FUTURES).ok).toBe(true);
  });

  it('without a known price the minimum value is left to the exchange', () => {
    expect(fitOrderToMarket(order({ amount: d('0.001'), referencePrice: undefined }), FUTURES).ok).toBe(true);
  });

  it('a quote amount is rounded to the quote step and judged as value', () => {
    const spot: MarketFilters = {
      amountStep: d('0.00001'),
      quoteStep: d('0.01'),
      minAmount: d('0.00001'),
      minNotional: d('5'),
    };
    const fit = fitOrderToMarket(order({ cost: d('50.009') }), spot);
    expect(fit.ok && fit.cost?.toFixed()).toBe('50');
    expect(fitOrderToMarket(order({ cost: d('4.999') }), spot)).toMatchObject({
      ok: false,
      key: 'orders.notional_below_minimum',
      params: { value: '4.99', min: '5' },
    });
  });
});
