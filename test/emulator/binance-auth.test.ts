import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binanceKey, binanceSpot, binanceUsdm } from './ccxt-clients.ts';
import { EmulatorHarness } from './harness.ts';

let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

describe('Binance authentication as Binance does it', () => {
  it('refuses a well-formed key nobody owns with -2015 (AuthenticationError)', async () => {
    const ex = h.track(binanceSpot(h.em, { apiKey: binanceKey('nobody'), secret: 'x' }));
    const attempt = ex.fetchBalance();
    await expect(attempt).rejects.toThrow(ccxt.AuthenticationError);
    await expect(attempt).rejects.toThrow(/-2015/);
  });

  it('refuses a malformed key with -2014', async () => {
    const ex = h.track(binanceSpot(h.em, { apiKey: 'short-key', secret: 'x' }));
    await expect(ex.fetchBalance()).rejects.toThrow(/-2014,"msg":"API-key format invalid."/);
  });

  it('refuses a request signed with the wrong secret with -1022', async () => {
    const acct = h.binanceAccount();
    const ex = h.track(binanceSpot(h.em, { apiKey: acct.creds.apiKey, secret: 'not-the-secret' }));
    const attempt = ex.fetchBalance();
    await expect(attempt).rejects.toThrow(ccxt.AuthenticationError);
    await expect(attempt).rejects.toThrow(/-1022/);
  });

  it('refuses a timestamp older than recvWindow, or more than 1 s ahead, with -1021 (InvalidNonce)', async () => {
    const acct = h.binanceAccount();
    const late = acct.spot({ timeDifference: 15_000 });
    await expect(late.fetchBalance()).rejects.toThrow(ccxt.InvalidNonce);
    const early = acct.usdm({ timeDifference: -3_000 });
    await expect(early.fetchBalance()).rejects.toThrow(/ahead of the server's time/);
    const wideWindow = acct.spot({ timeDifference: 15_000, recvWindow: 30_000 });
    await expect(wideWindow.fetchBalance()).resolves.toBeDefined();
  });

  it('refuses orders from a key without trading permission but still answers reads', async () => {
    const acct = h.binanceAccount();
    h.em.createAccount({
      id: acct.id,
      exchange: 'binance',
      apiKey: acct.creds.apiKey,
      secret: acct.creds.secret,
      canTrade: false,
    });
    const ex = acct.spot();
    await expect(ex.fetchBalance()).resolves.toBeDefined();
    await expect(ex.createOrder('BTC/USDT', 'market', 'buy', 0.001)).rejects.toThrow(/-2015/);
  });
});

describe('Binance request-weight limits', () => {
  it('answers real overuse with 429 -1003, then bans the IP with 418', async () => {
    const limited = await EmulatorHarness.start({ rateLimits: { spotWeightPerMinute: 50, banAfterViolations: 2 } });
    try {
      const ex = limited.binanceAccount().spot();
      await ex.loadMarkets();
      await ex.fetchBalance();
      const refused = ex.fetchBalance();
      await expect(refused).rejects.toThrow(ccxt.DDoSProtection);
      await expect(refused).rejects.toThrow(/429.*-1003/);
      await expect(ex.fetchBalance()).rejects.toThrow(/429/);
      await expect(ex.fetchBalance()).rejects.toThrow(/418.*IP banned until/);
      // The futures weight counter is separate.
      const fut = limited.binanceAccount().usdm();
      await expect(fut.fetchBalance()).resolves.toBeDefined();
    } finally {
      await limited.close();
    }
  });
});

describe('ccxt against a hedge-mode usdm account', () => {
  it('reads the position mode it set', async () => {
    const ex = h.track(binanceUsdm(h.em, h.binanceAccount().creds));
    await ex.setPositionMode(true);
    expect((await ex.fetchPositionMode()).hedged).toBe(true);
    await expect(ex.setPositionMode(true)).rejects.toThrow(/-4059/);
  });
});
