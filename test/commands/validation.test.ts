import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyExchangeError } from '../../src/exchange/errors.ts';
import { t as translate } from '../../src/i18n/index.ts';
import type { CallerRef } from '../../src/services/identity.ts';
import { grantUser, startTestApp, telegramUser } from '../support/harness.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';
import { refusedFor, refusedOnConsole } from '../support/refusals.ts';

/**
 * Everything a command needs is checked before it asks to confirm — its arguments, its target
 * and the target's state, the market's filters — and a refusal names what is wrong, in the
 * caller's language. English through the console (the local owner), Chinese through a linked
 * owner whose Telegram speaks zh.
 */
let d: PaperDesk;
const ZH: CallerRef = telegramUser('7001', 'zh-hans');

beforeAll(async () => {
  d = await startPaperDesk();
  await grantUser(d.app, ZH, 'owner');
});
afterAll(async () => d.close());

const refused = (line: string) => refusedOnConsole(d, line);
const refusedZh = (line: string) => refusedFor(d, ZH, line);

const futuresOrders = () => d.futuresOrders();
const vpsOf = (accountId: string) => d.app.services.db.virtualPosition.count({ where: { accountId } });
const ordersOf = (accountId: string) => d.app.services.db.order.count({ where: { accountId } });

describe('the target and its state are checked before anything asks to confirm', () => {
  it('/pause of an account that does not exist', async () => {
    expect(await refused('/pause nosuch')).toBe('There is no account nosuch. Send /accounts to list them.');
    expect(await refusedZh('/pause nosuch')).toBe('没有账户 nosuch。发送 /accounts 查看账户列表。');
  });

  it('/pause of an account that is no follower', async () => {
    expect(await refused('/pause main')).toBe('Account main is not a follower.');
    expect(await refusedZh('/pause main')).toBe('账户 main 不是跟单账户。');
  });

  it('/cancel of an order that is not open on a futures account', async () => {
    expect(await refused('/cancel sub_a 999999')).toBe(
      'Account sub_a has no open order 999999. Send /orders sub_a to list them.',
    );
    expect(await refusedZh('/cancel sub_a 999999')).toBe('账户 sub_a 没有挂单 999999。发送 /orders sub_a 查看挂单。');
  });

  it('/resume of a follower that is not paused, and /pause of one that already is', async () => {
    expect(await refused('/resume f1')).toBe('Follower f1 is not paused: it already copies. Nothing to resume.');
    expect(await refusedZh('/resume f1')).toBe('跟单账户 f1 未暂停：它正在跟单，无需恢复。');

    expect((await d.confirmed('/pause f1')).done).toBe('Follower f1 is paused.');
    expect(await refused('/pause f1')).toBe(
      'Follower f1 is already paused; nothing to do. /resume f1 makes it copy again.',
    );
    expect(await refusedZh('/pause f1')).toBe('跟单账户 f1 已处于暂停状态，无需操作。发送 /resume f1 可恢复跟单。');
    expect((await d.confirmed('/resume f1')).done).toBe('Follower f1 copies again.');
  });
});

