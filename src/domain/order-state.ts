import { Decimal } from 'decimal.js';

/**
 * The life of one order in the desk's book, as data: every state change goes through
 * `transition(entry, event)`, a pure function over an exhaustive table. What the table does not
 * list is refused (the caller logs it and changes nothing); a terminal state absorbs everything;
 * the filled quantity never goes down, so a late or repeated report never undoes a fill.
 *
 * PENDING   written before it is sent (track before send), no answer yet
 * UNKNOWN   sent, and no answer proved either way (timeout, 5xx, a code we do not know)
 * OPEN, PARTIALLY_FILLED   resting on the exchange
 * FILLED, CANCELED, EXPIRED, REJECTED   ended: nothing the exchange says later changes them
 */
export type OrderState =
  'PENDING' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED' | 'UNKNOWN';

export const ORDER_STATES: readonly OrderState[] = [
  'PENDING',
  'UNKNOWN',
  'OPEN',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'EXPIRED',
  'REJECTED',
];

/** States in which the order may still be, or become, live on the exchange. */
export const LIVE_STATES: readonly OrderState[] = ['PENDING', 'UNKNOWN', 'OPEN', 'PARTIALLY_FILLED'];
const TERMINAL: ReadonlySet<OrderState> = new Set(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED']);

export function isTerminal(state: OrderState): boolean {
  return TERMINAL.has(state);
}

/** Where the desk learned what an event says. */
export type OrderEventSource = 'placement' | 'stream' | 'lookup' | 'cancel' | 'sweep' | 'recovery';

/** The exchange's own word on an order, as ccxt unifies it. */
export type ReportedStatus = 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';

/** The reason recorded for an order the exchange provably never received. */
export const NEVER_PLACED = 'orders.never_placed';
/** An order that rested without a fill and that the exchange no longer knows: it ended unfilled. */
export const GONE_UNFILLED = 'orders.gone_unfilled';

export type OrderEvent =
  /** The exchange said how the order stands (placement answer, stream, look-up, cancel answer). */
  | {
      kind: 'reported';
      source: OrderEventSource;
      status: ReportedStatus;
      /** Cumulative. */
      filled: Decimal;
      average?: Decimal | undefined;
      exchangeOrderId?: string | undefined;
      /** Why it was rejected or expired, in the exchange's words or as an i18n key. */
      reason?: string | undefined;
    }
  /** The placement was refused in a way that proves the exchange did not take the order. */
  | { kind: 'refused'; source: 'placement'; reason: string }
  /** The placement got an answer that proves nothing (timeout, 5xx, a code we do not know). */
  | { kind: 'unanswered'; source: 'placement'; reason: string }
  /** A look-up by client id found nothing; `windowPassed`: nothing sent earlier can still arrive. */
  | { kind: 'not_found'; source: 'lookup' | 'sweep' | 'recovery'; windowPassed: boolean }
  /** The order goes out (again) under the same client id: only one proved never placed may. */
  | { kind: 'resent'; source: 'placement' };

/** What the book holds of one order. */
export interface OrderEntry {
  state: OrderState;
  filled: Decimal;
  average: Decimal | undefined;
  exchangeOrderId: string | undefined;
  /** i18n key (or the exchange's words) of why it was refused, expired or is in doubt. */
  reason: string | undefined;
}

export type Transition =
  | { outcome: 'moved'; next: OrderEntry }
  /** Nothing new: a repeat, an older report than the book's, or a terminal order. */
  | { outcome: 'unchanged'; why: 'repeat' | 'stale' | 'terminal' }
  /** Not in the table: the event contradicts the book. The caller logs it; the book stays. */
  | { outcome: 'refused'; why: string };

/** A reported status and its cumulative fill, as a state of the book. */
export function stateOfReport(status: ReportedStatus, filled: Decimal): OrderState {
  switch (status) {
    case 'open':
      return filled.isZero() ? 'OPEN' : 'PARTIALLY_FILLED';
    case 'closed':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
  }
}

/**
 * Which reported states each state may move to. Before an answer (PENDING, UNKNOWN) anything the
 * exchange says is news; a resting order cannot be rejected once it has fills.
 */
const REPORT_MOVES: Readonly<Record<OrderState, readonly OrderState[]>> = {
  PENDING: ['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED', 'REJECTED'],
  UNKNOWN: ['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED', 'REJECTED'],
  OPEN: ['OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED', 'REJECTED'],
  PARTIALLY_FILLED: ['PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  FILLED: [],
  CANCELED: [],
  EXPIRED: [],
  REJECTED: [],
};

/** An order in the book before anything was sent. */
export function pendingEntry(): OrderEntry {
  return {
    state: 'PENDING',
    filled: new Decimal(0),
    average: undefined,
    exchangeOrderId: undefined,
    reason: undefined,
  };
}

export function transition(current: OrderEntry, event: OrderEvent): Transition {
  if (isTerminal(current.state)) {
    // The one way out of a terminal state: an order proved never placed goes out for the first time.
    if (event.kind === 'resent' && current.state === 'REJECTED' && current.reason === NEVER_PLACED) {
      return moved(current, pendingEntry());
    }
    return event.kind === 'resent'
      ? { outcome: 'refused', why: `a ${current.state} order that may have reached the exchange is never sent again` }
      : { outcome: 'unchanged', why: 'terminal' };
  }
  switch (event.kind) {
    case 'reported':
      return reported(current, event);
    case 'refused':
      if (current.state === 'PENDING') return moved(current, { ...current, state: 'REJECTED', reason: event.reason });
      if (current.state === 'UNKNOWN') return { outcome: 'refused', why: 'a refusal cannot answer an order in doubt' };
      return { outcome: 'refused', why: `the exchange already reported the order ${current.state}` };
    case 'unanswered':
      if (current.state === 'PENDING') return moved(current, { ...current, state: 'UNKNOWN', reason: event.reason });
      // The stream (or an earlier answer) already said more than silence can.
      return { outcome: 'unchanged', why: 'repeat' };
    case 'not_found':
      return notFound(current, event.windowPassed);
    case 'resent':
      return { outcome: 'refused', why: `a ${current.state} order is never sent again` };
  }
}

function reported(current: OrderEntry, event: Extract<OrderEvent, { kind: 'reported' }>): Transition {
  // Filled never goes down: a report older than the book's fill adds only what it knows.
  const filled = Decimal.max(current.filled, event.filled);
  const target = stateOfReport(event.status, filled);
  if (!REPORT_MOVES[current.state].includes(target)) {
    return { outcome: 'refused', why: `${current.state} cannot become ${target}` };
  }
  if (event.status === 'open' && event.filled.lessThan(current.filled)) return { outcome: 'unchanged', why: 'stale' };
  const next: OrderEntry = {
    state: target,
    filled,
    // The average belongs to the larger fill: an older report's average is older too.
    average: event.filled.greaterThanOrEqualTo(current.filled) ? (event.average ?? current.average) : current.average,
    exchangeOrderId: event.exchangeOrderId ?? current.exchangeOrderId,
    reason: target === 'REJECTED' || target === 'EXPIRED' ? (event.reason ?? current.reason) : undefined,
  };
  return moved(current, next);
}

function notFound(current: OrderEntry, windowPassed: boolean): Transition {
  switch (current.state) {
    case 'PENDING':
    case 'UNKNOWN':
      if (windowPassed) return moved(current, { ...current, state: 'REJECTED', reason: NEVER_PLACED });
      return moved(current, { ...current, state: 'UNKNOWN' });
    case 'OPEN':
      // Exchanges forget only orders that ended without a fill (Binance archives cancelled and
      // expired orders with no trade): one that rested unfilled and is gone for good (long after
      // its last change: `windowPassed`) ended unfilled. Sooner, the answer may just lag.
      if (!windowPassed) return { outcome: 'unchanged', why: 'stale' };
      return moved(current, { ...current, state: 'CANCELED', reason: GONE_UNFILLED });
    default:
      return { outcome: 'refused', why: `an order with fills (${current.state}) cannot vanish` };
  }
}

function moved(current: OrderEntry, next: OrderEntry): Transition {
  const same =
    current.state === next.state &&
    current.filled.equals(next.filled) &&
    sameDecimal(current.average, next.average) &&
    current.exchangeOrderId === next.exchangeOrderId &&
    current.reason === next.reason;
  return same ? { outcome: 'unchanged', why: 'repeat' } : { outcome: 'moved', next };
}

function sameDecimal(a: Decimal | undefined, b: Decimal | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

/**
 * A follower's copy follows its order: PENDING (written) and SENT (sized, under way) before it
 * ends, then FILLED (whatever part filled), FAILED (nothing filled) or SKIPPED (never sent).
 */
export type IntentState = 'PENDING' | 'SENT' | 'FILLED' | 'SKIPPED' | 'FAILED';

const INTENT_TERMINAL: ReadonlySet<IntentState> = new Set(['FILLED', 'SKIPPED', 'FAILED']);

export function isIntentTerminal(state: IntentState): boolean {
  return INTENT_TERMINAL.has(state);
}

/** The intent state an order state means: a market copy that ended with any fill copied that much. */
const INTENT_OF: Readonly<Record<OrderState, (filled: Decimal) => IntentState>> = {
  PENDING: () => 'SENT',
  UNKNOWN: () => 'SENT',
  OPEN: () => 'SENT',
  PARTIALLY_FILLED: () => 'SENT',
  FILLED: () => 'FILLED',
  CANCELED: (filled) => (filled.isZero() ? 'FAILED' : 'FILLED'),
  EXPIRED: (filled) => (filled.isZero() ? 'FAILED' : 'FILLED'),
  REJECTED: () => 'FAILED',
};

/** The intent's next state once its order is `order`; undefined when it stays (it has ended). */
export function intentTransition(
  current: IntentState,
  order: Pick<OrderEntry, 'state' | 'filled'>,
): IntentState | undefined {
  if (isIntentTerminal(current)) return undefined;
  const next = INTENT_OF[order.state](order.filled);
  return next === current ? undefined : next;
}
