import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallerRef } from '../../src/services/identity.ts';
import { grantUser } from '../support/harness.ts';
import { startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

/**
 * What an owner reads on the Audit page after a trader's session: every row a sentence in the
 * admin's language — orders with their quantity, price, exchange and client order ids; refusals
 * and bad arguments in words, never a message key; nothing called "ok" that did nothing.
 */
const trader: CallerRef = { platform: 'telegram', externalId: '4242', chat: { id: '4242', group: false } };

interface Session {
  web: WebDesk;
  owner: WebClient;
}

/** The same session on a desk in each language. */
async function session(language: 'en' | 'zh'): Promise<Session> {
  const web = await startWebDesk({ env: { DEFAULT_LANGUAGE: language } });
  const { desk } = web;
  await grantUser(desk.app, trader, 'trader', ['main', 'sub_b', 'f1']);
  const say = (line: string) => desk.app.dispatcher.handleLine(trader, line);
  const confirm = async (line: string) => {
    const asked = await say(line);
    const id = asked?.confirmation?.id;
    if (!id) throw new Error(`no confirmation for ${line}: ${asked?.text ?? ''}`);
    return desk.app.dispatcher.handleAction(trader, `cf:y:${id}`);
  };
  await confirm('/order main BTC/USDT buy 0.01');
  await confirm('/order sub_b BTC/USDT buy 0.001 50000');
  const limit = await desk.app.services.db.order.findFirstOrThrow({
    where: { accountId: 'sub_b', price: { not: null } },
  });
  await confirm(`/cancel sub_b ${limit.exchangeOrderId ?? ''}`);
  desk.app.services.paper?.emulator.fault('sub_b', {
    endpoint: 'POST /api/v3/order',
    failNext: { count: 1, httpStatus: 400, code: -2010, msg: 'Account has insufficient balance for requested action.' },
  });
  await confirm('/order sub_b BTC/USDT buy 0.002');
  await say('/followers add main');
  await say('/lang xx');
  await say('/alerts off');
  await desk.say('/alerts on');
  await desk.say('/copy stop');
  return { web, owner: await web.owner() };
}

/** The audit table's rows as the reader sees them: action, outcome and sentence. */
async function rowsOf(owner: WebClient, path = '/audit'): Promise<{ action: string; outcome: string; what: string }[]> {
  const page = await owner.get(path);
  return [...page.text.matchAll(/<tr id="audit-\d+">([\s\S]*?)<\/tr>/g)].map(([, row = '']) => {
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ''));
    return { action: cells[3] ?? '', outcome: cells[6] ?? '', what: (cells[7] ?? '').replace(/&#39;/g, "'") };
  });
}

let en: Session;
let zh: Session;

beforeAll(async () => {
  [en, zh] = await Promise.all([session('en'), session('zh')]);
});
afterAll(async () => {
  await Promise.all([en.web.close(), zh.web.close()]);
});

async function ordersOf(s: Session) {
  const { db } = s.web.desk.app.services;
  const market = await db.order.findFirstOrThrow({ where: { accountId: 'main' } });
  const limit = await db.order.findFirstOrThrow({ where: { accountId: 'sub_b', price: { not: null } } });
  return { market, limit };
}

describe('the audit page reads as sentences', () => {
  it('an order: what was asked, the quantity, the price, the exchange and client ids, how it ended', async () => {
    const { market, limit } = await ordersOf(en);
    const rows = await rowsOf(en.owner);
    const placed = rows.find((r) => r.action === '/order main BTC/USDT buy 0.01');
    expect(placed).toEqual({
      action: '/order main BTC/USDT buy 0.01',
      outcome: 'ok',
      what: `Done. Order ${market.exchangeOrderId ?? ''} (client id ${market.clientOrderId}): buy 0.01 BTC/USDT:USDT long at market — filled, filled 0.01 at 60000 on average.`,
    });
    const resting = rows.find((r) => r.action === '/order sub_b BTC/USDT buy 0.001 price=50000');
    expect(resting?.what).toBe(
      `Done. Order ${limit.exchangeOrderId ?? ''} (client id ${limit.clientOrderId}): buy 0.001 BTC/USDT at 50000 — open, nothing filled.`,
    );
    const cancelled = rows.find((r) => r.action.startsWith('/cancel sub_b'));
    expect(cancelled?.what).toBe(
      `Done. Order ${limit.exchangeOrderId ?? ''} (client id ${limit.clientOrderId}): buy 0.001 BTC/USDT at 50000 — cancelled, nothing filled.`,
    );
  });

  it('an order the exchange refused: failed, why, and the order with its client id, rejected', async () => {
    const { db } = en.web.desk.app.services;
    const rejected = await db.order.findFirstOrThrow({ where: { accountId: 'sub_b', status: 'REJECTED' } });
    const row = (await rowsOf(en.owner)).find((r) => r.action === '/order sub_b BTC/USDT buy 0.002');
    expect(row?.outcome).toBe('failed');
    expect(row?.what).toMatch(/^Failed: .*insufficient|^Failed: .*not enough|^Failed: .*balance/i);
    expect(row?.what).toContain(
      `Order without an exchange id (client id ${rejected.clientOrderId}): buy 0.002 BTC/USDT at market — rejected by the exchange, nothing filled.`,
    );
    const cn = (await rowsOf(zh.owner)).find((r) => r.action === '/order sub_b BTC/USDT buy 0.002');
    expect(cn?.outcome).toBe('失败');
    expect(cn?.what).toMatch(
      /^失败：.*订单（无交易所订单号，客户端订单号 hs\w+）：买入 0\.002 BTC\/USDT，市价 — 被交易所拒绝，未成交。$/,
    );
  });

  it('an order id finds the rows of the commands that moved that order, whichever id is typed', async () => {
    const { limit } = await ordersOf(en);
    const lines = async (query: string) => (await rowsOf(en.owner, `/audit?${query}`)).map((r) => r.action);
    const placedAndCancelled = [
      `/cancel sub_b ${limit.exchangeOrderId ?? ''}`,
      '/order sub_b BTC/USDT buy 0.001 price=50000',
    ];
    expect(await lines(`order=${limit.exchangeOrderId ?? ''}`)).toEqual(placedAndCancelled);
    expect(await lines(`order=${limit.clientOrderId}`)).toEqual(placedAndCancelled);
    expect(await lines(`order=${limit.clientOrderId.slice(0, -2)}`)).toEqual([]);
    const bad = await en.owner.get('/audit?order=%3Cscript%3E');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Order id: an exchange order id or a client order id');
    expect((await zh.owner.get('/audit')).text).toContain('订单号');
  });

  it('the same rows in Chinese', async () => {
    const { market, limit } = await ordersOf(zh);
    const rows = await rowsOf(zh.owner);
    expect(rows.find((r) => r.action === '/order main BTC/USDT buy 0.01')).toEqual({
      action: '/order main BTC/USDT buy 0.01',
      outcome: '成功',
      what: `已完成。订单 ${market.exchangeOrderId ?? ''}（客户端订单号 ${market.clientOrderId}）：买入 0.01 BTC/USDT:USDT 多头，市价 — 已成交，成交 0.01，均价 60000。`,
    });
    expect(rows.find((r) => r.action.startsWith('/cancel sub_b'))?.what).toBe(
      `已完成。订单 ${limit.exchangeOrderId ?? ''}（客户端订单号 ${limit.clientOrderId}）：买入 0.001 BTC/USDT，限价 50000 — 已撤销，未成交。`,
    );
  });

  it('a refusal and a bad argument say why in words, never as a message key', async () => {
    for (const [s, refusedWord, refusal, invalid] of [
      [
        en,
        'refused',
        'Refused: Account main is not a spot account; followers copy on spot.',
        'Not run, an argument was wrong: ',
      ],
      [zh, '已拒绝', '已拒绝：', '未执行，参数有误：'],
    ] as const) {
      const rows = await rowsOf(s.owner);
      const add = rows.find((r) => r.action === '/followers add main');
      expect(add?.outcome).toBe(refusedWord);
      expect(add?.what.startsWith(refusal)).toBe(true);
      const lang = rows.find((r) => r.action === '/lang xx');
      expect(lang?.what.startsWith(invalid)).toBe(true);
      for (const row of rows) expect(row.what, row.action).not.toMatch(/\b(errors|copy|alerts|orders)\.[a-z_]+\b/);
    }
    const zhAdd = (await rowsOf(zh.owner)).find((r) => r.action === '/followers add main');
    expect(zhAdd?.what).toMatch(/^已拒绝：.*main/);
    expect(zhAdd?.what).not.toMatch(/[A-Za-z]{4,} [a-z]{3,}/);
  });

  it('nothing is called ok that did nothing: alerts off when none were on, alerts on at the console', async () => {
    const rows = await rowsOf(en.owner);
    expect(rows.find((r) => r.action === '/alerts off')).toEqual({
      action: '/alerts off',
      outcome: 'nothing changed',
      what: 'Nothing changed: This chat was not receiving alerts.',
    });
    expect(rows.find((r) => r.action === '/alerts on')).toEqual({
      action: '/alerts on',
      outcome: 'refused',
      what: 'Refused: Alerts go to a Telegram or Discord chat: send this command there.',
    });
    const cn = await rowsOf(zh.owner);
    expect(cn.find((r) => r.action === '/alerts off')?.outcome).toBe('无变化');
    expect(cn.find((r) => r.action === '/alerts on')?.outcome).toBe('已拒绝');
    // Stopping what is stopped is said before any Confirm, and is no "ok".
    expect(rows.find((r) => r.action === '/copy stop')).toEqual({
      action: '/copy stop',
      outcome: 'refused',
      what: 'Refused: Copying is already stopped; nothing changed. Leader orders are recorded, not copied.',
    });
    expect(cn.find((r) => r.action === '/copy stop')?.what).toBe(
      '已拒绝：复制已经是停止状态，没有任何变化。主账户订单只记录，不复制。',
    );
    const filtered = await en.owner.get('/audit?outcome=unchanged');
    expect(filtered.text).toContain('1 entry · page 1 of 1');
  });

  it("the admin's own rows too: a login in the reader's words", async () => {
    expect((await rowsOf(en.owner)).find((r) => r.action === 'Log in')?.what).toBe('Done: logged in from 127.0.0.1');
    expect((await rowsOf(zh.owner)).find((r) => r.action === '登录')?.what).toBe('已完成：从 127.0.0.1 登录');
  });

  it('no secret reaches the audit log', async () => {
    const { services } = en.web.desk.app;
    const rows = JSON.stringify(await services.db.auditLog.findMany());
    for (const account of await services.accounts.list()) {
      const creds = await services.accounts.credentialsFor(account.id);
      expect(rows).not.toContain(creds.apiKey);
      expect(rows).not.toContain(creds.secret);
    }
  });
});
