import { describe, expect, it } from 'vitest';
import { displayWidth, monospaceTable } from '../../src/commands/format/table.ts';

describe('monospace tables', () => {
  it('pads every column to its widest cell, in a code block', () => {
    expect(
      monospaceTable(
        ['account', 'qty'],
        [
          ['main', '0.01'],
          ['sub_a', '12.5'],
        ],
      ),
    ).toBe(['```', 'account  qty', 'main     0.01', 'sub_a    12.5', '```'].join('\n'));
  });

  it('counts Chinese characters as two columns so zh tables stay aligned', () => {
    expect(displayWidth('账户')).toBe(4);
    expect(monospaceTable(['账户', 'x'], [['main', '1']]).split('\n')[2]).toBe('main  1');
  });
});
