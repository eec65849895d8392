import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { discordMessagesOf } from '../../src/adapters/discord/format.ts';
import { splitReplyText } from '../../src/adapters/telegram/format.ts';
import { displayMoney } from '../../src/domain/display-number.ts';
import { grantUser, telegramUser } from '../support/harness.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';

/**
 * The reports a trader reads after a day's trading, through the real paper desk: orders on two
 * futures accounts and a spot one, each partly closed at a higher price, then valued at 62000.
 *
 * Hand-checked (futures taker fee 0.04 % of notional, spot 0.1 %, a spot buy's fee taken in BTC):
 * - main alpha LONG: buy 0.02 @ 60000 (fee 0.48), sell 0.01 @ 61000 (0.244): realized 10,
 *   fees 0.724, unrealized 0.01 × 2000 = 20;
 * - sub_a hedge SHORT: sell 0.01 @ 60000 (0.24), buy 0.005 @ 61000 (0.122): realized −5,
 *   fees 0.362, unrealized 0.005 × −2000 = −10;
 * - sub_b swing LONG (spot): buy 0.01 @ 60000 (0.00001 BTC = 0.6), sell 0.004 @ 61000 (0.244):
 *   realized 4, fees 0.844, unrealized 0.00599 × 2000 = 11.98.
 */
let paper: PaperDesk;
const say = (line: string) => paper.say(line);

beforeAll(async () => {
  paper = await startPaperDesk({ streams: true });
  await paper.confirmed('/order main BTCUSDT buy 0.02 vp=alpha');
  await paper.confirmed('/order sub_a BTCUSDT sell 0.01 short vp=hedge');
  await paper.confirmed('/order sub_b BTCUSDT buy 0.01 vp=swing');
  paper.emulator.setPrice('BTCUSDT', '61000');
  await paper.confirmed('/vp close main alpha 50');
  await paper.confirmed('/vp close sub_a hedge 50');
  await paper.confirmed('/order sub_b BTCUSDT sell 0.004 vp=swing');
  paper.emulator.setPrice('BTCUSDT', '62000');
}, 60_000);
afterAll(async () => paper.close());

async function ledgers() {
  return paper.app.services.db.virtualPosition.findMany({ where: { name: { in: ['alpha', 'hedge', 'swing'] } } });
}

/** The cells of a table row that starts with these words. */
function row(text: string, ...start: string[]): string[] | undefined {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/))
    .find((cells) => start.every((s, i) => cells[i] === s));
}

