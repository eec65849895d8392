import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeRateLimitError } from '../../src/exchange/errors.ts';
import { startDesk } from './desk.ts';
import { binanceError, bitgetError, expectNothingSecret, failure, limitBuy } from './error-helpers.ts';
import { ManualClock, settle } from './manual-clock.ts';
import { startStubExchange, type StubExchange } from './stub-exchange.ts';

const ACCOUNT = 'GET /api/v3/account';
const ORDER = 'POST /api/v3/order';
const ASSETS = 'GET /api/v2/spot/account/assets';

describe('rate limits, as the exchanges signal them', () => {
  let stub: StubExchange;
  beforeAll(async () => {
    stub = await startStubExchange();
  });
  afterAll(async () => {
    await stub.stop();
  });

  async function deskWithClock() {
    const clock = new ManualClock(Date.now());
    const desk = await startDesk(stub, { clock });
    return { clock, desk };
  }

  it('a 429 makes every account on the host wait until retry-after, then go', async () => {
    const { clock, desk } = await deskWithClock();
    const leader = await desk.addAccount('lead', 'binance', 'spot');
    await desk.addAccount('f1', 'binance', 'spot');
    const lead = await desk.clients.for('lead');
    const f1 = await desk.clients.for('f1');
    stub.reply(ACCOUNT, {
      status: 429,
      headers: { 'Retry-After': '7' },
      json: { code: -1003, msg: 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute.' },
    });

    const err = await failure(lead.fetchBalance());
    expect(err).toBeInstanceOf(ExchangeRateLimitError);
    expect(err.message).toBe(
      'Account lead: Binance rate limit reached (-1003). Requests wait 7 s before going out again; nothing was sent.',
    );
    expectNothingSecret(err, leader);
    expect(desk.clients.budget.pausedUntil('binance-spot-paper')).toBe(clock.now() + 7000);

    const sent = stub.count(ACCOUNT);
    stub.reply(ACCOUNT, { json: { balances: [{ asset: 'BTC', free: '0.5', locked: '0' }] } });
    const waiting = f1.fetchBalance();
    await settle();
    expect(clock.sleeping).toBe(1);
    expect(stub.count(ACCOUNT)).toBe(sent);
    await clock.advance(7000);
    await expect(waiting).resolves.toHaveLength(1);
    expect(stub.count(ACCOUNT)).toBe(sent + 1);
    await desk.close();
  });

  it('a 418 ban names the time it ends', async () => {
    const { clock, desk } = await deskWithClock();
    await desk.addAccount('main', 'binance', 'usdm');
    const main = await desk.clients.for('main');
    const until = clock.now() + 3_600_000;
    stub.reply('GET /fapi/v3/account', {
      status: 418,
      json: {
        code: -1003,
        msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
      },
    });
    const err = await failure(main.fetchBalance());
    expect(err).toBeInstanceOf(ExchangeRateLimitError);
    expect(err.key).toBe('exchange.ip_banned');
    expect(err).toMatchObject({ retryAt: until });
    expect(err.message).toContain(`until ${new Date(until).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    expect(desk.clients.budget.pausedUntil('binance-usdm-paper')).toBe(until);
    await desk.close();
  });

  it('-1003 with HTTP 400 (ccxt: RateLimitExceeded) is a rate limit too', async () => {
    const { desk } = await deskWithClock();
    await desk.addAccount('sub_b', 'binance', 'spot');
    const subB = await desk.clients.for('sub_b');
    stub.reply(
      ACCOUNT,
      binanceError(-1003, 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.'),
    );
    const err = await failure(subB.fetchBalance());
    expect(err).toBeInstanceOf(ExchangeRateLimitError);
    expect(desk.clients.budget.pausedUntil('binance-spot-paper')).toBeDefined();
    await desk.close();
  });

  it("-1015 (too many orders) pauses only that account's orders", async () => {
    const { desk } = await deskWithClock();
    await desk.addAccount('f1', 'binance', 'spot');
    const f1 = await desk.clients.for('f1');
    stub.reply(ORDER, binanceError(-1015, 'Too many new orders; current limit is 100 orders per 10 SECOND.', 429));
    const err = await failure(f1.placeOrder(limitBuy()));
    expect(err).toBeInstanceOf(ExchangeRateLimitError);
    expect(desk.clients.budget.pausedUntil('binance-spot-paper')).toBeUndefined();
    expect(desk.clients.budget.pausedUntil('binance-spot-paper', 'f1')).toBeDefined();
    await desk.close();
  });

  it('Bitget 429 is a rate limit of that account', async () => {
    const { desk } = await deskWithClock();
    const credentials = await desk.addAccount('f2', 'bitget', 'spot');
    const f2 = await desk.clients.for('f2');
    stub.reply(ASSETS, bitgetError('429', 'Too Many Requests', 429));
    const err = await failure(f2.fetchBalance());
    expect(err).toBeInstanceOf(ExchangeRateLimitError);
    expect(err.exchangeCode).toBe('429');
    expectNothingSecret(err, credentials);
    expect(desk.clients.budget.pausedUntil('bitget-spot-paper', 'f2')).toBeDefined();
    expect(desk.clients.budget.pausedUntil('bitget-spot-paper')).toBeUndefined();
    await desk.close();
  });
});
