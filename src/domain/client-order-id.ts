/**
 * The client order id every order of ours carries. It names the account and the virtual position,
 * so a fill is attributed from the id alone; an id that does not decode is external, never guessed.
 *
 * Exchanges allow few characters (Binance `newClientOrderId` ≤ 36 of `[.A-Z:/a-z0-9_-]`, Bitget
 * `clientOid` ≤ 40 of letters, digits, `_`, `-`), so an id is at most 36 characters of `[0-9a-z_]`.
 *
 * Version 1, every field lowercase base36:
 *
 *   trade, tp, sl:  hs1 P AAA V… _ TTTTTTTT SSS NNNN CC     (25 to 36 characters)
 *   copy:           hs1 c AAA E… CC                         (10 to 20 characters)
 *
 *   hs1        prefix and format version
 *   P          purpose: t trade, p take-profit, s stop-loss, c copy
 *   AAA        account code, zero-padded to 3 digits (0 to 36^3 − 1)
 *   V…         VP id, 1 to 11 digits, no leading zero; empty for an order without a VP
 *   _          ends the variable-length VP field
 *   TTTTTTTT   issue time in ms since the epoch, 8 digits (enough until 2059)
 *   SSS        sequence within that ms: one factory never repeats an id
 *   NNNN       random nonce: two processes, or a restart, issuing in the same ms do not collide
 *   E…         leader event id, 1 to 11 digits, no leading zero. No time and no nonce: the same
 *              (follower account, leader event) always gives the same id, so after a crash the desk
 *              looks the copy up by that id before sending it. (The exchange alone is not enough:
 *              Binance refuses a duplicate id only while the first order is still open.)
 *   CC         checksum of everything before it: Σ (i + 1) × charCode(body[i]) mod 1291, 2 digits.
 *              It changes under any single-character substitution and any swap of two characters
 *              of the body; a foreign id that happens to fit the layout passes it once in 1291
 *
 * Decoding accepts only the exact form the encoder writes (fixed widths, no leading zeros, no
 * uppercase), so distinct strings never decode to the same id.
 *
 * Examples, issued at 2026-11-21T09:30:00Z:
 *   `hs1t001_mwq7isw0000m8yt62`             25  account 1, trade without a VP
 *   `hs1p00c1a_mwq7isw0001m8ytml`           27  account 12, take-profit of VP 46
 *   `hs1s00c2gosa7pa2gv_mwq7isw0002m8ytwd`  36  stop-loss of VP 2^53 − 1: the longest id there is
 *   `hs1c00c3uwoc`                          12  account 12 copying leader event 5000
 */
export type OrderPurpose = 'trade' | 'tp' | 'sl' | 'copy';

export interface ClientOrderIdParts {
  accountCode: number;
  vpId: number | null;
  purpose: OrderPurpose;
}

export interface DecodedClientOrderId extends ClientOrderIdParts {
  /** trade/tp/sl: ms timestamp encoded in the id; copy: undefined */
  issuedAt: number | undefined;
  /** copy: the leader event id */
  ref: number | undefined;
}

export const CLIENT_ORDER_ID_MAX_LENGTH = 36;
export const CLIENT_ORDER_ID_PREFIX = 'hs1';

const RADIX = 36;
const ACCOUNT_WIDTH = 3;
export const MAX_ACCOUNT_CODE = RADIX ** ACCOUNT_WIDTH - 1;
const TIME_WIDTH = 8;
const MAX_ISSUE_TIME = RADIX ** TIME_WIDTH - 1;
const SEQUENCE_WIDTH = 3;
const SEQUENCES_PER_MS = RADIX ** SEQUENCE_WIDTH;
const NONCE_WIDTH = 4;
const NONCES = RADIX ** NONCE_WIDTH;
const CHECKSUM_WIDTH = 2;
/** The largest prime below 36^2. Weights (≤ 34) and differences of character codes (< 128) are
 * below it, so their product is never a multiple of it: every substitution, and every swap of two
 * body characters, changes the sum. */
const CHECKSUM_MODULUS = 1291;

const PURPOSE_LETTER: Readonly<Record<OrderPurpose, string>> = { trade: 't', tp: 'p', sl: 's', copy: 'c' };
const TIMED_PURPOSE_OF: Readonly<Record<string, OrderPurpose>> = { t: 'trade', p: 'tp', s: 'sl' };

/** The body (an id without its checksum), field by field as the format above reads. */
const DIGIT = '[0-9a-z]';
const ID_NUMBER = `(0|[1-9a-z]${DIGIT}{0,10})`;
const ACCOUNT = `(${DIGIT}{${ACCOUNT_WIDTH}})`;
const TIMED_BODY = new RegExp(
  `^${CLIENT_ORDER_ID_PREFIX}([tps])${ACCOUNT}${ID_NUMBER}?_(${DIGIT}{${TIME_WIDTH}})${DIGIT}{${SEQUENCE_WIDTH + NONCE_WIDTH}}$`,
);
const COPY_BODY = new RegExp(`^${CLIENT_ORDER_ID_PREFIX}c${ACCOUNT}${ID_NUMBER}$`);

/**
 * Issues ids for orders the desk decides to send (trade, tp, sl). Within one factory ids strictly
 * increase in (time, sequence), so they are unique even when the clock stands still or steps back;
 * when more than 36^3 ids are asked for in one ms the factory borrows the next ms.
 */
export class ClientOrderIdFactory {
  private readonly now: () => number;
  private readonly random: () => number;
  private lastMs = -1;
  private sequence = 0;