describe('/pnl', () => {
  it('shows realized, fees, unrealized per VP and account, and the desk total, as the VP ledger holds them', async () => {
    const text = await say('/pnl all today');
    expect(text).toMatch(/^PnL, today, \d{4}-\d{2}-\d{2} \(UTC\), in USDT/);
    expect(row(text, 'main', 'alpha')).toEqual([
      'main',
      'alpha',
      'BTC/USDT:USDT',
      'LONG',
      '10',
      '0.72',
      '9.28',
      '20',
      '2',
    ]);
    expect(row(text, 'sub_a', 'hedge')).toEqual([
      'sub_a',
      'hedge',
      'BTC/USDT:USDT',
      'SHORT',
      '-5',
      '0.36',
      '-5.36',
      '-10',
      '2',
    ]);
    expect(row(text, 'sub_b', 'swing')).toEqual([
      'sub_b',
      'swing',
      'BTC/USDT',
      'LONG',
      '4',
      '0.84',
      '3.16',
      '11.98',
      '2',
    ]);
    expect(row(text, 'sub_b', '(account)')).toEqual(['sub_b', '(account)', '4', '0.84', '3.16', '11.98', '2']);
    // 0.724 + 0.362 + 0.844 = 1.93: the total is rounded once, from the exact sum.
    expect(text).toContain(
      'Desk total: realized 9, fees 1.93, net 7.07, unrealized 21.98; net + unrealized 29.05 USDT; 6 trades.',
    );
    // To the digit: every figure the service reports is the ledger's own.
    const summary = await paper.app.services.reports.pnl(['main', 'sub_a', 'sub_b'], {});
    for (const vp of await ledgers()) {
      const reported = summary.accounts.flatMap((a) => a.vps).find((v) => v.vp.id === vp.id);
      if (!reported) throw new Error(`VP ${vp.name} not reported`);
      expect([reported.realized.toFixed(), reported.fees.toFixed()]).toEqual([vp.realizedPnl, vp.fees]);
      expect(row(text, vp.accountId, vp.name)?.slice(4, 6)).toEqual([
        displayMoney(reported.realized),
        displayMoney(reported.fees),
      ]);
    }
    expect(summary.total.fees.toFixed()).toBe('1.93');
  });

  it('an open VP whose price cannot be read is named, and its unrealized PnL left out of the totals', async () => {
    // The price read fails as a network error would; the rest of the report stands.
    const main = await paper.app.services.exchanges.for('main');
    vi.spyOn(main, 'fetchUsdtPrices').mockRejectedValueOnce(new Error('ticker unreachable'));
    const text = await say('/pnl main today');
    expect(row(text, 'main', 'alpha')?.[7]).toBe('—');
    expect(row(text, 'main', '(account)')?.[5]).toBe('—');
    expect(text).toContain('unrealized 0; net + unrealized 9.28 USDT');
    expect(text).toContain('No price could be read for main/alpha: their unrealized PnL is left out.');
  });

  it('yesterday is the UTC day before today, named with or without an account', async () => {
    const now = new Date();
    const yesterday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1));
    const text = await say('/pnl main yesterday');
    expect(text).toContain(`PnL, yesterday, ${yesterday.toISOString().slice(0, 10)} (UTC), in USDT`);
    // Every fill of this desk is from today: yesterday shows the open VP's unrealized PnL only.
    expect(row(text, 'main', 'alpha')).toEqual(['main', 'alpha', 'BTC/USDT:USDT', 'LONG', '0', '0', '0', '20', '0']);
    expect(await say('/pnl yesterday')).toContain('PnL, yesterday,');
  });

  it('a period with no fill shows the open VPs’ unrealized PnL only', async () => {
    const text = await say('/pnl main 2020-01-01..2020-01-31');
    expect(text).toContain('PnL, 2020-01-01 to 2020-01-31 (UTC), in USDT');
    expect(row(text, 'main', 'alpha')).toEqual(['main', 'alpha', 'BTC/USDT:USDT', 'LONG', '0', '0', '0', '20', '0']);
  });

  it('/daily, /weekly and /monthly sum to /pnl all all', async () => {
    const all = await say('/pnl all all');
    expect(all).toContain('Desk total: realized 9, fees 1.93, net 7.07,');
    for (const line of ['/daily', '/weekly', '/monthly 2']) {
      const text = await say(line);
      expect(row(text, 'total'), line).toEqual(['total', '9', '1.93', '7.07', '6']);
    }
    const daily = await say('/daily 3');
    expect(daily).toContain('per UTC day');
    const today = new Date().toISOString().slice(0, 10);
    expect(row(daily, today)).toEqual([today, '9', '1.93', '7.07', '6']);
    const { services } = paper.app;
    const ids = ['main', 'sub_a', 'sub_b', 'lead', 'f1', 'f2'];
    const periods = await services.reports.byPeriod(ids, 'day', 30);
    const total = (await services.reports.pnl(ids, {})).total;
    expect([periods.total.realized.toFixed(), periods.total.fees.toFixed(), periods.total.trades]).toEqual([
      total.realized.toFixed(),
      total.fees.toFixed(),
      total.trades,
    ]);
  });
});

describe('/trades and /performance', () => {
  it('/trades lists every fill, newest first, with its VP and order id', async () => {
    const text = await say('/trades');
    const fills = await paper.app.services.db.fill.findMany({ where: { kind: 'trade' }, orderBy: { id: 'desc' } });
    expect(fills).toHaveLength(6);
    expect(text).toContain('The last 6 fills, newest first');
    const vpName = new Map((await ledgers()).map((vp) => [vp.id, vp.name]));
    const lines = text.split('\n').filter((l) => /^\d{4}-/.test(l));
    expect(lines).toHaveLength(6);
    for (const [i, fill] of fills.entries()) {
      const cells = lines[i]?.split(/\s{2,}/) ?? [];
      expect([cells[1], cells[2], cells[8]]).toEqual([
        fill.accountId,
        vpName.get(fill.vpId ?? 0),
        fill.exchangeOrderId,
      ]);
    }
    expect(row(text.replace(/^\S+ \S+ {2}/gm, ''), 'sub_b', 'swing', 'BTC/USDT', 'buy')).toEqual([
      'sub_b',
      'swing',
      'BTC/USDT',
      'buy',
      '0.00999',
      '60000',
      '0.6',
      expect.any(String),
    ]);
    const one = await say('/trades main alpha 1');
    expect(one).toContain('The last 1 fills');
    expect(one).toMatch(/main\s+alpha\s+BTC\/USDT:USDT\s+sell\s+0\.01\s+61000\s+0\.24/);
    expect(await say('/trades sub_b alpha')).toBe('No fills yet.');
  });

  it('/performance counts trades, closing fills and wins per symbol and per VP', async () => {
    const text = await say('/performance');
    expect(row(text, 'BTC/USDT:USDT')).toEqual(['BTC/USDT:USDT', '4', '2', '1', '50%', '5', '1.09', '3.91']);
    expect(row(text, 'BTC/USDT')).toEqual(['BTC/USDT', '2', '1', '1', '100%', '4', '0.84', '3.16']);
    expect(row(text, 'total')).toEqual(['total', '6', '3', '2', '66.7%', '9', '1.93', '7.07']);
    expect(row(text, 'sub_a', 'hedge')).toEqual([
      'sub_a',
      'hedge',
      'BTC/USDT:USDT',
      'SHORT',
      '2',
      '1',
      '0',
      '0%',
      '-5',
      '0.36',
      '-5.36',
    ]);
    expect(text).toContain('Win rate: closing fills');
  });
});

