import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import express, { type Request } from 'express';
import type { App } from '../../app.ts';
import { STATUSES } from '../../domain/account.ts';
import { t } from '../../i18n/index.ts';
import { createWebAdmin, type WebAdmin, type WebAdminOptions } from '../web/index.ts';
import { hostMatcher, securityHeaders } from '../web/security.ts';
import { cookieOf, SESSION_COOKIE } from '../web/session.ts';

export const VERSION = (
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string }
).version;

const STREAM_HEALTHS = ['starting', 'live', 'polling', 'stopped', 'failed', 'off'] as const;

/** What /healthz tells anyone: numbers only — no account id, name, reason or address. */
export interface HealthSummary {
  ok: true;
  version: string;
  uptime: number;
  counts: {
    accounts: Record<'total' | Lowercase<(typeof STATUSES)[number]>, number>;
    streams: Record<(typeof STREAM_HEALTHS)[number], number>;
  };
}

/** The per-account detail, for an admin session or the HEALTHZ_TOKEN bearer (and a known Host). */
export interface HealthReport extends HealthSummary {
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

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The HTTP routes: /healthz (no login), routes other adapters add later (a chat webhook), the web admin. */
export function createHttpApp(app: App, admin?: WebAdmin): { http: express.Express; adapterRoutes: express.Express } {
  const { config } = app;
  const http = express();
  http.disable('x-powered-by');
  if (config.adminTrustProxy) http.set('trust proxy', config.adminTrustProxy);
  // The admin's headers on every answer: /healthz, chat webhooks, static files, pages and 404s.
  http.use(securityHeaders());
  const knownHost = hostMatcher(config);

  /** Who may read the per-account detail: 'refused' for a wrong bearer token. */
  const access = async (req: Request): Promise<'detail' | 'summary' | 'refused' | 'misdirected'> => {
    const bearer = /^Bearer(?:\s+(\S*))?\s*$/i.exec(req.headers.authorization ?? '');
    let entitled = false;
    if (bearer) {
      if (!config.healthzToken || !sameSecret(bearer[1] ?? '', config.healthzToken)) return 'refused';
      entitled = true;
    } else if (admin) {
      entitled = (await admin.auth.session(cookieOf(req, SESSION_COOKIE))) !== undefined;
    }
    if (!entitled) return 'summary';
    return knownHost(req.headers.host) ? 'detail' : 'misdirected';
  };

  http.get('/healthz', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    try {
      const allowed = await access(req);
      if (allowed === 'refused') {
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer')
          .json({ ok: false, error: t(config.defaultLanguage, 'web.healthz_token_refused') });
        return;
      }
      if (allowed === 'misdirected') {
        res.status(421).json({ ok: false, error: t(config.defaultLanguage, 'web.host_refused') });
        return;
      }
      const accounts = await app.services.accounts.list();
      const streams = new Map(accounts.map((a) => [a.id, app.services.streams.status(a.id)]));
      const uptime = Math.round(process.uptime());
      const summary: HealthSummary = {
        ok: true,
        version: VERSION,
        uptime,
        counts: {
          accounts: {
            total: accounts.length,
            ...(Object.fromEntries(
              STATUSES.map((s) => [s.toLowerCase(), accounts.filter((a) => a.status === s).length]),
            ) as Record<Lowercase<(typeof STATUSES)[number]>, number>),
          },
          streams: Object.fromEntries(
            STREAM_HEALTHS.map((h) => [h, accounts.filter((a) => (streams.get(a.id)?.health ?? 'off') === h).length]),
          ) as HealthSummary['counts']['streams'],
        },
      };
      if (allowed === 'summary') {
        res.json(summary);
        return;
      }
      const report: HealthReport = {
        ...summary,
        status: 'ok',
        mode: config.mode,
        uptimeSeconds: uptime,
        accounts: accounts.map((a) => {
          const stream = streams.get(a.id);
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
      app.services.logger.error({ err }, '/healthz failed');
      res.status(503).json({ ok: false });
    }
  });
  // Mounted before the admin, whose login gate answers every path it reaches.
  const adapterRoutes = express();
  adapterRoutes.disable('x-powered-by');
  http.use(adapterRoutes);
  if (admin) http.use(admin.router);
  return { http, adapterRoutes };
}

/** The HTTP server cannot listen where the configuration says: one line naming the variable. */
export class ListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenError';
  }
}

export class PortInUseError extends ListenError {
  constructor(host: string, port: number) {
    super(`PORT: ${host}:${port} is already in use by another program; stop it or set PORT to a free port`);
    this.name = 'PortInUseError';
  }
}

/** A listen failure in words, naming ADMIN_HOST or PORT; anything unforeseen is returned as it was. */
export function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new PortInUseError(host, port);
    case 'EADDRNOTAVAIL':
      return new ListenError(
        `ADMIN_HOST: ${host} is not an address of this machine; use 127.0.0.1, one of its own addresses, or 0.0.0.0 for all`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
      return new ListenError(
        `ADMIN_HOST: ${host} cannot be resolved (${err.code}); use an IP address such as 127.0.0.1, or a name this machine resolves`,
      );
    case 'EAFNOSUPPORT':
      return new ListenError(`ADMIN_HOST: ${host} is an IPv6 address but this machine has no IPv6; use 127.0.0.1`);
    case 'EACCES':
    case 'EPERM':
      return new ListenError(
        `PORT: listening on ${host}:${port} is not permitted (${err.code}); ports below 1024 need privileges, use e.g. PORT=3000`,
      );
    default:
      return err;
  }
}

/**
 * Checks that ADMIN_HOST:PORT can be listened on by listening and closing at once, so a host
 * that is not on this machine or a busy port stops the start before anything is migrated or
 * started. The real server listens moments later.
 */
export async function checkListen(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(describeListenError(err, host, port)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
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
    server.once('error', (err: NodeJS.ErrnoException) => reject(describeListenError(err, host, port)));
  });
}
