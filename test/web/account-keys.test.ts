import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyPermissions } from '../../src/emulator/index.ts';
import { binanceKey } from '../emulator/ccxt-clients.ts';
import { waitFor } from '../support/wait.ts';
import { expectNoSecretLeaks } from './secrets.ts';
import { auditSentence, startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

/**
 * What a key may do, checked on add, verify, enable and rotate (issue 16 items 4 and 5), over
 * the admin's HTTP against the paper exchange: the emulator says what each key may do.
 */
let web: WebDesk;
let owner: WebClient;
const created: string[] = [];

const binanceCreds = (seed: string) => {
  const creds = { apiKey: binanceKey(`keys${seed}`), secret: `keysSecret${seed}0000000000000001` };
  created.push(creds.apiKey, creds.secret);
  return creds;
};

/** The account exists on the exchange with a key that may do what `permissions` say. */
function openOnExchange(
  id: string,
  exchange: 'binance' | 'bitget',
  creds: Record<string, string>,
  permissions: Partial<KeyPermissions> = {},
) {
  web.desk.emulator.createAccount({
    id,
    exchange,
    ...creds,
    spot: { USDT: '1000', BTC: '0.01' },
    futures: { USDT: '1000' },
    hedgeMode: true,
    permissions,
  } as never);
}

const add = (form: Record<string, string>) =>
  owner.post('/accounts', { kind: 'MAIN', copyRole: 'NONE', env: 'paper', market: 'spot', ...form });
const account = (id: string) => web.desk.app.services.db.account.findUnique({ where: { id } });
const auditOf = (command: string, accountId: string) =>
  web.desk.app.services.db.auditLog.findMany({ where: { command, accountId }, orderBy: { id: 'asc' } });
const alertsOf = (accountId: string) => web.desk.alerts.filter((a) => a.accountId === accountId);
const balanceOf = async (id: string) => {
  const lines = await (await web.desk.app.services.exchanges.for(id)).fetchBalance();
  return lines.find((l) => l.asset === 'USDT')?.free.toFixed();
};

beforeAll(async () => {
  web = await startWebDesk();
  owner = await web.owner();
});
afterAll(async () => {
  await web.close();
});

describe('key permissions on add', () => {
  it('a read-only key is refused on add with what to enable, and no account is created', async () => {
    const creds = binanceCreds('ro');
    openOnExchange('ro1', 'binance', creds, { spotTrading: false, futuresTrading: false });
    const res = await add({ id: 'ro1', name: 'Read only', exchange: 'binance', ...creds });
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      'The account was not added: Account ro1: this API key cannot trade spot: enable &#39;Enable Spot &amp; Margin Trading&#39; for it on Binance (API Management), or add a key that can.',
    );
    expect(res.text).toContain('value="ro1"');
    expect(res.text).toContain('value="Read only"');
    expect(res.text).not.toContain(creds.secret);
    expect(await account('ro1')).toBeNull();
    const [refused] = await auditOf('accounts.add', 'ro1');
    expect(refused?.outcome).toBe('refused');
    expect(auditSentence(refused)).toMatch(/^Refused: Account ro1: this API key cannot trade spot: enable/);
    expect(web.desk.app.services.streams.status('ro1')).toBeUndefined();
  });

  it('a USDT-M account needs futures trading: a spot-only key is refused with the futures permission named', async () => {
    const creds = binanceCreds('spotonly');
    openOnExchange('spotonly', 'binance', creds, { futuresTrading: false });
    const res = await add({ id: 'spotonly', name: 'Spot only', exchange: 'binance', market: 'usdm', ...creds });
    expect(res.status).toBe(422);
    expect(res.text).toContain('this API key cannot trade USDT-M futures: enable &#39;Enable Futures&#39;');
    expect(await account('spotonly')).toBeNull();
  });

  it('a withdraw-enabled key is accepted with a warning: on the admin pages, in the audit row, as an alert', async () => {
    const creds = binanceCreds('wd');
    openOnExchange('wd1', 'binance', creds, { withdrawals: true });
    const res = await add({ id: 'wd1', name: 'Withdraws', exchange: 'binance', ...creds });
    expect(res.status).toBe(303);
    const detail = await owner.get('/accounts/wd1');
    expect(detail.text).toContain('The exchange accepted the key.');
    expect(detail.text).toContain('This key can withdraw funds. The desk never withdraws');
    expect(detail.text).toContain('spot trading: yes · futures trading: yes · withdrawals: yes · IP restriction: yes');
    expect(detail.text).toContain('⚠ can withdraw');
    expect((await owner.get('/accounts')).text).toMatch(/id="account-wd1"[\s\S]*?⚠ can withdraw[\s\S]*?<\/tr>/);
    expect(await account('wd1')).toMatchObject({ status: 'ACTIVE', lastVerifiedAt: expect.any(Date) as Date });
    const [added] = await auditOf('accounts.add', 'wd1');
    expect(added?.outcome).toBe('ok');
    expect(auditSentence(added)).toBe(
      `Done. Account on binance spot (paper), MAIN, no copy role, key ••••${creds.apiKey.slice(-4)}. The exchange accepted the key. Warning about the key: can withdraw.`,
    );
    expect(auditSentence(added, 'zh')).toBe(
      `已完成。账户：binance 现货（模拟），母账户，不参与跟单，密钥 ••••${creds.apiKey.slice(-4)}。交易所已接受该密钥。密钥警告：可提币。`,
    );
    expect(alertsOf('wd1')).toMatchObject([
      { type: 'alert', category: 'account', severity: 'warning', key: 'alerts.account_key_can_withdraw' },
    ]);
    // Verifying again reads the key again; the same risk is not announced twice.
    const verify = await owner.post('/accounts/wd1/verify', {}, { 'hx-request': 'true' });
    expect(verify.text).toContain('This key can withdraw funds.');
    expect(alertsOf('wd1')).toHaveLength(1);
  });

  it('a key with no IP restriction is accepted with a warning', async () => {
    const creds = binanceCreds('noip');
    openOnExchange('noip1', 'binance', creds, { ipRestrict: false });
    const res = await add({ id: 'noip1', name: 'No IP', exchange: 'binance', market: 'usdm', ...creds });
    expect(res.status).toBe(303);
    const detail = await owner.get('/accounts/noip1');
    expect(detail.text).toContain('This key has no IP restriction: whoever gets it can use it from anywhere.');
    expect(detail.text).toContain('⚠ no IP restriction');
    expect(auditSentence((await auditOf('accounts.add', 'noip1'))[0])).toMatch(
      /The exchange accepted the key\. Warning about the key: no IP restriction\.$/,
    );
    expect(alertsOf('noip1')).toMatchObject([{ key: 'alerts.account_key_no_ip_restriction', severity: 'warning' }]);
  });

  it('Bitget: its authorities and IP whitelist are read the same way', async () => {
    const creds = { apiKey: 'bg_keys_key_000001', secret: 'bgKeysSecret000001', passphrase: 'bgKeysPass01' };
    created.push(...Object.values(creds));
    openOnExchange('bgw', 'bitget', creds, { withdrawals: true, ipRestrict: false });
    const res = await add({ id: 'bgw', name: 'Bitget withdraws', exchange: 'bitget', ...creds });
    expect(res.status).toBe(303);
    const detail = await owner.get('/accounts/bgw');
    expect(detail.text).toContain('⚠ can withdraw');
    expect(detail.text).toContain('⚠ no IP restriction');
    expect(alertsOf('bgw').map((a) => a.key)).toEqual([
      'alerts.account_key_can_withdraw',
      'alerts.account_key_no_ip_restriction',
    ]);

    const readOnly = { apiKey: 'bg_keys_key_000002', secret: 'bgKeysSecret000002', passphrase: 'bgKeysPass02' };
    created.push(...Object.values(readOnly));
    openOnExchange('bgro', 'bitget', readOnly, { spotTrading: false });
    const refused = await add({ id: 'bgro', name: 'Bitget read only', exchange: 'bitget', ...readOnly });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain(
      'this API key cannot trade spot: give it the &#39;Spot trading&#39; read-and-write permission on Bitget',
    );
    expect(await account('bgro')).toBeNull();
  });

  it('a plain paper account (default permissions) gets no warning', async () => {
    const creds = binanceCreds('plain');
    const res = await add({ id: 'plain1', name: 'Plain', exchange: 'binance', ...creds });
    expect(res.status).toBe(303);
    expect((await owner.get('/accounts/plain1')).text).not.toContain('⚠');
    expect(alertsOf('plain1')).toEqual([]);
    expect(web.desk.emulator.keys('plain1')).toMatchObject([{ apiKey: creds.apiKey }]);
  });
});

