import ccxt from 'ccxt';
import { HedgeError, type MessageParams } from '../domain/errors.ts';
import { keyRejected } from '../domain/status-reasons.ts';
import { t } from '../i18n/index.ts';
import { scrubSecrets } from '../infra/secret-scrubber.ts';
import { responseMetaOf } from './ccxt-client.ts';
import type { ExchangeId } from './types.ts';
import { UnsupportedOrderError, type ErrorKind, type RateLimitHint, type UnsupportedFeature } from './venue.ts';
import { venueOf } from './venues.ts';

export type ExchangeOperation =
  | 'loadMarkets'
  | 'fetchBalance'
  | 'fetchKeyPermissions'
  | 'placeOrder'
  | 'placeConditionalOrder'
  | 'cancelOrder'
  | 'cancelConditionalOrder'
  | 'fetchOrder'
  | 'fetchOpenOrders'
  | 'fetchTrades'
  | 'fetchPositions'
  | 'fetchPrices'
  | 'fetchPositionMode'
  | 'fetchLeverage'
  | 'fetchOpeningMargin'
  | 'setPositionMode'
  | 'watchOrders'
  | 'watchTrades'
  | 'watchBalance';

export interface ErrorContext {
  accountId: string;
  exchange: ExchangeId;
  operation: ExchangeOperation;
  /** The order being placed, so an unknown outcome can name it. */
  clientOrderId?: string | undefined;
}

interface Failure {
  code?: string | undefined;
  detail?: string | undefined;
  ccxtClass?: string | undefined;
  params?: MessageParams;
}

/**
 * Every failure of an exchange call, as a value the trader can act on: which account, which
 * exchange, the exchange's own code, and what it means. Messages are English for logs; adapters
 * translate `key` + `params` for the chat.
 */
export class ExchangeRequestError extends HedgeError {
  readonly accountId: string;
  readonly exchange: ExchangeId;
  readonly operation: ExchangeOperation;
  /** The exchange's error code ('-2015', '43012'), when it gave one. */
  readonly exchangeCode: string | undefined;
  /** The exchange's explanation, cleaned of URLs and secrets. */
  readonly detail: string | undefined;
  /** What ccxt called it (for logs: ccxt's classes differ from ours for some codes). */
  readonly ccxtClass: string | undefined;

  constructor(key: string, ctx: ErrorContext, failure: Failure = {}) {
    const params: MessageParams = {
      account: ctx.accountId,
      exchange: venueOf(ctx.exchange).displayName,
      code: failure.code ?? '',
      codeRef: failure.code ? ` (${failure.code})` : '',
      detail: failure.detail ?? '',
      ...failure.params,
    };
    super(key, params, t('en', key, params).trim());
    this.accountId = ctx.accountId;
    this.exchange = ctx.exchange;
    this.operation = ctx.operation;
    this.exchangeCode = failure.code;
    this.detail = failure.detail;
    this.ccxtClass = failure.ccxtClass;
  }
}

/** The key is wrong, revoked, lacks a permission or an IP whitelist entry: the account is disabled. */
export class ExchangeAuthError extends ExchangeRequestError {
  /** Short, for the account's status line: "API key rejected by Binance (-2015)". */
  get statusReason(): string {
    return keyRejected(String(this.params['exchange']), String(this.params['codeRef']));
  }
}
/** The exchange rejected our timestamp: the server clock is off. */
export class ExchangeClockError extends ExchangeRequestError {}
export class ExchangeRateLimitError extends ExchangeRequestError {
  /** When requests may go out again, when the exchange said. */
  retryAt: number | undefined;
}
/** Not reachable, 5xx, or a read that timed out; safe to try again. */
export class ExchangeUnavailableError extends ExchangeRequestError {}
/** An order was sent but its fate is unknown; look it up by client id, never re-send it. */
export class OrderStatusUnknownError extends ExchangeRequestError {}
export class InsufficientFundsError extends ExchangeRequestError {}
export class DuplicateClientOrderIdError extends ExchangeRequestError {}
export class OrderNotFoundError extends ExchangeRequestError {}
/** The exchange refused the order itself: lot size, min notional, price filter, precision… */
export class OrderRejectedError extends ExchangeRequestError {}
export class InvalidParameterError extends ExchangeRequestError {}
export class ExchangeNotSupportedError extends ExchangeRequestError {}
export class UnknownSymbolError extends ExchangeRequestError {}
export class AccountDisabledError extends ExchangeRequestError {}

const PLACING: ReadonlySet<ExchangeOperation> = new Set(['placeOrder', 'placeConditionalOrder']);

/** What ccxt throws before a request goes out: arguments, markets, credentials, unsupported calls. */
const PRE_SEND = [
  ccxt.ArgumentsRequired,
  ccxt.BadSymbol,
  ccxt.NotSupported,
  ccxt.InvalidOrder,
  ccxt.AuthenticationError,
];

/** Error kinds that prove the exchange did not take an order, whatever the HTTP status. */
const REFUSALS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'auth',
  'clock',
  'rate_limit',
  'insufficient_funds',
  'margin_insufficient',
  'duplicate_client_id',
  'rejected_lot_size',
  'rejected_min_notional',
  'rejected_price',
  'rejected_precision',
  'rejected',
  'invalid_parameter',
]);

