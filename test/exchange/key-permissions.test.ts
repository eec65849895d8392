import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type KeyPermissions as EmulatorPermissions } from '../../src/emulator/index.ts';
import { binance } from '../../src/exchange/binance.ts';
import { ExchangeAuthError } from '../../src/exchange/errors.ts';
import type { ExchangeId, MarketKind } from '../../src/exchange/types.ts';
import { startDesk, type Desk } from './desk.ts';

/**
 * Each venue's reading of what a key may do (Binance: API-key restrictions over sapi, also from a
 * USDT-M client; Bitget: the account info's authorities and IP whitelist), normalized to one
 * shape, through the desk's own clients against the paper exchange.
 */
describe('key permissions through the exchange layer', () => {
  let emulator: Emulator;
  let desk: Desk;

  beforeAll(async () => {
    emulator = await startEmulator();
    desk = await startDesk(emulator, { timeoutMs: 2000 });
  });
  afterAll(async () => {
    await desk.close();
    await emulator.stop();
  });

  async function open(id: string, exchange: ExchangeId, market: MarketKind, permissions: Partial<EmulatorPermissions>) {
    const credentials = await desk.addAccount(id, exchange, market);
    emulator.createAccount({ id, exchange, ...credentials, spot: { USDT: '100' }, permissions });
    return credentials;
  }

  it('Binance spot: the restrictions of the key, read over sapi', async () => {
    await open('bspot', 'binance', 'spot', { withdrawals: true });
    const exchange = await desk.clients.for('bspot');
    await expect(exchange.fetchKeyPermissions()).resolves.toEqual({
      canRead: true,
      canTradeSpot: true,
      canTradeFutures: true,
      canWithdraw: true,
      ipRestricted: true,
    });
  });

  it('Binance USDT-M: the same endpoint from the binanceusdm client (sapi on the api host)', async () => {
    emulator.resetRequests();
    await open('busdm', 'binance', 'usdm', { futuresTrading: false, ipRestrict: false });
    const exchange = await desk.clients.for('busdm');
    await expect(exchange.fetchKeyPermissions()).resolves.toEqual({
      canRead: true,
      canTradeSpot: true,
      canTradeFutures: false,
      canWithdraw: false,
      ipRestricted: false,
    });
    expect(emulator.requests()['GET /sapi/v1/account/apiRestrictions']).toBe(1);
  });

  it('Bitget: authorities (stow, coor, wwow) and the IP whitelist', async () => {
    await open('bgkey', 'bitget', 'spot', { futuresTrading: false, withdrawals: true, ipRestrict: false });
    const exchange = await desk.clients.for('bgkey');
    await expect(exchange.fetchKeyPermissions()).resolves.toEqual({
      canRead: true,
      canTradeSpot: true,
      canTradeFutures: false,
      canWithdraw: true,
      ipRestricted: false,
    });
  });

  it('Binance testnet and demo trading have no sapi host: nothing is read, nothing is sent', async () => {
    const testnet = new ccxt.binance();
    testnet.setSandboxMode(true);
    await expect(binance.readKeyPermissions(testnet)).resolves.toBeUndefined();
    const demo = new ccxt.binanceusdm();
    demo.enableDemoTrading(true);
    await expect(binance.readKeyPermissions(demo)).resolves.toBeUndefined();
  });

  it('a candidate key is checked on a client of its own: a refusal disables nothing, reaches no listener', async () => {
    const credentials = await open('cand', 'binance', 'spot', {});
    const heard: string[] = [];
    const stop = desk.clients.onAuthFailure((id) => heard.push(id));
    const live = await desk.clients.for('cand');

    const wrong = desk.clients.withCandidate(
      { id: 'cand', exchange: 'binance', market: 'spot', env: 'paper' },
      { ...credentials, secret: 'not-the-secret-at-all' },
      (candidate) => candidate.fetchBalance(),
    );
    await expect(wrong).rejects.toBeInstanceOf(ExchangeAuthError);
    await expect(wrong).rejects.toMatchObject({ exchangeCode: '-1022' });

    const readOnly = { apiKey: `${credentials.apiKey}RO`, secret: 'read-only-secret-0001' };
    emulator.addKey('cand', { ...readOnly, permissions: { spotTrading: false } });
    const reading = await desk.clients.withCandidate(
      { id: 'cand', exchange: 'binance', market: 'spot', env: 'paper' },
      readOnly,
      (candidate) => candidate.fetchKeyPermissions(),
    );
    expect(reading).toMatchObject({ canTradeSpot: false });

    stop();
    expect(heard).toEqual([]);
    expect((await desk.accounts.get('cand')).status).toBe('ACTIVE');
    await expect(live.fetchBalance()).resolves.toBeDefined();
    expect(await desk.clients.for('cand')).toBe(live);
  });
});
