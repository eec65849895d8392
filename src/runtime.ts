import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type net from 'node:net';
import { createApp, type App, type AppOptions } from './app.ts';
import type { Config } from './config/index.ts';
import { DataDirLock } from './infra/lock.ts';
import { startHttpServer } from './adapters/http/server.ts';
import { consoleSocketPath, startConsoleSocket } from './adapters/console/socket.ts';

export interface Running {
  app: App;
  http: Server;
  httpUrl: string;
  consoleSocket: string;
  /** One line saying what runs. */
  summary: string;
  stop(): Promise<void>;
}

/**
 * Starts the long-running process: takes the data-directory lock (refusing when another process
 * holds it), migrates and seeds, then serves HTTP and the console socket.
 */
export async function startHedgestack(config: Config, options: AppOptions): Promise<Running> {
  const lock = DataDirLock.acquire(config.dataDir);
  let app: App | undefined;
  let http: Server | undefined;
  let socket: net.Server | undefined;
  const stop = async () => {
    await new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => {
      if (!http) return resolve();
      http.close(() => resolve());
      http.closeAllConnections();
    });
    await app?.close();
    lock.release();
  };
  try {
    app = await createApp(config, options);
    http = await startHttpServer(app);
    socket = await startConsoleSocket(app);
    lock.advertiseSocket(consoleSocketPath(config.dataDir));
    await app.start();
  } catch (err) {
    await stop();
    throw err;
  }
  const { port, address } = http.address() as AddressInfo;
  const httpUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const accounts = await app.services.accounts.list();
  const summary =
    `hedgestack running in ${config.mode} mode: ${accounts.length} accounts (${accounts.map((a) => a.id).join(', ') || 'none'}); ` +
    `http ${httpUrl} (GET /healthz); console: npm run console; ` +
    (app.services.paper ? `paper exchange ${app.services.paper.urls.httpUrl}; ` : '') +
    `telegram ${config.telegram.token ? 'configured' : 'off'}; discord ${config.discord.token ? 'configured' : 'off'}`;
  return { app, http, httpUrl, consoleSocket: consoleSocketPath(config.dataDir), summary, stop };
}