type ErrorClass = new (key: string, ctx: ErrorContext, failure?: Failure) => ExchangeRequestError;

const BY_KIND: Readonly<Record<Exclude<ErrorKind, 'rate_limit'>, [ErrorClass, string]>> = {
  auth: [ExchangeAuthError, 'exchange.auth_rejected'],
  clock: [ExchangeClockError, 'exchange.clock_skew'],
  status_unknown: [OrderStatusUnknownError, 'exchange.order_status_unknown'],
  insufficient_funds: [InsufficientFundsError, 'exchange.insufficient_funds'],
  margin_insufficient: [InsufficientFundsError, 'exchange.margin_insufficient'],
  duplicate_client_id: [DuplicateClientOrderIdError, 'exchange.duplicate_client_id'],
  order_not_found: [OrderNotFoundError, 'exchange.order_not_found'],
  rejected_lot_size: [OrderRejectedError, 'exchange.rejected_lot_size'],
  rejected_min_notional: [OrderRejectedError, 'exchange.rejected_min_notional'],
  rejected_price: [OrderRejectedError, 'exchange.rejected_price'],
  rejected_precision: [OrderRejectedError, 'exchange.rejected_precision'],
  rejected: [OrderRejectedError, 'exchange.rejected'],
  invalid_parameter: [InvalidParameterError, 'exchange.invalid_parameter'],
  unavailable: [ExchangeUnavailableError, 'exchange.unavailable'],
};

/**
 * The one place where exchange failures get their meaning. By the exchange's own code first —
 * ccxt picks exception classes by host, so on local and proxied URLs some codes lose their
 * class, and Binance -2015 after an earlier success comes out as DDoSProtection — then by
 * HTTP status, then by ccxt class. An order whose outcome is unknown (timeout, -1007, any 5xx
 * without a documented refusal code, a code nobody knows, a dropped connection) becomes
 * OrderStatusUnknownError: it is resolved by lookup, never resent. Only a documented refusal
 * (or ccxt refusing before it sent anything) says the exchange did not take the order.
 */
export function classifyExchangeError(err: unknown, ctx: ErrorContext, now = Date.now()): ExchangeRequestError {
  if (err instanceof ExchangeRequestError) return err;
  if (err instanceof UnsupportedOrderError) return notSupported(ctx, err.feature);
  const venue = venueOf(ctx.exchange);
  const meta = responseMetaOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const { code, msg } = exchangeBodyOf(meta?.body ?? message);
  const detail = sanitize(msg ?? stripExchangePrefix(message, ctx.exchange));
  const ccxtClass = err instanceof ccxt.BaseError ? err.constructor.name : undefined;
  const failure = { code, detail, ccxtClass, params: { clientOrderId: ctx.clientOrderId ?? '' } };
  const hint = venue.rateLimitHint(meta ?? { status: 0, headers: {}, body: message }, now);

  const rule =
    code === undefined
      ? undefined
      : venue.errorRules.find((r) => r.code === code && (!r.when || r.when.test(msg ?? '')));
  const status = meta?.status ?? 0;
  const placing = PLACING.has(ctx.operation);
  // An order answered by a server error may still have been taken ("execution status unknown"):
  // only a documented refusal proves it was not, so a 5xx is a refusal only for the codes that
  // say so themselves.
  if (rule && !(placing && status >= 500 && !REFUSALS.has(rule.kind))) {
    return fromKind(rule.kind, ctx, failure, hint, now);
  }
  if (placing && status >= 500) return fromKind('status_unknown', ctx, failure, hint, now);

  if (status === 429 || status === 418) return fromKind('rate_limit', ctx, failure, hint, now);
  if (err instanceof ccxt.AuthenticationError) return fromKind('auth', ctx, failure, hint, now);
  if (err instanceof ccxt.InsufficientFunds) return fromKind('insufficient_funds', ctx, failure, hint, now);
  if (err instanceof ccxt.OrderNotFound) return fromKind('order_not_found', ctx, failure, hint, now);
  if (err instanceof ccxt.DuplicateOrderId) return fromKind('duplicate_client_id', ctx, failure, hint, now);
  // ccxt refusing before it sends (its own argument, market and credential checks) proves the
  // order was not taken; its English is not shown — the refusal is said in our words.
  if (!meta && PRE_SEND.some((type) => err instanceof type)) return refusedBeforeSending(message, ctx, failure);
  if (err instanceof ccxt.InvalidOrder) return fromKind('rejected', ctx, failure, hint, now);
  if (err instanceof ccxt.BadRequest || err instanceof ccxt.ArgumentsRequired) {
    return fromKind('invalid_parameter', ctx, failure, hint, now);
  }
  if (err instanceof ccxt.InvalidNonce) return fromKind('clock', ctx, failure, hint, now);
  if (err instanceof ccxt.DDoSProtection || err instanceof ccxt.RateLimitExceeded) {
    return fromKind('rate_limit', ctx, failure, hint, now);
  }
  if (err instanceof ccxt.RequestTimeout) {
    return placing ? fromKind('status_unknown', ctx, failure, hint, now) : timeout(ctx, failure);
  }
  if (err instanceof ccxt.NetworkError) {
    // Binance: a 5xx means "execution status unknown"; a dropped connection may have delivered
    // the order. Only a refused connection proves nothing was sent.
    const sent = status >= 500 || (status === 0 && !/ECONNREFUSED|ConnectionRefused/i.test(message));
    return placing && sent
      ? fromKind('status_unknown', ctx, failure, hint, now)
      : fromKind('unavailable', ctx, failure, hint, now);
  }
  // A code neither we nor ccxt know, or no ccxt error at all (a parsing bug after the exchange
  // answered?): an order may have gone out, so it is looked up, never called refused.
  if (placing) return fromKind('status_unknown', ctx, failure, hint, now);
  return new ExchangeRequestError('exchange.request_failed', ctx, failure);
}

