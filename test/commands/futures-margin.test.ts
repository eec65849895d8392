import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallerRef } from '../../src/services/identity.ts';
import { binanceUsdm } from '../emulator/ccxt-clients.ts';
import { grantUser, telegramUser } from '../support/harness.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';
import { refusedFor, refusedOnConsole } from '../support/refusals.ts';

/**
 * A futures order the account cannot margin is refused before anything asks to confirm, with
 * what it needs at the account's leverage and what is available, in the caller's language —
 * read from the exchange through ccxt, so the refusal and the exchange's own (-2019) agree.
 * Orders that only reduce are never refused for margin; when the figures cannot be read, the
 * order goes on to the confirmation and the exchange judges it.
 */
let d: PaperDesk;
const ZH: CallerRef = telegramUser('7101', 'zh-hans');
const ONE_WAY = 'ow';
const UNDERWATER = 'ow_short';
const BITGET = 'bgf';
const BITGET_PROFIT = 'bgf_up';
const EMPTY = 'empty';

async function openAccount(id: string, exchange: 'binance' | 'bitget'): Promise<void> {
  const { accounts, paper } = d.app.services;
  const account = await accounts.create(
    { id, name: `${id} (USDT-M)`, exchange, market: 'usdm', env: 'paper' },
    {
      apiKey: `${id}-api-key-0001`.padEnd(64, '0'),
      secret: `${id}-api-secret-0001`,
      ...(exchange === 'bitget' ? { passphrase: `${id}-passphrase` } : {}),
    },
  );
  await paper?.register(account);
}

/** The account's leverage on BTCUSDT, set the way a trader does on the exchange's site. */
async function setLeverage(accountId: string, leverage: number): Promise<void> {
  const { apiKey, secret } = await d.app.services.accounts.credentialsFor(accountId);
  const client = binanceUsdm(d.emulator, { apiKey, secret });
  try {
    await client.setLeverage(leverage, 'BTC/USDT:USDT');
  } finally {
    await client.close();
  }
}

/** The account starts again on the exchange with nothing in its futures wallet. */
async function emptyFuturesWallet(accountId: string): Promise<void> {
  const { apiKey, secret } = await d.app.services.accounts.credentialsFor(accountId);
  d.emulator.createAccount({
    id: accountId,
    exchange: 'binance',
    apiKey,
    secret,
    spot: { USDT: '10000' },
    futures: {},
    hedgeMode: true,
    reset: true,
  });
}

beforeAll(async () => {
  d = await startPaperDesk();
  await grantUser(d.app, ZH, 'owner');
  await openAccount(ONE_WAY, 'binance');
  await (await d.app.services.exchanges.for(ONE_WAY)).setPositionMode('oneway');
  await openAccount(UNDERWATER, 'binance');
  await (await d.app.services.exchanges.for(UNDERWATER)).setPositionMode('oneway');
  await openAccount(BITGET, 'bitget');
  await openAccount(BITGET_PROFIT, 'bitget');
  await openAccount(EMPTY, 'binance');
  await emptyFuturesWallet(EMPTY);
});
afterAll(async () => d.close());
beforeEach(() => d.emulator.setPrice('BTCUSDT', '60000'));

const refused = (line: string) => refusedOnConsole(d, line);
const refusedZh = (line: string) => refusedFor(d, ZH, line);

const placed = () =>
  (d.emulator.requests()['POST /fapi/v1/order'] ?? 0) +
  (d.emulator.requests()['POST /api/v2/mix/order/place-order'] ?? 0);
const booked = async (accountId: string) => ({
  orders: await d.app.services.db.order.count({ where: { accountId } }),
  vps: await d.app.services.db.virtualPosition.count({ where: { accountId } }),
});