describe("an order is fitted to its market's filters before the confirmation", () => {
  it('a quantity that rounds to nothing is refused with the smallest order, and leaves no empty VP', async () => {
    const sent = futuresOrders();
    expect(await refused('/order main BTC/USDT buy 0.0000000001')).toBe(
      'Account main: 0.0000000001 BTC is below the smallest order on BTC/USDT:USDT, 0.001 BTC. Nothing was sent.',
    );
    expect(await refusedZh('/order main BTC/USDT buy 0.0000000001')).toBe(
      '账户 main：0.0000000001 BTC 低于 BTC/USDT:USDT 的最小下单量 0.001 BTC。未发送任何订单。',
    );
    expect(await vpsOf('main')).toBe(0);
    expect(await ordersOf('main')).toBe(0);
    expect(futuresOrders()).toBe(sent);
  });

  it('below one futures lot step: our words, not ccxt\'s "minimum amount precision"', async () => {
    const en = await refused('/order sub_a BTC/USDT buy 0.00000001');
    expect(en).toBe(
      'Account sub_a: 0.00000001 BTC is below the smallest order on BTC/USDT:USDT, 0.001 BTC. Nothing was sent.',
    );
    const zh = await refusedZh('/order sub_a BTC/USDT buy 0.00000001');
    expect(zh).toBe('账户 sub_a：0.00000001 BTC 低于 BTC/USDT:USDT 的最小下单量 0.001 BTC。未发送任何订单。');
    for (const text of [en, zh]) expect(text).not.toMatch(/binanceusdm|precision|must be greater/);
  });

  it('above the largest order is refused before confirming, not by the exchange afterwards', async () => {
    const sent = futuresOrders();
    expect(await refused('/order main BTC/USDT buy 1000000')).toBe(
      'Account main: 1000000 BTC is above the largest order on BTC/USDT:USDT, 1000 BTC. Nothing was sent.',
    );
    expect(await refusedZh('/order main BTC/USDT buy 1000000')).toBe(
      '账户 main：1000000 BTC 超过 BTC/USDT:USDT 的单笔最大下单量 1000 BTC。未发送任何订单。',
    );
    expect(futuresOrders()).toBe(sent);
  });

  it('below the minimum value at the last price (futures minimum 100 USDT)', async () => {
    expect(await refused('/order main BTC/USDT buy 0.001')).toBe(
      'Account main: this order is worth about 60 USDT, below the minimum order value on BTC/USDT:USDT of 100 USDT. Nothing was sent.',
    );
    expect(await refusedZh('/order main BTC/USDT buy 0.001')).toBe(
      '账户 main：该订单价值约 60 USDT，低于 BTC/USDT:USDT 的最小下单金额 100 USDT。未发送任何订单。',
    );
  });

  it('a quote amount below the spot minimum value (5 USDT), and one above the largest order', async () => {
    expect(await refused('/order sub_b BTC/USDT buy $4')).toBe(
      'Account sub_b: this order is worth about 4 USDT, below the minimum order value on BTC/USDT of 5 USDT. Nothing was sent.',
    );
    expect(await refusedZh('/order sub_b BTC/USDT buy $4')).toBe(
      '账户 sub_b：该订单价值约 4 USDT，低于 BTC/USDT 的最小下单金额 5 USDT。未发送任何订单。',
    );
    expect(await refused('/order sub_b BTC/USDT buy $100000000000')).toContain(
      'is above the largest order on BTC/USDT, 9000 BTC',
    );
  });

  it('a Bitget spot market buy sized in base is refused before confirming, with what to give instead', async () => {
    expect(await refused('/order f2 BTC/USDT buy 0.001')).toBe(
      'Account f2: a market buy on Bitget is sized in the quote currency; give an amount such as $100.',
    );
    expect(await refusedZh('/order f2 BTC/USDT buy 0.001')).toBe(
      '账户 f2：Bitget 的市价买单按计价货币计算；请给出金额，例如 $100。',
    );
  });

  it('a spot order needs its coins free: refused before confirming when they are not', async () => {
    expect(await refused('/order sub_b BTC/USDT buy 0.1')).toBe(
      'Account sub_b: this order needs about 6000 USDT, and 5000 USDT is free. Nothing was sent.',
    );
    expect(await refusedZh('/order sub_b BTC/USDT buy $5001')).toBe(
      '账户 sub_b：该订单约需 5001 USDT，可用余额只有 5000 USDT。未发送任何订单。',
    );
  });

  it('a limit price outside the market range is refused', async () => {
    expect(await refused('/order sub_b BTC/USDT sell 0.001 2000000')).toBe(
      'Account sub_b: the price 2000000 is outside what BTC/USDT accepts (0.01 to 1000000). Nothing was sent.',
    );
    expect(await refusedZh('/order sub_b BTC/USDT sell 0.001 2000000')).toBe(
      '账户 sub_b：价格 2000000 超出 BTC/USDT 允许的范围（0.01 至 1000000）。未发送任何订单。',
    );
  });

  it("a limit price off the tick is confirmed on the tick, in the trader's favour, and says so in Chinese too", async () => {
    const ask = await d.app.dispatcher.handleLine(ZH, '/order sub_b BTC/USDT buy 0.001 59000.129');
    expect(ask?.text).toContain('价格已按市场最小价格变动 0.01 向对你有利的方向取整：59000.129 → 59000.12。');
    expect((await d.app.dispatcher.handleAction(ZH, ask?.buttons?.[0]?.[1]?.data ?? ''))?.text).toBe(
      '已取消，未执行任何操作。',
    );
    expect(await d.say('/order sub_a BTC/USDT sell 0.002 70000.01 short')).toContain(
      "Price rounded to the market's tick of 0.1, in your favour: 70000.01 → 70000.1.",
    );
    expect(await d.say('no')).toBe('Cancelled. Nothing was done.');
  });

  it('the confirmation shows the quantity as it is sent, rounded down to the lot step, and that is what is sent', async () => {
    const { ask, done } = await d.confirmed('/order main BTC/USDT buy 0.0025');
    expect(ask).toContain('buy 0.002 BTC/USDT:USDT');
    expect(ask).toContain("Quantity rounded down to the market's step of 0.001: 0.0025 → 0.002.");
    expect(ask).not.toContain('0.0025 BTC/USDT');
    expect(done).toMatch(/order #\d+ .* FILLED, filled 0\.002 at/);
    const order = await d.app.services.db.order.findFirst({ where: { accountId: 'main' }, orderBy: { id: 'desc' } });
    expect(order?.amount).toBe('0.002');
  });
});

describe('nothing to confirm', () => {
  it('yes and no on the console with nothing waiting say so', async () => {
    expect(await refused('yes')).toBe('There is nothing to confirm or cancel right now.');
    expect(await refused('no')).toBe('There is nothing to confirm or cancel right now.');
    expect(await refusedZh('/yes')).toBe('目前没有需要确认或取消的操作。');
  });

  it('after a refusal, yes is not an unknown command', async () => {
    await refused('/pause nosuch');
    expect(await refused('yes')).toBe('There is nothing to confirm or cancel right now.');
  });
});

describe('argument errors name the argument and what is wrong with its value', () => {
  const ORDER_USAGE = '/order <account> <symbol> <buy|sell> <amount> [price] [long|short] [reduce] [vp]';
  const RISK_USAGE = '/risk [account|all] [order_notional|position_notional|open_orders|daily_loss] [value]';

  it('a negative limit price of an order', async () => {
    expect(await refused('/order sub_b BTC/USDT buy 0.01 -5')).toBe(
      `Argument price: -5 is negative; it must be more than 0.\nUsage: ${ORDER_USAGE}`,
    );
    expect(await refusedZh('/order sub_b BTC/USDT buy 0.01 -5')).toBe(
      `参数 price：-5 是负数；必须大于 0。\n用法：${ORDER_USAGE}`,
    );
  });

  it('a negative percentage of a VP to close', async () => {
    expect(await refused('/vp close sub_a scalp -10')).toMatch(
      /^Argument percent: -10 must be more than 0 and at most 100\.\nUsage: \/vp close/,
    );
    expect(await refusedZh('/vp close sub_a scalp -10')).toMatch(
      /^参数 percent：-10 必须大于 0 且不超过 100。\n用法：/,
    );
    expect(await refused('/vp close sub_a scalp 1e308')).toMatch(
      /^Argument percent: 1e308 must be more than 0 and at most 100\./,
    );
  });

  it('a risk limit that is negative, too large or not a number', async () => {
    expect(await refused('/risk sub_a order_notional -5')).toBe(
      `Argument value: -5 is negative; it must be more than 0.\nUsage: ${RISK_USAGE}`,
    );
    expect(await refusedZh('/risk sub_a order_notional -5')).toBe(
      `参数 value：-5 是负数；必须大于 0。\n用法：${RISK_USAGE}`,
    );
    expect(await refused('/risk sub_a order_notional 1e308')).toBe(
      `Argument value: 1e308 is too large; it must be less than 1000000000000.\nUsage: ${RISK_USAGE}`,
    );
    expect(await refusedZh('/risk sub_a order_notional 1e308')).toBe(
      `参数 value：1e308 太大；必须小于 1000000000000。\n用法：${RISK_USAGE}`,
    );
    expect(await refused('/risk sub_a order_notional NaN')).toBe(
      `Argument value: "NaN" is not a number. Expected: USDT (a count for open_orders), or off.\nUsage: ${RISK_USAGE}`,
    );
    expect(await refusedZh('/risk sub_a order_notional NaN')).toBe(
      `参数 value：“NaN”不是数字。应为：${translate('zh', 'args.risk_value')}。\n用法：${RISK_USAGE}`,
    );
    expect((await d.app.services.risk.limits('sub_a')).maxOrderNotional).toBeNull();
  });

  it('an unknown limit name, with the list of the valid ones', async () => {
    expect(await refused('/risk sub_a bogus 5')).toBe(
      'Argument limit: "bogus" is not allowed; use one of: order_notional, position_notional, open_orders, daily_loss.\n' +
        `Usage: ${RISK_USAGE}`,
    );
    expect(await refusedZh('/risk sub_a bogus 5')).toBe(
      '参数 limit：“bogus”不允许，请使用其中之一：order_notional, position_notional, open_orders, daily_loss。\n' +
        `用法：${RISK_USAGE}`,
    );
  });

  it('a count of open orders that is not whole or past any real limit', async () => {
    expect(await refused('/risk sub_a open_orders 2.5')).toBe(
      'Argument value: 2.5 is not a whole number; it counts orders.',
    );
    expect(await refusedZh('/risk sub_a open_orders 2.5')).toBe('参数 value：2.5 不是整数；它是订单笔数。');
    expect(await refused('/risk sub_a open_orders 20000')).toBe(
      'Argument value: 20000 is too large; it must be at most 10000.',
    );
    expect((await d.app.services.risk.limits('sub_a')).maxOpenOrders).toBeNull();
    expect(await refused('/risk sub_a open_orders 3')).toContain('max open orders 3');
    expect((await d.app.services.risk.limits('sub_a')).maxOpenOrders).toBe(3);
    await d.say('/risk sub_a open_orders off');
  });

  it("a number below its bound is said in our words, not zod's", async () => {
    expect(await refused('/events 0')).toBe(
      'Argument count: 0 is too small; it must be at least 1.\nUsage: /events [count] [detail]',
    );
    expect(await refusedZh('/events 0')).toBe('参数 count：0 太小；至少为 1。\n用法：/events [count] [detail]');
    expect(await refused('/events 1e308')).toMatch(/^Argument count: 1e308 is too large; it must be at most 50\./);
    for (const text of [await refused('/events 0'), await refusedZh('/events abc')]) {
      expect(text).not.toMatch(/Too small|Too big|expected number|Invalid input/);
    }
  });

  it('a value that is not a number names what the argument takes, in the reply language', async () => {
    expect(await refused('/order sub_b BTC/USDT buy lots')).toBe(
      `Argument amount: "lots" is not a number. Expected: base quantity (0.01) or quote amount ($100).\nUsage: ${ORDER_USAGE}`,
    );
    expect(await refusedZh('/order sub_b BTC/USDT buy lots')).toBe(
      `参数 amount：“lots”不是数字。应为：基础货币数量（0.01）或计价金额（$100）。\n用法：${ORDER_USAGE}`,
    );
  });

  it('a currency after the amount is no VP name: the trader is told how to give a quote amount', async () => {
    expect(await refused('/order sub_b BTC/USDT buy 50 USDT')).toBe(
      'Argument vp: "USDT" is a currency, not a virtual position name. For an amount in USDT, write it with $, e.g. $50.\n' +
        `Usage: ${ORDER_USAGE}`,
    );
    expect(await refusedZh('/order sub_b BTC/USDT buy 50 usdt')).toBe(
      '参数 vp：“usdt”是币种，不是虚拟仓位名称。如要按 usdt 金额下单，请在金额前加 $，例如 $50。\n' +
        `用法：${ORDER_USAGE}`,
    );
  });

  it('a long value is echoed cut to about 40 characters', async () => {
    const pasted = 'x'.repeat(5900);
    const text = await refused(`/order sub_b BTC/USDT buy ${pasted}`);
    expect(text).toContain(`"${'x'.repeat(39)}…"`);
    expect(text.length).toBeLessThan(300);
    expect((await refused(`/${'y'.repeat(500)}`)).length).toBeLessThan(150);
  });
});

describe('exchange library texts become our messages', () => {
  it("ccxt's pre-send 'minimum amount precision' refusal is said in both languages", () => {
    const err = classifyExchangeError(
      new ccxt.InvalidOrder(
        'binanceusdm amount of BTC/USDT:USDT must be greater than minimum amount precision of 0.001',
      ),
      { accountId: 'sub_a', exchange: 'binance', operation: 'placeOrder', clientOrderId: 'c1' },
    );
    expect(err.key).toBe('exchange.amount_below_precision');
    expect(translate('en', err.key, err.params)).toBe(
      'Account sub_a: the quantity is less than one step (0.001) of this Binance market. Nothing was sent.',
    );
    expect(translate('zh', err.key, err.params)).toBe(
      '账户 sub_a：数量小于该 Binance 市场的一个步长（0.001）。未发送任何订单。',
    );
  });

  it('another pre-send ccxt refusal is ours too, without its English', () => {
    const err = classifyExchangeError(
      new ccxt.ArgumentsRequired('binance fetchMyTrades() requires a symbol argument'),
      {
        accountId: 'sub_b',
        exchange: 'binance',
        operation: 'fetchTrades',
      },
    );
    expect(err.key).toBe('exchange.refused_before_sending');
    expect(translate('zh', err.key, err.params)).toBe('账户 sub_b：该请求不符合 Binance 对此市场的规则，因此未发送。');
  });
});

describe('an expired confirmation', () => {
  it('answers "expired" even after a later command swept it', async () => {
    const quick = await startTestApp({}, { confirmationTtlMs: 60 });
    try {
      await grantUser(quick.app, ZH, 'owner');
      const first = await quick.app.dispatcher.handleLine(ZH, '/order sub_b BTC/USDT buy 0.001 50000');
      const stale = first?.buttons?.[0]?.[0]?.data ?? '';
      expect(stale).not.toBe('');
      await new Promise((r) => setTimeout(r, 80));
      // A new command sweeps the expired one out of the waiting list.
      await quick.app.dispatcher.handleLine(ZH, '/order sub_b BTC/USDT buy 0.001 50000');
      expect((await quick.app.dispatcher.handleAction(ZH, stale))?.text).toBe(
        '此确认已过期，未执行任何操作；请重新发送命令。',
      );
      const owner = telegramUser('7002');
      await grantUser(quick.app, owner, 'owner');
      const mine = await quick.app.dispatcher.handleLine(owner, '/order sub_b BTC/USDT buy 0.001 50000');
      await new Promise((r) => setTimeout(r, 80));
      await quick.app.dispatcher.handleLine(owner, '/order sub_b BTC/USDT buy 0.001 50000');
      expect((await quick.app.dispatcher.handleAction(owner, mine?.buttons?.[0]?.[0]?.data ?? ''))?.text).toBe(
        'This confirmation expired. Nothing was done; send the command again.',
      );
      expect(await quick.app.services.db.order.count({ where: { accountId: 'sub_b' } })).toBe(0);
    } finally {
      await quick.close();
    }
  });
});
