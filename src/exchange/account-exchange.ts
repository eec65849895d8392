import { Decimal } from 'decimal.js';
import type { Balances, Exchange, Leverage, MarketInterface, Order } from 'ccxt';
import { disposeClient } from './ccxt-client.ts';
import {
  AccountDisabledError,
  classifyExchangeError,
  ExchangeAuthError,
  ExchangeClockError,
  ExchangeRequestError,
  notSupported,
  OrderNotFoundError,
  UnknownSymbolError,
  type ExchangeOperation,
} from './errors.ts';
import { filtersOfMarket } from './market-filters.ts';
import { decimalOf, toBalanceLines, toOrder, toPosition, toTrade } from './normalize.ts';
import type { RequestMode, RequestQueue } from './request-queue.ts';
import type {
  AccountExchange,
  BalanceLine,
  ConditionalOrderRequest,
  ExchangeId,
  ExchangeOrder,
  ExchangePosition,
  ExchangeTrade,
  KeyPermissions,
  MarketKind,
  MarketPrecision,
  OpeningMargin,
  OrderRef,
  PlaceOrderRequest,
  PositionMode,
  PositionSide,
  TradeQuery,
} from './types.ts';
import type { OrderCall, Venue } from './venue.ts';

export interface AccountExchangeDeps {
  accountId: string;
  exchange: ExchangeId;
  market: MarketKind;
  venue: Venue;
  /** A ccxt.pro client holding this account's key and the shared markets. */
  client: Exchange;
  queue: RequestQueue;
  /** Called once when the exchange rejects the key; the account is then disabled. */
  onAuthFailure(error: ExchangeAuthError): void;
  /** Called with the symbol of every order sent, so stream catch-up covers that market. */
  onSymbolTraded?(symbol: string): void;
}

/**
 * One account over one ccxt.pro client. Every REST call runs in the account's lane of the
 * request queue (writes alone, reads together), through the shared rate budget (inside the
 * client) and the error classifier; results come back as decimals.
 */
export class CcxtAccountExchange implements AccountExchange {
  readonly accountId: string;
  readonly exchange: ExchangeId;
  readonly market: MarketKind;
  private readonly venue: Venue;
  private readonly client: Exchange;

  get requestValidityMs(): number {
    return this.venue.requestValidityMs;
  }

  private stopped: ExchangeRequestError | undefined;
  private mode: Promise<PositionMode> | undefined;
  private resyncing: Promise<unknown> | undefined;

  constructor(private readonly deps: AccountExchangeDeps) {
    this.accountId = deps.accountId;
    this.exchange = deps.exchange;
    this.market = deps.market;
    this.venue = deps.venue;
    this.client = deps.client;
  }

  resolveSymbol(input: string): string {
    const markets = (this.client.markets ?? {}) as Record<string, MarketInterface | undefined>;
    const upper = input.trim().toUpperCase();
    const direct = [upper];
    // 'BTC/USDT' on a USDT-M account means the perpetual 'BTC/USDT:USDT'.
    if (this.market === 'usdm' && upper.includes('/') && !upper.includes(':')) {
      direct.push(`${upper}:${upper.split('/')[1] ?? ''}`);
    }
    for (const symbol of direct) {
      const market = markets[symbol];
      if (market && this.fits(market)) return market.symbol;
    }
    const byId = (this.client.markets_by_id ?? {}) as Record<string, MarketInterface[] | undefined>;
    const found = byId[upper.replace(/[/\-_\s]/g, '')]?.find((m) => this.fits(m));
    if (found) return found.symbol;
    throw new UnknownSymbolError('exchange.unknown_symbol', this.context('placeOrder'), {
      params: { symbol: input.trim(), market: this.market },
    });
  }

  precisionOf(symbol: string): MarketPrecision {
    const market = ((this.client.markets ?? {}) as Record<string, MarketInterface | undefined>)[symbol];
    const { priceTick, amountStep } = filtersOfMarket(market);
    return { tick: priceTick, step: amountStep };
  }

