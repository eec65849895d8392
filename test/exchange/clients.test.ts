import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExchangeUnavailableError } from '../../src/exchange/errors.ts';
import { startDesk, type Desk } from './desk.ts';
import { startStubExchange, type StubExchange } from './stub-exchange.ts';

const SPOT_INFO = 'GET /api/v3/exchangeInfo';
const USDM_INFO = 'GET /fapi/v1/exchangeInfo';
const BITGET_SYMBOLS = 'GET /api/v2/spot/public/symbols';

describe('exchange clients', () => {
  let stub: StubExchange;
  let desk: Desk;

  beforeAll(async () => {
    stub = await startStubExchange();
  });
  afterAll(async () => {
    await stub.stop();
  });
  afterEach(async () => {
    await desk.close();
  });

  it('loads markets once per exchange and market for every account, however many ask at once', async () => {
    desk = await startDesk(stub);
    const accounts = [
      ['lead', 'binance', 'spot'],
      ['f1', 'binance', 'spot'],
      ['sub_b', 'binance', 'spot'],
      ['main', 'binance', 'usdm'],
      ['sub_a', 'binance', 'usdm'],
      ['f2', 'bitget', 'spot'],
      ['f3', 'bitget', 'spot'],
    ] as const;
    for (const [id, exchange, market] of accounts) await desk.addAccount(id, exchange, market);
    const before = { spot: stub.count(SPOT_INFO), usdm: stub.count(USDM_INFO), bitget: stub.count(BITGET_SYMBOLS) };

    const clients = await Promise.all(accounts.map(([id]) => desk.clients.for(id)));

    expect(stub.count(SPOT_INFO) - before.spot).toBe(1);
    expect(stub.count(USDM_INFO) - before.usdm).toBe(1);
    expect(stub.count(BITGET_SYMBOLS) - before.bitget).toBe(1);
    expect(clients.map((c) => c.resolveSymbol('btcusdt'))).toEqual([
      'BTC/USDT',
      'BTC/USDT',
      'BTC/USDT',
      'BTC/USDT:USDT',
      'BTC/USDT:USDT',
      'BTC/USDT',
      'BTC/USDT',
    ]);
  });

  it('retries a failed market load on the next call instead of remembering the failure', async () => {
    desk = await startDesk(stub);
    await desk.addAccount('lead', 'binance', 'spot');
    const before = stub.count(SPOT_INFO);
    stub.reply(SPOT_INFO, { status: 503, text: 'System maintenance' });

    await expect(desk.clients.for('lead')).rejects.toBeInstanceOf(ExchangeUnavailableError);
    const lead = await desk.clients.for('lead');
    expect(lead.resolveSymbol('BTC/USDT')).toBe('BTC/USDT');
    expect(stub.count(SPOT_INFO) - before).toBe(2);
  });

  it('gives each account its own client, and the same one on every call', async () => {
    desk = await startDesk(stub);
    await desk.addAccount('lead', 'binance', 'spot');
    await desk.addAccount('f1', 'binance', 'spot');
    const [lead, again, f1] = await Promise.all([
      desk.clients.for('lead'),
      desk.clients.for('lead'),
      desk.clients.for('f1'),
    ]);
    expect(again).toBe(lead);
    expect(f1).not.toBe(lead);

    stub.reply('GET /api/v3/account', { json: { balances: [] } }, { json: { balances: [] } });
    await lead.fetchBalance();
    await f1.fetchBalance();
    const keys = stub.requests.filter((r) => r.path === '/api/v3/account').map((r) => r.headers['x-mbx-apikey']);
    expect(keys.slice(-2)).toEqual(['apikeyleadA1b2C3d4E5', 'apikeyf1A1b2C3d4E5']);
  });

  it('uses a rotated key after invalidate, and only then', async () => {
    desk = await startDesk(stub);
    await desk.addAccount('sub_b', 'binance', 'spot');
    const old = await desk.clients.for('sub_b');
    await desk.accounts.setCredentials('sub_b', { apiKey: 'rotatedKey0123456789', secret: 'rotatedSecret0123456789' });
    expect(await desk.clients.for('sub_b')).toBe(old);

    await desk.clients.invalidate('sub_b');
    const fresh = await desk.clients.for('sub_b');
    expect(fresh).not.toBe(old);
    stub.reply('GET /api/v3/account', { json: { balances: [] } });
    await fresh.fetchBalance();
    expect(stub.requests.at(-1)?.headers['x-mbx-apikey']).toBe('rotatedKey0123456789');
    await expect(old.fetchBalance()).rejects.toMatchObject({ key: 'exchange.client_replaced' });
  });

  it('names the account and the symbol it does not know', async () => {
    desk = await startDesk(stub);
    await desk.addAccount('f2', 'bitget', 'spot');
    const f2 = await desk.clients.for('f2');
    expect(() => f2.resolveSymbol('DOGEUSDT')).toThrow(
      'Account f2: Bitget spot has no market "DOGEUSDT". Use a symbol such as BTC/USDT.',
    );
  });
});
