import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccountDisabledError,
  DuplicateClientOrderIdError,
  ExchangeAuthError,
  ExchangeClockError,
  ExchangeUnavailableError,
  InsufficientFundsError,
  InvalidParameterError,
  OrderNotFoundError,
  OrderRejectedError,
  OrderStatusUnknownError,
  type ExchangeRequestError,
} from '../../src/exchange/errors.ts';
import type { AccountExchange, ExchangeId, MarketKind } from '../../src/exchange/types.ts';
import { startDesk, type Desk } from './desk.ts';
import { binanceError, bitgetError, expectNothingSecret, failure, limitBuy } from './error-helpers.ts';
import { startStubExchange, type StubExchange, type StubReply } from './stub-exchange.ts';

type ErrorType = abstract new (...args: never[]) => ExchangeRequestError;

/** A call of the account API and the exchange endpoint it reaches. */
interface Call {
  endpoint: string;
  act: (exchange: AccountExchange) => Promise<unknown>;
}

const ACCOUNT = 'GET /api/v3/account';
const ORDER = 'POST /api/v3/order';
const openLong = limitBuy({
  type: 'market',
  price: undefined,
  positionSide: 'LONG',
  clientOrderId: 'hs-main-vp1-0002',
});
const marketBuyUsdt = limitBuy({ type: 'market', amount: undefined, price: undefined, cost: new Decimal('25') });

const BALANCE: Call = { endpoint: ACCOUNT, act: (ex) => ex.fetchBalance() };
const PLACE: Call = { endpoint: ORDER, act: (ex) => ex.placeOrder(limitBuy()) };
const CANCEL: Call = { endpoint: 'DELETE /api/v3/order', act: (ex) => ex.cancelOrder('BTCUSDT', { id: '42' }) };
const PLACE_USDM: Call = { endpoint: 'POST /fapi/v1/order', act: (ex) => ex.placeOrder(openLong) };
const BITGET_BALANCE: Call = { endpoint: 'GET /api/v2/spot/account/assets', act: (ex) => ex.fetchBalance() };
const BITGET_BUY: Call = { endpoint: 'POST /api/v2/spot/trade/place-order', act: (ex) => ex.placeOrder(marketBuyUsdt) };
const BITGET_LIMIT: Call = { endpoint: 'POST /api/v2/spot/trade/place-order', act: (ex) => ex.placeOrder(limitBuy()) };
const BITGET_CANCEL: Call = {
  endpoint: 'POST /api/v2/spot/trade/cancel-order',
  act: (ex) => ex.cancelOrder('BTCUSDT', { id: '42' }),
};

interface Case extends Call {
  name: string;
  exchange: ExchangeId;
  market: MarketKind;
  reply: StubReply;
  error: ErrorType;
  key: string;
  code: string | undefined;
}

function on(exchange: ExchangeId, market: MarketKind) {
  return (call: Call, reply: StubReply, error: ErrorType, key: string): Case => {
    const body = (reply.json ?? {}) as { code?: number | string; msg?: string };
    const code = body.code === undefined ? undefined : String(body.code);
    const said = code ? `${code} "${body.msg ?? ''}"` : `HTTP ${String(reply.status)} "${reply.text ?? ''}"`;
    return { ...call, name: `${exchange} ${market}: ${said}`, exchange, market, reply, error, key, code };
  };
}
const spot = on('binance', 'spot');
const usdm = on('binance', 'usdm');
const bitget = on('bitget', 'spot');

