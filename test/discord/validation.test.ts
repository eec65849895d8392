import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUILD, OWNER, startDiscordDesk, type DiscordDesk } from './discord-desk.ts';

/** Refusals that come before a Confirm, replayed through the real discord.js client on a fake Discord. */
let desk: DiscordDesk;
const ZH_OWNER = { ...OWNER, locale: 'zh-CN' };

beforeAll(async () => {
  desk = await startDiscordDesk();
  desk.t.app.services.paper?.emulator.setPrice('BTCUSDT', '60000');
});
afterAll(async () => desk.close());

async function answer(user: typeof OWNER, name: string, values: Record<string, string>): Promise<string> {
  const messages = await desk.slash(user, name, values, GUILD);
  expect(
    messages.every((m) => m.components.length === 0),
    `/${name} showed buttons`,
  ).toBe(true);
  return desk.textOf(messages);
}

describe('over Discord, in the language of the user', () => {
  it('/resume of a follower that is not paused is answered without a Confirm', async () => {
    expect(await answer(ZH_OWNER, 'resume', { follower: 'f1' })).toBe('跟单账户 f1 未暂停：它正在跟单，无需恢复。');
  });

  it('an order above the largest lot is refused before anything asks to confirm', async () => {
    expect(await answer(OWNER, 'order', { account: 'main', symbol: 'BTC/USDT', side: 'buy', amount: '1000000' })).toBe(
      'Account main: 1000000 BTC is above the largest order on BTC/USDT:USDT, 1000 BTC. Nothing was sent.',
    );
  });

  it('an invalid option value of 5,900 characters is echoed by its first 40, in one message', async () => {
    const messages = await desk.slash(OWNER, 'order', {
      account: 'sub_b',
      symbol: 'BTC/USDT',
      side: 'buy',
      amount: 'z'.repeat(5900),
    });
    expect(messages).toHaveLength(1);
    expect(desk.textOf(messages)).toMatch(new RegExp(`^Argument amount: "z{39}…" is not a number`));
  });

  it('an unknown limit name lists the valid ones, in Chinese', async () => {
    expect(await answer(ZH_OWNER, 'risk', { account: 'sub_a', limit: 'bogus', value: '5' })).toMatch(
      /^参数 limit：“bogus”不允许，请使用其中之一：order_notional, position_notional, open_orders, daily_loss。/,
    );
  });
});