  fetchBalance(): Promise<BalanceLine[]> {
    return this.call('fetchBalance', 'read', async () => toBalanceLines(await this.client.fetchBalance()));
  }

  fetchKeyPermissions(): Promise<KeyPermissions | undefined> {
    return this.call('fetchKeyPermissions', 'read', () => this.venue.readKeyPermissions(this.client));
  }

  placeOrder(req: PlaceOrderRequest): Promise<ExchangeOrder> {
    const ctx = { clientOrderId: req.clientOrderId };
    return this.call(
      'placeOrder',
      'write',
      async () => {
        if (this.market === 'spot' && (req.positionSide || req.reduceOnly)) {
          throw notSupported(this.context('placeOrder'), 'position_side_on_spot');
        }
        if (!req.amount && !req.cost) throw notSupported(this.context('placeOrder'), 'order_needs_size');
        const symbol = this.resolveSymbol(req.symbol);
        this.deps.onSymbolTraded?.(symbol);
        const created = await this.create(symbol, this.venue.placeOrderCall(req, this.market));
        if (this.venue.ordersEchoState) return this.order(created);
        return req.answer === 'ack' ? this.acknowledged(symbol, created, req) : this.readBack(symbol, created, req);
      },
      ctx,
    );
  }

  placeConditionalOrder(req: ConditionalOrderRequest): Promise<ExchangeOrder> {
    return this.call(
      'placeConditionalOrder',
      'write',
      async () => {
        if (this.market === 'spot') throw notSupported(this.context('placeConditionalOrder'), 'spot_conditional');
        if (!req.amount && !req.closePosition) {
          throw notSupported(this.context('placeConditionalOrder'), 'order_needs_size');
        }
        const symbol = this.resolveSymbol(req.symbol);
        this.deps.onSymbolTraded?.(symbol);
        const created = await this.create(symbol, this.venue.conditionalOrderCall(req, this.market));
        return this.order(created);
      },
      { clientOrderId: req.clientOrderId },
    );
  }

  cancelConditionalOrder(symbol: string, ref: OrderRef): Promise<void> {
    return this.call('cancelConditionalOrder', 'write', async () => {
      if (this.market === 'spot') throw notSupported(this.context('cancelConditionalOrder'), 'spot_conditional');
      const unified = this.resolveSymbol(symbol);
      if (this.venue.conditionalOrders) return this.venue.conditionalOrders.cancel(this.client, unified, ref);
      const params = { trigger: true, ...(ref.clientOrderId ? { clientOrderId: ref.clientOrderId } : {}) };
      await this.client.cancelOrder(refId(ref), unified, params);
    });
  }

  fetchOpenConditionalOrders(symbol?: string): Promise<ExchangeOrder[]> {
    if (this.market === 'spot') return Promise.resolve([]);
    return this.call('fetchOpenOrders', 'read', async () => {
      const unified = symbol === undefined ? undefined : this.resolveSymbol(symbol);
      const orders = this.venue.conditionalOrders
        ? await this.venue.conditionalOrders.open(this.client, unified)
        : await this.client.fetchOpenOrders(unified, undefined, undefined, { trigger: true });
      return orders.map((o) => this.order(o));
    });
  }

  async fetchConditionalOrder(symbol: string, ref: OrderRef): Promise<ExchangeOrder | undefined> {
    if (this.market === 'spot') return undefined;
    try {
      return await this.call('fetchOrder', 'read', async () => {
        const unified = this.resolveSymbol(symbol);
        if (this.venue.conditionalOrders)
          return this.order(await this.venue.conditionalOrders.find(this.client, unified, ref));
        const params = { trigger: true, ...(ref.clientOrderId ? this.venue.clientIdParams(ref.clientOrderId) : {}) };
        return this.order(await this.client.fetchOrder(refId(ref), unified, params));
      });
    } catch (err) {
      if (err instanceof OrderNotFoundError) return undefined;
      throw err;
    }
  }

  async fetchOrder(symbol: string, ref: OrderRef): Promise<ExchangeOrder | undefined> {
    try {
      return await this.call('fetchOrder', 'read', async () =>
        this.order(await this.fetchRaw(this.resolveSymbol(symbol), ref)),
      );
    } catch (err) {
      if (err instanceof OrderNotFoundError) return undefined;
      throw err;
    }
  }

