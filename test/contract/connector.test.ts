import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.ts';
import {
  ExchangeAuthError,
  ExchangeNotSupportedError,
  ExchangeRateLimitError,
  InsufficientFundsError,
  OrderRejectedError,
  OrderStatusUnknownError,
} from '../../src/exchange/errors.ts';
import type { AccountExchange, ExchangeTrade } from '../../src/exchange/types.ts';
import type { DeskEvent } from '../../src/services/events.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';
import { FAST_STREAMS } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The connector contract: one set of scenarios, run for every venue hedgestack trades on,
 * through the real exchange layer and real ccxt against the emulator's wire protocol.
 */
interface Venue {
  name: string;
  account: string;
  market: 'spot' | 'usdm';
  symbol: string;
  exchangeSymbol: string;
  /** An amount that passes the venue's minimums at the test price. */
  qty: string;
  quoteAsset: string;
  /** The REST call behind fetchBalance, where key faults are injected. */
  balanceEndpoint: string;
  authFailure: { httpStatus: number; code: number | string; msg: string };
}

const BINANCE_AUTH = { httpStatus: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' };
const BITGET_AUTH = { httpStatus: 400, code: '40006', msg: 'Invalid ACCESS_KEY' };
/** A Bitget USDT-M (v2 mix) paper account, hedge mode; the demo desk has none. */
const BITGET_USDM = 'bg_usdm';

const VENUES: Venue[] = [
  {
    name: 'binance spot',
    account: 'sub_b',
    market: 'spot',
    symbol: 'BTC/USDT',
    exchangeSymbol: 'BTCUSDT',
    qty: '0.01',
    quoteAsset: 'USDT',
    balanceEndpoint: 'GET /api/v3/account',
    authFailure: BINANCE_AUTH,
  },
  {
    name: 'binance usdm',
    account: 'main',
    market: 'usdm',
    symbol: 'BTC/USDT:USDT',
    exchangeSymbol: 'BTCUSDT',
    qty: '0.01',
    quoteAsset: 'USDT',
    balanceEndpoint: 'GET /fapi/v3/account',
    authFailure: BINANCE_AUTH,
  },
  {
    name: 'bitget spot',
    account: 'f2',
    market: 'spot',
    symbol: 'BTC/USDT',
    exchangeSymbol: 'BTCUSDT',
    qty: '0.001',
    quoteAsset: 'USDT',
    balanceEndpoint: 'GET /api/v2/spot/account/assets',
    authFailure: BITGET_AUTH,
  },
  {
    name: 'bitget usdm',
    account: BITGET_USDM,
    market: 'usdm',
    symbol: 'BTC/USDT:USDT',
    exchangeSymbol: 'BTCUSDT',
    qty: '0.01',
    quoteAsset: 'USDT',
    balanceEndpoint: 'GET /api/v2/mix/account/accounts',
    authFailure: BITGET_AUTH,
  },
];

let desk: TestApp;
let emulator: Emulator;
let seq = 0;
const clientId = (tag: string) => `ct${Date.now().toString(36)}${(seq++).toString(36)}${tag}`.slice(0, 30);

beforeAll(async () => {
  desk = await startTestApp({}, { streamTiming: FAST_STREAMS });
  const paper = desk.app.services.paper;
  if (!paper) throw new Error('paper exchange not running');
  emulator = paper.emulator;
  emulator.setPrice('BTCUSDT', '60000');
  const account = await desk.app.services.accounts.create(
    { id: BITGET_USDM, name: 'Bitget USDT-M futures', exchange: 'bitget', market: 'usdm', env: 'paper' },
    { apiKey: 'bg-usdm-contract-key', secret: 'bg-usdm-contract-secret', passphrase: 'bg-usdm-pass' },
  );
  await paper.register(account);
});
afterAll(async () => desk.close());

describe.each([
  { name: 'binance usdm', account: 'sub_a' },
  { name: 'bitget usdm', account: BITGET_USDM },
])('$name hedge mode and conditional orders', ({ account }) => {
  it('holds LONG and SHORT at once, closes each by its side, and a stop triggers on price', async () => {
    const ex = await desk.app.services.exchanges.for(account);
    emulator.setPrice('BTCUSDT', '60000');
    const symbol = 'BTC/USDT:USDT';
    await ex.placeOrder({
      symbol,
      side: 'buy',
      type: 'market',
      amount: new Decimal('0.01'),
      positionSide: 'LONG',
      clientOrderId: clientId('hl'),
    });
    await ex.placeOrder({
      symbol,
      side: 'sell',
      type: 'market',
      amount: new Decimal('0.02'),
      positionSide: 'SHORT',
      clientOrderId: clientId('hs'),
    });
    const positions = await ex.fetchPositions();
    expect(positions.find((p) => p.side === 'LONG')?.contracts.toString()).toBe('0.01');
    expect(positions.find((p) => p.side === 'SHORT')?.contracts.toString()).toBe('0.02');

    await ex.placeConditionalOrder({
      symbol,
      side: 'buy',
      kind: 'stop',
      triggerPrice: new Decimal('61000'),
      closePosition: true,
      positionSide: 'SHORT',
      clientOrderId: clientId('st'),
    });
    emulator.setPrice('BTCUSDT', '61500');
    await waitFor(async () => !(await ex.fetchPositions()).some((p) => p.side === 'SHORT'));

    await ex.placeOrder({
      symbol,
      side: 'sell',
      type: 'market',
      amount: new Decimal('0.01'),
      positionSide: 'LONG',
      clientOrderId: clientId('hc'),
    });
    expect(await ex.fetchPositions()).toEqual([]);
  });
});

describe('binance usdm user-data stream', () => {
  it('an expired listenKey is replaced and fills keep arriving once', async () => {
    const { streams, bus, accounts } = desk.app.services;
    const ex = await desk.app.services.exchanges.for('sub_a');
    const fills: string[] = [];
    const off = bus.on('fill', (e: Extract<DeskEvent, { type: 'fill' }>) => {
      if (e.accountId === 'sub_a') fills.push(e.trade.id);
    });
    await streams.watch(await accounts.get('sub_a'));
    await waitFor(() => streams.status('sub_a')?.health === 'live');
    emulator.expireListenKeys('sub_a');
    const symbol = 'BTC/USDT:USDT';
    const order = await ex.placeOrder({
      symbol,
      side: 'buy',
      type: 'market',
      amount: new Decimal('0.01'),
      positionSide: 'LONG',
      clientOrderId: clientId('lk'),
    });
    await waitFor(async () =>
      (await ex.fetchTrades(symbol)).some((t) => t.orderId === order.id && fills.includes(t.id)),
    );
    await waitFor(() => streams.status('sub_a')?.health === 'live');
    // The new listenKey really streams: the next fill arrives over the socket, not over REST.
    const streamed: string[] = [];
    const offStream = bus.on('fill', (e: Extract<DeskEvent, { type: 'fill' }>) => {
      if (e.accountId === 'sub_a' && e.source === 'stream') streamed.push(e.trade.orderId);
    });
    const next = await ex.placeOrder({
      symbol,
      side: 'sell',
      type: 'market',
      amount: new Decimal('0.01'),
      positionSide: 'LONG',
      clientOrderId: clientId('lk2'),
    });
    await waitFor(() => streamed.includes(next.id));
    expect(new Set(fills).size).toBe(fills.length);
    off();
    offStream();
    await streams.unwatch('sub_a');
  });
});

describe.each(VENUES)('$name connector contract', (venue) => {
  let ex: AccountExchange;
  beforeEach(async () => {
    emulator.clearFaults(venue.account);
    emulator.setPrice(venue.exchangeSymbol, '60000');
    ex = await desk.app.services.exchanges.for(venue.account);
  });

  it('loads markets and resolves symbols as traders type them', () => {
    expect(ex.resolveSymbol(venue.exchangeSymbol.toLowerCase())).toBe(venue.symbol);
    expect(ex.resolveSymbol('BTC/USDT')).toBe(venue.symbol);
    expect(() => ex.resolveSymbol('NOPE/USDT')).toThrow(/NOPE\/USDT/);
  });

  it('reads the balance as decimals', async () => {
    const usdt = (await ex.fetchBalance()).find((l) => l.asset === venue.quoteAsset);
    expect(usdt?.free.greaterThan(0)).toBe(true);
    expect(usdt?.total.equals(usdt.free.plus(usdt.locked))).toBe(true);
  });

  it('reads the leverage the account trades a symbol at, per side (1 on spot)', async () => {
    const expected = venue.market === 'usdm' ? 20 : 1;
    expect(await ex.fetchLeverage(venue.symbol, 'LONG')).toBe(expected);
    expect(await ex.fetchLeverage(venue.symbol, 'SHORT')).toBe(expected);
  });

  it('reads the margin an opening order may use with the leverage (USDT-M only)', async () => {
    if (venue.market === 'spot') {
      await expect(ex.fetchOpeningMargin(venue.symbol, 'LONG')).rejects.toBeInstanceOf(ExchangeNotSupportedError);
      return;
    }
    const { leverage, available } = await ex.fetchOpeningMargin(venue.symbol, 'LONG');
    expect(leverage).toBe(20);
    expect(available.greaterThan(0)).toBe(true);
  });

  it('buys at market, by quote amount on spot', async () => {
    const order = await ex.placeOrder(
      venue.market === 'spot'
        ? { symbol: venue.symbol, side: 'buy', type: 'market', cost: new Decimal('120'), clientOrderId: clientId('mb') }
        : {
            symbol: venue.symbol,
            side: 'buy',
            type: 'market',
            amount: new Decimal(venue.qty),
            positionSide: 'LONG',
            clientOrderId: clientId('mb'),
          },
    );
    const filled = (await ex.fetchOrder(venue.symbol, { id: order.id })) ?? order;
    expect(filled.status).toBe('closed');
    expect(filled.filled.greaterThan(0)).toBe(true);
    if (venue.market === 'spot') expect(filled.cost.toNumber()).toBeCloseTo(120, 0);
  });

  it('sells at market (closes the long on futures)', async () => {
    const order = await ex.placeOrder({
      symbol: venue.symbol,
      side: 'sell',
      type: 'market',
      amount: new Decimal(venue.qty),
      clientOrderId: clientId('ms'),
      ...(venue.market === 'usdm' ? { positionSide: 'LONG' as const } : {}),
    });
    const filled = (await ex.fetchOrder(venue.symbol, { clientOrderId: order.clientOrderId ?? '' })) ?? order;
    expect(filled.status).toBe('closed');
    expect(filled.filled.toString()).toBe(venue.qty);
  });

  it('rests a limit order, fills it when the price crosses, and shows the trade', async () => {
    const id = clientId('lf');
    const order = await ex.placeOrder({
      symbol: venue.symbol,
      side: 'buy',
      type: 'limit',
      price: new Decimal('59000'),
      amount: new Decimal(venue.qty),
      clientOrderId: id,
      ...(venue.market === 'usdm' ? { positionSide: 'LONG' as const } : {}),
    });
    expect(order.status).toBe('open');
    expect((await ex.fetchOpenOrders(venue.symbol)).map((o) => o.clientOrderId)).toContain(id);
    emulator.setPrice(venue.exchangeSymbol, '58900');
    await waitFor(async () => (await ex.fetchOrder(venue.symbol, { clientOrderId: id }))?.status === 'closed');
    const trades = await ex.fetchTrades(venue.symbol);
    expect(trades.some((t) => t.orderId === order.id && t.price.equals(59000))).toBe(true);
  });

  it('cancels a resting order by client id', async () => {
    const id = clientId('lc');
    await ex.placeOrder({
      symbol: venue.symbol,
      side: 'buy',
      type: 'limit',
      price: new Decimal('50000'),
      amount: new Decimal(venue.qty),
      clientOrderId: id,
      ...(venue.market === 'usdm' ? { positionSide: 'LONG' as const } : {}),
    });
    const cancelled = await ex.cancelOrder(venue.symbol, { clientOrderId: id });
    expect(cancelled.status).toBe('canceled');
    expect((await ex.fetchOpenOrders(venue.symbol)).map((o) => o.clientOrderId)).not.toContain(id);
  });

  it('refuses an order below the minimum with the reason', async () => {
    await expect(
      ex.placeOrder({
        symbol: venue.symbol,
        side: 'buy',
        type: 'limit',
        price: new Decimal('60000'),
        amount: new Decimal('0.00001'),
        clientOrderId: clientId('mn'),
        ...(venue.market === 'usdm' ? { positionSide: 'LONG' as const } : {}),
      }),
    ).rejects.toBeInstanceOf(OrderRejectedError);
  });

  it('refuses an order larger than the balance as insufficient funds', async () => {
    await expect(
      ex.placeOrder({
        symbol: venue.symbol,
        side: 'buy',
        type: 'limit',
        price: new Decimal('60000'),
        amount: new Decimal('900'),
        clientOrderId: clientId('if'),
        ...(venue.market === 'usdm' ? { positionSide: 'LONG' as const } : {}),
      }),
    ).rejects.toBeInstanceOf(InsufficientFundsError);
  });

  it('a stream fill reaches the bus once, even across a dropped stream and the REST catch-up', async () => {
    const { streams, bus, accounts } = desk.app.services;
    const fills: ExchangeTrade[] = [];
    const off = bus.on('fill', (e: Extract<DeskEvent, { type: 'fill' }>) => {
      if (e.accountId === venue.account) fills.push(e.trade);
    });
    await streams.watch(await accounts.get(venue.account));
    streams.track(venue.account, venue.symbol);
    await waitFor(() => streams.status(venue.account)?.health === 'live');

    const first = await ex.placeOrder(marketBuy(venue, clientId('s1')));
    await waitFor(() => fills.some((f) => f.orderId === first.id));

    emulator.dropStreams(venue.account);
    const second = await ex.placeOrder(marketBuy(venue, clientId('s2')));
    await waitFor(() => fills.some((f) => f.orderId === second.id));
    await waitFor(() => streams.status(venue.account)?.health === 'live');
    const third = await ex.placeOrder(marketBuy(venue, clientId('s3')));
    await waitFor(() => fills.some((f) => f.orderId === third.id));

    const ids = fills.map((f) => `${f.symbol}:${f.id}`);
    expect(new Set(ids).size).toBe(ids.length);
    off();
    await streams.unwatch(venue.account);
  });

  it('a silent stream is noticed and REST polling delivers the fills meanwhile', async () => {
    const { streams, bus, accounts } = desk.app.services;
    const fills: ExchangeTrade[] = [];
    const off = bus.on('fill', (e: Extract<DeskEvent, { type: 'fill' }>) => {
      if (e.accountId === venue.account) fills.push(e.trade);
    });
    await streams.watch(await accounts.get(venue.account));
    await waitFor(() => streams.status(venue.account)?.health === 'live');
    emulator.silenceStreams(venue.account, true);
    const order = await ex.placeOrder(marketBuy(venue, clientId('si')));
    await waitFor(() => fills.some((f) => f.orderId === order.id), 5_000);
    await waitFor(() => streams.status(venue.account)?.health === 'polling');
    emulator.silenceStreams(venue.account, false);
    off();
    await streams.unwatch(venue.account);
  });

  it('an unknown order status is resolved by looking the order up by client id', async () => {
    const id = clientId('uk');
    emulator.fault(venue.account, { unknownStatusNext: 1 });
    await expect(ex.placeOrder(marketBuy(venue, id))).rejects.toBeInstanceOf(OrderStatusUnknownError);
    const found = await ex.fetchOrder(venue.symbol, { clientOrderId: id });
    expect(found?.clientOrderId).toBe(id);
  });

  it('a rejected key disables the account with the reason, and only that account', async () => {
    const other = VENUES.find((v) => v.account !== venue.account)?.account ?? 'sub_a';
    emulator.fault(venue.account, { endpoint: venue.balanceEndpoint, failNext: { count: 1, ...venue.authFailure } });
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ExchangeAuthError);
    await waitFor(async () => (await desk.app.services.accounts.get(venue.account)).status === 'DISABLED');
    const disabled = await desk.app.services.accounts.get(venue.account);
    expect(disabled.statusReason).toMatch(/key/i);
    expect((await desk.app.services.accounts.get(other)).status).toBe('ACTIVE');
    await desk.app.services.accounts.setStatus(venue.account, 'ACTIVE');
    await desk.app.services.exchanges.invalidate(venue.account);
  });
  it('turns a rate limit into a typed error without disabling the account', async () => {
    // Last in the block: a rate limit pauses this venue's requests, as it must.
    emulator.fault(venue.account, {
      endpoint: venue.balanceEndpoint,
      failNext: {
        count: 1,
        httpStatus: 429,
        code: venue.name.startsWith('bitget') ? '429' : -1003,
        msg: 'Too many requests.',
      },
    });
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(ExchangeRateLimitError);
    expect((await desk.app.services.accounts.get(venue.account)).status).toBe('ACTIVE');
  });
});

function marketBuy(venue: Venue, id: string) {
  return venue.market === 'spot'
    ? {
        symbol: venue.symbol,
        side: 'buy' as const,
        type: 'market' as const,
        cost: new Decimal('50'),
        clientOrderId: id,
      }
    : {
        symbol: venue.symbol,
        side: 'buy' as const,
        type: 'market' as const,
        amount: new Decimal(venue.qty),
        positionSide: 'LONG' as const,
        clientOrderId: id,
      };
}