describe('key permissions on verify and enable', () => {
  it('a key that lost its trading permission disables the account on verify; enable checks again', async () => {
    const creds = binanceCreds('lost');
    openOnExchange('lost1', 'binance', creds);
    expect((await add({ id: 'lost1', name: 'Loses trading', exchange: 'binance', ...creds })).status).toBe(303);

    web.desk.emulator.setKeyPermissions('lost1', { spotTrading: false });
    const verify = await owner.post('/accounts/lost1/verify', {}, { 'hx-request': 'true' });
    expect(verify.text).toContain('Account lost1: this API key cannot trade spot');
    expect(await account('lost1')).toMatchObject({
      status: 'DISABLED',
      statusReason: 'API key cannot trade spot on Binance',
    });
    expect(web.desk.app.services.streams.status('lost1')).toBeUndefined();
    expect(alertsOf('lost1')).toMatchObject([
      {
        key: 'alerts.account_disabled',
        severity: 'critical',
        params: { reason: 'API key cannot trade spot on Binance' },
      },
    ]);
    expect((await owner.get('/accounts/lost1')).text).toContain('spot trading: no');

    await owner.post('/accounts/lost1/enable');
    expect((await account('lost1'))?.status).toBe('DISABLED');
    expect((await owner.get('/accounts/lost1')).text).toContain(
      'The exchange did not accept the key: Account lost1: this API key cannot trade spot',
    );

    web.desk.emulator.setKeyPermissions('lost1', { spotTrading: true, withdrawals: true });
    await owner.post('/accounts/lost1/enable');
    expect((await account('lost1'))?.status).toBe('ACTIVE');
    expect(alertsOf('lost1').at(-1)).toMatchObject({ key: 'alerts.account_key_can_withdraw' });
    const [failed, enabled] = await auditOf('accounts.enable', 'lost1');
    expect([failed?.outcome, enabled?.outcome]).toEqual(['failed', 'ok']);
    expect(auditSentence(failed)).toMatch(/^Failed: Account lost1: this API key cannot trade spot/);
    expect(auditSentence(enabled)).toBe(
      'Done. Changed status: DISABLED → ACTIVE. The exchange accepted the key. Warning about the key: can withdraw.',
    );
  });
});

