import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CALLER } from '../../src/app.ts';
import { ConsoleSession } from '../../src/adapters/console/session.ts';
import type { Emulator } from '../../src/emulator/index.ts';
import { grantUser, startTestApp, telegramUser, type TestApp } from '../support/harness.ts';

let desk: TestApp;
let emulator: Emulator;
let console: ConsoleSession;

beforeAll(async () => {
  desk = await startTestApp();
  const paper = desk.app.services.paper;
  if (!paper) throw new Error('paper exchange not running');
  emulator = paper.emulator;
  emulator.setPrice('BTCUSDT', '60000');
  console = new ConsoleSession(desk.app.dispatcher, desk.app.services.identity, CONSOLE_CALLER);
});
afterAll(async () => desk.close());

const say = async (line: string) => (await console.input(line)) ?? '';

describe('/balance', () => {
  it('shows free and locked per asset and the USDT total of one account', async () => {
    const text = await say('/balance sub_b');
    expect(text).toContain('sub_b (binance spot paper)');
    expect(text).toContain('BTC: free 0.1, locked 0');
    expect(text).toContain('USDT: free 5000, locked 0');
    expect(text).toContain('≈ 11000 USDT'); // 5000 + 0.1 × 60000
  });

  it('covers every account, and one account failing does not hide the others', async () => {
    emulator.fault('f1', {
      endpoint: 'GET /api/v3/account',
      failNext: { count: 1, httpStatus: 503, code: -1001, msg: 'Internal error' },
    });
    const text = await say('/balance');
    for (const id of ['main', 'sub_a', 'sub_b', 'lead', 'f2']) expect(text).toContain(`${id} (`);
    expect(text).toMatch(/^f1: Account f1: Binance/m);
  });

  it('refuses an account the caller has no grant for', async () => {
    const viewer = telegramUser('42');
    await grantUser(desk.app, viewer, 'viewer', ['sub_b']);
    expect((await desk.app.dispatcher.handleLine(viewer, '/balance main'))?.text).toContain(
      'no access to account main',
    );
    const all = (await desk.app.dispatcher.handleLine(viewer, '/balance'))?.text ?? '';
    expect(all).toContain('sub_b (');
    expect(all).not.toContain('main (');
  });
});

describe('/positions, /orders and /cancel', () => {
  it('shows a futures position with its entry price', async () => {
    const ex = await desk.app.services.exchanges.for('sub_a');
    await ex.placeOrder({
      symbol: 'BTC/USDT:USDT',
      side: 'buy',
      type: 'market',
      amount: new Decimal('0.01'),
      positionSide: 'LONG',
      clientOrderId: 'cmdpos1',
    });
    const text = await say('/positions sub_a');
    expect(text).toContain('BTC/USDT:USDT LONG 0.01 @ 60000');
  });

  it('lists a resting order, cancels it by client id after confirmation, and it is gone', async () => {
    const ex = await desk.app.services.exchanges.for('sub_b');
    await ex.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: new Decimal('50000'),
      amount: new Decimal('0.002'),
      clientOrderId: 'cmdrest1',
    });
    expect(await say('/orders sub_b')).toMatch(/\(cmdrest1\) BTC\/USDT buy limit 0\/0\.002 at 50000, open/);

    expect(await say('/cancel sub_b cmdrest1')).toMatch(
      /^Please confirm:\nCancel on account sub_b: #\d+ \(cmdrest1\) BTC\/USDT buy limit 0\/0\.002 at 50000, open/,
    );
    expect(await say('yes')).toMatch(/Cancelled on sub_b: .*\(cmdrest1\).*canceled/);
    expect(await say('/orders sub_b')).toContain('sub_b: 0 open order(s)');
    const audit = await desk.app.services.db.auditLog.findFirst({
      where: { command: 'cancel' },
      orderBy: { id: 'desc' },
    });
    expect(audit).toMatchObject({ accountId: 'sub_b', outcome: 'ok' });
  });

  it('an order that is not open is named in the answer before anything is asked, and nothing is sent', async () => {
    expect(await say('/cancel sub_b nosuchorder')).toBe(
      'Account sub_b has no open order nosuchorder. Send /orders sub_b to list them.',
    );
  });

  it('an unknown symbol is refused with the account and the symbol', async () => {
    expect(await say('/orders sub_b DOGE/EUR')).toContain('has no market "DOGE/EUR"');
  });
});

describe('private balances', () => {
  it('with PRIVATE_BALANCES=true, /balance and /positions answer only the caller', async () => {
    const privateDesk = await startTestApp({ PRIVATE_BALANCES: 'true' });
    try {
      for (const line of ['/balance sub_b', '/positions sub_a']) {
        const reply = await privateDesk.app.dispatcher.handleLine(CONSOLE_CALLER, line);
        expect(reply?.ephemeral, line).toBe(true);
      }
      expect((await desk.app.dispatcher.handleLine(CONSOLE_CALLER, '/balance sub_b'))?.ephemeral).toBe(false);
    } finally {
      await privateDesk.close();
    }
  });
});
