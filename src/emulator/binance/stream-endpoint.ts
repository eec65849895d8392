import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { dec, str } from '../engine/decimal.ts';
import type { Engine } from '../engine/engine.ts';
import type { BookLevel, PublicTrade } from '../engine/market-data.ts';
import { MARKETS, type MarketBook } from '../engine/markets.ts';
import { isRecord, parseJson, sendFrame, type WsEndpoint } from '../ws-endpoint.ts';
import type { FuturesUserStream, UserDataSubscription } from './futures-user-stream.ts';
import { aggregatesTogether, type BinanceBook } from './market-format.ts';
import {
  aggTradeEvent,
  bookTickerEvent,
  diffDepthEvent,
  markPriceEvent,
  miniTickerEvent,
  partialDepthEvent,
  tickerEvent,
  tradeEvent,
} from './stream-format.ts';

/**
 * Which host a path stands for. Unrouted (`/ws`, `/stream`) is stream.binance.com — spot market
 * streams — and the legacy USDT-M user-data routes (`/ws/<listenKey>`, `/stream?streams=<listenKey>`,
 * as fstream served them before 2026-04-23 and the futures testnet still does); `/public`,
 * `/market` and `/private` are fstream.binance.com's routed endpoints.
 */
type Route = 'unrouted' | 'public' | 'market' | 'private';

/** fstream's split: the book streams on /public, trades, mark price and tickers on /market. */
type Category = 'public' | 'market';

type StreamKind =
  'aggTrade' | 'trade' | 'bookTicker' | 'partialDepth' | 'diffDepth' | 'markPrice' | 'ticker' | 'miniTicker';

interface MarketStream {
  /** As the client named it (the `stream` of combined frames). */
  name: string;
  book: BinanceBook;
  symbol: string;
  kind: StreamKind;
  levels: number;
  /** Pushes at most this often on a timer (mark price every 3 s or 1 s); price moves push at once. */
  periodMs: number;
  /**
   * Whether this route delivers it: fstream accepts a stream on the wrong route but never pushes
   * it ("Streams belonging to /market or /private will not push data on unrouted connections").
   */
  live: boolean;
}

interface Connection {
  route: Route;
  combined: boolean;
  streams: Map<string, MarketStream>;
}

const CATEGORY: Record<StreamKind, Category> = {
  aggTrade: 'market',
  trade: 'public',
  bookTicker: 'public',
  partialDepth: 'public',
  diffDepth: 'public',
  markPrice: 'market',
  ticker: 'market',
  miniTicker: 'market',
};

/** Diff-depth streams compare the book with what they last sent, this far down. */
const DIFF_LEVELS = 1000;

const ROUTED = /^\/(public|market|private)\/(ws(?:\/.*)?|stream)$/;
const UNROUTED = /^\/(ws(?:\/.*)?|stream)$/;

function routeOf(path: string): { route: Route; rest: string } | undefined {
  const routed = ROUTED.exec(path);
  if (routed?.[1] && routed[2]) return { route: routed[1] as Route, rest: routed[2] };
  const unrouted = UNROUTED.exec(path);
  return unrouted?.[1] ? { route: 'unrouted', rest: unrouted[1] } : undefined;
}

/** A listenKey is 64 alphanumerics; anything else without an `@` (ccxt's `/ws/0`) names nothing. */
const looksLikeListenKey = (item: string): boolean => /^[A-Za-z0-9]{32,}$/.test(item);
const isStreamName = (item: string): boolean => item.includes('@') || item.startsWith('!');

/** `btcusdt@depth20@100ms` → the stream, or undefined for a name the emulator does not serve. */
function parseStream(name: string, route: Route): MarketStream | undefined {
  const [rawSymbol = '', type = '', speed] = name.split('@');
  const book: BinanceBook = route === 'unrouted' ? 'binanceSpot' : 'binanceFutures';
  const symbol = rawSymbol.toUpperCase();
  if (rawSymbol !== rawSymbol.toLowerCase() || !MARKETS[book].some((m) => m.symbol === symbol)) return undefined;
  const spot = book === 'binanceSpot';
  const base = { name, book, symbol, levels: 0, periodMs: 1000 };
  let stream: Omit<MarketStream, 'live'> | undefined;
  const partial = /^depth(5|10|20)$/.exec(type);
  if (type === 'aggTrade' && speed === undefined) stream = { ...base, kind: 'aggTrade' };
  else if (type === 'trade' && speed === undefined) stream = { ...base, kind: 'trade' };
  else if (type === 'bookTicker' && speed === undefined) stream = { ...base, kind: 'bookTicker' };
  else if (type === 'ticker' && speed === undefined) stream = { ...base, kind: 'ticker' };
  else if (type === 'miniTicker' && speed === undefined) stream = { ...base, kind: 'miniTicker' };
  else if (partial && (speed === undefined || /^(100|250|500|1000)ms$/.test(speed)))
    stream = { ...base, kind: 'partialDepth', levels: Number(partial[1]) };
  else if (type === 'depth' && (speed === undefined || /^(100|250|500|1000)ms$/.test(speed)))
    stream = { ...base, kind: 'diffDepth' };
  else if (type === 'markPrice' && !spot && (speed === undefined || speed === '1s'))
    stream = { ...base, kind: 'markPrice', periodMs: speed === '1s' ? 1000 : 3000 };
  if (!stream) return undefined;
  const live = route === 'unrouted' || route === CATEGORY[stream.kind];
  return { ...stream, live };
}

