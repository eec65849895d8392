import { describe, expect, it } from 'vitest';
import { dec, str } from '../../src/emulator/engine/decimal.ts';
import { applyFill } from '../../src/emulator/engine/positions.ts';

function fill(amount: string, entry: string, qty: string, price: string) {
  const change = applyFill(dec(amount), dec(entry), dec(qty), dec(price));
  return { amount: str(change.amount), entry: str(change.entryPrice), realized: str(change.realized) };
}

describe('position arithmetic', () => {
  it('averages the entry price by quantity when adding', () => {
    expect(fill('0', '0', '0.01', '60000')).toEqual({ amount: '0.01', entry: '60000', realized: '0' });
    expect(fill('0.01', '60000', '0.03', '64000')).toEqual({ amount: '0.04', entry: '63000', realized: '0' });
    expect(fill('-1', '3000', '-1', '2900')).toEqual({ amount: '-2', entry: '2950', realized: '0' });
  });

  it('realizes profit on the reduced part and keeps the entry of the rest', () => {
    expect(fill('0.04', '63000', '-0.01', '65000')).toEqual({ amount: '0.03', entry: '63000', realized: '20' });
    expect(fill('-2', '2950', '1', '3000')).toEqual({ amount: '-1', entry: '2950', realized: '-50' });
    expect(fill('0.03', '63000', '-0.03', '62000')).toEqual({ amount: '0', entry: '0', realized: '-30' });
  });

  it('opens the remainder at the fill price when a one-way position flips', () => {
    expect(fill('1', '100', '-3', '110')).toEqual({ amount: '-2', entry: '110', realized: '10' });
  });
});
