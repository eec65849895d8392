import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import path from 'node:path';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';
import { parseHostEntry, type Config } from '../../config/index.ts';
import { t } from '../../i18n/index.ts';

/** Form and JSON bodies larger than this are refused with 413 before any handler runs. */
export const BODY_LIMIT = '16kb';

const require = createRequire(import.meta.url);
/** htmx from node_modules, served by us: the admin works offline and the CSP allows only 'self'. */
export const HTMX_FILE = path.join(path.dirname(require.resolve('htmx.org/package.json')), 'dist/htmx.min.js');
export const STATIC_DIR = path.resolve(import.meta.dirname, 'static');

/**
 * Strict headers: scripts and styles only from this origin (no inline code at all — htmx's own
 * indicator styles are switched off in the layout's htmx-config), no framing, forms post only
 * here. Plain HTTP on loopback is the default, so no upgrade-insecure-requests.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}

/** 0.0.0.0, :: and their spellings: every interface (as ADMIN_HOST), nobody's address (as a Host). */
function isUnspecified(host: string): boolean {
  return isIP(host) !== 0 && /^[0:.]+$/.test(host);
}

/**
 * Which Host headers the admin answers to: loopback (localhost, 127.0.0.1, ::1), ADMIN_HOST and
 * ADMIN_ALLOWED_HOSTS. A page on another name that resolves to us (DNS rebinding) carries its own
 * name in Host, which a browser cannot forge, and is refused. Bound to every interface (0.0.0.0,
 * ::), any IP address is ours too — behind Docker's or a router's NAT the address a browser used
 * is not even one this machine knows, and a rebinding page always sends a name — except 0.0.0.0
 * itself, which pages have used to reach local servers. Any port goes with a name unless its
 * ADMIN_ALLOWED_HOSTS entry names one.
 */
export function hostMatcher(config: Pick<Config, 'http' | 'adminAllowedHosts'>): (host: string | undefined) => boolean {
  const configured = config.http.host.toLowerCase();
  const rules: { host: string; port?: number }[] = [
    ...['localhost', '127.0.0.1', '::1', ...(isUnspecified(configured) ? [] : [configured])].map((host) => ({ host })),
    ...config.adminAllowedHosts.flatMap((entry) => parseHostEntry(entry) ?? []),
  ];
  const anyAddress = isUnspecified(configured);
  return (header) => {
    const given = header === undefined ? undefined : parseHostEntry(header.trim());
    if (!given) return false;
    if (rules.some((r) => r.host === given.host && (r.port === undefined || r.port === given.port))) return true;
    return anyAddress && isIP(given.host) !== 0 && !isUnspecified(given.host);
  };
}

/** Refuses (421 Misdirected Request) a request whose Host is not one of ours: see hostMatcher. */
export function requireKnownHost(config: Config, allowed = hostMatcher(config)): RequestHandler {
  return (req, res, next) => {
    if (allowed(req.headers.host)) return next();
    res.status(421).set('Cache-Control', 'no-store').type('text').send(t(config.defaultLanguage, 'web.host_refused'));
  };
}

/** Pages carry per-session tokens and account data: never cached, by the browser or a proxy. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export const formBody: RequestHandler = express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 100 });
export const jsonBody: RequestHandler = express.json({ limit: BODY_LIMIT });

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

/** Body-parser failures in plain words; anything else is passed on. */
export const bodyErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpError;
  const status = e.status ?? e.statusCode;
  if (e.type === 'entity.too.large' || status === 413) {
    res.status(413).type('text').send(`Refused: the request body is larger than ${BODY_LIMIT}.`);
    return;
  }
  if (status !== undefined && status >= 400 && status < 500 && e.expose) {
    res.status(status).type('text').send('Refused: the request body could not be read.');
    return;
  }
  next(err);
};
