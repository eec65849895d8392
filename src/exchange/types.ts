import type { Decimal } from 'decimal.js';
import type { MarketPrecision } from '../domain/display-number.ts';
import type { KeyPermissions } from '../domain/key-permissions.ts';

export type { KeyPermissions, MarketPrecision };

export type ExchangeId = 'binance' | 'bitget';
export type MarketKind = 'spot' | 'usdm';
export type ExchangeEnv = 'prod' | 'testnet' | 'demo' | 'paper';

export type PositionSide = 'LONG' | 'SHORT';
export type PositionMode = 'hedge' | 'oneway';

export interface BalanceLine {
  asset: string;
  free: Decimal;
  locked: Decimal;
  total: Decimal;
}

export interface ExchangeOrder {
  id: string;
  clientOrderId: string | undefined;
  /** ccxt unified: 'BTC/USDT' spot, 'BTC/USDT:USDT' usdm. */
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  status: 'open' | 'closed' | 'canceled' | 'expired' | 'rejected';
  price: Decimal | undefined;
  average: Decimal | undefined;
  amount: Decimal;
  filled: Decimal;
  remaining: Decimal;
  cost: Decimal;
  positionSide: PositionSide | undefined;
  reduceOnly: boolean;
  timestamp: number;
  /** Trigger price of a conditional (stop / take-profit) order. */
  triggerPrice?: Decimal | undefined;
}

export interface ExchangeTrade {
  id: string;
  orderId: string;
  clientOrderId: string | undefined;
  symbol: string;
  side: 'buy' | 'sell';
  price: Decimal;
  amount: Decimal;
  cost: Decimal;
  fee: { cost: Decimal; currency: string } | undefined;
  positionSide: PositionSide | undefined;
  timestamp: number;
}

export interface ExchangePosition {
  symbol: string;
  side: PositionSide;
  contracts: Decimal;
  entryPrice: Decimal;
  markPrice: Decimal | undefined;
  unrealizedPnl: Decimal | undefined;
  leverage: number | undefined;
}

export interface OpeningMargin {
  leverage: number | undefined;
  available: Decimal;
}

export interface PlaceOrderRequest {
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  /** Base units. */
  amount?: Decimal;
  /** Quote units; spot market buys only. */
  cost?: Decimal;
  price?: Decimal;
  clientOrderId: string;
  positionSide?: PositionSide;
  reduceOnly?: boolean;
  /**
   * 'state' (default): the answer carries the order's state; a venue whose placement answer
   * names the order only (Bitget) is read back. 'ack': the placement answer is enough — the
   * caller takes the state from the account's stream (the copy fan-out: one request per copy).
   */
  answer?: 'state' | 'ack';
}

export interface ConditionalOrderRequest {
  symbol: string;
  side: 'buy' | 'sell';
  kind: 'stop' | 'take_profit';
  triggerPrice: Decimal;
  amount?: Decimal;
  closePosition?: boolean;
  positionSide?: PositionSide;
  /** One-way mode: the order may only shrink the net position. */
  reduceOnly?: boolean;
  clientOrderId: string;
}

/** Which trades: after a trade id (exclusive), from a time (ms), or of one order. */
export interface TradeQuery {
  sinceTradeId?: string;
  since?: number;
  /** Only this order's trades (asked of the exchange: no page of other trades to read). */
  orderId?: string;
}

export interface OrderRef {
  id?: string;
  clientOrderId?: string;
}

/**
 * One exchange account as the rest of hedgestack sees it. Every REST call is serialized per
 * account (reads may overlap), budgeted per exchange host and account, and fails only with the
 * typed errors of `./errors.ts`.
 */
