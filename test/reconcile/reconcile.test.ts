import { Decimal } from 'decimal.js';
import { getTasks } from 'node-cron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { t as translate } from '../../src/i18n/index.ts';
import { ReconciliationMonitor } from '../../src/services/reconciliation-monitor.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

/** Reconciliation driven as a trader does: console lines, real ccxt, trades made behind the desk's back. */
const FUTURES = 'BTC/USDT:USDT';
type Desk = PaperDesk;

const openDesk = (options: { streams: boolean }) => startPaperDesk(options);
const confirmed = (d: Desk, line: string) => d.confirmed(line);

/** A trade made on the exchange itself (its website, another bot): a client id we never issued. */
async function manualTrade(d: Desk, account: string, side: 'buy' | 'sell', qty: string, clientOrderId: string) {
  const exchange = await d.app.services.exchanges.for(account);
  await exchange.placeOrder({
    symbol: FUTURES,
    side,
    type: 'market',
    amount: new Decimal(qty),
    positionSide: 'LONG',
    clientOrderId,
  });
}

/** One row of the /reconcile table, its cells split on the padding. */
function row(reply: string, symbol: string, side: string): string[] | undefined {
  return reply
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/))
    .find((cells) => cells[0] === symbol && cells[1] === side);
}

const futuresOrders = (d: Desk) => d.futuresOrders();

