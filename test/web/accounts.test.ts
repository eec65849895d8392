import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecretLeaks } from './secrets.ts';
import { auditSentence, startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

/** The accounts page as the owner uses it, over real HTTP, against the paper exchange's emulator. */
let web: WebDesk;
let owner: WebClient;
const created: string[] = [];

const BINANCE = {
  apiKey: 'webBinanceKey00000000000000000000000000000000000000000000000001',
  secret: 'webBinanceSecret0000000000000000000000000000000000000000000001',
};
const BITGET = { apiKey: 'bg_web_key_0000000001', secret: 'bgWebSecret000000000001', passphrase: 'bgWebPass01' };

function openOnExchange(id: string, exchange: 'binance' | 'bitget', creds: Record<string, string>) {
  web.desk.emulator.createAccount({ id, exchange, ...creds, spot: { USDT: '1000', BTC: '0.01' } } as never);
  created.push(...Object.values(creds));
}

async function add(form: Record<string, string>) {
  return owner.post('/accounts', { kind: 'MAIN', copyRole: 'NONE', env: 'paper', market: 'spot', ...form });
}

const account = (id: string) => web.desk.app.services.db.account.findUnique({ where: { id } });
const auditOf = (command: string, accountId: string) =>
  web.desk.app.services.db.auditLog.findMany({ where: { command, accountId }, orderBy: { id: 'asc' } });

beforeAll(async () => {
  web = await startWebDesk();
  owner = await web.owner();
});
afterAll(async () => {
  await web.close();
});

describe('accounts page', () => {
  it('lists every account with exchange, env, market, kind, copy role, status, stream, masked key', async () => {
    const page = await owner.get('/accounts');
    expect(page.status).toBe(200);
    for (const id of ['main', 'sub_a', 'sub_b', 'lead', 'f1', 'f2'])
      expect(page.text).toContain(`href="/accounts/${id}"`);
    expect(page.text).toContain('leader');
    expect(page.text).toContain('ACTIVE');
    expect(page.text).toMatch(/<code>••••\w{4}<\/code>/);
    expect(page.text).toContain('href="/accounts/new"');
  });

  it('adds a Binance account whose key verifies: the free balances are shown and last verified is recorded', async () => {
    openOnExchange('bn1', 'binance', BINANCE);
    const res = await add({ id: 'bn1', name: 'Binance one', exchange: 'binance', ...BINANCE });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/accounts/bn1');
    const detail = await owner.get('/accounts/bn1');
    expect(detail.text).toContain('Account bn1 added.');
    expect(detail.text).toContain('The exchange accepted the key.');
    expect(detail.text).toContain(`••••${BINANCE.apiKey.slice(-4)}`);
    expect(detail.text).not.toContain(BINANCE.apiKey);

    const verify = await owner.post('/accounts/bn1/verify', {}, { 'hx-request': 'true' });
    expect(verify.status).toBe(200);
    expect(verify.text).toContain('Key accepted');
    expect(verify.text).toMatch(/<td>USDT<\/td><td class="num">1000<\/td>/);
    expect(verify.text).not.toContain('<html');
    expect((await account('bn1'))?.lastVerifiedAt).toBeInstanceOf(Date);
    expect(await auditOf('accounts.add', 'bn1')).toMatchObject([
      { platform: 'web', externalId: 'admin', outcome: 'ok' },
    ]);
    expect(await auditOf('accounts.verify', 'bn1')).toMatchObject([{ outcome: 'ok' }]);
  });

  it('adds a Bitget account (passphrase required) and verifies it without JavaScript', async () => {
    openOnExchange('bg1', 'bitget', BITGET);
    const missing = await add({
      id: 'bg1',
      name: 'Bitget one',
      exchange: 'bitget',
      apiKey: BITGET.apiKey,
      secret: BITGET.secret,
    });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Bitget keys need their passphrase.');
    expect(await account('bg1')).toBeNull();

    const res = await add({ id: 'bg1', name: 'Bitget one', exchange: 'bitget', ...BITGET });
    expect(res.status).toBe(303);
    const verify = await owner.post('/accounts/bg1/verify');
    expect(verify.status).toBe(200);
    expect(verify.text).toContain('<h1>Account bg1</h1>');
    expect(verify.text).toContain('Key accepted');
    expect(verify.text).toMatch(/<td>USDT<\/td><td class="num">1000<\/td>/);
  });

  it('a wrong secret is refused on add, in words: nothing is created, the form keeps what was typed', async () => {
    const apiKey = 'webBadKey0000000000000000000000000000000000000000000000000001';
    const real = 'theRealSecret000000000000000000000000000000000000000000000001';
    openOnExchange('bn_bad', 'binance', { apiKey, secret: real });
    const wrong = 'aWrongSecret000000000000000000000000000000000000000000000001';
    created.push(wrong);
    const res = await add({ id: 'bn_bad', name: 'Bad key', exchange: 'binance', apiKey, secret: wrong });
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      'The account was not added: Binance rejected this key (-1022): check the API key, the secret (and the passphrase), and that the key is still active on the exchange.',
    );
    expect(res.text).toContain('value="bn_bad"');
    expect(res.text).toContain('value="Bad key"');
    expect(await account('bn_bad')).toBeNull();
    const [refusedAdd] = await auditOf('accounts.add', 'bn_bad');
    expect(refusedAdd?.outcome).toBe('refused');
    expect(auditSentence(refusedAdd)).toBe(
      'Refused: Binance rejected this key (-1022): check the API key, the secret (and the passphrase), and that the key is still active on the exchange.',
    );

    // With the right secret it is added; when the exchange later refuses the stored key, verify
    // says so and disables the account.
    expect((await add({ id: 'bn_bad', name: 'Bad key', exchange: 'binance', apiKey, secret: real })).status).toBe(303);
    // (Once its stream is up: a spot subscription refused by the exchange is an unhandled rejection in ccxt.pro.)
    await expect.poll(() => web.desk.app.services.streams.status('bn_bad')?.health).toBe('live');
    web.desk.emulator.createAccount({ id: 'bn_bad', exchange: 'binance', apiKey, secret: wrong });
    const refused = await owner.post('/accounts/bn_bad/verify', {}, { 'hx-request': 'true' });
    expect(refused.text).toContain('Account bn_bad: API key rejected by Binance (-1022)');
    const detail = await owner.get('/accounts/bn_bad');
    expect(detail.text).toContain('— API key rejected by Binance (-1022)</dd>');
    expect(await account('bn_bad')).toMatchObject({ status: 'DISABLED' });
    const verify = await owner.post('/accounts/bn_bad/verify', {}, { 'hx-request': 'true' });
    expect(verify.text).toContain('Account bn_bad is disabled: API key rejected by Binance (-1022).');
    const verifies = await auditOf('accounts.verify', 'bn_bad');
    expect(verifies.map((r) => r.outcome)).toEqual(['failed', 'failed']);
    expect(auditSentence(verifies[1], 'zh')).toMatch(/^失败：账户 bn_bad 已停用：Binance 拒绝了 API 密钥 \(-1022\)。/);
  });

  it('refuses invalid input with the field named, keeping what was typed except secrets', async () => {
    const res = await add({
      id: '9 bad',
      name: '',
      exchange: 'bitget',
      env: 'testnet',
      apiKey: 'short',
      secret: 'alsoShortButSecret',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('a short id: a letter, then letters, digits or _');
    expect(res.text).toContain('Bitget has no testnet; use demo');
    expect(res.text).toContain('value="9 bad"');
    expect(res.text).not.toContain('alsoShortButSecret');
    const taken = await add({ id: 'bn1', name: 'again', exchange: 'binance', ...BINANCE });
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('There is already an account bn1');
  });

  it('disables with a reason and enables again', async () => {
    const off = await owner.post('/accounts/bn1/disable', { reason: 'key under review' });
    expect(off.status).toBe(303);
    expect(await account('bn1')).toMatchObject({ status: 'DISABLED', statusReason: 'key under review' });
    await expect(web.desk.app.services.exchanges.for('bn1')).rejects.toThrow(/disabled/);
    const page = await owner.get('/accounts/bn1');
    expect(page.text).toContain('key under review');

    const on = await owner.post('/accounts/bn1/enable');
    expect(on.status).toBe(303);
    expect(await account('bn1')).toMatchObject({ status: 'ACTIVE', statusReason: null });
    const verify = await owner.post('/accounts/bn1/verify', {}, { 'hx-request': 'true' });
    expect(verify.text).toContain('Key accepted');
    expect(auditSentence((await auditOf('accounts.disable', 'bn1'))[0])).toBe(
      'Done. Changed status: ACTIVE → DISABLED. Reason: key under review.',
    );
    expect(await auditOf('accounts.enable', 'bn1')).toHaveLength(1);
  });

  it('rotates the key of a disabled account; enabling checks the new key and rebuilds the client', async () => {
    const fresh = {
      apiKey: 'webBinanceKey00000000000000000000000000000000000000000000000002',
      secret: 'webBinanceSecret0000000000000000000000000000000000000000000002',
    };
    await owner.post('/accounts/bn1/disable', { reason: 'key leaked' });
    openOnExchange('bn1', 'binance', fresh); // the exchange issued a new key; the old one is gone
    const res = await owner.post('/accounts/bn1/rotate', fresh);
    expect(res.status).toBe(303);
    expect(await account('bn1')).toMatchObject({
      apiKeyHint: fresh.apiKey.slice(-4),
      lastVerifiedAt: expect.any(Date) as Date,
      status: 'DISABLED',
    });
    expect((await owner.get('/accounts/bn1')).text).toContain(
      'The new key of bn1 was checked and stored; the account stays DISABLED until you enable it.',
    );

    await owner.post('/accounts/bn1/enable');
    expect(await account('bn1')).toMatchObject({ status: 'ACTIVE', lastVerifiedAt: expect.any(Date) as Date });
    expect((await owner.get('/accounts/bn1')).text).toContain('The exchange accepted the key.');
    expect(auditSentence((await auditOf('accounts.rotate', 'bn1'))[0])).toBe(
      `Done. Key ••••${BINANCE.apiKey.slice(-4)} replaced by ••••${fresh.apiKey.slice(-4)}. The exchange accepted the key.`,
    );
  });

  it('rotating an active account to a key the exchange refuses keeps the old key, in words', async () => {
    const wrong = {
      apiKey: 'webBinanceKey00000000000000000000000000000000000000000000000002',
      secret: 'notTheSecret0000000000001',
    };
    created.push(wrong.secret);
    const res = await owner.post('/accounts/bn1/rotate', wrong);
    expect(res.status).toBe(303);
    const page = await owner.get('/accounts/bn1');
    expect(page.text).toContain(
      'The key of bn1 was not replaced: Binance rejected this key (-1022): check the API key, the secret (and the passphrase), and that the key is still active on the exchange. The old key stays in use; the account is as it was.',
    );
    expect((await account('bn1'))?.status).toBe('ACTIVE');
    await expect((await web.desk.app.services.exchanges.for('bn1')).fetchBalance()).resolves.toBeDefined();
    const refused = (await auditOf('accounts.rotate', 'bn1')).at(-1);
    expect(refused?.outcome).toBe('refused');
    expect(auditSentence(refused)).toMatch(
      /^Refused: Binance rejected this key \(-1022\): .* The key stays ••••\w{4}; ••••\w{4} was not taken\.$/,
    );
  });

  it('edits the name and the copy role; the copy engine sees the new follower at once', async () => {
    const res = await owner.post('/accounts/bn1/edit', { name: 'Binance renamed', kind: 'SUB', copyRole: 'FOLLOWER' });
    expect(res.status).toBe(303);
    expect(await account('bn1')).toMatchObject({ name: 'Binance renamed', kind: 'SUB', copyRole: 'FOLLOWER' });
    await expect(web.desk.app.services.copy.follower('bn1')).resolves.toMatchObject({ id: 'bn1' });
    const second = await owner.post('/accounts/bn1/edit', { name: 'Binance renamed', kind: 'SUB', copyRole: 'LEADER' });
    expect(second.status).toBe(409);
    expect(second.text).toContain('Account lead is already the leader');
    expect((await account('bn1'))?.copyRole).toBe('FOLLOWER');
  });

  it('refuses to delete an account with an open order, then deletes it when forced with its id typed', async () => {
    await web.desk.confirmed('/order bg1 BTCUSDT buy 0.001 30000');
    const refused = await owner.post('/accounts/bg1/delete');
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Account bg1 was not deleted: it has 1 open orders');
    expect(await account('bg1')).not.toBeNull();

    const mistyped = await owner.post('/accounts/bg1/delete', { force: 'on', confirm: 'bg' });
    expect(mistyped.status).toBe(409);
    expect(mistyped.text).toContain('type the account id exactly');
    expect(await account('bg1')).not.toBeNull();

    const forced = await owner.post('/accounts/bg1/delete', { force: 'on', confirm: 'bg1' });
    expect(forced.status).toBe(303);
    expect(await account('bg1')).toBeNull();
    expect((await owner.get('/accounts/bg1')).status).toBe(404);
    const deletes = await auditOf('accounts.delete', 'bg1');
    expect(deletes.map((r) => r.outcome)).toEqual(['refused', 'refused', 'ok']);
    expect(auditSentence(deletes[2])).toBe('Done. Deleted by force, confirmed by typing the account id.');
    expect(auditSentence(deletes[0], 'zh')).toMatch(/^已拒绝：账户 bg1 未删除/);
  });

  it('refuses to delete the active leader unless forced; deletes an account with nothing open', async () => {
    const leader = await owner.post('/accounts/lead/delete');
    expect(leader.status).toBe(409);
    expect(leader.text).toContain('active leader: yes');
    const plain = await owner.post('/accounts/bn_bad/delete');
    expect(plain.status).toBe(303);
    expect(await account('bn_bad')).toBeNull();
  });

  it("lists an account's open orders and cancels one: the book records it CANCELED and the audit log says who", async () => {
    const { orders, db } = web.desk.app.services;
    const { order } = await orders.place({
      accountId: 'sub_b',
      symbol: 'BTCUSDT',
      side: 'buy',
      type: 'limit',
      amount: new Decimal('0.002'),
      price: new Decimal('50000'),
      vpName: 'webcancel',
    });
    expect(order.status).toBe('OPEN');
    const page = await owner.get('/accounts/sub_b');
    expect(page.text).toContain('Open orders');
    expect(page.text).toMatch(
      new RegExp(`\\(${order.clientOrderId}\\) BTC/USDT buy limit 0/0.002 at 50000, open · VP webcancel`),
    );
    const ref = order.exchangeOrderId ?? '';
    expect(page.text).toContain(`name="ref" value="${ref}"`);

    const cancelled = await owner.post('/accounts/sub_b/orders/cancel', { ref });
    expect(cancelled.status).toBe(303);
    expect((await owner.get('/accounts/sub_b')).text).toContain('Cancelled on sub_b');
    expect(await db.order.findUnique({ where: { clientOrderId: order.clientOrderId } })).toMatchObject({
      status: 'CANCELED',
    });
    const [row] = await auditOf('orders.cancel', 'sub_b');
    expect(row).toMatchObject({ outcome: 'ok', platform: 'web' });
    // The order itself, as the log tells every order: found by its ids, read in each language.
    expect(auditSentence(row)).toBe(
      `Done. Order ${ref} (client id ${order.clientOrderId}): buy 0.002 BTC/USDT at 50000 — cancelled, nothing filled.`,
    );
    expect(auditSentence(row, 'zh')).toBe(
      `已完成。订单 ${ref}（客户端订单号 ${order.clientOrderId}）：买入 0.002 BTC/USDT，限价 50000 — 已撤销，未成交。`,
    );
    expect((await web.desk.app.services.audit.query({ order: ref })).rows.map((r) => r.command)).toContain(
      'orders.cancel',
    );

    const again = await owner.post('/accounts/sub_b/orders/cancel', { ref });
    expect(again.status).toBe(303);
    expect((await owner.get('/accounts/sub_b')).text).toContain(`has no open order ${ref}`);
  });

  it('no response and no log line carried a secret', async () => {
    await expectNoSecretLeaks(web, created);
  });
});