export interface AccountExchange {
  readonly accountId: string;
  readonly exchange: ExchangeId;
  readonly market: MarketKind;
  /** After this long, a request sent earlier can no longer reach the exchange (see Venue). */
  readonly requestValidityMs: number;
  /** 'btcusdt', 'BTC/USDT', 'BTCUSDT' → unified; throws UnknownSymbolError naming the account. */
  resolveSymbol(input: string): string;
  /** The tick and step of a unified symbol's market, to show its numbers as it has them; {} when unknown. */
  precisionOf(symbol: string): MarketPrecision;
  fetchBalance(): Promise<BalanceLine[]>;
  /**
   * What this account's key may do (trade spot, futures, withdraw, IP restriction), as the
   * exchange reports it; undefined where the exchange cannot tell (Binance testnet and demo
   * trading have no API-key restrictions endpoint).
   */
  fetchKeyPermissions(): Promise<KeyPermissions | undefined>;
  placeOrder(req: PlaceOrderRequest): Promise<ExchangeOrder>;
  /** usdm: Binance algo orders (POST /fapi/v1/algoOrder); spot: ExchangeNotSupportedError. */
  placeConditionalOrder(req: ConditionalOrderRequest): Promise<ExchangeOrder>;
  cancelConditionalOrder(symbol: string, ref: OrderRef): Promise<void>;
  /** Open conditional (algo) orders; [] on spot. */
  fetchOpenConditionalOrders(symbol?: string): Promise<ExchangeOrder[]>;
  /** A conditional (algo) order in any state; undefined when the exchange does not know it (or on spot). */
  fetchConditionalOrder(symbol: string, ref: OrderRef): Promise<ExchangeOrder | undefined>;
  /** undefined when the exchange says the order does not exist. */
  fetchOrder(symbol: string, ref: OrderRef): Promise<ExchangeOrder | undefined>;
  cancelOrder(symbol: string, ref: OrderRef): Promise<ExchangeOrder>;
  fetchOpenOrders(symbol?: string): Promise<ExchangeOrder[]>;
  /** Trades after `sinceTradeId` (exclusive) or from `since` (ms), oldest first. */
  fetchTrades(symbol: string, from?: TradeQuery): Promise<ExchangeTrade[]>;
  /**
   * USDT-M: 'hedge' (a LONG and a SHORT position per symbol, orders name their side) or 'oneway'
   * (one net position, orders name no side); read once, then kept. Spot: 'oneway'.
   */
  positionMode(): Promise<PositionMode>;
  /** USDT-M: switches the position mode (the exchange refuses while anything is open). */
  setPositionMode(mode: PositionMode): Promise<void>;
  /**
   * USDT-M: the leverage the account trades `symbol` at on the side an order opens (isolated
   * margin may have one per side); undefined when the exchange does not say. Spot: 1.
   */
  fetchLeverage(symbol: string, side: PositionSide): Promise<number | undefined>;
  /**
   * USDT-M: what an order opening exposure on `symbol` is margined with: the leverage as
   * fetchLeverage reads it, and the margin the exchange lets an opening order use, in the settle
   * asset (0 when the wallet holds none). Read in one go where the venue's leverage answer carries
   * the figure (Bitget), else beside the wallet balance.
   */
  fetchOpeningMargin(symbol: string, side: PositionSide): Promise<OpeningMargin>;
  /** Open positions; [] for spot. */
  /** Last prices in USDT of the given assets, where this account's market lists `ASSET/USDT`. */
  fetchUsdtPrices(assets: string[]): Promise<Map<string, Decimal>>;
  fetchPositions(): Promise<ExchangePosition[]>;
  /** ccxt.pro: each call resolves with the next batch of updates. */
  watchOrders(): Promise<ExchangeOrder[]>;
  watchTrades(): Promise<ExchangeTrade[]>;
  watchBalance(): Promise<BalanceLine[]>;
  closeStreams(): Promise<void>;
  /**
   * Stops reading the account's open streams until the returned function is called: their
   * messages wait in the socket (TCP backpressure), none is lost. A copy fan-out reads its
   * answers first and its followers' order, fill and balance pushes right after.
   */
  holdStreams(): () => void;
  /** Closes streams and the HTTP connection pool; the instance is not used again. */
  close(): Promise<void>;
}