describe('an order the account cannot margin is refused before the confirmation, nothing sent', () => {
  it('100 BTC on main: 300000 USDT at 20x against the 50000 available, in both languages', async () => {
    const sent = placed();
    const before = await booked('main');
    expect(await refused('/order main BTC/USDT buy 100')).toBe(
      'Account main: this order needs about 300000 USDT of margin at 20x leverage, and 50000 USDT is available. Nothing was sent.',
    );
    expect(await refusedZh('/order main BTC/USDT buy 100')).toBe(
      '账户 main：按 20 倍杠杆，该订单约需保证金 300000 USDT，可用保证金只有 50000 USDT。未发送任何订单。',
    );
    // The 1000000 BTC goes no further: above the largest order, before any margin is read.
    expect(await refused('/order main BTC/USDT sell 1000000 short')).toContain('is above the largest order');
    expect(placed()).toBe(sent);
    expect(await booked('main')).toEqual(before);
  });

  it("at the account's own leverage, and a limit order at its limit price, rounded up to the cent", async () => {
    await setLeverage('main', 3);
    try {
      expect(await refused('/order main BTC/USDT sell 2.5 61000.1 short')).toBe(
        'Account main: this order needs about 50833.42 USDT of margin at 3x leverage, and 50000 USDT is available. Nothing was sent.',
      );
      const { done } = await d.confirmed('/order main BTC/USDT sell 2.4 61000.1 short vp=margin_limit');
      expect(done).toMatch(/order #\d+ .* OPEN, filled 0/);
      await d.confirmed(`/cancel main ${/#(\d+)/.exec(done)?.[1] ?? ''}`);
      expect(await d.app.services.orders.liveOrderCount('main')).toBe(0);
    } finally {
      await setLeverage('main', 20);
    }
  });

  it('on Bitget USDT-M too: read with its account endpoint', async () => {
    const sent = placed();
    expect(await refused(`/order ${BITGET} BTC/USDT buy 10`)).toBe(
      `Account ${BITGET}: this order needs about 30000 USDT of margin at 20x leverage, and 10000 USDT is available. Nothing was sent.`,
    );
    expect(await refusedZh(`/order ${BITGET} BTC/USDT buy 10`)).toBe(
      `账户 ${BITGET}：按 20 倍杠杆，该订单约需保证金 30000 USDT，可用保证金只有 10000 USDT。未发送任何订单。`,
    );
    expect(placed()).toBe(sent);
    const { done } = await d.confirmed(`/order ${BITGET} BTC/USDT buy 0.01`);
    expect(done).toMatch(/FILLED, filled 0\.01 at 60000/);
  });
});

describe('the margin figures are the ones the exchange judges by', () => {
  it('one-way mode: the position is valued at the mark, so a buy below it against an underwater short needs none', async () => {
    // Short 1 at 60000, marked at 67000: the loss and the margin leave nothing available.
    await d.confirmed(`/order ${UNDERWATER} BTC/USDT sell 1 short vp=down`);
    d.emulator.setPrice('BTCUSDT', '67000');
    expect(d.emulator.balances(UNDERWATER).futures['USDT']).toMatchObject({ available: '0' });
    // 2.5 at 40000 (100000) against the short worth 67000 lands on a long worth 33000 at the mark:
    // no more exposure, as Binance counts it (valued at 40000, the short would have seemed 1000 USDT short).
    const { done } = await d.confirmed(`/order ${UNDERWATER} BTC/USDT buy 2.5 40000 vp=dip`);
    expect(done).toMatch(/order #\d+ .* OPEN, filled 0/);
    // 6 more at 40000 beside it: bids of 340000 against the short worth 67000, 206000 past it.
    expect(await refused(`/order ${UNDERWATER} BTC/USDT buy 6 40000 vp=dip`)).toBe(
      `Account ${UNDERWATER}: this order needs about 10300 USDT of margin at 20x leverage, and 0 USDT is available. Nothing was sent.`,
    );
    await d.confirmed(`/cancel ${UNDERWATER} ${/#(\d+)/.exec(done)?.[1] ?? ''}`);
    expect(await d.app.services.orders.liveOrderCount(UNDERWATER)).toBe(0);
  });

  it("Bitget: judged against crossedMaxAvailable, a profitable position's margin, not ccxt's free", async () => {
    await d.confirmed(`/order ${BITGET_PROFIT} BTC/USDT buy 2 vp=up`);
    // At 110000: Bitget's available is -1072 and maxTransferOut (ccxt's free) 0, crossedMaxAvailable 98928.
    d.emulator.setPrice('BTCUSDT', '110000');
    const { done } = await d.confirmed(`/order ${BITGET_PROFIT} BTC/USDT buy 4 vp=up`);
    expect(done).toMatch(/FILLED, filled 4 at 110000/);
    // 98928 less the 22000 of margin and the 264 of fee of those 4.
    expect(await refused(`/order ${BITGET_PROFIT} BTC/USDT buy 20 vp=up`)).toBe(
      `Account ${BITGET_PROFIT}: this order needs about 110000 USDT of margin at 20x leverage, and 76664 USDT is available. Nothing was sent.`,
    );
  });

  it('an empty futures wallet has 0 available: the order is refused, not let through unchecked', async () => {
    const logged = d.desk.logs.length;
    expect(await refused(`/order ${EMPTY} BTC/USDT buy 0.01`)).toBe(
      `Account ${EMPTY}: this order needs about 30 USDT of margin at 20x leverage, and 0 USDT is available. Nothing was sent.`,
    );
    expect(d.desk.logs.slice(logged).filter((line) => line.includes('futures margin not checked'))).toEqual([]);
  });
});

describe('a prompt yes sends without reading the margin again', () => {
  it('the figures read for the confirmation stand for the send', async () => {
    d.emulator.resetRequests();
    expect(await d.say('/order main BTC/USDT buy 0.01 vp=prompt')).toContain('Type yes');
    const margin = ['GET /fapi/v1/symbolConfig', 'GET /fapi/v3/account'];
    expect(Object.keys(d.emulator.requests())).toEqual(expect.arrayContaining(margin));
    d.emulator.resetRequests();
    expect(await d.say('yes')).toMatch(/FILLED, filled 0\.01 at 60000/);
    const sent = Object.keys(d.emulator.requests());
    expect(sent).toContain('POST /fapi/v1/order');
    expect(sent.filter((read) => margin.includes(read))).toEqual([]);
  });
});

describe('an order the account can margin still confirms', () => {
  it('0.01 BTC on main asks to confirm and fills', async () => {
    const { ask, done } = await d.confirmed('/order main BTC/USDT buy 0.01 vp=plain');
    expect(ask).toContain('buy 0.01 BTC/USDT:USDT');
    expect(done).toMatch(/FILLED, filled 0\.01 at 60000/);
  });

  it('the same in Chinese', async () => {
    const reply = await d.app.dispatcher.handleLine(ZH, '/order main BTC/USDT buy 0.01 vp=plain');
    expect(reply?.confirmation).toBeDefined();
    expect(reply?.text).toContain('买入 0.01 BTC/USDT:USDT');
    const done = await d.app.dispatcher.handleAction(ZH, reply?.buttons?.[0]?.[0]?.data ?? '');
    expect(done?.text).toMatch(/已成交，成交 0\.01，均价 60000/);
  });
});

describe('orders that reduce are never refused for margin', () => {
  it('hedge mode: with no margin left, closing the long confirms and fills; adding to it is refused', async () => {
    await d.confirmed('/order sub_a BTC/USDT buy 3 vp=heavy');
    // 3 BTC long at 60000, now 57000: the loss and the margin leave nothing available.
    d.emulator.setPrice('BTCUSDT', '57000');
    expect(d.emulator.balances('sub_a').futures['USDT']).toMatchObject({ available: '0' });
    expect(await refused('/order sub_a BTC/USDT buy 0.01 vp=heavy')).toBe(
      'Account sub_a: this order needs about 28.5 USDT of margin at 20x leverage, and 0 USDT is available. Nothing was sent.',
    );

    const { ask, done } = await d.confirmed('/vp close sub_a heavy 50');
    expect(ask).toContain('Type yes');
    expect(done).toMatch(/FILLED, filled 1\.5 at 57000/);
    const sold = await d.app.dispatcher.handleLine(ZH, '/order sub_a BTC/USDT sell 1 long vp=heavy');
    expect(sold?.confirmation, sold?.text).toBeDefined();
    await d.app.dispatcher.handleAction(ZH, sold?.buttons?.[0]?.[0]?.data ?? '');
    expect(d.emulator.positions('sub_a')).toMatchObject([{ positionSide: 'LONG', positionAmt: '0.5' }]);
  });

  it('one-way mode: an order against the net position needs no margin; past twice its size it does', async () => {
    await d.confirmed(`/order ${ONE_WAY} BTC/USDT buy 3 vp=up`);
    d.emulator.setPrice('BTCUSDT', '57000');
    // A short VP's sell against the net long of 3: it reduces the exchange's position, so it confirms,
    // and the exchange takes it without margin (it is no reduce-only order: the short VP grows).
    const { done } = await d.confirmed(`/order ${ONE_WAY} BTC/USDT sell 2 short vp=down`);
    expect(done).toMatch(/FILLED, filled 2 at 57000/);
    expect(d.emulator.positions(ONE_WAY)).toMatchObject([{ positionSide: 'BOTH', positionAmt: '1' }]);
    // 8 more against the long of 1 leave a short of 7: 6 BTC more exposure, 17100 USDT at 20x.
    expect(await refused(`/order ${ONE_WAY} BTC/USDT sell 8 short vp=down`)).toBe(
      `Account ${ONE_WAY}: this order needs about 17100 USDT of margin at 20x leverage, and 0 USDT is available. Nothing was sent.`,
    );
    // The long VP still closes (reduce-only), up to what the net position holds.
    expect((await d.confirmed(`/vp close ${ONE_WAY} up 25`)).done).toMatch(/FILLED, filled 0\.75 at 57000/);
  });
});

describe('figures that cannot be read do not block the order', () => {
  it('leverage unreadable: the order is confirmed, the exchange refuses it (-2019), and the log says why at debug', async () => {
    d.emulator.fault('main', {
      endpoint: 'GET /fapi/v1/symbolConfig',
      failNext: { count: 2, httpStatus: 503, code: -1001, msg: 'Internal error; unable to process your request.' },
    });
    const { ask, done } = await d.confirmed('/order main BTC/USDT buy 100 vp=unread');
    expect(ask).toContain('Type yes');
    expect(done).toContain('Account main: not enough margin on Binance for this order (-2019).');
    const notes = d.desk.logs.filter((line) => line.includes('futures margin not checked before confirming'));
    expect(notes.length).toBe(2);
    expect(JSON.parse(notes[0] ?? '{}')).toMatchObject({
      level: 20,
      accountId: 'main',
      symbol: 'BTC/USDT:USDT',
      reason: 'the margin figures could not be read',
    });
  });
});
