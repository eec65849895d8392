import { timingSafeEqual } from 'node:crypto';
import { parse as parseCookies, serialize } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import type { AdminAuth } from '../../services/admin/admin-auth.ts';
import { stateOf } from './context.ts';

export const SESSION_COOKIE = 'hs_session';
/** The login form's own CSRF token (double-submit: cookie and form field must match). */
export const LOGIN_COOKIE = 'hs_login';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function cookieOf(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookies(header)[name] : undefined;
}

/** HttpOnly, SameSite=Strict, Path=/; Secure when the request came over TLS (or a trusted TLS proxy). */
export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeMs: number): void {
  res.append(
    'Set-Cookie',
    serialize(name, value, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: req.secure,
      maxAge: Math.max(0, Math.floor(maxAgeMs / 1000)),
    }),
  );
}

export function clearCookie(req: Request, res: Response, name: string): void {
  setCookie(req, res, name, '', 0);
}

export function sameToken(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !expected || given.length === 0) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Finds the session of the request's cookie (if any) and who it is, for every later handler. */
export function loadSession(auth: AdminAuth, adminUserId: number | undefined): RequestHandler {
  return async (req, res, next) => {
    const session = await auth.session(cookieOf(req, SESSION_COOKIE));
    const state = stateOf(res);
    state.session = session;
    state.admin = session ? { userId: adminUserId, externalId: 'admin', ip: clientAddress(req) } : undefined;
    next();
  };
}

/**
 * The login gate. Without a session: a page (GET) is redirected to /login (303); anything else —
 * a form post, an htmx call — gets 401, with HX-Redirect so htmx takes the browser to /login.
 */
export function requireLogin(): RequestHandler {
  return (req, res, next) => {
    if (stateOf(res).session) return next();
    res.set('Cache-Control', 'no-store');
    if ((req.method === 'GET' || req.method === 'HEAD') && req.get('hx-request') !== 'true') {
      const target = req.originalUrl.startsWith('/') && !req.originalUrl.startsWith('//') ? req.originalUrl : '/';
      res.redirect(303, target === '/' ? '/login' : `/login?next=${encodeURIComponent(target)}`);
      return;
    }
    res.set('HX-Redirect', '/login').status(401).type('text').send('Not logged in: log in at /login.');
  };
}

/** The synchronizer token on every state-changing request: form field `_csrf` or header `x-csrf-token`. */
export function requireCsrf(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const body = req.body as Record<string, unknown> | undefined;
    const given = body?.['_csrf'] ?? req.get('x-csrf-token');
    if (sameToken(given, stateOf(res).session?.csrfToken)) return next();
    res
      .status(403)
      .type('text')
      .send('Refused: the form is missing its security token or it is out of date. Reload the page and try again.');
  };
}
