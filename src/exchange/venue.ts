import type { Exchange, Leverage, Order } from 'ccxt';
import type {
  ConditionalOrderRequest,
  ExchangeEnv,
  ExchangeId,
  KeyPermissions,
  MarketKind,
  OrderRef,
  PlaceOrderRequest,
  PositionMode,
  PositionSide,
  TradeQuery,
} from './types.ts';

/**
 * What one exchange module (binance.ts, bitget.ts) tells the generic layer: how to build and
 * point its ccxt client, what its error codes mean, what its rate limits are, and how its
 * order parameters are spelled. Every quirk of an exchange lives in its module, nowhere else.
 */
export interface Venue {
  readonly id: ExchangeId;
  /** As traders write it in messages: "Binance". */
  readonly displayName: string;
  readonly markets: readonly MarketKind[];
  newClient(market: MarketKind, config: Record<string, unknown>): Exchange;
  /** ccxt `options`/`has` that keep loadMarkets to one request and silence warnings we handle. */
  clientConfig(market: MarketKind): { options: Record<string, unknown>; has?: Record<string, boolean> };
  /** `urls` pointing every REST and WebSocket key at a local (paper) server. */
  paperUrls(paper: PaperUrls): Record<string, unknown>;
  /**
   * Demo trading is the live host plus a marker (Bitget's `paptrading` header), so the paper
   * exchange can host demo accounts too: in paper mode they trade there, marker included.
   */
  readonly demoOnPaper: boolean;
  /** Switches a fresh client to testnet or demo with ccxt's own facilities. */
  applyEnv(client: Exchange, env: ExchangeEnv): void;
  /** `METHOD /path` of a ccxt request, the key of the rate-limit table. */
  endpointOf(client: Exchange, api: unknown, method: string, path: string): string;
  limits(market: MarketKind): RateLimits;
  readonly errorRules: readonly ErrorCodeRule[];
  /** When a response says "slow down": whom to pause and until when. */
  rateLimitHint(response: ResponseMeta, now: number): RateLimitHint | undefined;
  placeOrderCall(req: PlaceOrderRequest, market: MarketKind): OrderCall;
  conditionalOrderCall(req: ConditionalOrderRequest, market: MarketKind): OrderCall;
  /** Params that make fetchOrder / cancelOrder address an order by its client id. */
  clientIdParams(clientOrderId: string): Record<string, string>;
  tradeParams(from: TradeQuery): { since?: number; params: Record<string, unknown> };
  /** Fields ccxt leaves in `info`: hedge-mode side, a trade's client order id. */
  orderExtras(info: unknown): OrderExtras;
  /**
   * Reads what the client's key may do, with the exchange's own endpoint; undefined where the
   * exchange has none for the client's environment.
   */
  readKeyPermissions(client: Exchange): Promise<KeyPermissions | undefined>;
  /** Bitget answers create/cancel with ids only; the order is then read back. */
  readonly ordersEchoState: boolean;
  /**
   * How long a signed request stays acceptable after its timestamp (Binance's recvWindow, which
   * ccxt sends as 10 s; Bitget's 30 s timestamp check). Once it has passed, a request sent before
   * can no longer reach the exchange: "no such order" is then final.
   */
  readonly requestValidityMs: number;
  /**
   * Called when a user-data stream fails, before ccxt reconnects: a venue whose stream hangs on
   * a server-side key (Binance futures' listenKey) makes ccxt fetch a fresh one.
   */
  resetStreamAuth?(client: Exchange, market: MarketKind): void;
  /** Codes meaning "the order does not fit the account's position mode": the mode is read again. */
  readonly positionModeMismatchCodes?: readonly string[];
  /** Reads the futures position mode where ccxt has no fetchPositionMode for the venue. */
  readPositionMode?(client: Exchange): Promise<PositionMode>;
  /** Extra params of ccxt's fetchLeverage for one symbol (Binance's answer otherwise lists every symbol). */
  leverageParams?(client: Exchange, symbol: string): Record<string, unknown>;
  /**
   * The margin an opening order may use, where the venue's fetchLeverage answer says it (its raw
   * `info`): Bitget's account endpoint has it by margin mode. Without it (Binance: ccxt's free is
   * the futures wallet's availableBalance, what Binance opens orders against) the wallet's free
   * balance of the settle asset is used.
   */
  openingMarginIn?(leverage: Leverage): string | undefined;
  /**
   * Conditional (TP/SL) orders where ccxt's generic `trigger: true` calls do not reach them
   * (Bitget: its TP/SL plans are listed and cancelled by plan type, and have no detail endpoint).
   */
  readonly conditionalOrders?: ConditionalOrderApi;
}