/** Every code of the brief: the exchange's answer, and what the trader is told. */
const CASES: Case[] = [
  spot(BALANCE, binanceError(-2014, 'API-key format invalid.', 401), ExchangeAuthError, 'auth_rejected'),
  spot(BALANCE, binanceError(-1022, 'Signature for this request is not valid.'), ExchangeAuthError, 'auth_rejected'),
  spot(
    BALANCE,
    binanceError(-1021, 'Timestamp for this request is outside of the recvWindow.'),
    ExchangeClockError,
    'clock_skew',
  ),
  spot(
    PLACE,
    binanceError(-2010, 'Account has insufficient balance for requested action.'),
    InsufficientFundsError,
    'insufficient_funds',
  ),
  spot(PLACE, binanceError(-2010, 'Duplicate order sent.'), DuplicateClientOrderIdError, 'duplicate_client_id'),
  spot(PLACE, binanceError(-2010, 'Order would immediately match and take.'), OrderRejectedError, 'rejected'),
  spot(CANCEL, binanceError(-2011, 'Unknown order sent.'), OrderNotFoundError, 'order_not_found'),
  spot(PLACE, binanceError(-1013, 'Filter failure: LOT_SIZE'), OrderRejectedError, 'rejected_lot_size'),
  spot(PLACE, binanceError(-1013, 'Filter failure: NOTIONAL'), OrderRejectedError, 'rejected_min_notional'),
  spot(PLACE, binanceError(-1013, 'Filter failure: PRICE_FILTER'), OrderRejectedError, 'rejected_price'),
  spot(
    PLACE,
    binanceError(-1111, 'Precision is over the maximum defined for this asset.'),
    OrderRejectedError,
    'rejected_precision',
  ),
  spot(
    PLACE,
    binanceError(-1106, "Parameter 'reduceOnly' sent when not required."),
    InvalidParameterError,
    'invalid_parameter',
  ),
  spot(BALANCE, { status: 502, text: '<html>502 Bad Gateway</html>' }, ExchangeUnavailableError, 'unavailable'),
  spot(
    BALANCE,
    binanceError(-1007, 'Timeout waiting for response from backend server.'),
    ExchangeUnavailableError,
    'timeout',
  ),
  // ccxt picks its exception table by host: off binance.com these two are plain ExchangeError.
  usdm(PLACE_USDM, binanceError(-2019, 'Margin is insufficient.'), InsufficientFundsError, 'margin_insufficient'),
  usdm(
    PLACE_USDM,
    binanceError(-4164, "Order's notional must be no smaller than 100."),
    OrderRejectedError,
    'rejected_min_notional',
  ),
  usdm(
    PLACE_USDM,
    binanceError(-4116, 'ClientOrderId is duplicated.'),
    DuplicateClientOrderIdError,
    'duplicate_client_id',
  ),
  bitget(BITGET_BALANCE, bitgetError('40006', 'Invalid ACCESS_KEY'), ExchangeAuthError, 'auth_rejected'),
  bitget(BITGET_BALANCE, bitgetError('40037', 'Apikey does not exist'), ExchangeAuthError, 'auth_rejected'),
  bitget(BITGET_BALANCE, bitgetError('40012', 'apikey/password is incorrect'), ExchangeAuthError, 'auth_rejected'),
  bitget(BITGET_BALANCE, bitgetError('40009', 'sign signature error'), ExchangeAuthError, 'auth_rejected'),
  bitget(BITGET_BUY, bitgetError('43012', 'Insufficient balance'), InsufficientFundsError, 'insufficient_funds'),
  bitget(
    BITGET_LIMIT,
    bitgetError('43118', 'clientOrderId duplicate'),
    DuplicateClientOrderIdError,
    'duplicate_client_id',
  ),
  bitget(
    BITGET_BUY,
    bitgetError('45110', 'less than the minimum amount 5 USDT'),
    OrderRejectedError,
    'rejected_min_notional',
  ),
  bitget(
    BITGET_LIMIT,
    bitgetError('45111', 'less than the minimum order quantity'),
    OrderRejectedError,
    'rejected_lot_size',
  ),
  bitget(BITGET_CANCEL, bitgetError('43025', 'Plan order does not exist'), OrderNotFoundError, 'order_not_found'),
];