describe('a trade the desk never saw', () => {
  let d: Desk;
  beforeAll(async () => {
    d = await openDesk({ streams: false });
  });
  afterAll(async () => d.close());

  it('a fresh demo desk starts reconciled: its starting coins are accepted, in both languages', async () => {
    const all = await d.say('/reconcile');
    for (const account of [
      'main (binance usdm)',
      'sub_a (binance usdm)',
      'sub_b (binance spot)',
      'lead (binance spot)',
    ]) {
      expect(all).toContain(`${account}: the exchange and the VPs agree.`);
    }
    expect(all).toContain(
      'f1 (binance spot): the exchange and the VPs agree.\nAccepted as held outside the VPs: 0.05 BTC/USDT LONG.',
    );
    expect(all).toContain(
      'f2 (bitget spot): the exchange and the VPs agree.\nAccepted as held outside the VPs: 0.03 BTC/USDT LONG.',
    );
    expect(all).not.toContain('difference');
    await d.say('/lang zh');
    const zh = await d.say('/reconcile');
    await d.say('/lang en');
    expect(zh.match(/交易所与虚拟仓位一致。/g)).toHaveLength(6);
    expect(zh).toContain('已认定为虚拟仓位之外的持仓：0.2 BTC/USDT');
    expect(zh).not.toContain('处差异');
  });

  it('the scheduled run alerts a new difference once, not on every run', async () => {
    const monitor = d.app.services.reconcileMonitor;
    expect(await monitor.run({ settleMs: 0 })).toEqual([]); // nothing on a fresh desk
    await manualTrade(d, 'main', 'buy', '0.004', 'web_cron');

    const first = await monitor.run({ settleMs: 0 });
    expect(first).toEqual([{ accountId: 'main', symbol: FUTURES, side: 'LONG', kind: 'new' }]);
    const raised = d.alerts.filter((a) => a.category === 'reconciliation' && a.accountId === 'main');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({
      key: 'alerts.reconciliation_new',
      severity: 'warning',
      params: { symbol: FUTURES, side: 'LONG', exchange: '0.004', vps: '0', unexplained: '0.004' },
    });
    expect(await monitor.run({ settleMs: 0 })).toEqual([]);
    expect(await monitor.run({ settleMs: 0 })).toEqual([]);
  });

  it('a difference that persists is alerted again every N runs', async () => {
    const { reconciliation, accounts, bus, logger } = d.app.services;
    const monitor = new ReconciliationMonitor(
      { reconciliation, accounts, bus, logger },
      { cron: '*/5 * * * *', persistEvery: 3, settleMs: 0 },
    );
    const kinds = [];
    for (let run = 1; run <= 7; run++) {
      kinds.push((await monitor.run()).filter((a) => a.accountId === 'main').map((a) => a.kind));
    }
    expect(kinds).toEqual([['new'], [], ['persists'], [], [], ['persists'], []]);
  });

  it('an alert on an account with accepted coins names them, so its figures add up, in both languages', async () => {
    const exchange = await d.app.services.exchanges.for('lead');
    await exchange.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: new Decimal('0.01'),
      clientOrderId: 'web_lead_1',
    });
    const held = (await exchange.fetchBalance()).find((l) => l.asset === 'BTC')?.total ?? new Decimal(0);
    const raised = await d.app.services.reconcileMonitor.run({ settleMs: 0 });
    expect(raised.filter((a) => a.accountId === 'lead')).toEqual([
      { accountId: 'lead', symbol: 'BTC/USDT', side: 'LONG', kind: 'new' },
    ]);
    const alert = d.alerts.find((a) => a.accountId === 'lead' && a.key === 'alerts.reconciliation_new');
    const unexplained = held.minus('0.2').toFixed();
    expect(alert?.params).toMatchObject({ exchange: held.toFixed(), vps: '0', accepted: '0.2', unexplained });
    const params = alert?.params ?? {};
    expect(translate('en', 'alerts.reconciliation_new', params)).toContain(
      `the exchange holds ${held.toFixed()}, the VPs 0 and 0.2 accepted outside them, ${unexplained} is unexplained`,
    );
    expect(translate('zh', 'alerts.reconciliation_new', params)).toContain(
      `交易所持有 ${held.toFixed()}，虚拟仓位合计 0，已认定在虚拟仓位之外 0.2，其中 ${unexplained} 无法解释`,
    );
  });

  it('shows up as a manual trade; assign moves part into a VP at a given price, accept records the rest', async () => {
    await manualTrade(d, 'sub_a', 'buy', '0.005', 'web_123');
    const before = futuresOrders(d);

    const shown = await d.say('/reconcile sub_a');
    expect(shown).toContain('sub_a (binance usdm): 1 difference(s)');
    expect(row(shown, FUTURES, 'LONG')).toEqual([
      FUTURES,
      'LONG',
      '0.005',
      '0',
      '0',
      '0.005',
      '0',
      '0.005',
      'manual trade on the exchange, or holdings from before the desk',
    ]);
    expect(shown).toContain('/reconcile assign sub_a <symbol> <long|short> <vp>');

    const assign = await confirmed(d, '/reconcile assign sub_a BTCUSDT long found 0.002 61000');
    expect(assign.ask).toContain(
      'Account sub_a: add 0.002 BTC/USDT:USDT LONG at 61000 to VP found (new) as a ledger adjustment. Nothing is sent to the exchange.',
    );
    expect(assign.done).toContain('Account sub_a: VP found now 0.002 @ 61000, realized PnL 0.');
    expect(assign.done).toContain('BTC/USDT:USDT LONG: still differs by 0.003 (0.003 unexplained).');

    const accept = await confirmed(d, '/reconcile accept sub_a BTCUSDT long');
    expect(accept.ask).toContain('Account sub_a: accept 0.003 BTC/USDT:USDT LONG as external.');
    expect(accept.ask).toContain('no longer counts as a difference');
    expect(accept.done).toContain('Account sub_a: 0.003 BTC/USDT:USDT LONG recorded as external.');
    expect(accept.done).toContain('BTC/USDT:USDT LONG: the exchange and the VPs agree now.');

    // The accepted part is settled: no row, no alert; what was accepted stays in view.
    expect(await d.say('/reconcile sub_a BTCUSDT')).toBe(
      'sub_a (binance usdm): the exchange and the VPs agree.\nAccepted as held outside the VPs: 0.003 BTC/USDT:USDT LONG.',
    );
    expect((await d.app.services.reconcileMonitor.run({ settleMs: 0 })).filter((a) => a.accountId === 'sub_a')).toEqual(
      [],
    );
    expect(futuresOrders(d)).toBe(before);

    const books = await d.app.services.db.fill.findMany({
      where: { accountId: 'sub_a', kind: { in: ['adjustment', 'accepted'] } },
      orderBy: { id: 'asc' },
    });
    expect(books.map((f) => [f.kind, f.qty, f.price, f.externalQty, f.vpId !== null])).toEqual([
      ['adjustment', '0.002', '61000', '0', true],
      ['accepted', '0.003', '60000', '0.003', false],
    ]);
    const audit = await d.app.services.db.auditLog.findMany({
      where: { command: { startsWith: 'reconcile' }, accountId: 'sub_a' },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => [a.command, a.outcome])).toEqual([
      ['reconcile assign', 'ok'],
      ['reconcile accept', 'ok'],
    ]);
  });

  it('a spot buy made outside the desk is a difference on top of the accepted coins; accepted, it is gone', async () => {
    const exchange = await d.app.services.exchanges.for('sub_b');
    await exchange.placeOrder({
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      amount: new Decimal('0.05'),
      clientOrderId: 'web_spot_1',
    });
    const held = (await exchange.fetchBalance()).find((l) => l.asset === 'BTC')?.total ?? new Decimal(0);
    const bought = held.minus('0.1').toFixed();
    const shown = await d.say('/reconcile sub_b');
    expect(shown).toContain('sub_b (binance spot): 1 difference(s)');
    expect(row(shown, 'BTC/USDT', 'LONG')?.slice(2, 8)).toEqual([held.toFixed(), '0', '0.1', bought, '0', bought]);

    const { done } = await confirmed(d, '/reconcile accept sub_b BTCUSDT long');
    expect(done).toContain('BTC/USDT LONG: the exchange and the VPs agree now.');
    expect(await d.say('/reconcile sub_b')).toBe(
      `sub_b (binance spot): the exchange and the VPs agree.\nAccepted as held outside the VPs: ${held.toFixed()} BTC/USDT LONG.`,
    );
    await d.say('/lang zh');
    const zh = await d.say('/reconcile sub_b');
    await d.say('/lang en');
    expect(zh).toContain('交易所与虚拟仓位一致。');
  });

  it('accepted coins can later be put into a VP: the acceptance shrinks by what moves in', async () => {
    const before = await d.say('/reconcile sub_b');
    const accepted = /Accepted as held outside the VPs: ([\d.]+) BTC\/USDT LONG/.exec(before)?.[1] ?? '';
    await d.say('/lang zh');
    expect(await d.say('/reconcile assign sub_b BTCUSDT long hodl 0.04 60000')).toContain(
      '其中 0.04 原已认定为虚拟仓位之外的持仓；它转入虚拟仓位。',
    );
    await d.say('no');
    await d.say('/lang en');
    const { ask, done } = await confirmed(d, '/reconcile assign sub_b BTCUSDT long hodl 0.04 60000');
    expect(ask).toContain('add 0.04 BTC/USDT LONG at 60000 to VP hodl (new)');
    expect(ask).toContain('0.04 of it was accepted as held outside the VPs; it moves into the VP.');
    expect(done).toContain('Account sub_b: VP hodl now 0.04 @ 60000');
    expect(done).toContain('BTC/USDT LONG: the exchange and the VPs agree now.');
    const left = new Decimal(accepted).minus('0.04').toFixed();
    expect(await d.say('/reconcile sub_b')).toBe(
      `sub_b (binance spot): the exchange and the VPs agree.\nAccepted as held outside the VPs: ${left} BTC/USDT LONG.`,
    );
    expect(await d.say('/reconcile assign sub_b BTCUSDT long hodl 5')).toBe(
      `Account sub_b: BTC/USDT LONG: 5 is more than the ${left} there is to settle.`,
    );
  });

  it('refuses what cannot be settled, before changing anything', async () => {
    const refusals = [
      // What is left to settle on sub_a is the 0.003 accepted there.
      [
        '/reconcile assign sub_a BTCUSDT long found 1',
        'Account sub_a: BTC/USDT:USDT LONG: 1 is more than the 0.003 there is to settle.',
      ],
      ['/reconcile accept sub_a BTCUSDT long', 'Account sub_a: BTC/USDT:USDT LONG has nothing unexplained to accept.'],
      [
        '/reconcile accept main BTCUSDT long 1',
        'Account main: BTC/USDT:USDT LONG: 1 is more than the 0.004 there is to settle.',
      ],
      ['/reconcile assign sub_a ETHUSDT long found', 'Account sub_a: ETH/USDT:USDT LONG has no difference to assign.'],
      ['/reconcile accept sub_b BTCUSDT short', 'Account sub_b is spot: there is no short side.'],
    ];
    const fills = await d.app.services.db.fill.count();
    for (const [line, message] of refusals) expect(await d.say(line ?? ''), line).toBe(message);
    expect(await d.app.services.db.fill.count()).toBe(fills);
  });

  it('the job is scheduled by start and removed by close', async () => {
    const { reconciliation, accounts, bus, logger } = d.app.services;
    const monitor = new ReconciliationMonitor({ reconciliation, accounts, bus, logger }, { cron: '*/5 * * * *' });
    const scheduled = () => [...getTasks().values()].filter((task) => task.name === 'reconcile').length;
    const before = scheduled();
    monitor.start();
    expect(scheduled()).toBe(before + 1);
    await monitor.stop();
    expect(scheduled()).toBe(before);
  });
});

