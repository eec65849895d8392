import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ORDER_ID_MAX_LENGTH,
  ClientOrderIdFactory,
  MAX_ACCOUNT_CODE,
  copyClientOrderId,
  decodeClientOrderId,
  type ClientOrderIdParts,
} from '../../src/domain/client-order-id.ts';

const BINANCE_CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const BITGET_CLIENT_OID = /^[A-Za-z0-9_-]{1,40}$/;
const OUR_CHARSET = /^[0-9a-z_]+$/;
/** The latest time an id can carry: 36^8 − 1 ms, in 2059. */
const MAX_ISSUE_TIME = 36 ** 8 - 1;
const NOV_21_2026 = Date.parse('2026-11-21T09:30:00Z');

const timedPurpose = fc.constantFrom('trade' as const, 'tp' as const, 'sl' as const);
const vpId = fc.option(fc.oneof(fc.nat({ max: 10_000 }), fc.maxSafeNat()), { nil: null });
const timedParts: fc.Arbitrary<ClientOrderIdParts> = fc.record({
  accountCode: fc.integer({ min: 0, max: MAX_ACCOUNT_CODE }),
  vpId,
  purpose: timedPurpose,
});
const issueTime = fc.integer({ min: 0, max: MAX_ISSUE_TIME });
const randomValue = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const anyTimedId = fc
  .tuple(timedParts, issueTime, randomValue)
  .map(([parts, now, r]) => new ClientOrderIdFactory({ now: () => now, random: () => r }).next(parts));
const anyCopyId = fc
  .tuple(fc.integer({ min: 0, max: MAX_ACCOUNT_CODE }), fc.maxSafeNat())
  .map(([account, event]) => copyClientOrderId(account, event));
const anyId = fc.oneof(anyTimedId, anyCopyId);

/** Ids and the alphabets here are ASCII, so one character is one code unit. */
const asciiChars = (text: string): string[] => text.split('');

function frozenFactory(now = NOV_21_2026, random = 0.5): ClientOrderIdFactory {
  return new ClientOrderIdFactory({ now: () => now, random: () => random });
}

/** The documented checksum, written again here so tests can build ids the encoder never would. */
function withChecksum(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum + (i + 1) * body.charCodeAt(i)) % 1291;
  return body + sum.toString(36).padStart(2, '0');
}

