import type { Server } from 'node:http';
import express from 'express';
import type { App } from '../../app.ts';
import { createWebAdmin, type WebAdmin, type WebAdminOptions } from '../web/index.ts';

export interface HealthReport {
  status: 'ok';
  mode: App['config']['mode'];
  uptimeSeconds: number;
  accounts: {
    id: string;
    exchange: string;
    market: string;
    env: string;
    status: string;
    statusReason: string | null;
    stream: {
      health: string;
      reason: string | null;
      since: string;
      lastEventAt: string | null;
      reconnects: number;
    } | null;
  }[];
}

/** The HTTP routes: /healthz (no login), routes other adapters add later (a chat webhook), the web admin. */
export function createHttpApp(app: App, admin?: WebAdmin): { http: express.Express; adapterRoutes: express.Express } {
  const http = express();
  http.disable('x-powered-by');
  if (app.config.adminTrustProxy) http.set('trust proxy', app.config.adminTrustProxy);
  http.get('/healthz', async (_req, res, next) => {
    try {
      const accounts = await app.services.accounts.list();
      const report: HealthReport = {
        status: 'ok',
        mode: app.config.mode,
        uptimeSeconds: Math.round(process.uptime()),
        accounts: accounts.map((a) => {
          const stream = app.services.streams.status(a.id);
          return {
            id: a.id,
            exchange: a.exchange,
            market: a.market,
            env: a.env,
            status: a.status,
            statusReason: a.statusReason,
            stream: stream
              ? {
                  health: stream.health,
                  reason: stream.reason ?? null,
                  since: new Date(stream.since).toISOString(),
                  lastEventAt: stream.lastEventAt ? new Date(stream.lastEventAt).toISOString() : null,
                  reconnects: stream.reconnects,
                }
              : null,
          };
        }),
      };
      res.json(report);
    } catch (err) {
      next(err);
    }
  });
  // Mounted before the admin, whose login gate answers every path it reaches.
  const adapterRoutes = express();
  adapterRoutes.disable('x-powered-by');
  http.use(adapterRoutes);
  if (admin) http.use(admin.router);
  return { http, adapterRoutes };
}

export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(`PORT: ${host}:${port} is already in use by another program; stop it or set PORT to a free port`);
    this.name = 'PortInUseError';
  }
}

/** A running HTTP server and its routes; adapters may add their own (a chat webhook). */
export type HttpServer = Server & { routes: express.Express; admin: WebAdmin };

/** Listens on ADMIN_HOST:PORT (port 0 picks a free one, for tests), with the web admin. */
export async function startHttpServer(app: App, options: WebAdminOptions = {}): Promise<HttpServer> {
  const { host, port } = app.config.http;
  const admin = await createWebAdmin(app, options);
  return new Promise((resolve, reject) => {
    const { http, adapterRoutes } = createHttpApp(app, admin);
    const server = http.listen(port, host);
    server.once('listening', () => resolve(Object.assign(server, { routes: adapterRoutes, admin })));
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(host, port) : err),
    );
  });
}