  cancelOrder(symbol: string, ref: OrderRef): Promise<ExchangeOrder> {
    return this.call('cancelOrder', 'write', async () => {
      const unified = this.resolveSymbol(symbol);
      const byClientId = ref.clientOrderId ? this.venue.clientIdParams(ref.clientOrderId) : {};
      const canceled = await this.client.cancelOrder(refId(ref), unified, byClientId);
      if (this.venue.ordersEchoState) return this.order(canceled);
      return this.order(await this.fetchRaw(unified, ref.id || !canceled.id ? ref : { id: canceled.id }));
    });
  }

  fetchOpenOrders(symbol?: string): Promise<ExchangeOrder[]> {
    return this.call('fetchOpenOrders', 'read', async () => {
      const unified = symbol === undefined ? undefined : this.resolveSymbol(symbol);
      return (await this.client.fetchOpenOrders(unified)).map((o) => this.order(o));
    });
  }

  fetchTrades(symbol: string, from: TradeQuery = {}): Promise<ExchangeTrade[]> {
    return this.call('fetchTrades', 'read', async () => {
      const { since, params } = this.venue.tradeParams(from);
      const trades = await this.client.fetchMyTrades(this.resolveSymbol(symbol), since, undefined, params);
      return trades
        .map((trade) => toTrade(trade, this.venue.orderExtras(trade.info)))
        .filter((trade) => from.sinceTradeId === undefined || tradeIdAfter(trade.id, from.sinceTradeId))
        .sort((a, b) => a.timestamp - b.timestamp || compareIds(a.id, b.id));
    });
  }

  positionMode(): Promise<PositionMode> {
    if (this.market === 'spot') return Promise.resolve('oneway');
    this.mode ??= this.call('fetchPositionMode', 'read', async () => {
      if (this.venue.readPositionMode) return this.venue.readPositionMode(this.client);
      return (await this.client.fetchPositionMode()).hedged === true ? ('hedge' as const) : ('oneway' as const);
    });
    // A failed read is not kept: the next order asks again.
    this.mode.catch(() => (this.mode = undefined));
    return this.mode;
  }

  setPositionMode(mode: PositionMode): Promise<void> {
    return this.call('setPositionMode', 'write', async () => {
      if (this.market === 'spot') throw notSupported(this.context('setPositionMode'), 'position_side_on_spot');
      this.mode = undefined;
      await this.client.setPositionMode(mode === 'hedge');
      this.mode = Promise.resolve(mode);
    });
  }

  fetchLeverage(symbol: string, side: PositionSide): Promise<number | undefined> {
    if (this.market === 'spot') return Promise.resolve(1);
    return this.call('fetchLeverage', 'read', async () => leverageOfSide(await this.readLeverage(symbol), side));
  }

  fetchOpeningMargin(symbol: string, side: PositionSide): Promise<OpeningMargin> {
    return this.call('fetchOpeningMargin', 'read', async () => {
      if (this.market === 'spot') throw notSupported(this.context('fetchOpeningMargin'), 'position_side_on_spot');
      const settle = this.client.market(this.resolveSymbol(symbol)).settle ?? 'USDT';
      // The venue that reads the figure from its leverage answer needs no balance read beside it.
      const [read, balance] = await Promise.all([
        this.readLeverage(symbol),
        this.venue.openingMarginIn ? Promise.resolve(undefined) : this.client.fetchBalance(),
      ]);
      const fromLeverage = this.venue.openingMarginIn?.(read);
      // The balance read succeeded: an asset it has no line for is 0, not unknown.
      const free = fromLeverage ?? freeOf(balance ?? (await this.client.fetchBalance()), settle);
      return { leverage: leverageOfSide(read, side), available: decimalOf(free) ?? new Decimal(0) };
    });
  }

  private readLeverage(symbol: string): Promise<Leverage> {
    const unified = this.resolveSymbol(symbol);
    return this.client.fetchLeverage(unified, this.venue.leverageParams?.(this.client, unified) ?? {});
  }