/** ccxt's own pre-send refusals we can name: a quantity or price below one step of the market. */
const CCXT_BELOW_PRECISION = /\b(amount|price) of \S+ must be greater than minimum (?:amount|price) precision of (\S+)/;

function refusedBeforeSending(message: string, ctx: ErrorContext, failure: Failure): ExchangeRequestError {
  const below = CCXT_BELOW_PRECISION.exec(message);
  if (below) {
    const key = below[1] === 'price' ? 'exchange.price_below_precision' : 'exchange.amount_below_precision';
    return new OrderRejectedError(key, ctx, { ...failure, params: { ...failure.params, step: below[2] ?? '' } });
  }
  return new ExchangeRequestError('exchange.refused_before_sending', ctx, failure);
}

function fromKind(
  kind: ErrorKind,
  ctx: ErrorContext,
  failure: Failure,
  hint: RateLimitHint | undefined,
  now: number,
): ExchangeRequestError {
  if (kind === 'rate_limit') return rateLimited(ctx, failure, hint, now);
  // -1006/-1007 on a read or a cancel: nothing new can exist, it is just a timeout.
  if (kind === 'status_unknown' && !PLACING.has(ctx.operation)) return timeout(ctx, failure);
  const [ErrorType, key] = BY_KIND[kind];
  return new ErrorType(key, ctx, failure);
}

function rateLimited(ctx: ErrorContext, failure: Failure, hint: RateLimitHint | undefined, now: number) {
  const waitMs = hint ? Math.max(0, hint.untilMs - now) : undefined;
  const banned = waitMs !== undefined && waitMs > 5 * 60_000;
  const key = banned ? 'exchange.ip_banned' : waitMs ? 'exchange.rate_limited' : 'exchange.rate_limited_no_hint';
  const params: MessageParams = {
    ...failure.params,
    seconds: waitMs === undefined ? 0 : Math.ceil(waitMs / 1000),
    until: hint ? new Date(hint.untilMs).toISOString().replace('T', ' ').slice(0, 19) : '',
  };
  const error = new ExchangeRateLimitError(key, ctx, { ...failure, params });
  error.retryAt = hint?.untilMs;
  return error;
}

function timeout(ctx: ErrorContext, failure: Failure): ExchangeRequestError {
  return new ExchangeUnavailableError('exchange.timeout', ctx, failure);
}

export function notSupported(ctx: ErrorContext, feature: UnsupportedFeature): ExchangeRequestError {
  return new ExchangeNotSupportedError(`exchange.unsupported.${feature}`, ctx);
}

/** `{"code":-2015,"msg":"…"}` (Binance) or `{"code":"43012","msg":"…"}` (Bitget) inside a text. */
export function exchangeBodyOf(text: string): { code?: string; msg?: string } {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    const end = text.lastIndexOf('}');
    if (end <= start) break;
    try {
      const parsed = JSON.parse(text.slice(start, end + 1)) as unknown;
      if (typeof parsed !== 'object' || parsed === null) continue;
      const { code, msg } = parsed as { code?: unknown; msg?: unknown };
      const codeText = typeof code === 'number' || typeof code === 'string' ? String(code) : undefined;
      if (codeText === undefined || codeText === '00000' || codeText === '0' || codeText === '200') return {};
      return { code: codeText, ...(typeof msg === 'string' && msg !== '' ? { msg } : {}) };
    } catch {
      // not JSON from here; try the next brace
    }
  }
  return {};
}

function stripExchangePrefix(message: string, exchange: ExchangeId): string {
  return message.startsWith(`${exchange} `) ? message.slice(exchange.length + 1) : message;
}

/**
 * Messages may reach a chat: drop query strings (ccxt puts the signed URL, `signature=` and
 * all, into its messages), any stray signature, and every credential the vault has handled.
 */
export function sanitize(text: string): string {
  const cleaned = text
    .replace(/(\b(?:https?|wss?):\/\/[^\s?#"]+)\?[^\s"]*/gi, '$1')
    .replace(/signature=[^&\s"]*/gi, 'signature=[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  const scrubbed = scrubSecrets(cleaned);
  return scrubbed.length > 300 ? `${scrubbed.slice(0, 297)}...` : scrubbed;
}
