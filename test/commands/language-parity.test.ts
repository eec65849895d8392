import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argShapes } from '../../src/commands/args.ts';
import { COMMANDS } from '../../src/commands/catalog/index.ts';
import { leafCommands } from '../../src/commands/types.ts';
import { loadCatalog, t, type Language } from '../../src/i18n/index.ts';
import type { CallerRef } from '../../src/services/identity.ts';
import { grantUser } from '../support/harness.ts';
import { allowedWords, chineseIn, englishLeaks } from '../support/language-leaks.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';
import { waitFor } from '../support/wait.ts';

/**
 * A trader who reads Chinese gets Chinese from every command — its answers, confirmations,
 * refusals and the exchange's refusals alike — and one who reads English gets no Chinese.
 * Every declared command runs with its example arguments, with one missing, one too many and
 * a wrong value, then a trading session walks orders, VPs, TP/SL, reconciliation, risk, alerts
 * and copying through the dispatcher against the paper desk.
 */

/** Lines generated from the declarations: examples, a missing argument, a surplus, wrong values. */
function generatedLines(): string[] {
  const lines: string[] = [];
  for (const def of leafCommands(COMMANDS)) {
    if (def.name === 'lang') continue;
    const shapes = argShapes(def);
    const sample = (s: (typeof shapes)[number]) => s.example ?? s.choices?.[0] ?? 'x';
    const required = shapes.filter((s) => s.required);
    lines.push(`/${def.name} ${required.map(sample).join(' ')}`.trim());
    lines.push(
      `/${def.name} ${shapes
        .filter((s) => !s.flexible || s.example)
        .map(sample)
        .join(' ')}`.trim(),
    );
    if (required.length > 0) lines.push(`/${def.name} ${required.slice(0, -1).map(sample).join(' ')}`.trim());
    if (!shapes.some((s) => s.rest)) lines.push(`/${def.name} ${[...shapes.map(sample), 'surplus'].join(' ')}`);
    for (const [i, shape] of shapes.entries()) {
      const before = required.slice(0, Math.max(0, required.indexOf(shape))).map(sample);
      const head = shape.required ? before : required.map(sample);
      const at = (wrong: string) =>
        `/${def.name} ${[...head, shape.flexible ? `${shape.name}=${wrong}` : wrong].join(' ')}`;
      if (i >= 0) lines.push(at('-1'), at('klingon'), at('x'.repeat(70)));
    }
  }
  return lines;
}