describe('exchange errors, as real ccxt raises them from real exchange answers', () => {
  let stub: StubExchange;
  let desk: Desk;
  let nextId = 0;

  beforeAll(async () => {
    stub = await startStubExchange();
    desk = await startDesk(stub, { timeoutMs: 400 });
  });
  afterAll(async () => {
    await desk.close();
    await stub.stop();
  });

  async function account(exchange: ExchangeId, market: MarketKind, id = `acct${++nextId}`) {
    const credentials = await desk.addAccount(id, exchange, market);
    return { id, credentials, exchange: await desk.clients.for(id) };
  }

  it.each(CASES)('$name', async (c) => {
    const { credentials, exchange } = await account(c.exchange, c.market);
    stub.reply(c.endpoint, c.reply);
    const err = await failure(c.act(exchange));
    expect(err).toBeInstanceOf(c.error);
    expect(err.key).toBe(`exchange.${c.key}`);
    expect(err.exchangeCode).toBe(c.code);
    expect(err.params['account']).toBe(exchange.accountId);
    expectNothingSecret(err, credentials);
  });

  it('a revoked key (-2015) disables the account and names it; other accounts go on', async () => {
    const subA = await account('binance', 'spot', 'sub_a');
    const subB = await account('binance', 'spot', 'sub_b');
    stub.reply(ACCOUNT, binanceError(-2015, 'Invalid API-key, IP, or permissions for action.', 401));

    const err = await failure(subA.exchange.fetchBalance());
    expect(err).toBeInstanceOf(ExchangeAuthError);
    expect(err.message).toBe(
      'Account sub_a: API key rejected by Binance (-2015). The account is now disabled; fix the key in the admin.',
    );
    expectNothingSecret(err, subA.credentials);
    await expect.poll(async () => (await desk.accounts.get('sub_a')).status).toBe('DISABLED');
    expect((await desk.accounts.get('sub_a')).statusReason).toBe('API key rejected by Binance (-2015)');

    const sent = stub.count(ACCOUNT);
    await expect(subA.exchange.fetchBalance()).rejects.toBeInstanceOf(AccountDisabledError);
    await expect(desk.clients.for('sub_a')).rejects.toBeInstanceOf(AccountDisabledError);
    expect(stub.count(ACCOUNT)).toBe(sent);

    stub.reply(ACCOUNT, { json: { balances: [{ asset: 'USDT', free: '12.5', locked: '0' }] } });
    const lines = await subB.exchange.fetchBalance();
    expect(lines.map((l) => [l.asset, l.free.toString()])).toEqual([['USDT', '12.5']]);
  });

  it('-2015 after an earlier success is still a rejected key, though ccxt calls it DDoSProtection', async () => {
    const { exchange } = await account('binance', 'spot');
    stub.reply(
      ACCOUNT,
      { json: { balances: [] } },
      binanceError(-2015, 'Invalid API-key, IP, or permissions for action.', 401),
    );
    await exchange.fetchBalance();
    const err = await failure(exchange.fetchBalance());
    expect(err.ccxtClass).toBe('DDoSProtection');
    expect(err).toBeInstanceOf(ExchangeAuthError);
  });

  it('an order answered with -1007 is reported unknown by its client id and is not sent again', async () => {
    const { exchange } = await account('binance', 'spot');
    const before = stub.count(ORDER);
    stub.reply(
      ORDER,
      binanceError(
        -1007,
        'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
        408,
      ),
    );
    const err = await failure(exchange.placeOrder(limitBuy({ clientOrderId: 'hs-f1-ev9-0001' })));
    expect(err).toBeInstanceOf(OrderStatusUnknownError);
    expect(err.message).toContain('order hs-f1-ev9-0001 (-1007)');
    expect(stub.count(ORDER)).toBe(before + 1);
  });

  it('an order that times out is unknown; a read that times out is only a timeout', async () => {
    const { credentials, exchange } = await account('binance', 'spot');
    stub.reply(ORDER, { delayMs: 2000, json: {} });
    const placing = await failure(exchange.placeOrder(limitBuy({ clientOrderId: 'hs-f1-ev9-0002' })));
    expect(placing).toBeInstanceOf(OrderStatusUnknownError);
    expect(placing.params['clientOrderId']).toBe('hs-f1-ev9-0002');
    expectNothingSecret(placing, credentials);

    stub.reply(ACCOUNT, { delayMs: 2000, json: {} });
    const reading = await failure(exchange.fetchBalance());
    expect(reading).toBeInstanceOf(ExchangeUnavailableError);
    expect(reading.key).toBe('exchange.timeout');
  });

  it('a 5xx answer to an order leaves it unknown (Binance: "execution status unknown")', async () => {
    const { credentials, exchange } = await account('binance', 'spot');
    stub.reply(ORDER, { status: 503, text: 'Service Unavailable' });
    const err = await failure(exchange.placeOrder(limitBuy()));
    expect(err).toBeInstanceOf(OrderStatusUnknownError);
    expectNothingSecret(err, credentials);
  });

  it('an order to an exchange that refuses the connection was not sent', async () => {
    const gone = await startStubExchange();
    const lonely = await startDesk(gone);
    await lonely.addAccount('f1', 'binance', 'spot');
    const exchange = await lonely.clients.for('f1');
    await gone.stop();
    const err = await failure(exchange.placeOrder(limitBuy()));
    expect(err).toBeInstanceOf(ExchangeUnavailableError);
    expect(err.key).toBe('exchange.unavailable');
    await lonely.close();
  });

  it('an order the exchange does not know is undefined, not an error (Binance -2013, Bitget 43001)', async () => {
    const spot = await account('binance', 'spot');
    stub.reply('GET /api/v3/order', binanceError(-2013, 'Order does not exist.'));
    await expect(spot.exchange.fetchOrder('BTCUSDT', { clientOrderId: 'hs-x' })).resolves.toBeUndefined();
    expect(stub.requests.at(-1)?.query.get('origClientOrderId')).toBe('hs-x');

    const follower = await account('bitget', 'spot');
    stub.reply('GET /api/v2/spot/trade/orderInfo', bitgetError('43001', 'The order does not exist'));
    await expect(follower.exchange.fetchOrder('BTCUSDT', { id: '1' })).resolves.toBeUndefined();
    // Bitget also answers an unknown client id with success and no rows.
    stub.reply('GET /api/v2/spot/trade/orderInfo', {
      json: { code: '00000', msg: 'success', requestTime: 1, data: [] },
    });
    await expect(follower.exchange.fetchOrder('BTCUSDT', { clientOrderId: 'hs-y' })).resolves.toBeUndefined();
    expect(stub.requests.at(-1)?.query.get('clientOid')).toBe('hs-y');
  });
});
