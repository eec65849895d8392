import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../support/fake-telegram.ts';
import { OWNER, startTelegramDesk, type TelegramDesk } from './telegram-desk.ts';

/**
 * A Chinese-speaking owner trades over the real grammY bot on a fake Telegram: the question, the
 * buttons and the outcome are Chinese, sides and statuses included, and the figures are as the
 * market has them (sub_a is Binance USDT-M: price tick 0.1, amount step 0.001).
 */
let desk: TelegramDesk;
const ZH = { ...OWNER, language_code: 'zh-hans' };

beforeAll(async () => {
  desk = await startTelegramDesk();
  desk.t.app.services.paper?.emulator.setPrice('BTCUSDT', '60000');
});
afterAll(async () => desk.close());

const button = (m: StoredMessage, label: string): string => {
  const found = m.replyMarkup?.inline_keyboard.flat().find((b) => b.text === label);
  if (!found || !('callback_data' in found)) throw new Error(`no ${label} button`);
  return found.callback_data;
};

/** Asks, checks the question, presses 确认 and returns the outcome that replaced it. */
async function confirmed(line: string, question: string): Promise<string> {
  const [prompt] = await desk.say(ZH, line);
  if (!prompt) throw new Error(`no answer to ${line}`);
  expect(prompt.text).toContain('请确认');
  expect(prompt.text).toContain(question);
  await desk.press(ZH, prompt, button(prompt, '确认'));
  return desk.fake.messages.get(`${prompt.chatId}:${prompt.messageId}`)?.text ?? '';
}

describe('over Telegram in Chinese', () => {
  it('an order is asked, confirmed and reported in Chinese, its average entry to the tick', async () => {
    const first = await confirmed(
      '/order sub_a BTC/USDT buy 0.01 vp=alpha',
      '买入 0.01 BTC/USDT:USDT 多头（开仓或加仓），价格 市价',
    );
    expect(first).toMatch(/订单 #\d+（\S+）已成交，成交 0\.01，均价 60000。/);

    desk.t.app.services.paper?.emulator.setPrice('BTCUSDT', '60190.4');
    const second = await confirmed('/order sub_a BTC/USDT buy 0.02 vp=alpha', '买入 0.02 BTC/USDT:USDT 多头');
    // (0.01 × 60000 + 0.02 × 60190.4) / 0.03 = 60126.9333…: the book keeps it, the reply shows the tick.
    expect(second).toContain('虚拟仓位 alpha 现为 0.03 @ 60126.9，已实现盈亏');
    const vp = await desk.t.app.services.db.virtualPosition.findFirstOrThrow({ where: { name: 'alpha' } });
    expect(vp.avgEntry.startsWith('60126.9333')).toBe(true);
  });

  it('positions and balances read in Chinese, money to the cent', async () => {
    const positions = desk.textOf(await desk.say(ZH, '/positions sub_a'));
    expect(positions).toContain('sub_a（binance U本位合约）');
    // 0.03 × (60190.4 − 60126.9333…) = 1.904 USDT of unrealized PnL, to the cent.
    expect(positions).toContain('BTC/USDT:USDT 多头 0.03 @ 60126.9，标记价 60190.4，未实现盈亏 1.9');
    const balance = desk.textOf(await desk.say(ZH, '/balance sub_a'));
    expect(balance).toMatch(/USDT：可用 \d+(\.\d{1,2})?，冻结 \d+(\.\d{1,2})?/);
  });
});
