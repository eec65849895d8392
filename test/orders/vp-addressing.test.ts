import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wayOut } from '../../src/commands/catalog/vp-address.ts';
import type { PositionSide } from '../../src/domain/vp-ledger.ts';
import type { VirtualPosition } from '../../src/services/orders/virtual-positions.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';

/**
 * A VP reached by its side and by any symbol form /order accepts, driven the way a trader does:
 * console lines, real ccxt, the emulator.
 */
let paper: PaperDesk;
const FUTURES = 'BTC/USDT:USDT';

beforeAll(async () => {
  paper = await startPaperDesk({ streams: true });
});
afterAll(async () => paper.close());
beforeEach(() => paper.emulator.setPrice('BTCUSDT', '60000'));

const say = (line: string) => paper.say(line);
const confirmed = (line: string) => paper.confirmed(line);

async function vp(account: string, name: string, side: PositionSide = 'LONG', symbol = FUTURES) {
  const row = await paper.app.services.vps.find({ accountId: account, symbol, positionSide: side, name });
  if (!row) throw new Error(`no VP ${account}/${name} ${symbol} ${side}`);
  return row;
}

/** The exchange's own position of a futures account on one side, as our exchange layer reads it. */
async function exchangeQty(account: string, side: PositionSide): Promise<string> {
  const exchange = await paper.app.services.exchanges.for(account);
  const position = (await exchange.fetchPositions()).find((p) => p.symbol === FUTURES && p.side === side);
  return position?.contracts.toFixed() ?? '0';
}

/** One reply in Chinese; the console speaks English again afterwards. */
async function inChinese(line: string): Promise<string> {
  await say('/lang zh');
  try {
    return await say(line);
  } finally {
    await say('/lang en');
  }
}

/** The example command an ambiguity reply offers. */
function exampleIn(reply: string): string {
  const m = /(?:e\.g\.|例如) (\/vp .+)$/m.exec(reply);
  if (!m?.[1]) throw new Error(`no example command in: ${reply}`);
  return m[1];
}