describe('a trade the desk saw', () => {
  let d: Desk;
  beforeAll(async () => {
    d = await openDesk({ streams: true });
  });
  afterAll(async () => d.close());

  const externalFillSeen = (clientOrderId: string) =>
    waitFor(async () => (await d.app.services.db.fill.count({ where: { accountId: 'main', clientOrderId } })) === 1);

  it('shows as external fills; assigning it to a VP uses up the record and the difference disappears', async () => {
    await confirmed(d, '/order main BTCUSDT buy 0.01 vp=core');
    await manualTrade(d, 'main', 'buy', '0.005', 'web_456');
    await externalFillSeen('web_456');

    const shown = await d.say('/reconcile main');
    expect(row(shown, FUTURES, 'LONG')).toEqual([
      FUTURES,
      'LONG',
      '0.015',
      '0.01',
      '0',
      '0.005',
      '0.005',
      '0',
      'external fills the desk saw',
    ]);

    const { ask, done } = await confirmed(d, '/reconcile assign main BTCUSDT long core');
    expect(ask).toContain('add 0.005 BTC/USDT:USDT LONG at 60000 to VP core (existing)');
    expect(ask).toContain('0.005 of it was recorded as external fills; that record moves into the VP.');
    expect(done).toContain('Account main: VP core now 0.015 @ 60000');
    expect(done).toContain('BTC/USDT:USDT LONG: the exchange and the VPs agree now.');
    expect(await d.say('/reconcile main')).toBe('main (binance usdm): the exchange and the VPs agree.');
  });

  it('a VP closed by hand on the exchange: the VP holds more; assigning takes it out of the VP', async () => {
    d.emulator.setPrice('BTCUSDT', '61000');
    await manualTrade(d, 'main', 'sell', '0.005', 'web_789');
    await externalFillSeen('web_789');
    const shown = await d.say('/reconcile main');
    expect(row(shown, FUTURES, 'LONG')).toEqual([
      FUTURES,
      'LONG',
      '0.01',
      '0.015',
      '0',
      '-0.005',
      '-0.005',
      '0',
      'VPs hold more: a manual close or a liquidation',
    ]);
    const { ask, done } = await confirmed(d, '/reconcile assign main BTCUSDT long core');
    expect(ask).toContain('the exchange holds less; take 0.005 BTC/USDT:USDT LONG out of VP core (existing) at 61000');
    expect(done).toContain('VP core now 0.01 @ 60000, realized PnL 5.'); // (61000 − 60000) × 0.005
    expect(await d.say('/reconcile main')).toBe('main (binance usdm): the exchange and the VPs agree.');
  });

  it('an assignment moves the VP’s TP/SL with it', async () => {
    await confirmed(d, '/vp tpsl main core tp=65000');
    await manualTrade(d, 'main', 'buy', '0.002', 'web_tp');
    await externalFillSeen('web_tp');
    const exchange = await d.app.services.exchanges.for('main');
    const amounts = async () => (await exchange.fetchOpenConditionalOrders(FUTURES)).map((o) => o.amount.toFixed());
    expect(await amounts()).toEqual(['0.01']);
    await confirmed(d, '/reconcile assign main BTCUSDT long core');
    await waitFor(async () => (await amounts()).join() === '0.012');
  });
});

describe('RECONCILE_CRON', () => {
  it('defaults to every 5 minutes; a bad expression stops the start with one line naming it', () => {
    expect(loadConfig({}, '/srv/hedgestack').reconcileCron).toBe('*/5 * * * *');
    expect(loadConfig({ RECONCILE_CRON: '0 * * * *' }, '/srv/hedgestack').reconcileCron).toBe('0 * * * *');
    expect(() => loadConfig({ RECONCILE_CRON: 'every 5 minutes' }, '/srv/hedgestack')).toThrow(
      'RECONCILE_CRON: a cron expression such as */5 * * * * (minute hour day month weekday) (got "every 5 minutes")',
    );
  });
});
