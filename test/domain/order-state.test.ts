import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GONE_UNFILLED,
  NEVER_PLACED,
  ORDER_STATES,
  intentTransition,
  isTerminal,
  pendingEntry,
  transition,
  type IntentState,
  type OrderEntry,
  type OrderEvent,
  type OrderEventSource,
  type OrderState,
  type ReportedStatus,
} from '../../src/domain/order-state.ts';

const d = (value: string | number) => new Decimal(value);
const entry = (state: OrderState, filled = '0', reason?: string): OrderEntry => ({
  state,
  filled: d(filled),
  average: undefined,
  exchangeOrderId: state === 'PENDING' ? undefined : '1001',
  reason,
});
const report = (status: ReportedStatus, filled = '0', source: OrderEventSource = 'stream'): OrderEvent => ({
  kind: 'reported',
  source,
  status,
  filled: d(filled),
  exchangeOrderId: '1001',
});
const stateAfter = (from: OrderEntry, event: OrderEvent) => {
  const t = transition(from, event);
  return t.outcome === 'moved' ? t.next.state : t.outcome;
};

describe('the transition table', () => {
  it('a resting order that fills in parts, then is cancelled, keeps its partial', () => {
    let book = pendingEntry();
    for (const event of [
      report('open', '0', 'placement'),
      report('open', '0.004'),
      report('open', '0.006'),
      report('canceled', '0.006', 'cancel'),
    ]) {
      const t = transition(book, event);
      expect(t.outcome).toBe('moved');
      if (t.outcome === 'moved') book = t.next;
    }
    expect(book).toMatchObject({ state: 'CANCELED', exchangeOrderId: '1001' });
    expect(book.filled.toFixed()).toBe('0.006');
  });

  it('the stream may speak before the placement answer; the older answer changes nothing', () => {
    const filled = transition(pendingEntry(), report('closed', '0.01'));
    expect(filled.outcome).toBe('moved');
    if (filled.outcome !== 'moved') return;
    expect(transition(filled.next, report('open', '0', 'placement'))).toEqual({
      outcome: 'unchanged',
      why: 'terminal',
    });
  });

  it('an answer that never came is UNKNOWN; a look-up settles it, and only once the window passed is it never placed', () => {
    const unknown = entry('UNKNOWN', '0', 'exchange.order_status_unknown');
    expect(stateAfter(pendingEntry(), { kind: 'unanswered', source: 'placement', reason: 'x' })).toBe('UNKNOWN');
    expect(stateAfter(unknown, { kind: 'not_found', source: 'lookup', windowPassed: false })).toBe('unchanged');
    expect(stateAfter(entry('PENDING'), { kind: 'not_found', source: 'recovery', windowPassed: false })).toBe(
      'UNKNOWN',
    );
    const settled = transition(unknown, { kind: 'not_found', source: 'sweep', windowPassed: true });
    expect(settled).toMatchObject({ outcome: 'moved', next: { state: 'REJECTED', reason: NEVER_PLACED } });
    expect(stateAfter(unknown, report('closed', '0.01', 'lookup'))).toBe('FILLED');
  });

  it('only an order proved never placed may go out again', () => {
    expect(stateAfter(entry('REJECTED', '0', NEVER_PLACED), { kind: 'resent', source: 'placement' })).toBe('PENDING');
    expect(
      stateAfter(entry('REJECTED', '0', 'exchange.insufficient_funds'), { kind: 'resent', source: 'placement' }),
    ).toBe('refused');
    for (const state of ['UNKNOWN', 'OPEN', 'FILLED', 'CANCELED'] as const) {
      expect(stateAfter(entry(state), { kind: 'resent', source: 'placement' })).toBe('refused');
    }
  });

  it('a resting order the exchange no longer knows ended unfilled; one with fills cannot vanish', () => {
    expect(transition(entry('OPEN'), { kind: 'not_found', source: 'lookup', windowPassed: true })).toMatchObject({
      outcome: 'moved',
      next: { state: 'CANCELED', reason: GONE_UNFILLED },
    });
    expect(
      stateAfter(entry('PARTIALLY_FILLED', '0.1'), { kind: 'not_found', source: 'lookup', windowPassed: true }),
    ).toBe('refused');
  });

  it('a refusal answers only an order not yet answered', () => {
    expect(stateAfter(pendingEntry(), { kind: 'refused', source: 'placement', reason: 'r' })).toBe('REJECTED');
    for (const state of ['UNKNOWN', 'OPEN', 'PARTIALLY_FILLED'] as const) {
      expect(stateAfter(entry(state), { kind: 'refused', source: 'placement', reason: 'r' })).toBe('refused');
    }
  });

  it('a resting order with fills is never called rejected', () => {
    expect(stateAfter(entry('PARTIALLY_FILLED', '0.1'), report('rejected', '0.1'))).toBe('refused');
  });

  it('every state answers every kind of event with one of the three outcomes, and refusals change nothing', () => {
    const events: OrderEvent[] = [
      ...(['open', 'closed', 'canceled', 'expired', 'rejected'] as const).flatMap((s) => [
        report(s, '0'),
        report(s, '1'),
      ]),
      { kind: 'refused', source: 'placement', reason: 'r' },
      { kind: 'unanswered', source: 'placement', reason: 'u' },
      { kind: 'not_found', source: 'lookup', windowPassed: true },
      { kind: 'not_found', source: 'lookup', windowPassed: false },
      { kind: 'resent', source: 'placement' },
    ];
    for (const state of ORDER_STATES) {
      for (const event of events) {
        const t = transition(entry(state, state === 'PARTIALLY_FILLED' ? '0.5' : '0'), event);
        expect(['moved', 'unchanged', 'refused']).toContain(t.outcome);
        if (isTerminal(state) && event.kind !== 'resent') expect(t.outcome).toBe('unchanged');
      }
    }
  });
});