describe('a hedge-mode VP name used on both sides', () => {
  beforeAll(async () => {
    await confirmed('/order sub_a BTCUSDT buy 0.02 long vp=both');
    await confirmed('/order sub_a BTCUSDT sell 0.03 short vp=both');
    expect([await exchangeQty('sub_a', 'LONG'), await exchangeQty('sub_a', 'SHORT')]).toEqual(['0.02', '0.03']);
  });

  it('/vp show finds either side by the side word, with the symbol in any form /order accepts', async () => {
    for (const line of [
      '/vp show sub_a both long BTC/USDT',
      '/vp show sub_a both long btcusdt',
      '/vp show sub_a both BTCUSDT long',
      '/vp show sub_a both long BTC/USDT:USDT',
      '/vp show sub_a both long',
    ]) {
      const reply = await say(line);
      expect(reply, line).toMatch(/sub_a\s+BTC\/USDT:USDT\s+LONG\s+both\s+0\.02\s+60000/);
      expect(reply, line).not.toContain('SHORT');
    }
    expect(await say('/vp show sub_a both short BTC/USDT')).toMatch(/BTC\/USDT:USDT\s+SHORT\s+both\s+0\.03\s+60000/);
  });

  it('without the side the reply lists both and names a command that works; nothing is sent', async () => {
    const before = paper.futuresOrders();
    const reply = await say('/vp close sub_a both');
    expect(reply).toBe(
      'Account sub_a has several VPs named both (BTC/USDT:USDT LONG, BTC/USDT:USDT SHORT): ' +
        'add the side, e.g. /vp close sub_a both short',
    );
    // The symbol alone does not tell the sides apart; the example keeps what the trader typed.
    const withSymbol = await say('/vp close sub_a both 50 BTC/USDT:USDT');
    expect(exampleIn(withSymbol)).toBe('/vp close sub_a both 50 BTC/USDT:USDT short');
    expect(await say('/vp show sub_a both BTCUSDT')).toContain('e.g. /vp show sub_a both BTCUSDT short');
    expect(paper.futuresOrders()).toBe(before);

    const ask = await say(exampleIn(withSymbol));
    expect(ask).toContain('Account sub_a: buy 0.015 BTC/USDT:USDT SHORT (reduces) at market, VP both.');
    expect(await say('no')).toContain('Cancelled');
    expect(paper.futuresOrders()).toBe(before);
  });

  it('the ambiguity reply in Chinese names the choices and the same command', async () => {
    const reply = await inChinese('/vp close sub_a both');
    expect(reply).toBe(
      '账户 sub_a 有多个名为 both 的虚拟仓位（BTC/USDT:USDT LONG, BTC/USDT:USDT SHORT）：' +
        '请加上方向，例如 /vp close sub_a both short',
    );
  });

  it('/vp tpsl reaches the short VP by its side: buy legs on SHORT, the long untouched', async () => {
    const ambiguous = await say('/vp tpsl sub_a both tp=57000 sl=61000');
    expect(exampleIn(ambiguous)).toBe('/vp tpsl sub_a both tp=57000 sl=61000 short');

    const { ask, done } = await confirmed(exampleIn(ambiguous));
    expect(ask).toContain('Account sub_a: VP both (BTC/USDT:USDT SHORT, 0.03, entry 60000, mark 60000)');
    expect(ask).toContain('Conditional buy orders for exactly 0.03');
    expect(done).toContain('Account sub_a: VP both (BTC/USDT:USDT SHORT) take-profit 57000, stop-loss 61000.');
    expect(await vp('sub_a', 'both', 'SHORT')).toMatchObject({ tpPrice: '57000', slPrice: '61000' });
    expect(await vp('sub_a', 'both', 'LONG')).toMatchObject({ tpPrice: null, slPrice: null });

    const off = await confirmed('/vp tpsl sub_a both off short btcusdt');
    expect(off.done).toContain('has no take-profit or stop-loss now');
    expect(await vp('sub_a', 'both', 'SHORT')).toMatchObject({ tpPrice: null, slPrice: null });
  });

  it('/vp close sub_a both short closes only the short: its VP row and the exchange SHORT', async () => {
    const { ask, done } = await confirmed('/vp close sub_a both short');
    expect(ask).toContain('Account sub_a: buy 0.03 BTC/USDT:USDT SHORT (reduces) at market, VP both.');
    expect(done).toMatch(/FILLED, filled 0\.03 at 60000/);
    expect(await vp('sub_a', 'both', 'SHORT')).toMatchObject({ netQty: '0', realizedPnl: '0' });
    expect((await vp('sub_a', 'both', 'LONG')).netQty).toBe('0.02');
    expect(await exchangeQty('sub_a', 'SHORT')).toBe('0');
    expect(await exchangeQty('sub_a', 'LONG')).toBe('0.02');
  });

  it('a side the name is not used on is answered with the sides it is', async () => {
    await confirmed('/order sub_a BTCUSDT buy 0.01 vp=solo');
    expect(await say('/vp show sub_a solo short')).toBe(
      'Account sub_a has no VP solo on SHORT; it has BTC/USDT:USDT LONG.',
    );
    expect(await say('/vp show sub_a solo ETHUSDT')).toBe(
      'Account sub_a has no VP solo on ETH/USDT:USDT; it has BTC/USDT:USDT LONG.',
    );
  });

  it('one name on two symbols: the example adds the symbol', async () => {
    await confirmed('/order sub_a BTCUSDT buy 0.01 vp=pair');
    await confirmed('/order sub_a ETHUSDT buy 0.1 vp=pair');
    const reply = await say('/vp show sub_a pair');
    expect(reply).toBe(
      'Account sub_a has several VPs named pair (BTC/USDT:USDT LONG, ETH/USDT:USDT LONG): ' +
        'add the symbol, e.g. /vp show sub_a pair ETH/USDT:USDT',
    );
    expect(await say(exampleIn(reply))).toMatch(/ETH\/USDT:USDT\s+LONG\s+pair\s+0\.1\s+3000/);
    expect(await say('/vp show sub_a pair ethusdt')).toMatch(/ETH\/USDT:USDT\s+LONG\s+pair/);
  });
});

describe('a percent out of range', () => {
  it('is refused as a percent, not taken for a symbol; nothing is sent', async () => {
    await confirmed('/order sub_a BTCUSDT buy 0.01 vp=scalp');
    const before = paper.futuresOrders();
    const usage = 'Usage: /vp close <account> <name> [percent] [symbol] [long|short]';
    expect(await say('/vp close sub_a scalp 150')).toBe(
      `Argument percent: 150 must be more than 0 and at most 100.\n${usage}`,
    );
    expect(await say('/vp close sub_a scalp 0')).toContain('Argument percent: 0 must be more than 0 and at most 100.');
    expect(await say('/vp close sub_a scalp -5 short')).toContain(
      'Argument percent: -5 must be more than 0 and at most 100.',
    );
    expect(await say('/vp close sub_a scalp 150%')).toContain('Argument percent: 150% must be more than 0');
    expect(paper.futuresOrders()).toBe(before);
    expect((await vp('sub_a', 'scalp')).netQty).toBe('0.01');
  });

  it('in Chinese', async () => {
    expect(await inChinese('/vp close sub_a scalp 150')).toBe(
      '参数 percent：150 必须大于 0 且不超过 100。\n用法：/vp close <account> <name> [percent] [symbol] [long|short]',
    );
  });

  it('a percent in range still closes that part, in any position after the name', async () => {
    const { ask } = await confirmed('/vp close sub_a scalp BTCUSDT 50% long');
    expect(ask).toContain('Account sub_a: sell 0.005 BTC/USDT:USDT LONG (reduces) at market, VP scalp.');
    expect((await vp('sub_a', 'scalp')).netQty).toBe('0.005');
  });
});

