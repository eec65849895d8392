/**
 * npm run bench (chat part) — a command's round trip through each real chat client and its fake
 * platform server, with no exchange work (/whoami), against the same command dispatched
 * directly in the same run; and the process's idle RSS with the adapters on, against the same
 * process before they started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createApp } from '../src/app.ts';
import { DiscordBot } from '../src/adapters/discord/index.ts';
import { TelegramBot } from '../src/adapters/telegram/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { FakeDiscord } from '../test/support/fake-discord.ts';
import { FakeTelegram } from '../test/support/fake-telegram.ts';

const ROUNDS = Number(process.env['BENCH_CHAT_ROUNDS'] ?? 300);
const USER = { id: 7001, first_name: 'Bench', language_code: 'en' };
const DISCORD_USER = { id: '310000000000007001', username: 'bench', locale: 'en-US' };
const GUILD = { guildId: '420000000000000001', channelId: '420000000000000002' };

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p99: at(99) };
}

const gc = (globalThis as { gc?: () => void }).gc;
const rss = () => {
  gc?.();
  return process.memoryUsage().rss;
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hedgestack-bench-chat-'));
  const fake = await new FakeTelegram().start();
  const fakeDiscord = await new FakeDiscord().start();
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    OWNER_TELEGRAM_IDS: String(USER.id),
    OWNER_DISCORD_IDS: DISCORD_USER.id,
  });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const idleBefore = rss();
    const bot = new TelegramBot({
      token: fake.token,
      apiRoot: fake.url,
      dispatcher: app.dispatcher,
      identity: app.services.identity,
      logger: app.services.logger,
      defaultLanguage: config.defaultLanguage,
    });
    await bot.start();
    const discord = new DiscordBot({
      token: fakeDiscord.token,
      appId: fakeDiscord.appId,
      guildId: GUILD.guildId,
      apiBase: fakeDiscord.apiBase,
      dispatcher: app.dispatcher,
      identity: app.services.identity,
      completions: { identity: app.services.identity, accounts: app.services.accounts, vps: app.services.vps },
      logger: app.services.logger,
      defaultLanguage: config.defaultLanguage,
    });
    await discord.start();
    const direct: number[] = [];
    const viaDiscord: number[] = [];
    const viaTelegram: number[] = [];
    const ref = { platform: 'telegram' as const, externalId: String(USER.id) };
    for (let i = 0; i < 30; i++) await app.dispatcher.handleLine(ref, '/whoami');
    for (let i = 0; i < ROUNDS; i++) {
      // A trader's pace, not a flood: discord.js holds every bot to 50 REST calls a second.
      await new Promise((r) => setTimeout(r, 25));
      const t0 = performance.now();
      await app.dispatcher.handleLine(ref, '/whoami');
      direct.push(performance.now() - t0);
      const before = fake.chat(USER.id).length;
      const t1 = performance.now();
      fake.sendText(USER, '/whoami');
      while (fake.chat(USER.id).length === before) await new Promise((r) => setImmediate(r));
      viaTelegram.push(performance.now() - t1);
      const t2 = performance.now();
      const interaction = fakeDiscord.slash(DISCORD_USER, 'whoami', [], GUILD);
      // Answered: deferred, then the reply edited in.
      while (!fakeDiscord.acknowledged.has(interaction.id) || discord.pendingWork > 0) {
        await new Promise((r) => setImmediate(r));
      }
      viaDiscord.push(performance.now() - t2);
    }
    await new Promise((r) => setTimeout(r, 500));
    const idleAfter = rss();
    const d = summary(direct);
    const tg = summary(viaTelegram);
    console.log(`command round trip (/whoami, ${ROUNDS} rounds, no exchange work):`);
    console.log(
      `  telegram (grammY long polling -> fake Bot API -> reply)  p50 ${tg.p50.toFixed(2)} ms  p99 ${tg.p99.toFixed(2)} ms`,
    );
    const dc = summary(viaDiscord);
    console.log(
      `  discord (discord.js gateway -> fake REST: defer + edit)  p50 ${dc.p50.toFixed(2)} ms  p99 ${dc.p99.toFixed(2)} ms`,
    );
    console.log(`  dispatcher alone  p50 ${d.p50.toFixed(2)} ms  p99 ${d.p99.toFixed(2)} ms   (baseline)`);
    console.log(
      `  ratio telegram/dispatcher: p50 ${(tg.p50 / d.p50).toFixed(1)}x  p99 ${(tg.p99 / d.p99).toFixed(1)}x`,
    );
    console.log(`  ratio discord/dispatcher: p50 ${(dc.p50 / d.p50).toFixed(1)}x  p99 ${(dc.p99 / d.p99).toFixed(1)}x`);
    console.log(
      `idle RSS: ${(idleAfter / 2 ** 20).toFixed(0)} MiB with both adapters on, ${(idleBefore / 2 ** 20).toFixed(0)} MiB before they started (baseline, same process)`,
    );
    await bot.stop();
    await discord.stop();
  } finally {
    await app.close();
    await fake.stop();
    await fakeDiscord.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