/** A session a trader might have, with the cases the issue reported. */
const SESSION: string[] = [
  '/help',
  '/help order',
  '/help vp',
  '/help copy',
  '/whoami',
  '/accounts',
  '/balance',
  '/balance sub_b',
  '/positions',
  '/order sub_b BTC/USDT buy 0.01 !',
  '/order sub_b BTC/USDT buy $50 !',
  '/order sub_b BTC/USDT sell 0.002 !',
  '/order sub_b BTC/USDT buy 0.001 50000 vp=bids !',
  '/orders sub_b',
  '/order sub_a BTC/USDT buy 0.01 vp=alpha !',
  '/order sub_a BTCUSDT sell 0.005 short vp=beta !',
  '/order sub_a BTC/USDT buy 0.002 59000 vp=alpha !',
  '/orders',
  '/positions sub_a',
  '/vp list',
  '/vp list sub_a closed',
  '/vp show sub_a alpha',
  '/vp open sub_a BTCUSDT gamma',
  '/vp open sub_b BTCUSDT gamma short',
  '/vp tpsl sub_a alpha tp=70000 sl=50000 !',
  '/orders sub_a',
  '/vp tpsl sub_a alpha tp=50000',
  '/vp tpsl sub_a alpha off !',
  '/vp tpsl sub_b bids tp=70000 !',
  '/orders sub_b',
  '/vp close sub_a alpha 50 !',
  '/vp close sub_a beta !',
  '/vp close sub_a gamma',
  '/vp close sub_a scalp -10',
  '/vp close sub_a alpha 150',
  '/reconcile',
  '/reconcile sub_a',
  '/reconcile accept lead BTC/USDT long !',
  '/reconcile assign f1 BTC/USDT long delta 0.01 60000 !',
  '/reconcile assign f1 BTC/USDT long delta 5 60000',
  '/risk',
  '/risk sub_a order_notional 5000',
  '/order sub_a BTC/USDT buy 1',
  '/risk sub_a order_notional off',
  '/risk sub_a order_notional -5',
  '/risk sub_a order_notional 1e308',
  '/risk sub_a bogus 5',
  '/risk sub_a',
  '/alerts',
  '/alerts on copy,tpsl warning',
  '/alerts status',
  '/alerts off',
  '/alerts off',
  '/copy status',
  '/copy start !',
  '/copy symbol BTC/USDT !',
  '/followers',
  '/followers set f1 ratio 0.5 cap=200 !',
  '/followers set f2 share !',
  '/followers set f1 share 0.5',
  '/followers add sub_b',
  '/followers remove nosuch',
  '/pause f1 !',
  '/accounts',
  '/followers',
  '/pause f1',
  '/resume f1 !',
  '/resume f1 !',
  '/pause nosuch',
  '/pause main',
  '/order lead BTC/USDT buy $100 !',
  '/events',
  '/events detail',
  '/pnl',
  '/pnl all today',
  '/pnl sub_a 7d',
  '/pnl sub_b 2026-01-01..2026-12-31',
  '/pnl all 0d',
  '/pnl all 2026-12-05..2026-12-01',
  '/daily',
  '/daily 0',
  '/weekly 2',
  '/monthly',
  '/trades',
  '/trades sub_a alpha 5',
  '/trades all 500',
  '/performance',
  '/performance sub_b',
  '/events 0',
  '/copy stop !',
  '/cancel sub_a 999999',
  '/cancel sub_b nosuchorder',
  '/order sub_b BTC/USDT buy -1',
  '/order sub_b BTC/USDT buy abc',
  '/order sub_b BTC/USDT buy 0.01 -5',
  '/order sub_b DOGE/EUR buy 1',
  '/order main BTC/USDT buy 0.0000000001',
  '/order sub_a BTC/USDT buy 0.00000001 !',
  '/order main BTC/USDT buy 1000000 !',
  '/order main BTC/USDT buy 100',
  '/order sub_b BTC/USDT buy 1000000 !',
  '/order sub_b BTC/USDT buy 0.001 60000.123456789 !',
  '/order sub_b BTC/USDT sell 0.01 reduce',
  '/order sub_b BTC/USDT buy 0.01 short',
  '/vp',
  '/vp nosuch',
  '/balance nosuch',
  '/nosuch',
  '/lang klingon',
];

interface Exchange {
  line: string;
  text: string;
}

/** Runs lines as `ref`; a trailing `!` confirms what is asked, otherwise a question is cancelled. */
async function converse(desk: PaperDesk, ref: CallerRef, lines: readonly string[]): Promise<Exchange[]> {
  const out: Exchange[] = [];
  const { dispatcher } = desk.app;
  for (const raw of lines) {
    const confirm = raw.endsWith(' !');
    const line = confirm ? raw.slice(0, -2) : raw;
    const reply = await dispatcher.handleLine(ref, line);
    out.push({ line, text: reply?.text ?? '' });
    const [accept, cancel] = reply?.buttons?.[0] ?? [];
    if (reply?.confirmation && accept && cancel) {
      for (const b of [accept, cancel]) out.push({ line: `${line} [button]`, text: b.label });
      const pressed = await dispatcher.handleAction(ref, (confirm ? accept : cancel).data);
      out.push({ line: `${line} → ${confirm ? 'confirm' : 'cancel'}`, text: pressed?.text ?? '' });
    }
  }
  return out;
}

