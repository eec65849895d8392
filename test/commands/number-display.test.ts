import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallerRef } from '../../src/services/identity.ts';
import { fromColumn } from '../../src/services/orders/decimal-columns.ts';
import { grantUser } from '../support/harness.ts';
import { startWebDesk, type WebClient, type WebDesk } from '../web/web-desk.ts';

/**
 * Numbers as the market has them, in chat (English console, Chinese Telegram owner) and in the
 * admin, while the book keeps every digit: sub_b (Binance spot, tick 0.01, step 0.00001) buys
 * 0.01 BTC at 60000 and 0.02 at 60190.37, so its VP's average entry and its free USDT carry
 * more decimals than the market shows.
 */
let web: WebDesk;
let owner: WebClient;
const zh: CallerRef = { platform: 'telegram', externalId: '7701', displayName: 'zh', locale: 'zh-CN' };

const services = () => web.desk.app.services;
const zhSays = async (line: string) => (await web.desk.app.dispatcher.handleLine(zh, line))?.text ?? '';
const vp = () =>
  services().db.virtualPosition.findFirstOrThrow({ where: { accountId: 'sub_b', name: 'avg', symbol: 'BTC/USDT' } });

beforeAll(async () => {
  web = await startWebDesk();
  owner = await web.owner();
  await grantUser(web.desk.app, zh, 'owner');
  await web.desk.confirmed('/order sub_b BTC/USDT buy 0.01 vp=avg');
  web.desk.emulator.setPrice('BTCUSDT', '60190.37');
  await web.desk.confirmed('/order sub_b BTC/USDT buy 0.02 vp=avg');
  // f1 spends a price with many decimals' worth of USDT, as a copy would.
  await web.desk.confirmed('/order f1 BTC/USDT buy 0.00123');
}, 60_000);
afterAll(async () => web.close());

describe('numbers as the market has them', () => {
  it('the book keeps every digit; the VP shows its average entry to the tick, in both languages', async () => {
    const stored = fromColumn((await vp()).avgEntry);
    expect(stored.decimalPlaces()).toBeGreaterThan(2);
    const shown = stored.toNearest(new Decimal('0.01'), Decimal.ROUND_HALF_UP).toFixed();
    const en = await web.desk.say('/vp show sub_b avg');
    expect(en).toMatch(new RegExp(`\\bavg\\s+\\S+\\s+${shown.replace('.', '\\.')}\\s`));
    expect(en).not.toContain(stored.toFixed());
    const cn = await zhSays('/vp show sub_b avg');
    expect(cn).toContain(` ${shown} `);
    expect(cn).toContain('多头');
    expect(cn).not.toContain(stored.toFixed());
  });

  it('a free balance shows cents of USDT, never more than is free', async () => {
    const free = (await (await services().exchanges.for('f1')).fetchBalance()).find((l) => l.asset === 'USDT')?.free;
    expect(free?.decimalPlaces()).toBeGreaterThan(2);
    const cents = free?.toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed() ?? '';
    expect(await web.desk.say('/balance f1')).toContain(`USDT: free ${cents}, locked 0`);
    expect(await zhSays('/balance f1')).toContain(`USDT：可用 ${cents}，冻结 0`);
    expect(await web.desk.say('/followers')).toMatch(new RegExp(`f1 .* ${cents.replace('.', '\\.')} `));
    expect((await owner.get('/copy')).text).toContain(`>${cents}<`);
    expect((await owner.get('/copy')).text).not.toContain(free?.toFixed() ?? '-');
  });

  it('an order and its confirmation read in the trader’s language: side, price, status', async () => {
    const ask = await zhSays('/order sub_b BTC/USDT buy $50');
    expect(ask).toContain('买入 50 USDT BTC/USDT');
    expect(ask).toContain('价格 市价');
    expect(ask).not.toMatch(/\bbuy\b/);
    const en = await web.desk.say('/order sub_b BTC/USDT buy $50');
    expect(en).toContain('buy 50 USDT BTC/USDT');
    await web.desk.say('no');
    expect(await zhSays('/orders sub_b')).toContain('sub_b：0 笔挂单');
  });

  it('positions and reconciliation quantities keep the asset precision, prices the tick', async () => {
    const cn = await zhSays('/positions sub_b');
    const held = (await (await services().exchanges.for('sub_b')).fetchBalance()).find((l) => l.asset === 'BTC');
    expect(cn).toContain(`BTC ${held?.total.toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed()}`);
    expect(cn).toContain('现货');
    const en = await web.desk.say('/reconcile sub_b');
    expect(en).not.toMatch(/\d\.\d{9,}/);
  });
});