/**
 * The exchange's own history of one order: cumulative fills rising step by step, then one end.
 * The desk hears snapshots of it — late, twice, out of order — and must end where the exchange did.
 */
const historyArb = fc
  .record({
    quantity: fc.integer({ min: 1, max: 1000 }),
    fills: fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 6 }),
    end: fc.constantFrom<ReportedStatus>('closed', 'canceled', 'expired', 'rejected'),
  })
  .map(({ quantity, fills, end }) => {
    const snapshots: { status: ReportedStatus; filled: Decimal }[] = [];
    if (end === 'rejected') return [{ status: 'rejected' as const, filled: d(0) }];
    let filled = d(0);
    snapshots.push({ status: 'open', filled });
    for (const step of fills) {
      const next = Decimal.min(filled.plus(d(step).div(100)), d(quantity));
      if (next.equals(d(quantity))) break;
      filled = next;
      snapshots.push({ status: 'open', filled });
    }
    snapshots.push({ status: end, filled: end === 'closed' ? d(quantity) : filled });
    return snapshots;
  });

const sourceArb = fc.constantFrom<OrderEventSource>('placement', 'stream', 'lookup', 'cancel', 'sweep', 'recovery');

describe('properties over what the exchange says, late, repeated and out of order', () => {
  it('never refused; filled never goes down; a terminal state never changes; the book ends where the exchange did', () => {
    fc.assert(
      fc.property(
        historyArb,
        fc.array(fc.tuple(fc.nat(), sourceArb), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        (history, picks, withFinal) => {
          const at = (i: number) => history[i % history.length] ?? { status: 'open' as const, filled: d(0) };
          const delivered = picks.map(([i, source]) => ({ ...at(i), source }));
          const final = at(history.length - 1);
          const where = (picks[0]?.[0] ?? 0) % (delivered.length + 1);
          if (withFinal) delivered.splice(where, 0, { ...final, source: 'stream' });
          let book = pendingEntry();
          let ended: OrderEntry | undefined;
          for (const snapshot of delivered) {
            const t = transition(book, { kind: 'reported', ...snapshot, exchangeOrderId: '7' });
            expect(t.outcome).not.toBe('refused');
            if (t.outcome !== 'moved') continue;
            expect(t.next.filled.greaterThanOrEqualTo(book.filled)).toBe(true);
            if (ended) throw new Error(`a terminal ${ended.state} changed to ${t.next.state}`);
            book = t.next;
            if (isTerminal(book.state)) ended = book;
          }
          const maxFilled = delivered.reduce((m, s) => Decimal.max(m, s.filled), d(0));
          expect(book.filled.equals(maxFilled)).toBe(true);
          const terminalSeen = delivered.some((s) => s.status !== 'open');
          if (terminalSeen) {
            expect(book.state).toBe(
              { closed: 'FILLED', canceled: 'CANCELED', expired: 'EXPIRED', rejected: 'REJECTED' }[
                final.status as 'closed' | 'canceled' | 'expired' | 'rejected'
              ],
            );
            expect(book.filled.equals(final.filled)).toBe(true);
          } else {
            expect(book.state).toBe(maxFilled.isZero() ? 'OPEN' : 'PARTIALLY_FILLED');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('any sequence of any events: a refusal changes nothing, and nothing leaves a terminal state but a never-placed resend', () => {
    const eventArb: fc.Arbitrary<OrderEvent> = fc.oneof(
      fc.record({
        kind: fc.constant('reported' as const),
        source: sourceArb,
        status: fc.constantFrom<ReportedStatus>('open', 'closed', 'canceled', 'expired', 'rejected'),
        filled: fc.integer({ min: 0, max: 5 }).map((n) => d(n)),
      }),
      fc.record({
        kind: fc.constant('refused' as const),
        source: fc.constant('placement' as const),
        reason: fc.constant('r'),
      }),
      fc.record({
        kind: fc.constant('unanswered' as const),
        source: fc.constant('placement' as const),
        reason: fc.constant('u'),
      }),
      fc.record({
        kind: fc.constant('not_found' as const),
        source: fc.constantFrom('lookup' as const, 'sweep' as const, 'recovery' as const),
        windowPassed: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('resent' as const), source: fc.constant('placement' as const) }),
    );
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        let book = pendingEntry();
        for (const event of events) {
          const t = transition(book, event);
          if (t.outcome !== 'moved') continue;
          if (isTerminal(book.state)) {
            expect(event.kind).toBe('resent');
            expect(book.reason).toBe(NEVER_PLACED);
          } else {
            expect(t.next.filled.greaterThanOrEqualTo(book.filled)).toBe(true);
          }
          book = t.next;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('a copy intent follows its order', () => {
  const cases: [IntentState, OrderState, string, IntentState | undefined][] = [
    ['PENDING', 'PENDING', '0', 'SENT'],
    ['SENT', 'OPEN', '0', undefined],
    ['SENT', 'PARTIALLY_FILLED', '0.1', undefined],
    ['SENT', 'FILLED', '1', 'FILLED'],
    ['SENT', 'EXPIRED', '0.3', 'FILLED'],
    ['SENT', 'CANCELED', '0', 'FAILED'],
    ['SENT', 'REJECTED', '0', 'FAILED'],
    ['FILLED', 'REJECTED', '0', undefined],
    ['SKIPPED', 'FILLED', '1', undefined],
    ['FAILED', 'FILLED', '1', undefined],
  ];
  it.each(cases)('%s with its order %s (filled %s) → %s', (intent, order, filled, expected) => {
    expect(intentTransition(intent, { state: order, filled: d(filled) })).toBe(expected);
  });
});
