import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';

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