const caller = (language: Language): CallerRef => ({
  platform: 'telegram',
  externalId: language === 'zh' ? '8801' : '8802',
  displayName: `${language} owner`,
  locale: language === 'zh' ? 'zh-CN' : 'en-US',
  chat: { id: language === 'zh' ? '8801' : '8802', group: false },
});

let desk: PaperDesk;
let allowed: ReturnType<typeof allowedWords>;
const replies: Record<Language, Exchange[]> = { en: [], zh: [] };

beforeAll(async () => {
  desk = await startPaperDesk();
  // Names from the desk's data (account ids and names, people's names) are shown as they are.
  const accounts = await desk.app.services.accounts.list();
  const people = ['zh owner', 'en owner', 'owner 8801', 'owner 8802', ...accounts.map((a) => a.name)];
  const vps = ['alpha', 'beta', 'gamma', 'bids', 'delta'];
  const names = [...accounts.map((a) => a.id), ...vps, ...people.flatMap((n) => n.split(/[\s()]+/))];
  allowed = allowedWords(COMMANDS, names);
  for (const language of ['zh', 'en'] as const) {
    await grantUser(desk.app, caller(language), 'owner');
    replies[language] = await converse(desk, caller(language), [...SESSION, ...generatedLines()]);
  }
  // An exchange refusal we have no message for is quoted as the exchange's own words.
  for (const language of ['zh', 'en'] as const) {
    desk.emulator.fault('sub_b', {
      endpoint: 'POST /api/v3/order',
      failNext: { count: 1, httpStatus: 400, code: -2010, msg: 'Order would immediately match and take.' },
    });
    replies[language].push(...(await converse(desk, caller(language), ['/order sub_b BTC/USDT buy 0.001 !'])));
  }
  // Alerts too: a spot take-profit fires, and the exchange holds coins no VP explains.
  await converse(desk, caller('zh'), ['/vp tpsl sub_b default tp=61000 !']);
  desk.emulator.setPrice('BTCUSDT', '61500');
  await desk.app.services.tpsl.checkSpotPrices();
  await waitFor(() => desk.alerts.some((a) => a.key === 'alerts.tp_triggered'));
  await (
    await desk.app.services.exchanges.for('sub_b')
  ).placeOrder({
    symbol: 'BTC/USDT',
    side: 'buy',
    type: 'market',
    amount: new Decimal('0.001'),
    clientOrderId: 'manual-parity-1',
  });
  await desk.app.services.reconcileMonitor.run({ settleMs: 0 });
  // A TP/SL leg the exchange refuses.
  desk.emulator.fault('sub_a', {
    endpoint: 'POST /fapi/v1/algoOrder',
    failNext: { count: 2, httpStatus: 400, code: -2021, msg: 'Order would immediately trigger.' },
  });
  await converse(desk, caller('zh'), ['/vp tpsl sub_a alpha tp=70000 sl=50000 !']);
}, 240_000);
afterAll(async () => desk.close());

