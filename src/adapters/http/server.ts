import type { Server } from 'node:http';
import express from 'express';
import type { App } from '../../app.ts';

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

export function createHttpApp(app: App): express.Express {
  const http = express();
  http.disable('x-powered-by');
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
  return http;
}

export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(`PORT: ${host}:${port} is already in use by another program; stop it or set PORT to a free port`);
    this.name = 'PortInUseError';
  }
}

/** A running HTTP server and its routes; adapters may add their own (a chat webhook). */
export type HttpServer = Server & { routes: express.Express };

/** Listens on ADMIN_HOST:PORT (port 0 picks a free one, for tests). */
export function startHttpServer(app: App): Promise<HttpServer> {
  const { host, port } = app.config.http;
  return new Promise((resolve, reject) => {
    const routes = createHttpApp(app);
    const server = routes.listen(port, host);
    server.once('listening', () => resolve(Object.assign(server, { routes })));
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(host, port) : err),
    );
  });
}
