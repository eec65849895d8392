import { Api } from 'grammy';
import { autoRetry } from '@grammyjs/auto-retry';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/catalog/index.ts';
import { defineCommand } from '../../src/commands/types.ts';
import { TelegramSender, splitReplyText, renderTelegramHtml } from '../../src/adapters/telegram/index.ts';
import { startHedgestack } from '../../src/runtime.ts';
import { FakeTelegram, sourceTextOf, visibleTextOf } from '../support/fake-telegram.ts';
import { capturingLogger, testConfig } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';
import { telegramAlertSender } from '../../src/adapters/telegram/alert-sender.ts';
import { GROUP, OWNER, startTelegramDesk, type TelegramDesk } from './telegram-desk.ts';

const tableRow = (i: number) => `row ${String(i).padStart(3, '0')} <BTC&USDT>  ${'x'.repeat(30)}`;
/** About 9,000 characters: prose, a long monospace table, more prose. */
const LONG_REPLY = [
  'Balances & more:',
  ...Array.from({ length: 40 }, (_, i) => `line ${i} of the intro`),
  '```',
  ...Array.from({ length: 160 }, (_, i) => tableRow(i)),
  '```',
  'the end',
].join('\n');

const longCommand = defineCommand({
  name: 'longread',
  role: 'public',
  scope: 'none',
  mutates: false,
  args: {},
  run: () => Promise.resolve({ text: LONG_REPLY }),
});

const fencesBalanced = (text: string) => (text.match(/^```/gm) ?? []).length % 2 === 0;

describe('splitting long replies', () => {
  it('splits on line boundaries, keeps every code block fenced, and loses nothing', () => {
    const parts = splitReplyText(LONG_REPLY, 4096);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(4096);
      expect(fencesBalanced(part)).toBe(true);
    }
    const lines = parts
      .join('\n')
      .split('\n')
      .filter((l) => l !== '```');
    expect(lines).toEqual(LONG_REPLY.split('\n').filter((l) => l !== '```'));
  });

  it('moves a code block that fits a message to the next one rather than cutting it', () => {
    const block = ['```', ...Array.from({ length: 10 }, (_, i) => `r${i}`), '```'].join('\n');
    const text = `${'p'.repeat(90)}\n${block}`;
    const parts = splitReplyText(text, 100);
    expect(parts).toEqual(['p'.repeat(90), block]);
  });

  it('renders prose escaped and code blocks as <pre>', () => {
    expect(renderTelegramHtml('a < b & c\n```\n|x> \n```\nend')).toBe('a &lt; b &amp; c\n<pre>|x&gt; </pre>\nend');
  });
});

describe('delivery through the bot', () => {
  let desk: TelegramDesk | undefined;
  afterEach(async () => {
    await desk?.close();
    desk = undefined;
  });

  it('a reply longer than 4096 arrives as several messages, each valid HTML, tables intact', async () => {
    desk = await startTelegramDesk({}, { commands: [...COMMANDS, longCommand] });
    const messages = await desk.say(OWNER, '/longread');
    expect(messages.length).toBeGreaterThan(2);
    for (const m of messages) {
      expect(visibleTextOf(m.text).length).toBeLessThanOrEqual(4096);
      expect((m.text.match(/<pre>/g) ?? []).length).toBe((m.text.match(/<\/pre>/g) ?? []).length);
    }
    expect(messages.map((m) => sourceTextOf(m.text)).join('\n')).toContain(tableRow(159));
    const rows = messages.flatMap((m) => sourceTextOf(m.text).split('\n')).filter((l) => l.startsWith('row '));
    expect(rows).toEqual(Array.from({ length: 160 }, (_, i) => tableRow(i)));
  });

  it('a 429 from sendMessage is waited out and the reply is delivered', async () => {
    desk = await startTelegramDesk();
    desk.fake.rateLimit(2, 0.2, 'sendMessage');
    const started = Date.now();
    const messages = await desk.say(OWNER, '/whoami');
    expect(desk.textOf(messages)).toContain(String(OWNER.id));
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(desk.fake.calls.filter((c) => c.method === 'sendMessage' && c.status === 429)).toHaveLength(2);
  });

  it('a reply during a Bot API outage is delivered once it is back', async () => {
    desk = await startTelegramDesk();
    const d = desk;
    d.fake.startOutage('error5xx');
    setTimeout(() => d.fake.endOutage(), 300);
    const messages = await d.say(OWNER, '/whoami');
    expect(d.textOf(messages)).toContain(String(OWNER.id));
  });

  it('a failure while answering never stops the bot: the user gets a reference, the next command works', async () => {
    desk = await startTelegramDesk();
    desk.fake.refuse(1, 'sendMessage');
    const [apology] = await desk.say(OWNER, '/whoami');
    const ref = /Reference: (\w+)/.exec(apology?.text ?? '')?.[1];
    expect(ref).toBeDefined();
    expect(desk.t.logs.some((l) => l.includes(String(ref)) && l.includes('telegram: handling an update failed'))).toBe(
      true,
    );
    expect(desk.textOf(await desk.say(OWNER, '/whoami'))).toContain(String(OWNER.id));
  });
});