/** Listing, finding and cancelling a venue's conditional orders through its ccxt client. */
export interface ConditionalOrderApi {
  open(client: Exchange, symbol: string | undefined): Promise<Order[]>;
  /** Throws ccxt's OrderNotFound when the exchange does not know the order. */
  find(client: Exchange, symbol: string, ref: OrderRef): Promise<Order>;
  /** Throws ccxt's OrderNotFound when there was nothing to cancel (already triggered or gone). */
  cancel(client: Exchange, symbol: string, ref: OrderRef): Promise<void>;
}

export interface PaperUrls {
  httpUrl: string;
  wsUrl: string;
}

export interface OrderExtras {
  positionSide: PositionSide | undefined;
  clientOrderId: string | undefined;
  /** The exchange's own order type, lower case ('stop_market'); ccxt unifies it to 'market'. */
  rawType?: string | undefined;
  /**
   * The trade's direction where ccxt leaves the exchange's word for another thing (Bitget's hedge
   * mode: `side` names the position, so closing a long says "buy").
   */
  side?: 'buy' | 'sell' | undefined;
}

/** Arguments for ccxt `createOrder(symbol, type, side, amount, price, params)`. */
export interface OrderCall {
  type: string;
  side: 'buy' | 'sell';
  amount: number | undefined;
  price: number | undefined;
  params: Record<string, unknown>;
}

export type ErrorKind =
  | 'auth'
  | 'clock'
  | 'rate_limit'
  | 'status_unknown'
  | 'insufficient_funds'
  | 'margin_insufficient'
  | 'duplicate_client_id'
  | 'order_not_found'
  | 'rejected_lot_size'
  | 'rejected_min_notional'
  | 'rejected_price'
  | 'rejected_precision'
  | 'rejected'
  | 'invalid_parameter'
  | 'unavailable';

/** An exchange error code (optionally narrowed by its message) and what it means for us. */
export interface ErrorCodeRule {
  code: string;
  kind: ErrorKind;
  when?: RegExp;
}

/** Cost of one request: IP weight, orders counted, and an endpoint's own per-second cap. */
export interface EndpointRule {
  weight?: number;
  /** Weight of the all-symbols form of a listing (no `symbol` parameter). */
  noSymbolWeight?: number;
  orders?: number;
  perSecond?: number;
}

export interface Window {
  limit: number;
  windowMs: number;
}

export interface RateLimits {
  /** Request weight per exchange host (Binance counts it per IP). */
  hostWeight?: Window;
  /** Orders per account (Binance counts them per account). */
  accountOrders: readonly Window[];
  /** Keyed by `METHOD /path`, e.g. `POST /api/v3/order`. */
  endpoints: Readonly<Record<string, EndpointRule>>;
  fallback: EndpointRule;
}

export interface ResponseMeta {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RateLimitHint {
  /** 'host' pauses every account on the host; 'account' only the one that hit its own limit. */
  scope: 'host' | 'account';
  untilMs: number;
}

/** Order shapes an exchange (or one of its markets) cannot take; named so messages can say so. */
export type UnsupportedFeature =
  'spot_conditional' | 'market_buy_by_base' | 'quote_amount_on_futures' | 'position_side_on_spot' | 'order_needs_size';

/** Thrown by a venue's order builders; the classifier turns it into ExchangeNotSupportedError. */
export class UnsupportedOrderError extends Error {
  constructor(readonly feature: UnsupportedFeature) {
    super(`unsupported order: ${feature}`);
    this.name = 'UnsupportedOrderError';
  }
}

/** Reads a string field of ccxt's untyped `info`. */
export function infoString(info: unknown, key: string): string | undefined {
  if (typeof info !== 'object' || info === null) return undefined;
  const value = (info as Record<string, unknown>)[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

export function infoObject(info: unknown, key: string): unknown {
  if (typeof info !== 'object' || info === null) return undefined;
  return (info as Record<string, unknown>)[key];
}

export function toPositionSide(value: string | undefined): PositionSide | undefined {
  const upper = value?.toUpperCase();
  return upper === 'LONG' || upper === 'SHORT' ? upper : undefined;
}

/** Header lookup regardless of case (ccxt capitalizes, servers vary). */
export function headerOf(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