/** What a URL asks for: stream names, listenKeys (each with its `events` filter, if any), and junk. */
interface Request {
  route: Route;
  combined: boolean;
  names: string[];
  keys: { key: string; events?: ReadonlySet<string> }[];
}

function parseRequest(url: URL): Request | undefined {
  const found = routeOf(url.pathname);
  if (!found) return undefined;
  const { route, rest } = found;
  const combined = rest === 'stream';
  const items = combined ? (url.searchParams.get('streams') ?? '').split('/') : rest.split('/').slice(1); // "ws/a/b" → [a, b]
  const request: Request = { route, combined, names: [], keys: [] };
  for (const item of items.filter((i) => i !== '')) {
    if (isStreamName(item)) request.names.push(item);
    else if (looksLikeListenKey(item)) request.keys.push({ key: item });
  }
  // listenKey (+ events) in the query: /private/ws?listenKey=…&events=A/B, /private/stream with
  // several pairs, and the unrouted /ws?listenKey=… ccxt used to build.
  const events = url.searchParams.getAll('events');
  url.searchParams.getAll('listenKey').forEach((key, i) => {
    const filter = events[i];
    request.keys.push({ key, ...(filter ? { events: new Set(filter.split('/').filter(Boolean)) } : {}) });
  });
  return request;
}

/**
 * Binance's raw and combined stream sockets on one port: spot market streams (unrouted), USDT-M
 * market streams on /public and /market, and the USDT-M user data stream on /private (and the
 * legacy unrouted routes), fed by the engine's prices and fills (engine/market-data.ts). Live
 * `SUBSCRIBE` / `UNSUBSCRIBE` / `LIST_SUBSCRIPTIONS` work on every route.
 */
export class BinanceStreamEndpoint implements WsEndpoint {
  private readonly connections = new Map<WebSocket, Connection>();
  /** The connections with at least one market stream: the only ones a price move or a trade visits. */
  private readonly withStreams = new Map<WebSocket, Connection>();
  private readonly pendingTrades = new Map<string, { book: BinanceBook; trades: PublicTrade[] }>();
  /** What diff-depth streams last sent, per book and symbol: levels by side:price, and the last update id. */
  private readonly sentBooks = new Map<string, { levels: Map<string, string>; updateId: number }>();
  private readonly partialSent = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private ticks = 0;

  constructor(
    private readonly engine: Engine,
    private readonly userStream: FuturesUserStream,
    private readonly now: () => number,
  ) {
    engine.ctx.events.subscribe((event) => {
      if (event.kind === 'price') this.onPrice(event.symbol);
    });
    engine.market.onTrade((book, trade) => this.onTrade(book, trade));
    this.timer = setInterval(() => this.onTimer(), 1000);
    this.timer.unref();
  }

  /** Whether the socket still listens to market streams (then it outlives its listenKeys). */
  hasMarketStreams(socket: WebSocket): boolean {
    return this.withStreams.has(socket);
  }

  matches(path: string): boolean {
    return routeOf(path) !== undefined;
  }

  /**
   * Refuses (400) an unknown or expired listenKey, and a /private route without one, as the
   * emulator always has; stream names it does not serve are accepted and stay silent.
   */
  accepts(_req: IncomingMessage, url: URL): boolean {
    const request = parseRequest(url);
    if (!request) return false;
    if (request.route === 'private' && request.keys.length === 0) return false;
    return request.keys.every(({ key }) => this.userStream.lookup(key) !== undefined);
  }