describe('client order ids: orders we send', () => {
  it('decodes back to the account, VP and purpose it was issued for, with its issue time', () => {
    fc.assert(
      fc.property(timedParts, issueTime, randomValue, (parts, now, r) => {
        const id = new ClientOrderIdFactory({ now: () => now, random: () => r }).next(parts);
        expect(decodeClientOrderId(id)).toEqual({ ...parts, issuedAt: now, ref: undefined });
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['the largest account code and VP id', { accountCode: MAX_ACCOUNT_CODE, vpId: Number.MAX_SAFE_INTEGER }],
    ['account 0 and VP 0', { accountCode: 0, vpId: 0 }],
    ['no VP', { accountCode: 7, vpId: null }],
  ])('round-trips %s for every purpose', (_name, identity) => {
    for (const purpose of ['trade', 'tp', 'sl'] as const) {
      const parts = { ...identity, purpose };
      const id = frozenFactory().next(parts);
      expect(id.length).toBeLessThanOrEqual(CLIENT_ORDER_ID_MAX_LENGTH);
      expect(decodeClientOrderId(id)).toEqual({ ...parts, issuedAt: NOV_21_2026, ref: undefined });
    }
  });

  it('is at most 36 characters that both Binance and Bitget accept', () => {
    fc.assert(
      fc.property(anyId, (id) => {
        expect(id.length).toBeLessThanOrEqual(CLIENT_ORDER_ID_MAX_LENGTH);
        expect(id).toMatch(OUR_CHARSET);
        expect(id).toMatch(BINANCE_CLIENT_ID);
        expect(id).toMatch(BITGET_CLIENT_OID);
      }),
      { numRuns: 500 },
    );
    const longest = frozenFactory(MAX_ISSUE_TIME).next({
      accountCode: MAX_ACCOUNT_CODE,
      vpId: Number.MAX_SAFE_INTEGER,
      purpose: 'trade',
    });
    expect(longest).toHaveLength(36);
  });

  it('never repeats in 100 000 ids issued within one frozen millisecond, even with a constant nonce', () => {
    const factory = frozenFactory(NOV_21_2026, 0);
    const parts = { accountCode: 3, vpId: 42, purpose: 'trade' } as const;
    const ids = Array.from({ length: 100_000 }, () => factory.next(parts));
    expect(new Set(ids).size).toBe(100_000);
    // 36^3 ids per ms; beyond that the factory borrows the next ms rather than repeat itself.
    const issued = ids.map((id) => decodeClientOrderId(id)?.issuedAt ?? Number.NaN);
    expect(issued.every((t, i) => i === 0 || t >= (issued[i - 1] ?? t))).toBe(true);
    expect(issued.at(-1)).toBe(NOV_21_2026 + Math.floor(99_999 / 36 ** 3));
  });

  it('stays unique when the clock steps back', () => {
    const times = [NOV_21_2026, NOV_21_2026 - 5_000, NOV_21_2026 + 1, NOV_21_2026 - 1, NOV_21_2026 + 1];
    let i = 0;
    const factory = new ClientOrderIdFactory({ now: () => times[i++ % times.length] ?? 0, random: () => 0 });
    const ids = Array.from({ length: 50 }, () => factory.next({ accountCode: 1, vpId: null, purpose: 'sl' }));
    expect(new Set(ids).size).toBe(ids.length);
    const issued = ids.map((id) => decodeClientOrderId(id)?.issuedAt ?? -1);
    expect(issued).toEqual([...issued].sort((a, b) => a - b));
  });

  it('two factories in the same millisecond differ by their nonce', () => {
    const parts = { accountCode: 1, vpId: 9, purpose: 'tp' } as const;
    expect(frozenFactory(NOV_21_2026, 0.1).next(parts)).not.toBe(frozenFactory(NOV_21_2026, 0.2).next(parts));
  });

  it('refuses parts and clocks it cannot encode', () => {
    const factory = frozenFactory();
    expect(() => factory.next({ accountCode: MAX_ACCOUNT_CODE + 1, vpId: null, purpose: 'trade' })).toThrow(RangeError);
    expect(() => factory.next({ accountCode: -1, vpId: null, purpose: 'trade' })).toThrow(RangeError);
    expect(() => factory.next({ accountCode: 1.5, vpId: null, purpose: 'trade' })).toThrow(RangeError);
    expect(() => factory.next({ accountCode: 1, vpId: -1, purpose: 'trade' })).toThrow(RangeError);
    expect(() => factory.next({ accountCode: 1, vpId: 2 ** 53, purpose: 'trade' })).toThrow(RangeError);
    expect(() => frozenFactory(MAX_ISSUE_TIME + 1).next({ accountCode: 1, vpId: null, purpose: 'trade' })).toThrow(
      RangeError,
    );
    expect(() => frozenFactory(Number.NaN).next({ accountCode: 1, vpId: null, purpose: 'trade' })).toThrow(RangeError);
    expect(() => frozenFactory(NOV_21_2026, 1).next({ accountCode: 1, vpId: null, purpose: 'trade' })).toThrow(
      RangeError,
    );
  });

  it('will not issue a copy id: those must be deterministic', () => {
    expect(() => frozenFactory().next({ accountCode: 1, vpId: null, purpose: 'copy' })).toThrow(/copyClientOrderId/);
  });
});

describe('client order ids: copies of a leader event', () => {
  it('are the same for the same follower and leader event, so a copy is idempotent across crashes', () => {
    expect(copyClientOrderId(12, 5000)).toBe('hs1c00c3uwoc');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_ACCOUNT_CODE }), fc.maxSafeNat(), (account, event) => {
        expect(copyClientOrderId(account, event)).toBe(copyClientOrderId(account, event));
        expect(decodeClientOrderId(copyClientOrderId(account, event))).toEqual({
          accountCode: account,
          vpId: null,
          purpose: 'copy',
          issuedAt: undefined,
          ref: event,
        });
      }),
    );
  });

  it('differ for different (follower, event) pairs', () => {
    const pair = fc.tuple(fc.integer({ min: 0, max: MAX_ACCOUNT_CODE }), fc.oneof(fc.nat(5000), fc.maxSafeNat()));
    fc.assert(
      fc.property(pair, pair, ([a1, e1], [a2, e2]) => {
        fc.pre(a1 !== a2 || e1 !== e2);
        expect(copyClientOrderId(a1, e1)).not.toBe(copyClientOrderId(a2, e2));
      }),
      { numRuns: 500 },
    );
    const neighbours = new Set<string>();
    for (let account = 0; account < 30; account++) {
      for (let event = 0; event < 300; event++) neighbours.add(copyClientOrderId(account, event));
    }
    expect(neighbours.size).toBe(30 * 300);
  });

  it('refuses ids it cannot encode', () => {
    expect(() => copyClientOrderId(MAX_ACCOUNT_CODE + 1, 1)).toThrow(RangeError);
    expect(() => copyClientOrderId(1, -1)).toThrow(RangeError);
    expect(() => copyClientOrderId(1, 2 ** 53)).toThrow(RangeError);
  });
});