describe('/vp list', () => {
  it('hides VPs at zero quantity, says how many and how to show them; closed shows them', async () => {
    await confirmed('/order main BTCUSDT buy 0.01 vp=gone');
    await confirmed('/order main BTCUSDT buy 0.01 vp=kept');
    await confirmed('/vp close main gone');
    expect((await vp('main', 'gone')).netQty).toBe('0');

    const list = await say('/vp list main');
    expect(list).toMatch(/main\s+BTC\/USDT:USDT\s+LONG\s+kept\s+0\.01/);
    expect(list).not.toContain('gone');
    expect(list).toContain('Closed VPs (quantity 0) not shown: 1. /vp list main closed shows them too.');

    const all = await say('/vp list main closed');
    expect(all).toMatch(/main\s+BTC\/USDT:USDT\s+LONG\s+gone\s+0\s/);
    expect(all).toContain('kept');
    expect(all).not.toContain('not shown');

    // A symbol in any form, on a futures account; `closed` before or after it.
    expect(await say('/vp list main BTC/USDT closed')).toContain('gone');
    expect(await say('/vp list main btcusdt')).toContain('/vp list main BTCUSDT closed shows them too.');
    expect(await say('/vp list all BTCUSDT')).toContain('/vp list all BTCUSDT closed shows them too.');
    expect(await say('/vp list closed')).toContain('gone');
  });

  it('when nothing is open, says so and mentions closed', async () => {
    await confirmed('/vp close main kept');
    expect(await say('/vp list main')).toBe(
      'No open virtual positions; closed ones (quantity 0): 2. /vp list main closed shows them.',
    );
    expect(await say('/vp list main closed')).toMatch(/kept\s+0\s/);
  });
});

describe('a spot account', () => {
  it('reaches its VP by BTCUSDT, btc/usdt and BTC/USDT; closes part of it; has no short side', async () => {
    await confirmed('/order sub_b BTCUSDT buy 0.002 vp=spotty');
    const qty = (await vp('sub_b', 'spotty', 'LONG', 'BTC/USDT')).netQty;
    for (const form of ['BTCUSDT', 'btc/usdt', 'BTC/USDT']) {
      expect(await say(`/vp show sub_b spotty ${form}`), form).toMatch(/sub_b\s+BTC\/USDT\s+LONG\s+spotty/);
    }
    expect(await say('/vp list sub_b BTCUSDT')).toContain('spotty');
    const { ask } = await confirmed('/vp close sub_b spotty 50 btcusdt long');
    expect(ask).toContain('Account sub_b: sell');
    expect(ask).toContain('BTC/USDT LONG (reduces) at market, VP spotty.');
    expect((await vp('sub_b', 'spotty', 'LONG', 'BTC/USDT')).netQty).not.toBe(qty);
    expect(await say('/vp show sub_b spotty short')).toBe(
      'Account sub_b has no VP spotty on SHORT; it has BTC/USDT LONG.',
    );
  });
});

describe('help', () => {
  it('shows the side, the symbol and closed from the declarations', async () => {
    const close = await say('/help vp close');
    expect(close).toContain('/vp close <account> <name> [percent] [symbol] [long|short]');
    expect(close).toContain('side (optional): long or short: the VP on that side, when its name is used on both');
    expect(await say('/help vp show')).toContain('/vp show <account> <name> [symbol] [long|short]');
    expect(await say('/help vp tpsl')).toContain('[off] [symbol] [long|short]');
    expect(await say('/help vp list')).toContain('/vp list [account|all] [symbol] [closed]');
  });
});

describe('the words that pick one of several VPs', () => {
  const row = (symbol: string, positionSide: PositionSide) => ({ symbol, positionSide }) as VirtualPosition;

  it('the side when one symbol holds both, the symbol when symbols differ, both when both are needed', () => {
    expect(wayOut([row(FUTURES, 'LONG'), row(FUTURES, 'SHORT')])).toEqual({
      key: 'vp.ambiguous_side',
      added: ['short'],
    });
    expect(wayOut([row(FUTURES, 'LONG'), row('ETH/USDT:USDT', 'SHORT')])).toEqual({
      key: 'vp.ambiguous_symbol',
      added: ['ETH/USDT:USDT'],
    });
    expect(wayOut([row(FUTURES, 'LONG'), row('ETH/USDT:USDT', 'LONG'), row('ETH/USDT:USDT', 'SHORT')])).toEqual({
      key: 'vp.ambiguous_symbol_side',
      added: ['ETH/USDT:USDT', 'short'],
    });
  });
});
