import { randomBytes } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { AdminAuth } from '../../services/admin/admin-auth.ts';
import { stateOf, type WebContext } from './context.ts';
import { formBody } from './security.ts';
import {
  clearCookie,
  clientAddress,
  cookieOf,
  LOGIN_COOKIE,
  requireCsrf,
  requireLogin,
  sameToken,
  SESSION_COOKIE,
  setCookie,
} from './session.ts';

const LOGIN_TOKEN_MS = 30 * 60_000;

/** Only a local path is a place to go back to after login (no open redirect). */
function localTarget(value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(value) && !value.startsWith('/login')
    ? value
    : '/accounts';
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** GET/POST /login (no session needed) and POST /logout (session and CSRF token needed). */
export function registerLogin(router: Router, web: WebContext, auth: AdminAuth, passwordMissing: boolean): void {
  const showLogin = (req: Request, res: Response, status: number, error?: string) => {
    // Kept while it lives: a second GET /login (another tab) must not void the first form.
    const existing = cookieOf(req, LOGIN_COOKIE);
    const token = existing && /^[\w-]{32}$/.test(existing) ? existing : randomBytes(24).toString('base64url');
    setCookie(req, res, LOGIN_COOKIE, token, LOGIN_TOKEN_MS);
    stateOf(res).loginToken = token;
    web.render(
      res,
      'login',
      {
        error,
        next: localTarget(req.query['next'] ?? (req.body as Record<string, unknown> | undefined)?.['next']),
        passwordMissing,
      },
      { status, title: web.t('web.login.title'), page: 'login' },
    );
  };

  router.get('/login', (req, res) => {
    if (stateOf(res).session) return web.redirect(res, '/accounts');
    showLogin(req, res, 200);
  });

  router.post('/login', formBody, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!sameToken(body['_csrf'], cookieOf(req, LOGIN_COOKIE))) {
      res.status(403).type('text').send('Refused: the login form is out of date. Reload /login and try again.');
      return;
    }
    const password = typeof body['password'] === 'string' ? body['password'].slice(0, 1024) : '';
    const ip = clientAddress(req);
    const result = await auth.login(password, ip);
    if (result.ok) {
      setCookie(req, res, SESSION_COOKIE, result.token, auth.options.absoluteMs);
      clearCookie(req, res, LOGIN_COOKIE);
      stateOf(res).session = result.session;
      await web.audit(res, {
        command: 'admin.login',
        reason: { key: 'audit.web.login', params: { ip } },
      });
      web.redirect(res, localTarget(body['next']));
      return;
    }
    if (result.reason === 'no_password') return showLogin(req, res, 503, web.t('web.login.no_password'));
    if (result.reason === 'wrong_password') {
      await web.audit(res, {
        command: 'admin.login',
        outcome: 'refused',
        reason: { key: 'audit.web.wrong_password', params: { ip } },
      });
      return showLogin(req, res, 401, web.t('web.login.wrong_password'));
    }
    const minutes = Math.max(1, Math.ceil((result.until - auth.options.now()) / 60_000));
    if (result.started) {
      await web.audit(res, {
        command: 'admin.login',
        outcome: 'refused',
        reason: {
          key: result.scope === 'client' ? 'audit.web.locked_client' : 'audit.web.locked_overall',
          params: { ip, until: new Date(result.until).toISOString().slice(0, 19).replace('T', ' ') },
        },
      });
    }
    res.set('Retry-After', String(Math.ceil((result.until - auth.options.now()) / 1000)));
    const key = result.scope === 'client' ? 'web.login.locked_client' : 'web.login.locked_overall';
    showLogin(req, res, 429, web.t(key, { until: clock(result.until), minutes }));
  });

  router.post('/logout', requireLogin(), formBody, requireCsrf(), async (req, res) => {
    await web.audit(res, { command: 'admin.logout' });
    await auth.logout(cookieOf(req, SESSION_COOKIE));
    clearCookie(req, res, SESSION_COOKIE);
    web.redirect(res, '/login');
  });
}