describe('client order ids: anything we did not issue is external', () => {
  it.each([
    'web_abc123',
    'x-AKmJ1',
    'and_3f9a8c2d1e4b4d6f8a0b1c2d3e4f5a6b',
    'electron_3f9a8c2d1e4b4d6f8a0b1c2d',
    'ios_5a6b7c8d9e0f',
    'autoclose-1700000000000',
    'adl_autoclose',
    'settlement_autoclose-1700000000',
    '1234567890',
    'hs1',
    'hs1t',
    'hs1c00c',
    'HS1C00C3UWOC',
    'hs2c00c3uwoc',
    'hs1c00c3uwod',
    '',
  ])('%j is external', (id) => {
    expect(decodeClientOrderId(id)).toBeUndefined();
  });

  it('random strings are external and never make the decoder throw', () => {
    const binanceish = fc.stringMatching(BINANCE_CLIENT_ID);
    const ours = fc.string({
      unit: fc.constantFrom(...asciiChars('0123456789abcdefghijklmnopqrstuvwxyz_')),
      maxLength: 40,
    });
    const withPrefix = fc.tuple(fc.constantFrom('hs1t', 'hs1p', 'hs1s', 'hs1c', 'hs1'), ours).map(([p, s]) => p + s);
    // Any UTF-16 code units, lone surrogates included.
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const anything = fc.string({ unit: codeUnit, maxLength: 60 });
    // Text that does not start with our prefix is never ours, and nothing makes the decoder throw.
    const foreign = fc.oneof(binanceish, ours, anything).filter((id) => !id.startsWith('hs1'));
    fc.assert(
      fc.property(foreign, (id) => {
        expect(decodeClientOrderId(id)).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(withPrefix, (id) => {
        expect(() => decodeClientOrderId(id)).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
    // Random text behind our prefix can fit the layout; then the 2-character checksum lets
    // about 1 in 1291 through. Measured on a fixed sample so the figure is reproducible.
    const sample = fc.sample(withPrefix, { numRuns: 20_000, seed: 20261121 });
    const accepted = sample.filter((id) => decodeClientOrderId(id) !== undefined).length;
    expect(accepted / sample.length).toBeLessThan(1 / 1000);
  });

  it('a well-formed id is accepted with its own checksum only', () => {
    for (const id of [frozenFactory().next({ accountCode: 12, vpId: 46, purpose: 'tp' }), 'hs1c00c3uwoc']) {
      const body = id.slice(0, -2);
      let accepted = 0;
      for (let c = 0; c < 36 * 36; c++) {
        if (decodeClientOrderId(body + c.toString(36).padStart(2, '0')) !== undefined) accepted++;
      }
      expect(accepted).toBe(1);
    }
  });

  it('a one-character substitution anywhere is never mistaken for an id of ours', () => {
    const replacement = fc.constantFrom(
      ...asciiChars('.:/-_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    );
    fc.assert(
      fc.property(anyId, fc.nat(), replacement, (id, at, char) => {
        const i = at % id.length;
        fc.pre(id[i] !== char);
        expect(decodeClientOrderId(id.slice(0, i) + char + id.slice(i + 1))).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
  });

  it('a swap of two characters before the checksum is never mistaken for an id of ours', () => {
    fc.assert(
      fc.property(anyId, fc.nat(), fc.nat(), (id, a, b) => {
        const chars = asciiChars(id);
        const [i, j] = [a % (id.length - 2), b % (id.length - 2)];
        fc.pre(chars[i] !== chars[j]);
        [chars[i], chars[j]] = [chars[j] ?? '', chars[i] ?? ''];
        expect(decodeClientOrderId(chars.join(''))).toBeUndefined();
      }),
      { numRuns: 1_000 },
    );
  });

  it('an inserted or deleted character never decodes to the same parts', () => {
    const parts = (id: string) => {
      const decoded = decodeClientOrderId(id);
      return decoded && { ...decoded, issuedAt: undefined };
    };
    fc.assert(
      fc.property(anyId, fc.nat(), fc.constantFrom(...asciiChars('0az_-')), fc.boolean(), (id, at, char, insert) => {
        const i = at % id.length;
        const mutated = insert ? id.slice(0, i) + char + id.slice(i) : id.slice(0, i) + id.slice(i + 1);
        const decoded = parts(mutated);
        if (decoded !== undefined) expect(decoded).not.toEqual(parts(id));
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts only the exact form the encoder writes, even with a correct checksum', () => {
    expect(decodeClientOrderId(withChecksum('hs1p00c1a_mwq7isw0001m8yt'))).toMatchObject({ vpId: 46 });
    for (const body of [
      'hs1p00c01a_mwq7isw0001m8yt', // VP with a leading zero
      'hs1p00C1a_mwq7isw0001m8yt', // uppercase
      'hs1p0c_mwq7isw0001m8yt', // account code of 2 digits
      'hs1p00c1a_mwq7isw001m8yt', // one digit short in the tail
      'hs1p00c1a_mwq7isw00001m8yt', // one digit too many in the tail
      'hs1p00c1a-mwq7isw0001m8yt', // another separator
      'hs1x00c1a_mwq7isw0001m8yt', // unknown purpose
      'hs1c00c1a_mwq7isw0001m8yt', // a copy id has no time, nonce or separator
      'hs1p00czzzzzzzzzzz_mwq7isw0001m8yt', // VP id beyond Number.MAX_SAFE_INTEGER
      'hs1c00c03uw', // copy: event id with a leading zero
      'hs1c00c', // copy: no event id
      'hs1c00c2gosa7pa2gw', // copy: event id 2^53
    ]) {
      expect(decodeClientOrderId(withChecksum(body)), body).toBeUndefined();
    }
  });
});