  constructor(opts: { now?: () => number; random?: () => number } = {}) {
    // The real clock and Math.random are only the production defaults; tests inject their own.
    this.now = opts.now ?? (() => Date.now());
    this.random = opts.random ?? (() => Math.random());
  }

  next(parts: ClientOrderIdParts): string {
    if (parts.purpose === 'copy') {
      throw new RangeError('copy orders take their id from copyClientOrderId: it must be deterministic');
    }
    const head = `${CLIENT_ORDER_ID_PREFIX}${PURPOSE_LETTER[parts.purpose]}${accountField(parts.accountCode)}`;
    const vp = parts.vpId === null ? '' : idNumberField(parts.vpId, 'VP id');
    const { ms, sequence } = this.tick();
    const body =
      `${head}${vp}_${padded(ms, TIME_WIDTH)}${padded(sequence, SEQUENCE_WIDTH)}` + padded(this.nonce(), NONCE_WIDTH);
    return body + checksumOf(body);
  }

  private tick(): { ms: number; sequence: number } {
    const now = Math.floor(this.now());
    if (!Number.isSafeInteger(now) || now < 0 || now > MAX_ISSUE_TIME) {
      throw new RangeError(`clock returned ${now}: not a time an id can carry`);
    }
    if (now > this.lastMs) {
      this.lastMs = now;
      this.sequence = 0;
    } else if (++this.sequence === SEQUENCES_PER_MS) {
      this.lastMs += 1;
      this.sequence = 0;
      if (this.lastMs > MAX_ISSUE_TIME) throw new RangeError('no issue time left for a client order id');
    }
    return { ms: this.lastMs, sequence: this.sequence };
  }

  private nonce(): number {
    const r = this.random();
    if (!(r >= 0 && r < 1)) throw new RangeError(`random() returned ${r}: expected a number in [0, 1)`);
    return Math.floor(r * NONCES);
  }
}

/** The id of a follower's copy of one leader event: the same inputs always give the same id. */
export function copyClientOrderId(accountCode: number, leaderEventId: number): string {
  const body =
    `${CLIENT_ORDER_ID_PREFIX}${PURPOSE_LETTER.copy}${accountField(accountCode)}` +
    idNumberField(leaderEventId, 'leader event id');
  return body + checksumOf(body);
}

/** The parts of an id we issued; undefined for any other string (another app, a manual trade, garbage). */
export function decodeClientOrderId(id: string): DecodedClientOrderId | undefined {
  if (typeof id !== 'string' || id.length > CLIENT_ORDER_ID_MAX_LENGTH) return undefined;
  const body = id.slice(0, -CHECKSUM_WIDTH);
  if (body.length === 0 || checksumOf(body) !== id.slice(-CHECKSUM_WIDTH)) return undefined;

  const timed = TIMED_BODY.exec(body);
  if (timed) {
    const [, letter = '', account = '', vp, time = ''] = timed;
    const purpose = TIMED_PURPOSE_OF[letter];
    const vpId = vp === undefined ? null : parseBase36(vp);
    if (purpose === undefined || vpId === undefined) return undefined;
    return { accountCode: Number.parseInt(account, RADIX), vpId, purpose, issuedAt: parseBase36(time), ref: undefined };
  }
  const copy = COPY_BODY.exec(body);
  if (copy) {
    const [, account = '', event = ''] = copy;
    const ref = parseBase36(event);
    if (ref === undefined) return undefined;
    return { accountCode: Number.parseInt(account, RADIX), vpId: null, purpose: 'copy', issuedAt: undefined, ref };
  }
  return undefined;
}

/** Weighted sum of the character codes modulo a prime, as 2 base36 digits. */
function checksumOf(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum = (sum + (i + 1) * body.charCodeAt(i)) % CHECKSUM_MODULUS;
  return padded(sum, CHECKSUM_WIDTH);
}

function accountField(accountCode: number): string {
  if (!Number.isSafeInteger(accountCode) || accountCode < 0 || accountCode > MAX_ACCOUNT_CODE) {
    throw new RangeError(`account code ${accountCode} is outside 0…${MAX_ACCOUNT_CODE}`);
  }
  return padded(accountCode, ACCOUNT_WIDTH);
}

function idNumberField(value: number, what: string): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} ${value} is not a non-negative integer`);
  return value.toString(RADIX);
}

function padded(value: number, width: number): string {
  return value.toString(RADIX).padStart(width, '0');
}

/** A base36 integer, or undefined beyond Number.MAX_SAFE_INTEGER (11 digits can reach 36^11). */
function parseBase36(digits: string): number | undefined {
  const value = Number.parseInt(digits, RADIX);
  return Number.isSafeInteger(value) && value.toString(RADIX) === digits.replace(/^0+(?=.)/, '') ? value : undefined;
}

/**
 * The client order id of ours behind an exchange order's id, undefined when it is not ours:
 * Binance names the market order a triggered conditional order places `<clientAlgoId>-<algoId>`
 * when the conditional order's id is already taken.
 */
export function ownClientOrderId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  if (decodeClientOrderId(id)) return id;
  const base = /^(.+)-\d+$/.exec(id)?.[1];
  return base && decodeClientOrderId(base) ? base : undefined;
}

/** Our id decoded, in either form ownClientOrderId accepts. */
export function decodeOwnClientOrderId(id: string | undefined): DecodedClientOrderId | undefined {
  const own = ownClientOrderId(id);
  return own === undefined ? undefined : decodeClientOrderId(own);
}