describe('language parity', () => {
  it('the session covers every command', () => {
    const ran = new Set(replies.zh.map((r) => r.line.split(' ')[0]));
    for (const entry of COMMANDS) if (entry.name !== 'lang') expect(ran, entry.name).toContain(`/${entry.name}`);
    expect(replies.zh.length).toBeGreaterThan(300);
  });

  it('every Chinese reply is Chinese: no English sentence from the catalog, zod or ccxt, no untranslated word', () => {
    const leaks = replies.zh
      .map((r) => ({ ...r, leaks: englishLeaks(r.text, allowed, r.line) }))
      .filter((r) => r.leaks.length > 0)
      .map((r) => `${r.line}\n  ${r.text.replace(/\n/g, '\n  ')}\n  → ${r.leaks.join(' · ')}`);
    expect(leaks.join('\n\n')).toBe('');
  });

  it('every alert the session raised reads in Chinese for a Chinese chat, and in English for an English one', () => {
    expect(desk.alerts.map((a) => a.key)).toEqual(
      expect.arrayContaining([
        'alerts.tp_triggered',
        'alerts.reconciliation_new',
        'alerts.tpsl_failed',
        'alerts.order_failed',
        'risk.blocked.max_order_notional',
      ]),
    );
    const leaks = desk.alerts
      .map((a) => ({ key: a.key, zh: t('zh', a.key, a.params), en: t('en', a.key, a.params) }))
      .filter((a) => englishLeaks(a.zh, allowed).length > 0 || chineseIn(a.en).length > 0)
      .map((a) => `${a.key}\n  ${a.zh}\n  ${a.en}\n  → ${englishLeaks(a.zh, allowed).join(' · ')}`);
    expect(leaks.join('\n\n')).toBe('');
    const failed = desk.alerts.find((a) => a.key === 'alerts.order_failed');
    expect(failed && t('zh', failed.key, failed.params)).toMatch(
      /失败（账户 sub_b：Binance 拒绝了订单 \(-2010\)，交易所原文：/,
    );
  });

  it('every Chinese message of the catalog is Chinese, the ones no session reaches too', () => {
    const leaks = [...loadCatalog('zh')]
      .filter(([key]) => !key.startsWith('terms.'))
      .map(([key, text]) => ({ key, text, leaks: englishLeaks(text.replace(/\{\{\s*\w+\s*\}\}/g, '0'), allowed) }))
      .filter((m) => m.leaks.length > 0)
      .map((m) => `${m.key}: ${m.text}\n  → ${m.leaks.join(' · ')}`);
    expect(leaks.join('\n')).toBe('');
  });

  it('every English reply is English', () => {
    const mixed = replies.en.filter((r) => chineseIn(r.text).length > 0).map((r) => `${r.line}\n  ${r.text}`);
    expect(mixed.join('\n\n')).toBe('');
  });
});

describe('the examples the issue reported, in both languages', () => {
  const replyTo = (language: Language, line: string) => replies[language].find((r) => r.line === line)?.text ?? '';

  it('a bad amount names the argument in the reply’s language, with no English hint', () => {
    expect(replyTo('zh', '/order sub_b BTC/USDT buy -1')).toMatch(/^参数 amount：/);
    expect(replyTo('zh', '/order sub_b BTC/USDT buy -1')).not.toMatch(/base quantity|quote amount/);
    expect(replyTo('en', '/order sub_b BTC/USDT buy -1')).toMatch(/^Argument amount: /);
  });

  it('the confirmation names the side and the market price in the reply’s language', () => {
    expect(replyTo('zh', '/order sub_b BTC/USDT buy $50')).toContain('买入 50 USDT BTC/USDT');
    expect(replyTo('zh', '/order sub_b BTC/USDT buy $50')).toContain('价格 市价');
    expect(replyTo('en', '/order sub_b BTC/USDT buy $50')).toContain('buy 50 USDT BTC/USDT');
  });

  it('zod’s and ccxt’s own words never reach the trader', () => {
    for (const language of ['en', 'zh'] as const) {
      expect(replyTo(language, '/events 0')).not.toMatch(/Too small|expected number/);
      expect(replyTo(language, '/order sub_a BTC/USDT buy 0.00000001')).not.toMatch(/binanceusdm|precision of/);
    }
  });

  it('an exchange refusal we have no message for is quoted as the exchange said it', () => {
    const confirmed = (language: Language) => replyTo(language, '/order sub_b BTC/USDT buy 0.001 → confirm');
    expect(confirmed('zh')).toBe(
      '账户 sub_b：Binance 拒绝了订单 (-2010)，交易所原文：“Order would immediately match and take.”',
    );
    expect(confirmed('en')).toBe(
      'Account sub_b: Binance rejected the order (-2010): Order would immediately match and take.',
    );
  });

  it('the symbol hint says BTC/USDT like everything else', () => {
    expect(replyTo('zh', '/order sub_b DOGE/EUR buy 1')).toContain('请使用如 BTC/USDT 的交易对');
    expect(replyTo('en', '/order sub_b DOGE/EUR buy 1')).toContain('Use a symbol such as BTC/USDT.');
  });
});
