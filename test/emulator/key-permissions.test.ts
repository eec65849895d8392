import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binanceKey, binanceSpot, binanceUsdm, bitgetSpot } from './ccxt-clients.ts';
import { EmulatorHarness } from './harness.ts';

/**
 * What an API key may do, as Binance ("Get API Key Permission", GET /sapi/v1/account/apiRestrictions)
 * and Bitget ("Get Account Information", GET /api/v2/spot/account/info) report it, asked through
 * ccxt's own implicit methods; per-key permissions set by the test, and enforced on orders.
 */
let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

type Restrictions = Record<string, unknown>;
const restrictionsOf = (client: unknown) =>
  (client as { sapiGetAccountApiRestrictions(): Promise<Restrictions> }).sapiGetAccountApiRestrictions();
const accountInfoOf = async (client: unknown) =>
  (
    await (
      client as { privateSpotGetV2SpotAccountInfo(): Promise<{ code: string; data: Record<string, unknown> }> }
    ).privateSpotGetV2SpotAccountInfo()
  ).data;

/** binanceusdm as the desk points it: fapi and the api host's sapi on the emulator. */
function usdmWithSapi(creds: { apiKey: string; secret: string }) {
  const client = binanceUsdm(h.em, creds);
  (client.urls as { api: Record<string, unknown> }).api['sapi'] = `${h.em.httpUrl}/sapi/v1`;
  return client;
}

const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1020 - (Date.now() % 1000)));

