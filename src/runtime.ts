import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type net from 'node:net';
import { createApp, type App, type AppOptions } from './app.ts';
import type { Config } from './config/index.ts';
import { DataDirLock } from './infra/lock.ts';
import { checkListen, PortInUseError, startHttpServer, type HttpServer } from './adapters/http/server.ts';
import type { WebAdmin } from './adapters/web/index.ts';
import { consoleSocketPath, startConsoleSocket } from './adapters/console/socket.ts';
import { telegramAlertSender } from './adapters/telegram/alert-sender.ts';
import { describeTelegramStatus, startTelegram, type TelegramBot } from './adapters/telegram/index.ts';
import { describeDiscordStatus, discordAlertSender, startDiscord, type DiscordBot } from './adapters/discord/index.ts';

export interface Running {
  app: App;
  http: Server;
  httpUrl: string;
  consoleSocket: string;
  /** The Telegram adapter when TELEGRAM_BOT_TOKEN is set (its `sender` reaches any chat). */
  telegram: TelegramBot | undefined;
  /** The Discord adapter when DISCORD_TOKEN is set (its `sender` reaches any channel). */
  discord: DiscordBot | undefined;
  /** One line saying what runs. */
  summary: string;
  stop(): Promise<void>;
}

/**
 * Starts the long-running process: takes the data-directory lock (refusing when another process
 * holds it), checks that ADMIN_HOST:PORT can be listened on, migrates and seeds, then serves HTTP
 * and the console socket.
 */
export async function startHedgestack(config: Config, options: AppOptions): Promise<Running> {
  // A host not on this machine stops the start before anything exists, the data directory
  // included. A busy port is reported after the lock: when the desk itself holds it, the lock
  // says so, with its PID.
  const unlistenable = await checkListen(config.http.host, config.http.port).then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  if (unlistenable !== undefined && !(unlistenable instanceof PortInUseError)) throw unlistenable;
  const lock = DataDirLock.acquire(config.dataDir);
  if (unlistenable !== undefined) {
    lock.release();
    throw unlistenable;
  }
  let app: App | undefined;
  let http: HttpServer | undefined;
  let socket: net.Server | undefined;
  let telegram: TelegramBot | undefined;
  let discord: DiscordBot | undefined;
  const stop = async () => {
    await telegram?.stop();
    await discord?.stop();
    await new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => {
      if (!http) return resolve();
      http.close(() => resolve());
      http.closeAllConnections();
    });
    await app?.close();
    lock.release();
  };
  let telegramLine = 'telegram off';
  let discordLine = 'discord off';
  try {
    app = await createApp(config, options);
    http = await startHttpServer(app);
    socket = await startConsoleSocket(app);
    lock.advertiseSocket(consoleSocketPath(config.dataDir));
    await app.start();
    // A chat platform that is down or rejects the token stops only its own adapter.
    const [started, startedDiscord] = await Promise.all([
      startTelegram(app, undefined, http.routes),
      startDiscord(app),
    ]);
    telegram = started?.bot;
    telegramLine = describeTelegramStatus(started?.status);
    if (telegram) app.services.alerts.registerSender(telegramAlertSender(telegram.sender));
    discord = startedDiscord?.bot;
    discordLine = describeDiscordStatus(startedDiscord?.status);
    if (discord) app.services.alerts.registerSender(discordAlertSender(discord.sender));
  } catch (err) {
    await stop();
    throw err;
  }
  const { port, address } = http.address() as AddressInfo;
  const httpUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const accounts = await app.services.accounts.list();
  if (http.admin.exposedWithoutTls) {
    options.logger.warn(
      { host: config.http.host },
      'web admin bound to a non-loopback address without TLS: passwords and session cookies cross the network in clear',
    );
  }
  const summary =
    `hedgestack running in ${config.mode} mode: ${accounts.length} accounts (${accounts.map((a) => a.id).join(', ') || 'none'}); ` +
    `http ${httpUrl} (GET /healthz); ${describeWebAdmin(http.admin, httpUrl)}; console: npm run console; ` +
    (app.services.paper ? `paper exchange ${app.services.paper.urls.httpUrl}; ` : '') +
    `${telegramLine}; ${discordLine}`;
  return { app, http, httpUrl, consoleSocket: consoleSocketPath(config.dataDir), telegram, discord, summary, stop };
}

/** The start line's words for the admin; a generated password is named by its file, never shown. */
export function describeWebAdmin(admin: Pick<WebAdmin, 'password' | 'exposedWithoutTls'>, httpUrl: string): string {
  const where = `web admin ${httpUrl}/`;
  const exposed = admin.exposedWithoutTls
    ? ' (WARNING: reachable from the network without TLS; put a TLS proxy in front and set ADMIN_TRUST_PROXY, or bind ADMIN_HOST=127.0.0.1)'
    : '';
  switch (admin.password.state) {
    case 'generated':
      return `${where}${exposed} — owner password generated into ${admin.password.file} (readable by you only): log in with it, then delete the file (or set ADMIN_PASSWORD)`;
    case 'missing':
      return `${where}${exposed} — login off until ADMIN_PASSWORD is set`;
    default:
      return `${where}${exposed}`;
  }
}