  onConnection(socket: WebSocket, _req: IncomingMessage, url: URL): void {
    const request = parseRequest(url);
    if (!request) {
      socket.close(1008, 'unknown stream route');
      return;
    }
    const connection: Connection = { route: request.route, combined: request.combined, streams: new Map() };
    this.connections.set(socket, connection);
    socket.on('close', () => {
      this.connections.delete(socket);
      this.withStreams.delete(socket);
    });
    socket.on('message', (data) => this.onMessage(socket, connection, parseJson(data)));
    if (request.route !== 'private') for (const name of request.names) this.add(socket, connection, name);
    for (const { key, events } of request.keys) {
      const subscription: UserDataSubscription = { combined: request.combined, ...(events ? { events } : {}) };
      if (!this.userStream.subscribe(socket, key, subscription)) {
        socket.close(1008, 'invalid listenKey');
        return;
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.userStream.stop();
  }

  private add(socket: WebSocket, connection: Connection, name: string): void {
    const stream = parseStream(name, connection.route);
    if (!stream) return;
    connection.streams.set(name, stream);
    this.withStreams.set(socket, connection);
    if (stream.kind === 'diffDepth') this.sentBook(stream.book, stream.symbol);
  }

  /** `{method, params, id}` → `{result, id}`, as Binance's live subscribing answers. */
  private onMessage(socket: WebSocket, connection: Connection, message: unknown): void {
    if (!isRecord(message)) {
      sendFrame(socket, { error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' }, id: null });
      return;
    }
    const id = message['id'] ?? null;
    const params = Array.isArray(message['params']) ? message['params'].filter((p) => typeof p === 'string') : [];
    switch (message['method']) {
      case 'SUBSCRIBE':
        for (const item of params) {
          if (isStreamName(item)) {
            if (connection.route !== 'private') this.add(socket, connection, item);
          } else if (looksLikeListenKey(item)) {
            this.userStream.subscribe(socket, item, { combined: connection.combined });
          }
        }
        sendFrame(socket, { result: null, id });
        return;
      case 'UNSUBSCRIBE':
        for (const item of params) {
          connection.streams.delete(item);
          this.userStream.unsubscribe(socket, item);
        }
        if (connection.streams.size === 0) this.withStreams.delete(socket);
        sendFrame(socket, { result: null, id });
        return;
      case 'LIST_SUBSCRIPTIONS':
        sendFrame(socket, { result: [...connection.streams.keys(), ...this.userStream.keysOf(socket)], id });
        return;
      default:
        sendFrame(socket, {
          error: { code: 2, msg: `Invalid request: unknown method ${String(message['method'])}` },
          id,
        });
    }
  }

  private push(socket: WebSocket, connection: Connection, stream: MarketStream, payload: unknown): void {
    sendFrame(socket, connection.combined ? { stream: stream.name, data: payload } : payload);
  }

  /** Every live stream of `symbol` for which `wanted` holds, with its socket. */
  private *live(
    symbol: string,
    wanted: (s: MarketStream) => boolean,
  ): Generator<[WebSocket, Connection, MarketStream]> {
    for (const [socket, connection] of this.withStreams)
      for (const stream of connection.streams.values())
        if (stream.live && stream.symbol === symbol && wanted(stream)) yield [socket, connection, stream];
  }

  private onPrice(symbol: string): void {
    const now = this.now();
    const diffs = new Map<BinanceBook, unknown>();
    for (const [socket, connection, stream] of this.live(symbol, (s) => s.kind !== 'aggTrade' && s.kind !== 'trade')) {
      if (stream.kind === 'diffDepth') {
        if (!diffs.has(stream.book)) diffs.set(stream.book, this.diff(stream.book, symbol));
        const diff = diffs.get(stream.book);
        if (diff) this.push(socket, connection, stream, diff);
      } else if (stream.kind !== 'ticker' && stream.kind !== 'miniTicker') {
        this.push(socket, connection, stream, this.snapshotEvent(stream, now));
      }
    }
  }

  private onTimer(): void {
    this.ticks++;
    const now = this.now();
    for (const [socket, connection] of this.withStreams)
      for (const stream of connection.streams.values()) {
        if (!stream.live) continue;
        const periodic = ['partialDepth', 'markPrice', 'ticker', 'miniTicker'].includes(stream.kind);
        if (!periodic || this.ticks % Math.round(stream.periodMs / 1000) !== 0) continue;
        this.push(socket, connection, stream, this.snapshotEvent(stream, now));
      }
  }

  /** The current state of a snapshot-like stream (book ticker, partial depth, mark price, 24 h ticker). */
  private snapshotEvent(stream: MarketStream, now: number): unknown {
    const data = this.engine.market;
    switch (stream.kind) {
      case 'bookTicker':
        return bookTickerEvent(stream.book, stream.symbol, data.book(stream.book, stream.symbol, 1));
      case 'partialDepth': {
        const snapshot = data.book(stream.book, stream.symbol, stream.levels);
        const key = `${stream.book}:${stream.symbol}`;
        const previous = this.partialSent.get(key) ?? snapshot.updateId - 1;
        this.partialSent.set(key, snapshot.updateId);
        return partialDepthEvent(stream.book, stream.symbol, snapshot, previous);
      }
      case 'markPrice':
        return markPriceEvent(stream.symbol, data.price(stream.symbol), now);
      case 'miniTicker':
        return miniTickerEvent(stream.book, data.ticker(stream.book, stream.symbol), now);
      default: {
        const top = data.book(stream.book, stream.symbol, 1);
        return tickerEvent(stream.book, data.ticker(stream.book, stream.symbol), top, now);
      }
    }
  }

  private sentBook(book: BinanceBook, symbol: string): { levels: Map<string, string>; updateId: number } {
    const key = `${book}:${symbol}`;
    let sent = this.sentBooks.get(key);
    if (!sent) {
      const snapshot = this.engine.market.book(book, symbol, DIFF_LEVELS);
      sent = { levels: levelMap(snapshot.bids, snapshot.asks), updateId: snapshot.updateId };
      this.sentBooks.set(key, sent);
    }
    return sent;
  }

  /** The diff-depth event since the last one (undefined when nothing changed). */
  private diff(book: BinanceBook, symbol: string): unknown {
    const sent = this.sentBook(book, symbol);
    const snapshot = this.engine.market.book(book, symbol, DIFF_LEVELS);
    const next = levelMap(snapshot.bids, snapshot.asks);
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    const note = (key: string, qty: string): void => {
      const [side, price = ''] = key.split(':');
      (side === 'b' ? bids : asks).push([dec(price), dec(qty)]);
    };
    for (const [key, qty] of next) if (sent.levels.get(key) !== qty) note(key, qty);
    for (const key of sent.levels.keys()) if (!next.has(key)) note(key, '0');
    if (bids.length === 0 && asks.length === 0) return undefined;
    bids.sort((x, y) => y[0].cmp(x[0]));
    asks.sort((x, y) => x[0].cmp(y[0]));
    const event = diffDepthEvent(
      book,
      symbol,
      {
        firstUpdateId: sent.updateId + 1,
        finalUpdateId: snapshot.updateId,
        previousFinal: sent.updateId,
        time: snapshot.time,
      },
      bids,
      asks,
    );
    this.sentBooks.set(`${book}:${symbol}`, { levels: next, updateId: snapshot.updateId });
    return event;
  }

  /**
   * Trades: `@trade` at once; `@aggTrade` grouped as the REST aggTrades groups them — spot
   * within one engine step (one taker order's fills at one time), USDT-M within 100 ms.
   */
  private onTrade(book: MarketBook, trade: PublicTrade): void {
    if (book !== 'binanceSpot' && book !== 'binanceFutures') return;
    const now = this.now();
    for (const [socket, connection, stream] of this.live(trade.symbol, (s) => s.kind === 'trade' && s.book === book))
      this.push(socket, connection, stream, tradeEvent(book, trade, now));
    const key = `${book}:${trade.symbol}`;
    const pending = this.pendingTrades.get(key);
    const wanted = (s: MarketStream): boolean => s.kind === 'aggTrade' && s.book === book;
    if (!pending && this.live(trade.symbol, wanted).next().done === true) return;
    if (pending) {
      pending.trades.push(trade);
      return;
    }
    this.pendingTrades.set(key, { book, trades: [trade] });
    const flush = (): void => this.flushTrades(key);
    if (book === 'binanceSpot') process.nextTick(flush);
    else setTimeout(flush, 100).unref();
  }

  private flushTrades(key: string): void {
    const pending = this.pendingTrades.get(key);
    this.pendingTrades.delete(key);
    const first = pending?.trades[0];
    if (!pending || !first) return;
    const together = aggregatesTogether(pending.book);
    const groups: PublicTrade[][] = [];
    for (const trade of pending.trades) {
      const group = groups.at(-1);
      const head = group?.[0];
      if (group && head && together(head, trade)) group.push(trade);
      else groups.push([trade]);
    }
    const now = this.now();
    for (const group of groups) {
      const [head] = group;
      const last = group.at(-1);
      if (!head || !last) continue;
      const aggregate = {
        id: head.id,
        firstId: head.id,
        lastId: last.id,
        price: head.price,
        qty: str(group.reduce((sum, t) => sum.add(t.qty), dec('0'))),
        time: head.time,
        isBuyerMaker: head.isBuyerMaker,
      };
      for (const [socket, connection, stream] of this.live(
        first.symbol,
        (s) => s.kind === 'aggTrade' && s.book === pending.book,
      ))
        this.push(socket, connection, stream, aggTradeEvent(pending.book, first.symbol, aggregate, now));
    }
  }
}

function levelMap(bids: readonly BookLevel[], asks: readonly BookLevel[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const [price, qty] of bids) map.set(`b:${price.toString()}`, qty.toString());
  for (const [price, qty] of asks) map.set(`a:${price.toString()}`, qty.toString());
  return map;
}
