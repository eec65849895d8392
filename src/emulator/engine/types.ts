/**
 * The emulator's whole state is plain JSON: every amount is a decimal string, every id a number,
 * so persisting is JSON.stringify and a restart is JSON.parse. Nothing here knows about HTTP.
 */
export type Venue = 'binance' | 'bitget';
export type Side = 'BUY' | 'SELL';
export type PositionSide = 'LONG' | 'SHORT' | 'BOTH';
export type OrderType = 'MARKET' | 'LIMIT' | 'LIMIT_MAKER';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';
export type AlgoType = 'STOP_MARKET' | 'TAKE_PROFIT_MARKET';
export type AlgoStatus = 'NEW' | 'TRIGGERING' | 'TRIGGERED' | 'FINISHED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

export interface Balance {
  free: string;
  locked: string;
}

export interface SpotOrder {
  id: number;
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  /** '0' for market orders. */
  price: string;
  origQty: string;
  /** Set for a market buy sized in quote currency (Binance quoteOrderQty, Bitget market-buy size). */
  origQuoteOrderQty: string;
  executedQty: string;
  cumQuote: string;
  status: OrderStatus;
  /** What the order still holds out of the free balance while it rests. */
  lockedAsset: string;
  lockedAmount: string;
  commission: string;
  commissionAsset: string;
  createdAt: number;
  updatedAt: number;
}

export interface SpotTrade {
  id: number;
  orderId: number;
  symbol: string;
  side: Side;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  isMaker: boolean;
  time: number;
}

export interface FuturesOrder {
  id: number;
  clientOrderId: string;
  symbol: string;
  side: Side;
  positionSide: PositionSide;
  type: OrderType;
  /** STOP_MARKET / TAKE_PROFIT_MARKET when a conditional order placed it, else equal to type. */
  origType: string;
  timeInForce: TimeInForce;
  price: string;
  origQty: string;
  executedQty: string;
  cumQuote: string;
  avgPrice: string;
  reduceOnly: boolean;
  closePosition: boolean;
  stopPrice: string;
  status: OrderStatus;
  realizedPnl: string;
  commission: string;
  createdAt: number;
  updatedAt: number;
}

export interface FuturesTrade {
  id: number;
  orderId: number;
  symbol: string;
  side: Side;
  positionSide: PositionSide;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  realizedPnl: string;
  isMaker: boolean;
  time: number;
}

export interface Position {
  symbol: string;
  positionSide: PositionSide;
  /** Signed: positive long, negative short. */
  amount: string;
  entryPrice: string;
  /** Accumulated realized profit of this position (before fees), Binance's "cr". */
  realizedPnl: string;
  updatedAt: number;
}

export interface AlgoOrder {
  algoId: number;
  clientAlgoId: string;
  symbol: string;
  side: Side;
  positionSide: PositionSide;
  orderType: AlgoType;
  quantity: string;
  closePosition: boolean;
  reduceOnly: boolean;
  triggerPrice: string;
  workingType: string;
  timeInForce: TimeInForce;
  priceProtect: boolean;
  status: AlgoStatus;
  /** The market order it placed once triggered. */
  orderId?: number;
  executedQty: string;
  avgPrice: string;
  createdAt: number;
  updatedAt: number;
  triggeredAt: number;
  /** Bitget's planType (pos_loss, loss_plan, pos_profit, profit_plan, normal_plan); absent on Binance. */
  planType?: string;
}

export interface FuturesAccount {
  /** Wallet balance per margin asset (USDT). */
  wallet: Record<string, string>;
  walletUpdatedAt: number;
  hedgeMode: boolean;
  leverage: Record<string, number>;
  /** Keyed `${symbol}:${positionSide}`. */
  positions: Record<string, Position>;
  orders: Record<string, FuturesOrder>;
  clientOrderIds: Record<string, number>;
  trades: FuturesTrade[];
  algoOrders: Record<string, AlgoOrder>;
  clientAlgoIds: Record<string, number>;
}

export interface SpotAccount {
  balances: Record<string, Balance>;
  orders: Record<string, SpotOrder>;
  clientOrderIds: Record<string, number>;
  trades: SpotTrade[];
}

/**
 * What one API key may do, in neither venue's words: Binance reports it as the booleans of
 * `GET /sapi/v1/account/apiRestrictions`, Bitget as the `authorities` and `ips` of
 * `GET /api/v2/spot/account/info`.
 */
export interface KeyPermissions {
  reading: boolean;
  /** Binance enableSpotAndMarginTrading; Bitget `stow` (spot trade, read and write). */
  spotTrading: boolean;
  /** Binance enableFutures; Bitget `coow` (futures orders, read and write). */
  futuresTrading: boolean;
  /** Binance enableWithdrawals; Bitget `wwow`. */
  withdrawals: boolean;
  /** The key only answers from listed IP addresses (Binance ipRestrict; Bitget's IP whitelist). */
  ipRestrict: boolean;
}

/** A key's permissions unless a test says otherwise: it reads and trades, cannot withdraw, is IP-bound. */
export const DEFAULT_KEY_PERMISSIONS: Readonly<KeyPermissions> = {
  reading: true,
  spotTrading: true,
  futuresTrading: true,
  withdrawals: false,
  ipRestrict: true,
};

/** One API key of an account. */
export interface ApiKey {
  apiKey: string;
  secret: string;
  passphrase?: string;
  /** Absent: DEFAULT_KEY_PERMISSIONS. */
  permissions?: KeyPermissions;
  createdAt: number;
}

export interface Account {
  id: string;
  venue: Venue;
  /** The account's first key (`apiKey`, `secret`, `passphrase`, `permissions`); `extraKeys` hold the others. */
  apiKey: string;
  secret: string;
  passphrase?: string;
  /** Of the first key; absent (and in state files written before keys had permissions): the defaults. */
  permissions?: KeyPermissions;
  /** Further keys on the same account, as an exchange allows: a new key is made before the old one is deleted. */
  extraKeys?: ApiKey[];
  canTrade: boolean;
  /** Bitget demo-trading keys only work with the `paptrading: 1` header. */
  demo: boolean;
  createdAt: number;
  spot: SpotAccount;
  futures: FuturesAccount;
}

export interface ListenKey {
  key: string;
  accountId: string;
  expiresAt: number;
}

/**
 * Limited book depth for one symbol (shared by both venues, like its price): every level holds
 * `qty`; level i sits `i * step` away from the current price. Absent step = each market's tick.
 */
export interface DepthSpec {
  qty: string;
  step?: string;
}

export interface EngineState {
  version: 1;
  prices: Record<string, string>;
  /** Symbols with limited depth; a symbol not listed (or an old state file) has infinite depth. */
  depth?: Record<string, DepthSpec>;
  counters: { order: number; trade: number; algo: number };
  accounts: Record<string, Account>;
  listenKeys: Record<string, ListenKey>;
}
