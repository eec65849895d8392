import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Router } from 'express';
import type { App } from '../../app.ts';
import { HedgeError, NotFoundError } from '../../domain/errors.ts';
import { AdminAuth, type AdminAuthOptions, type PasswordSetup } from '../../services/admin/admin-auth.ts';
import { createWebContext, type WebContext } from './context.ts';
import { registerLogin } from './login.ts';
import { PAGES, type PageModule } from './pages/index.ts';
import { createViewEngine } from './render.ts';
import { listRoutes, type RouteInfo } from './routes.ts';
import { bodyErrors, formBody, HTMX_FILE, jsonBody, noStore, requireKnownHost, STATIC_DIR } from './security.ts';
import { loadSession, requireCsrf, requireLogin } from './session.ts';

export interface WebAdminOptions {
  auth?: Partial<AdminAuthOptions>;
  /** The page modules (default: every page in pages/index.ts). */
  pages?: readonly PageModule[];
}

export interface WebAdmin {
  router: Router;
  auth: AdminAuth;
  web: WebContext;
  /** How the owner password was set up; a generated one is named by the file it was written to. */
  password: PasswordNotice;
  /** Bound to a non-loopback address with no trusted TLS proxy in front. */
  exposedWithoutTls: boolean;
  /** Every route of the admin (method, path), for the start line and the attack tests. */
  routes(): RouteInfo[];
}

/** What the start line may say of the owner password: never the password itself. */
export type PasswordNotice = Exclude<PasswordSetup, { state: 'generated' }> | { state: 'generated'; file: string };

/** Where a generated owner password is written (mode 0600), for the trader to read once. */
export const ADMIN_PASSWORD_FILE = 'admin-password';

/**
 * A generated password goes to `<dataDir>/admin-password`, readable by its owner only: logs and
 * the start line end up in places (docker logs, journald, a terminal's scrollback) a secret
 * must not.
 */
function noticeOf(setup: PasswordSetup, dataDir: string): PasswordNotice {
  if (setup.state !== 'generated') return setup;
  const file = path.join(dataDir, ADMIN_PASSWORD_FILE);
  writeFileSync(file, `${setup.password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { state: 'generated', file };
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

export function isExposedWithoutTls(config: App['config']): boolean {
  return !LOOPBACK_HOST.test(config.http.host) && config.adminTrustProxy === undefined;
}

/**
 * The web admin: the Host check (DNS rebinding) and static files, then login, then — behind the login gate,
 * the body-size limits and the CSRF check — every page module. The web acts as one owner
 * identity (platform `web`, id `admin`) so its actions carry a user in the audit log.
 */
export async function createWebAdmin(app: App, options: WebAdminOptions = {}): Promise<WebAdmin> {
  const { services, config } = app;
  const auth = new AdminAuth(services.db, options.auth);
  const password = noticeOf(await auth.setupPassword(config.adminPassword, config.mode), config.dataDir);
  await services.identity.ensureOwner('web', 'admin', 'web admin');
  const adminUser = (await services.identity.resolve({ platform: 'web', externalId: 'admin' })).userId;
  const exposedWithoutTls = isExposedWithoutTls(config);
  const web = createWebContext({
    app,
    views: createViewEngine(),
    banner: exposedWithoutTls ? 'web.exposed_banner' : undefined,
    adminUserId: adminUser,
  });

  const router = express.Router();
  // The security headers are set by the HTTP server for every route (createHttpApp).
  router.use(requireKnownHost(config));
  router.get('/static/htmx.min.js', (_req, res) => res.sendFile(HTMX_FILE, { maxAge: '1h' }));
  router.use('/static', express.static(STATIC_DIR, { index: false, maxAge: '1h' }));
  // Browsers ask for it on every page; without a session it would be redirected to /login.
  router.get('/favicon.ico', (_req, res) => res.status(204).end());
  router.use(noStore, loadSession(auth, adminUser));
  registerLogin(router, web, auth, password.state === 'missing');

  const pages = express.Router();
  pages.use(requireLogin(), formBody, jsonBody, requireCsrf());
  pages.get('/', (_req, res) => web.redirect(res, '/accounts'));
  for (const page of options.pages ?? PAGES) page.register(pages, web);
  pages.use((_req, res) => {
    web.render(res, 'error', { message: web.t('web.not_found') }, { status: 404, title: web.t('web.not_found') });
  });
  router.use(pages);
  router.use(bodyErrors, errorPage(web));
  return { router, auth, web, password, exposedWithoutTls, routes: () => listRoutes(router) };
}

/** A refusal the owner can act on is shown in words (400); anything else gets a reference (500). */
function errorPage(web: WebContext): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const status = err instanceof NotFoundError ? 404 : err instanceof HedgeError ? 400 : 500;
    const partial = web.isHtmx(req) && req.get('hx-boosted') !== 'true';
    web.render(
      res,
      partial ? 'partials/message' : 'error',
      { kind: 'error', message: web.describeError(err) },
      { status, layout: !partial, title: web.t('web.error_title') },
    );
  };
}