  fetchPositions(): Promise<ExchangePosition[]> {
    if (this.market === 'spot') return Promise.resolve([]);
    return this.call('fetchPositions', 'read', async () =>
      (await this.client.fetchPositions()).flatMap((p) => toPosition(p) ?? []),
    );
  }

  fetchUsdtPrices(assets: string[]): Promise<Map<string, Decimal>> {
    const markets = (this.client.markets ?? {}) as Record<string, MarketInterface | undefined>;
    const symbolOf = new Map<string, string>();
    for (const asset of new Set(assets)) {
      const symbol = this.market === 'spot' ? `${asset}/USDT` : `${asset}/USDT:USDT`;
      if (markets[symbol]) symbolOf.set(symbol, asset);
    }
    if (symbolOf.size === 0) return Promise.resolve(new Map<string, Decimal>());
    return this.call('fetchPrices', 'read', async () => {
      const symbols = [...symbolOf.keys()];
      const tickers = this.client.has['fetchLastPrices']
        ? await this.client.fetchLastPrices(symbols)
        : await this.client.fetchTickers(symbols);
      const prices = new Map<string, Decimal>();
      for (const [symbol, ticker] of Object.entries(tickers) as [string, { price?: unknown; last?: unknown }][]) {
        const asset = symbolOf.get(symbol);
        const price = decimalOf(ticker.price ?? ticker.last);
        if (asset && price) prices.set(asset, price);
      }
      return prices;
    });
  }

  watchOrders(): Promise<ExchangeOrder[]> {
    return this.stream('watchOrders', async () => (await this.client.watchOrders()).map((o) => this.order(o)));
  }

  watchTrades(): Promise<ExchangeTrade[]> {
    return this.stream('watchTrades', async () =>
      (await this.client.watchMyTrades()).map((t) => toTrade(t, this.venue.orderExtras(t.info))),
    );
  }

  watchBalance(): Promise<BalanceLine[]> {
    return this.stream('watchBalance', async () => toBalanceLines(await this.client.watchBalance()));
  }

  holdStreams(): () => void {
    const held = Object.values(this.client.clients as Record<string, { connection?: unknown }>).flatMap((c) => {
      const socket = holdable(c.connection);
      if (!socket) return [];
      // ccxt.pro reads a `ws` socket through a duplex stream whose every read calls resume():
      // while held, resume() does nothing on this socket; pause() stops reading it.
      socket.resume = () => undefined;
      socket.pause();
      return [socket];
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const socket of held) {
        delete (socket as Partial<HoldableSocket>).resume; // the prototype's again
        socket.resume();
      }
    };
  }

  async closeStreams(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.stopped ??= new ExchangeRequestError('exchange.client_replaced', this.context('fetchBalance'));
    await disposeClient(this.client);
  }

  private create(symbol: string, call: OrderCall): Promise<Order> {
    return this.client.createOrder(symbol, call.type, call.side, amountArg(call.amount), call.price, call.params);
  }

  private order(order: Order): ExchangeOrder {
    return toOrder(order, this.venue.orderExtras(order.info));
  }

  private fetchRaw(symbol: string, ref: OrderRef): Promise<Order> {
    const params = ref.clientOrderId ? this.venue.clientIdParams(ref.clientOrderId) : {};
    return this.client.fetchOrder(refId(ref), symbol, params);
  }

  /**
   * Bitget answers a new order with its ids only. The order exists from here on, so a failed
   * read-back must not turn into an error that invites a resend: the caller gets what we know.
   */
  private async readBack(symbol: string, created: Order, req: PlaceOrderRequest): Promise<ExchangeOrder> {
    try {
      return this.order(
        await this.fetchRaw(symbol, created.id ? { id: created.id } : { clientOrderId: req.clientOrderId }),
      );
    } catch {
      return this.acknowledged(symbol, created, req);
    }
  }