describe('grants, languages and arguments', () => {
  it('a viewer of sub_b sees sub_b only, in every report', async () => {
    const viewer = telegramUser('7301');
    await grantUser(paper.app, viewer, 'viewer', ['sub_b']);
    const run = async (line: string) => (await paper.app.dispatcher.handleLine(viewer, line))?.text ?? '';
    for (const line of ['/pnl', '/pnl all today', '/daily', '/weekly', '/monthly', '/trades', '/performance']) {
      const text = await run(line);
      expect(text, line).not.toMatch(/\bmain\b|\bsub_a\b|\balpha\b|\bhedge\b/);
    }
    expect(await run('/pnl')).toContain('Desk total: realized 4, fees 0.84');
    expect(row(await run('/daily'), 'total')).toEqual(['total', '4', '0.84', '3.16', '2']);
    expect(await run('/pnl main')).toContain('no access to account main');
    expect(await run('/trades sub_a')).toContain('no access to account sub_a');
  });

  it('answers in Chinese', async () => {
    const zh = telegramUser('7302');
    await grantUser(paper.app, zh, 'owner');
    await paper.app.dispatcher.handleLine(zh, '/lang zh');
    const text = (await paper.app.dispatcher.handleLine(zh, '/pnl all today'))?.text ?? '';
    expect(text).toContain('全部合计：已实现 9，手续费 1.93，净额 7.07，未实现 21.98');
    expect(row(text, 'sub_a', 'hedge')?.[3]).toBe('空头');
    expect((await paper.app.dispatcher.handleLine(zh, '/daily 0'))?.text).toContain('参数 days');
  });

  it('refuses a bad argument naming it', async () => {
    expect(await say('/pnl all 0d')).toContain('Argument period: 0d must be more than 0 and at most 3650.');
    expect(await say('/pnl all 2026-12-05..2026-12-01')).toContain(
      'Argument period: "2026-12-05..2026-12-01" is not valid.',
    );
    expect(await say('/pnl all 2026-02-30..2026-03-01')).toContain('Argument period');
    expect(await say('/daily 0')).toContain('Argument days: 0 is too small; it must be at least 1.');
    expect(await say('/weekly 53')).toContain('Argument weeks: 53 is too large; it must be at most 52.');
    expect(await say('/trades all 500')).toContain('Argument count: 500 is too large; it must be at most 100.');
    expect(await say('/trades -3')).toContain('Argument count');
    expect(await say('/performance all extra')).toContain('Unexpected extra argument: "extra".');
  });
});

describe('long reports', () => {
  it('a long fill history reaches Telegram and Discord in messages within their limits, tables unbroken', async () => {
    // Fills no VP of ours explains (made on the exchange directly): they are history too.
    const at = Date.now() - 3_600_000;
    await paper.app.services.db.fill.createMany({
      data: Array.from({ length: 94 }, (_, i) => ({
        accountId: 'sub_b',
        symbol: 'BTC/USDT',
        tradeId: `manual-${i}`,
        exchangeOrderId: `9${String(i).padStart(6, '0')}`,
        side: 'buy',
        positionSide: 'LONG',
        qty: '0.001',
        price: '60000',
        fee: '0.06',
        externalQty: '0.001',
        at: new Date(at + i * 1000),
      })),
    });
    const text = await say('/trades all 100');
    expect(text).toContain('The last 100 fills');
    expect(text).toContain('(external)');
    for (const [limit, messages] of [
      [4096, splitReplyText(text)],
      [2000, discordMessagesOf(text)],
    ] as const) {
      expect(messages.length).toBeGreaterThan(1);
      for (const m of messages) {
        expect(m.length).toBeLessThanOrEqual(limit);
        expect((m.match(/```/g) ?? []).length % 2).toBe(0);
      }
    }
  });
});
