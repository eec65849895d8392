import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  displayHolding,
  displayMoney,
  displayPercent,
  displayPrice,
  displayQuantity,
  marketNumbers,
} from '../../src/domain/display-number.ts';

const d = (s: string) => new Decimal(s);

describe('one display rule for numbers', () => {
  it('a price is shown to its market tick, half up', () => {
    expect(displayPrice(d('60126.90693548'), d('0.01'))).toBe('60126.91');
    expect(displayPrice(d('60126.90493548'), d('0.01'))).toBe('60126.9');
    expect(displayPrice(d('60126.96'), d('0.1'))).toBe('60127');
    expect(displayPrice(d('60000'), d('0.01'))).toBe('60000');
  });

  it('a price of an unknown market keeps 8 significant digits', () => {
    expect(displayPrice(d('60126.90693548'))).toBe('60126.907');
    expect(displayPrice(d('0.0000123456789'))).toBe('0.00001235');
  });

  it('an order quantity is shown to its market step, rounded down', () => {
    expect(displayQuantity(d('0.0123456'), d('0.00001'))).toBe('0.01234');
    expect(displayQuantity(d('0.0199'), d('0.001'))).toBe('0.019');
  });

  it('a holding is shown to its asset precision, never more than is there', () => {
    expect(displayHolding(d('1999.92123827'), 'USDT')).toBe('1999.92');
    expect(displayHolding(d('1999.999'), 'USDT')).toBe('1999.99');
    expect(displayHolding(d('0.123456789'), 'BTC')).toBe('0.12345678');
  });

  it('money is shown to the cent of its asset, half up', () => {
    expect(displayMoney(d('11.988'))).toBe('11.99');
    expect(displayMoney(d('-11.985'))).toBe('-11.99');
    expect(displayMoney(d('11000'))).toBe('11000');
  });

  it('a value that is not zero never shows as 0, and nothing shows as -0', () => {
    expect(displayMoney(d('0.004'))).toBe('0.004');
    expect(displayMoney(d('-0.0004'))).toBe('-0.0004');
    expect(displayQuantity(d('0.0000000001'), d('0.001'))).toBe('0.0000000001');
    expect(displayMoney(d('-0'))).toBe('0');
    expect(displayMoney(d('0'))).toBe('0');
  });

  it('percentages to two decimals', () => {
    expect(displayPercent(d('0.25'))).toBe('25%');
    expect(displayPercent(d('0.123456'))).toBe('12.35%');
  });

  it('a market reads its assets from its symbol', () => {
    const usdm = marketNumbers('BTC/USDT:USDT', { tick: d('0.1'), step: d('0.001') });
    expect(usdm.price(d('60126.96'))).toBe('60127');
    expect(usdm.quantity(d('0.0159'))).toBe('0.015');
    expect(usdm.holding(d('0.015999999999'))).toBe('0.01599999');
    expect(usdm.money(d('12.345'))).toBe('12.35');
  });

  it('never passes through a binary float', () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004; in decimals it is 0.3.
    expect(displayMoney(d('0.1').plus(d('0.2')))).toBe('0.3');
    expect(displayHolding(d('123456789012.12345678'), 'BTC')).toBe('123456789012.12345678');
  });
});