describe('TelegramSender (for pushes to a chat)', () => {
  let fake: FakeTelegram | undefined;
  afterEach(async () => fake?.stop());

  const senderFor = (f: FakeTelegram) => {
    const api = new Api(f.token, { apiRoot: f.url });
    api.config.use(autoRetry({ maxRetryAttempts: 5 }));
    return new TelegramSender(api);
  };

  it('splits a long text and sends the parts in order', async () => {
    fake = await new FakeTelegram().start();
    const ids = await senderFor(fake).send(-42, LONG_REPLY);
    expect(ids.length).toBeGreaterThan(2);
    expect(fake.chat(-42).map((m) => m.messageId)).toEqual(ids);
  });

  it('respects retry_after on a 429 and delivers', async () => {
    fake = await new FakeTelegram().start();
    fake.rateLimit(1, 0.3);
    const started = Date.now();
    await senderFor(fake).send(42, 'Copy failed on follower f1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.chat(42).map((m) => m.text)).toEqual(['Copy failed on follower f1']);
  });
});

describe('starting hedgestack with Telegram', () => {
  let fake: FakeTelegram | undefined;
  afterEach(async () => fake?.stop());

  async function start(env: Record<string, string>) {
    const { logger, lines } = capturingLogger();
    const running = await startHedgestack(testConfig(env), { logger });
    // Stopping while account streams still connect leaves ccxt rejections behind.
    const { accounts, streams } = running.app.services;
    const ids = (await accounts.list()).map((a) => a.id);
    await waitFor(() => ids.every((id) => streams.status(id)?.health !== 'starting'), 10_000);
    return { running, lines };
  }

  it('a wrong token fails only Telegram: the start line says why and /healthz answers', async () => {
    fake = await new FakeTelegram().start();
    const { running, lines } = await start({ TELEGRAM_BOT_TOKEN: '999:wrong', TELEGRAM_API_ROOT: fake.url });
    try {
      expect(running.summary).toContain('telegram FAILED: Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized)');
      expect(lines.some((l) => l.includes('telegram failed') && !l.includes('999:wrong'))).toBe(true);
      expect((await fetch(`${running.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await running.stop();
    }
  });

  it('a good token: the start line says the bot runs', async () => {
    fake = await new FakeTelegram().start();
    const { running } = await start({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url });
    try {
      expect(running.summary).toContain('telegram running as @hedgestack_bot');
    } finally {
      await running.stop();
    }
  });

  it('an unreachable Bot API does not hold up startup', async () => {
    fake = await new FakeTelegram().start();
    fake.startOutage('reset');
    const started = Date.now();
    const { running } = await start({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url });
    try {
      expect(running.summary).toContain('telegram connecting');
      expect(Date.now() - started).toBeLessThan(8_000);
      expect((await fetch(`${running.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await running.stop();
    }
  });
});

describe('push alerts in a Telegram chat', () => {
  it('/alerts on in a group, then a risk refusal elsewhere arrives there as an alert', async () => {
    const desk = await startTelegramDesk();
    try {
      desk.t.app.services.alerts.registerSender(telegramAlertSender(desk.bot.sender));
      expect(desk.textOf(await desk.say(OWNER, '/alerts on risk_limit', GROUP))).toContain(
        'This chat now receives alerts: risk_limit, from info up.',
      );
      desk.t.app.services.bus.emit({
        type: 'alert',
        accountId: 'main',
        category: 'risk_limit',
        severity: 'warning',
        key: 'risk.blocked.max_order_notional',
        params: { account: 'main', symbol: 'BTC/USDT:USDT', limit: '500', value: '600' },
      });
      await waitFor(() => desk.fake.chat(GROUP.id).some((m) => m.text.includes('above the maximum order notional')));
    } finally {
      await desk.close();
    }
  });
});
