import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startTelegramDesk, type TelegramDesk } from './telegram-desk.ts';

/** Refusals that come before a Confirm, replayed through the real grammY bot on a fake Telegram. */
let desk: TelegramDesk;
const ZH_OWNER = { ...OWNER, language_code: 'zh-hans' };

beforeAll(async () => {
  desk = await startTelegramDesk();
  desk.t.app.services.paper?.emulator.setPrice('BTCUSDT', '60000');
});
afterAll(async () => desk.close());

async function answer(user: typeof OWNER, line: string): Promise<string> {
  const messages = await desk.say(user, line);
  expect(
    messages.every((m) => !m.replyMarkup),
    `${line} showed buttons`,
  ).toBe(true);
  return messages.map((m) => m.text).join('\n');
}

describe('over Telegram, in the language of the user', () => {
  it('/pause of an account that does not exist is answered without a Confirm', async () => {
    expect(await answer(OWNER, '/pause nosuch')).toBe('There is no account nosuch. Send /accounts to list them.');
  });

  it('an order below the smallest lot is refused in Chinese, and nothing is booked', async () => {
    expect(await answer(ZH_OWNER, '/order main BTC/USDT buy 0.0000000001')).toBe(
      '账户 main：0.0000000001 BTC 低于 BTC/USDT:USDT 的最小下单量 0.001 BTC。未发送任何订单。',
    );
    expect(await desk.t.app.services.db.virtualPosition.count({ where: { accountId: 'main' } })).toBe(0);
  });

  it('/yes with nothing waiting, and a negative risk limit', async () => {
    expect(await answer(ZH_OWNER, '/yes')).toBe('目前没有需要确认或取消的操作。');
    expect(await answer(OWNER, '/risk sub_a order_notional -5')).toMatch(
      /^Argument value: -5 is negative; it must be more than 0\.\nUsage: \/risk/,
    );
  });
});