  /** An order the exchange took, known by its ids only: open, nothing filled yet as far as we know. */
  private acknowledged(symbol: string, created: Order, req: PlaceOrderRequest): ExchangeOrder {
    const known = this.order({ ...created, symbol, side: req.side, type: req.type, status: 'open' });
    return { ...known, clientOrderId: known.clientOrderId ?? req.clientOrderId };
  }

  private async call<T>(
    operation: ExchangeOperation,
    mode: RequestMode,
    task: () => Promise<T>,
    extra: { clientOrderId?: string } = {},
  ): Promise<T> {
    if (this.stopped) throw this.stopped;
    try {
      return await this.deps.queue.run(this.accountId, mode, task);
    } catch (err) {
      throw this.failure(err, operation, extra.clientOrderId);
    }
  }

  private async stream<T>(operation: ExchangeOperation, watch: () => Promise<T>): Promise<T> {
    if (this.stopped) throw this.stopped;
    try {
      return await watch();
    } catch (err) {
      this.venue.resetStreamAuth?.(this.client, this.market);
      throw this.failure(err, operation, undefined);
    }
  }

  private failure(err: unknown, operation: ExchangeOperation, clientOrderId: string | undefined): ExchangeRequestError {
    const error = classifyExchangeError(err, { ...this.context(operation), clientOrderId });
    if (error instanceof ExchangeClockError) this.resyncClock();
    // The position mode changed behind the desk (on the exchange's site): read it again next time.
    if (error.exchangeCode && this.venue.positionModeMismatchCodes?.includes(error.exchangeCode)) this.mode = undefined;
    if (error instanceof ExchangeAuthError && !this.stopped) {
      // Further calls would only repeat the rejection (and Binance bans IPs that insist).
      this.stopped = new AccountDisabledError('exchange.account_disabled', this.context(operation), {
        params: { reason: error.statusReason },
      });
      this.deps.onAuthFailure(error);
    }
    return error;
  }

  /**
   * The exchange refused our timestamp: measure the offset to its clock once, so the next
   * request is signed with corrected time (the trader still sees this one's error).
   */
  private resyncClock(): void {
    if (this.resyncing) return;
    this.resyncing = this.client
      .loadTimeDifference()
      .catch(() => undefined)
      .finally(() => (this.resyncing = undefined));
  }

  private context(operation: ExchangeOperation) {
    return { accountId: this.accountId, exchange: this.exchange, operation };
  }

  private fits(market: MarketInterface): boolean {
    return this.market === 'spot' ? market.spot === true : market.swap === true && market.linear === true;
  }
}

interface HoldableSocket {
  readyState: number;
  pause(): void;
  resume(): void;
}

/** An open `ws` WebSocket (readyState 1) whose resume() is its prototype's; anything else is left alone. */
function holdable(connection: unknown): HoldableSocket | undefined {
  if (typeof connection !== 'object' || connection === null) return undefined;
  const socket = connection as Partial<HoldableSocket>;
  if (socket.readyState !== 1 || typeof socket.pause !== 'function' || typeof socket.resume !== 'function') {
    return undefined;
  }
  if (Object.prototype.hasOwnProperty.call(socket, 'resume')) return undefined; // held already
  return socket as HoldableSocket;
}

/** ccxt wants an id argument even when the client order id addresses the order. */
function refId(ref: OrderRef): string {
  if (!ref.id && !ref.clientOrderId) throw new Error('an order reference needs an id or a client order id');
  return ref.id ?? '';
}

/**
 * ccxt types `amount` as a number, but a quote-sized market buy or a closePosition order has
 * none; ccxt itself passes undefined through in those cases.
 */
function amountArg(amount: number | undefined): number {
  return amount as number;
}

function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function tradeIdAfter(id: string, sinceTradeId: string): boolean {
  return compareIds(id, sinceTradeId) > 0;
}

function leverageOfSide(read: Leverage, side: PositionSide): number | undefined {
  const leverage = side === 'LONG' ? read.longLeverage : read.shortLeverage;
  return typeof leverage === 'number' && leverage > 0 ? leverage : undefined;
}

function freeOf(balance: Balances, asset: string): unknown {
  return (balance as unknown as Record<string, { free?: unknown } | undefined>)[asset]?.free;
}
