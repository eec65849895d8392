import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

/** Orders and virtual positions driven the way a trader does: console lines, real ccxt, the emulator. */
let paper: PaperDesk;
let emulator: Emulator;

beforeAll(async () => {
  paper = await startPaperDesk({ streams: true });
  emulator = paper.emulator;
});
afterAll(async () => paper.close());

const confirmed = (line: string) => paper.confirmed(line);

async function vp(account: string, name: string, symbol = 'BTC/USDT:USDT', side = 'LONG') {
  const row = await paper.app.services.vps.find({
    accountId: account,
    symbol,
    positionSide: side === 'SHORT' ? 'SHORT' : 'LONG',
    name,
  });
  if (!row) throw new Error(`no VP ${account}/${name}`);
  return row;
}

describe('/order', () => {
  it('asks first, then sends, and answers with the account, ids, status and fill', async () => {
    const { ask, done } = await confirmed('/order sub_b BTCUSDT buy 0.002 vp=swing');
    expect(ask).toContain('Account sub_b: buy 0.002 BTC/USDT LONG (opens or adds) at market, VP swing.');
    expect(ask).toContain('Type yes to confirm');
    expect(done).toMatch(/^Account sub_b: order #\d+ \(hs[\w-]+\) FILLED, filled 0\.002 at 60000\./);
    expect(done).toMatch(/VP swing now 0\.001998 @ 60000/); // spot fee 0.1% taken in BTC
    const audit = await paper.app.services.db.auditLog.findFirst({
      where: { command: 'order' },
      orderBy: { id: 'desc' },
    });
    expect(audit).toMatchObject({ accountId: 'sub_b', symbol: 'BTCUSDT', outcome: 'ok' });
  });

  it('reads options by their form: limit price, short side, vp name in any order', async () => {
    const { ask } = await confirmed('/order sub_a BTCUSDT sell 0.01 short 65000 hedge1');
    expect(ask).toContain('Account sub_a: sell 0.01 BTC/USDT:USDT SHORT (opens or adds) at 65000, VP hedge1.');
    expect((await vp('sub_a', 'hedge1', 'BTC/USDT:USDT', 'SHORT')).netQty).toBe('0');
    expect(await paper.say('/orders sub_a')).toContain('sell SHORT limit 0/0.01 at 65000');
  });

  it('a reduction larger than the VP is refused before anything is sent', async () => {
    await confirmed('/order main BTCUSDT buy 0.01 vp=small');
    const before = emulator.requests()['POST /fapi/v1/order'] ?? 0;
    const reply = await paper.say('/order main BTCUSDT sell 0.02 vp=small');
    expect(reply).toMatch(/small/);
    expect(reply).toMatch(/0\.02/);
    expect(reply).not.toContain('Type yes');
    expect(emulator.requests()['POST /fapi/v1/order'] ?? 0).toBe(before);
  });
});

describe('virtual positions', () => {
  beforeEach(() => emulator.setPrice('BTCUSDT', '60000'));

  it('three VPs inside one futures LONG keep their own average and realized PnL', async () => {
    // Hand-checked: a = 0.01@60000 + 0.01@63000 → 0.02 @ 61500; b = 0.02@61000; c = 0.03@62000.
    emulator.setPrice('BTCUSDT', '60000');
    await confirmed('/order main BTCUSDT buy 0.01 vp=wac_a');
    emulator.setPrice('BTCUSDT', '61000');
    await confirmed('/order main BTCUSDT buy 0.02 vp=wac_b');
    emulator.setPrice('BTCUSDT', '62000');
    await confirmed('/order main BTCUSDT buy 0.03 vp=wac_c');
    emulator.setPrice('BTCUSDT', '63000');
    await confirmed('/order main BTCUSDT buy 0.01 vp=wac_a');
    expect((await vp('main', 'wac_a')).avgEntry).toBe('61500');

    // At 64000: half of a → (64000 − 61500) × 0.01 = 25; all of b → (64000 − 61000) × 0.02 = 60.
    emulator.setPrice('BTCUSDT', '64000');
    await confirmed('/vp close main wac_a 50');
    await confirmed('/vp close main wac_b');
    const a = await vp('main', 'wac_a');
    const b = await vp('main', 'wac_b');
    const c = await vp('main', 'wac_c');
    expect([a.netQty, a.avgEntry, a.realizedPnl]).toEqual(['0.01', '61500', '25']);
    expect([b.netQty, b.avgEntry, b.realizedPnl]).toEqual(['0', '0', '60']);
    expect([c.netQty, c.avgEntry, c.realizedPnl]).toEqual(['0.03', '62000', '0']);
    // Futures taker fee 0.04% of each fill's notional, kept apart from realized PnL.
    expect(new Decimal(a.fees).toFixed()).toBe(
      new Decimal('0.01')
        .times(60000)
        .plus(new Decimal('0.01').times(63000))
        .plus(new Decimal('0.01').times(64000))
        .times('0.0004')
        .toFixed(),
    );

    const list = await paper.say('/vp list main');
    expect(list).toMatch(/main\s+BTC\/USDT:USDT\s+LONG\s+wac_a\s+0\.01\s+61500\s+25/);
  });

  it("two accounts on the same symbol: neither's VPs move on the other's fills", async () => {
    await confirmed('/order main BTCUSDT buy 0.01 vp=iso');
    await confirmed('/order sub_a BTCUSDT buy 0.03 vp=iso');
    await confirmed('/order sub_a BTCUSDT sell 0.01 vp=iso');
    await new Promise((r) => setTimeout(r, 400)); // let the streams deliver their copies too
    expect((await vp('main', 'iso')).netQty).toBe('0.01');
    expect((await vp('sub_a', 'iso')).netQty).toBe('0.02');
  });

  it('a duplicated fill event changes nothing', async () => {
    await confirmed('/order main BTCUSDT buy 0.01 vp=dup');
    const ex = await paper.app.services.exchanges.for('main');
    const trades = await ex.fetchTrades('BTC/USDT:USDT');
    const last = trades.at(-1);
    if (!last) throw new Error('no trade');
    const before = await vp('main', 'dup');
    const fillsBefore = await paper.app.services.db.fill.count();
    paper.app.services.bus.emit({ type: 'fill', accountId: 'main', trade: last, source: 'stream' });
    expect(await paper.app.services.fills.ingest('main', last)).toBe('duplicate');
    expect(await paper.app.services.fills.ingest('main', { ...last, clientOrderId: undefined })).toBe('duplicate');
    await new Promise((r) => setTimeout(r, 100));
    expect(await vp('main', 'dup')).toEqual(before);
    expect(await paper.app.services.db.fill.count()).toBe(fillsBefore);
  });

  it('a fill we did not issue is recorded as external, never guessed into a VP', async () => {
    const ex = await paper.app.services.exchanges.for('sub_a');
    await ex.placeOrder({
      symbol: 'BTC/USDT:USDT',
      side: 'buy',
      type: 'market',
      amount: new Decimal('0.005'),
      positionSide: 'LONG',
      clientOrderId: 'web_manual_1',
    });
    await waitFor(
      async () =>
        (await paper.app.services.db.fill.count({ where: { accountId: 'sub_a', clientOrderId: 'web_manual_1' } })) ===
        1,
    );
    const fill = await paper.app.services.db.fill.findFirst({ where: { clientOrderId: 'web_manual_1' } });
    expect(fill).toMatchObject({ vpId: null, externalQty: '0.005', positionSide: 'LONG' });
  });
});