describe('safe rotation', () => {
  const rotating = binanceCreds('rot');

  beforeAll(async () => {
    openOnExchange('rot1', 'binance', rotating);
    const res = await add({ id: 'rot1', name: 'Rotates', exchange: 'binance', ...rotating });
    if (res.status !== 303) throw new Error(`rot1 not added: ${res.status}`);
    await waitFor(() => web.desk.app.services.streams.status('rot1')?.health === 'live');
  });

  const unchanged = async () => {
    const row = await account('rot1');
    expect(row).toMatchObject({ status: 'ACTIVE', apiKeyHint: rotating.apiKey.slice(-4) });
    expect(await web.desk.app.services.accounts.credentialsFor('rot1')).toEqual(rotating);
    expect(web.desk.app.services.streams.status('rot1')?.health).toBe('live');
    // The old key still works: a balance read, and an order.
    expect(await balanceOf('rot1')).toMatch(/^\d+$/);
    const { order } = await web.desk.app.services.orders.place({
      accountId: 'rot1',
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      amount: new Decimal('0.001'),
      price: new Decimal('30000'),
      vpName: 'rotation',
    });
    expect(order.status).toBe('OPEN');
  };

  it('a wrong secret is refused before anything changes: the old key stays, the account stays ACTIVE', async () => {
    const wrong = { apiKey: rotating.apiKey, secret: 'notTheRotatingSecret000000001' };
    created.push(wrong.secret);
    const res = await owner.post('/accounts/rot1/rotate', wrong);
    expect(res.status).toBe(303);
    const page = await owner.get('/accounts/rot1');
    expect(page.text).toContain(
      'The key of rot1 was not replaced: Binance rejected this key (-1022): check the API key, the secret (and the passphrase), and that the key is still active on the exchange. The old key stays in use; the account is as it was.',
    );
    await unchanged();
    expect((await auditOf('accounts.rotate', 'rot1')).at(-1)).toMatchObject({ outcome: 'refused' });
    expect(alertsOf('rot1')).toEqual([]);
  });

  it('a read-only key is refused: the old key stays, the account stays ACTIVE', async () => {
    const readOnly = binanceCreds('rotro');
    web.desk.emulator.addKey('rot1', { ...readOnly, permissions: { spotTrading: false } });
    await owner.post('/accounts/rot1/rotate', readOnly);
    const page = await owner.get('/accounts/rot1');
    expect(page.text).toContain(
      'The key of rot1 was not replaced: Account rot1: this API key cannot trade spot: enable &#39;Enable Spot &amp; Margin Trading&#39;',
    );
    expect(page.text).toContain('The old key stays in use; the account is as it was.');
    await unchanged();
    // The key the exchange made stays there: the desk only refused to use it.
    expect(web.desk.emulator.keyOwner(readOnly.apiKey)).toBe('rot1');
  });

  it('a key new to the paper exchange is made known first; not checked (exchange failing), it is taken away again', async () => {
    const stranger = binanceCreds('rotstranger');
    web.desk.emulator.fault('rot1', {
      endpoint: 'GET /sapi/v1/account/apiRestrictions',
      failNext: { count: 1, httpStatus: 503, code: -1001, msg: 'Internal error; unable to process your request.' },
    });
    await owner.post('/accounts/rot1/rotate', stranger);
    expect((await owner.get('/accounts/rot1')).text).toContain(
      'The key of rot1 was not replaced: Account rot1: Binance is not reachable or is failing right now (-1001). Try again shortly. The old key stays in use',
    );
    expect(web.desk.emulator.keyOwner(stranger.apiKey)).toBeUndefined();
    await unchanged();
  });

  it('an accepted key is stored, the client rebuilt, the stream restarted; the old key is retired', async () => {
    const fresh = binanceCreds('rotfresh');
    const res = await owner.post('/accounts/rot1/rotate', fresh);
    expect(res.status).toBe(303);
    expect((await owner.get('/accounts/rot1')).text).toContain('Account rot1 has a new key.');
    expect(await account('rot1')).toMatchObject({
      status: 'ACTIVE',
      apiKeyHint: fresh.apiKey.slice(-4),
      lastVerifiedAt: expect.any(Date) as Date,
    });
    expect(await web.desk.app.services.accounts.credentialsFor('rot1')).toEqual(fresh);
    expect(web.desk.emulator.keys('rot1').map((k) => k.apiKey)[0]).toBe(fresh.apiKey);
    expect(web.desk.emulator.keyOwner(rotating.apiKey)).toBeUndefined();
    expect(await balanceOf('rot1')).toBeDefined();
    await expect.poll(() => web.desk.app.services.streams.status('rot1')?.health).toBe('live');
    const rotated = (await auditOf('accounts.rotate', 'rot1')).at(-1);
    expect(rotated?.outcome).toBe('ok');
    expect(auditSentence(rotated)).toBe(
      `Done. Key ••••${rotating.apiKey.slice(-4)} replaced by ••••${fresh.apiKey.slice(-4)}. The exchange accepted the key.`,
    );
  });
});

describe('secrets', () => {
  it('no response and no log line carried a secret', async () => {
    await expectNoSecretLeaks(web, created);
  });
});