async function control(method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${h.em.httpUrl}/_control/${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

describe('Binance GET /sapi/v1/account/apiRestrictions', () => {
  it("answers the signed request with the key's restrictions, every documented field, the defaults of a new key", async () => {
    const acct = h.binanceAccount();
    const before = Date.now();
    const r = await restrictionsOf(acct.spot());
    expect(r).toEqual({
      ipRestrict: true,
      createTime: expect.any(Number) as number,
      enableReading: true,
      enableSpotAndMarginTrading: true,
      enableWithdrawals: false,
      enableInternalTransfer: false,
      enableMargin: false,
      enableFutures: true,
      permitsUniversalTransfer: false,
      enableVanillaOptions: false,
      enableFixApiTrade: false,
      enableFixReadOnly: false,
      enablePortfolioMarginTrading: false,
    });
    expect(r['createTime']).toBeLessThanOrEqual(before + 1000);
    expect(h.em.requests()['GET /sapi/v1/account/apiRestrictions']).toBeGreaterThanOrEqual(1);
  });

  it('is reached from a USDT-M (binanceusdm) client through urls.api.sapi, and answers what the test set', async () => {
    const acct = h.binanceAccount();
    h.em.setKeyPermissions(acct.id, { futuresTrading: false, ipRestrict: false });
    const r = await restrictionsOf(h.track(usdmWithSapi(acct.creds)));
    expect(r).toMatchObject({ enableFutures: false, enableSpotAndMarginTrading: true, ipRestrict: false });
  });

  it('is signed like every USER_DATA endpoint: a wrong secret is -1022, an unknown key -2015', async () => {
    const acct = h.binanceAccount();
    const wrong = h.track(binanceSpot(h.em, { apiKey: acct.creds.apiKey, secret: 'not-the-secret' }));
    await expect(restrictionsOf(wrong)).rejects.toThrow(/-1022/);
    const nobody = h.track(binanceSpot(h.em, { apiKey: binanceKey('nobodyRestrictions'), secret: 'x' }));
    await expect(restrictionsOf(nobody)).rejects.toThrow(ccxt.AuthenticationError);
    const unsigned = await fetch(`${h.em.httpUrl}/sapi/v1/account/apiRestrictions`, {
      headers: { 'X-MBX-APIKEY': acct.creds.apiKey },
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({ code: -1102 });
  });

  it('a key without trading permission still reads, but every order is -2015; spot and futures apart', async () => {
    const acct = h.binanceAccount();
    h.em.setKeyPermissions(acct.id, { spotTrading: false });
    const spot = acct.spot();
    await expect(spot.fetchBalance()).resolves.toBeDefined();
    // (ccxt calls a -2015 after an earlier success on the same client DDoSProtection: the code is what counts.)
    await expect(spot.createOrder('BTC/USDT', 'market', 'buy', 0.001)).rejects.toThrow(
      /"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."/,
    );
    // Futures trading is its own permission: still allowed.
    const usdm = acct.usdm();
    await expect(usdm.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.01)).resolves.toMatchObject({
      status: 'closed',
    });
    h.em.setKeyPermissions(acct.id, { spotTrading: true, futuresTrading: false });
    await expect(usdm.fetchBalance()).resolves.toBeDefined();
    await expect(usdm.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.01)).rejects.toThrow(/-2015/);
    await expect(spot.createOrder('BTC/USDT', 'market', 'buy', 0.001)).resolves.toMatchObject({ status: 'closed' });
  });

  it('lets a key withdraw only when it is IP-restricted, as Binance does', () => {
    const acct = h.binanceAccount();
    expect(() => h.em.setKeyPermissions(acct.id, { withdrawals: true, ipRestrict: false })).toThrow(/IP-restricted/);
    expect(h.em.setKeyPermissions(acct.id, { withdrawals: true })).toMatchObject({
      withdrawals: true,
      ipRestrict: true,
    });
  });
});

describe('several keys on one account', () => {
  it('each key signs with its own secret and has its own permissions; a deleted key is -2015', async () => {
    const acct = h.binanceAccount();
    const second = { apiKey: binanceKey(`second${acct.id}`), secret: 'second-secret' };
    h.em.addKey(acct.id, { ...second, permissions: { spotTrading: false } });
    expect(h.em.keyOwner(second.apiKey)).toBe(acct.id);
    expect(h.em.keys(acct.id).map((k) => [k.apiKey, k.permissions.spotTrading])).toEqual([
      [acct.creds.apiKey, true],
      [second.apiKey, false],
    ]);
    const secondClient = h.track(binanceSpot(h.em, second));
    expect(await restrictionsOf(secondClient)).toMatchObject({ enableSpotAndMarginTrading: false });
    expect(await restrictionsOf(acct.spot())).toMatchObject({ enableSpotAndMarginTrading: true });
    // The same account behind both keys.
    const [a, b] = await Promise.all([acct.spot().fetchBalance(), secondClient.fetchBalance()]);
    expect(b['USDT']).toEqual(a['USDT']);

    h.em.removeKey(acct.id, second.apiKey);
    expect(h.em.keyOwner(second.apiKey)).toBeUndefined();
    await expect(secondClient.fetchBalance()).rejects.toThrow(/-2015/);
    expect(() => h.em.removeKey(acct.id, acct.creds.apiKey)).toThrow(/only key/);
  });

  it('createAccount with a further key makes it the first (with its permissions); the old first key stops working', async () => {
    const acct = h.binanceAccount();
    const next = { apiKey: binanceKey(`next${acct.id}`), secret: 'next-secret' };
    h.em.addKey(acct.id, { ...next, permissions: { ipRestrict: false } });
    h.em.createAccount({ id: acct.id, exchange: 'binance', ...next });
    expect(h.em.keys(acct.id)).toEqual([
      {
        apiKey: next.apiKey,
        permissions: { reading: true, spotTrading: true, futuresTrading: true, withdrawals: false, ipRestrict: false },
      },
    ]);
    await expect(acct.spot().fetchBalance()).rejects.toThrow(/-2015/);
    await expect(h.track(binanceSpot(h.em, next)).fetchBalance()).resolves.toBeDefined();
  });
});

describe('Bitget GET /api/v2/spot/account/info', () => {
  it("answers the key's authorities in Bitget's codes and its IP whitelist", async () => {
    const acct = h.bitgetAccount();
    const info = await accountInfoOf(acct.client());
    expect(info).toMatchObject({
      userId: expect.stringMatching(/^\d+$/) as string,
      ips: '127.0.0.1',
      authorities: ['stow', 'coow'],
      traderType: 'not_trader',
      regisTime: expect.stringMatching(/^\d+$/) as string,
    });
    expect(Object.keys(info).sort()).toEqual(
      [
        'authorities',
        'channel',
        'channelCode',
        'inviterId',
        'ips',
        'parentId',
        'regisTime',
        'traderType',
        'userId',
      ].sort(),
    );

    h.em.setKeyPermissions(acct.id, {
      spotTrading: false,
      futuresTrading: false,
      withdrawals: true,
      ipRestrict: false,
    });
    await nextSecond(); // Bitget answers this endpoint once per second per UID
    expect(await accountInfoOf(acct.client())).toMatchObject({ ips: '', authorities: ['stor', 'coor', 'wwow'] });
  });

  it('a read-only key reads (orderInfo by POST too) but cannot place or cancel: 40014', async () => {
    const acct = h.bitgetAccount();
    h.em.setKeyPermissions(acct.id, { spotTrading: false });
    const client = acct.client();
    await expect(client.fetchBalance()).resolves.toBeDefined();
    const refused = client.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30000);
    await expect(refused).rejects.toThrow(/40014/);
    await expect(refused).rejects.toThrow(ccxt.AuthenticationError);
    await expect(client.fetchOpenOrders('BTC/USDT')).resolves.toEqual([]);
  });

  it('a demo key answers with the paptrading header only, like every private endpoint', async () => {
    const acct = h.bitgetAccount({ USDT: '10' }, true);
    await expect(accountInfoOf(acct.client())).resolves.toMatchObject({ authorities: ['stow', 'coow'] });
    const live = h.track(bitgetSpot(h.em, acct.creds, false));
    await expect(accountInfoOf(live)).rejects.toThrow(/40099/);
  });
});

describe('control surface: keys and permissions', () => {
  it('sets permissions, adds and deletes keys of an existing account', async () => {
    const creds = { apiKey: binanceKey('ctlperm'), secret: 'ctlperm-secret' };
    await control('POST', 'accounts', {
      id: 'ctlperm',
      exchange: 'binance',
      ...creds,
      permissions: { withdrawals: true },
    });
    expect(await restrictionsOf(h.track(binanceSpot(h.em, creds)))).toMatchObject({ enableWithdrawals: true });

    const set = await control('POST', 'accounts/ctlperm/permissions', { spotTrading: false, withdrawals: false });
    expect(set).toEqual({
      status: 200,
      json: { reading: true, spotTrading: false, futuresTrading: true, withdrawals: false, ipRestrict: true },
    });
    expect((await control('POST', 'accounts/ctlperm/permissions', { canFly: true })).status).toBe(400);
    expect((await control('POST', 'accounts/nobody/permissions', { spotTrading: true })).status).toBe(404);

    const extra = { apiKey: binanceKey('ctlperm2'), secret: 'ctlperm2-secret' };
    const added = await control('POST', 'accounts/ctlperm/keys', { ...extra, permissions: { ipRestrict: false } });
    expect(added.status).toBe(200);
    expect(await restrictionsOf(h.track(binanceSpot(h.em, extra)))).toMatchObject({ ipRestrict: false });
    const detail = (await control('GET', 'accounts/ctlperm')).json as { keys: { apiKey: string }[] };
    expect(detail.keys.map((k) => k.apiKey)).toEqual([creds.apiKey, extra.apiKey]);
    expect(JSON.stringify(detail)).not.toContain(extra.secret);

    expect(
      (await control('POST', 'accounts/ctlperm/permissions', { apiKey: extra.apiKey, ipRestrict: true })).json,
    ).toMatchObject({ ipRestrict: true });
    const removed = await control('DELETE', `accounts/ctlperm/keys/${extra.apiKey}`);
    expect((removed.json as { keys: unknown[] }).keys).toHaveLength(1);
    expect(h.em.keyOwner(extra.apiKey)).toBeUndefined();
  });
});
