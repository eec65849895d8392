/**
 * The web admin's contract with its page modules (src/adapters/web/pages/*.ts).
 *
 * A page module exports `register(router, web)` and is listed once in pages/index.ts. The router
 * it gets is already behind the login gate, the body-size limits and the CSRF check: every route
 * on it needs a session, and every non-GET route needs the session's CSRF token (form field
 * `_csrf`, or header `x-csrf-token`, which htmx sends from <body hx-headers>). A module:
 *
 * - reads with services (`web.services.*`), never Prisma directly when a service method fits;
 * - renders with `web.render(res, 'people', data, { title, page: 'people' })`: views/people.eta
 *   inside views/layout.eta (nav, flash messages, CSRF meta). `{ layout: false }` renders a bare
 *   partial (views/partials/…) for an htmx swap. Templates see `it.<your data>` plus `it.csrf`,
 *   `it.admin`, `it.page`, `it.title`, `it.flash` and `it.t(key, params)`; print with `<%= %>`
 *   (escaped) only — never `<%~ %>` on data. A form includes
 *   `<input type="hidden" name="_csrf" value="<%= it.csrf %>">`;
 * - validates a form with `web.parseForm(schema, req.body)` — the same zod schemas the commands
 *   use — and on failure re-renders with status 422 and `errors` / `values` (secret fields are
 *   never echoed back);
 * - after a change: `await web.audit(res, { command: 'people.add', change: [{ key, params }] })`
 *   (platform `web`, the logged-in admin as the actor): what changed as catalog messages with the
 *   values as the desk has them (`role: 'trader'`), so each reader of the log gets their own
 *   language; a value is never a secret (a key only masked). Name the action in
 *   `audit.action.<command>` of the catalog. Then
 *   `web.flash(res, 'ok', text)` and `web.redirect(res, '/people')` (303, works without JS; a
 *   boosted htmx form follows it and swaps the page);
 * - turns a HedgeError into words with `web.describeError(err)`.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Eta } from 'eta';
import type { z } from 'zod';
import type { App } from '../../app.ts';
import { HedgeError } from '../../domain/errors.ts';
import { translator, type Language, type Translate } from '../../i18n/index.ts';
import type { AdminSession } from '../../services/admin/admin-auth.ts';
import type { AuditMessage, AuditOrder, AuditOutcome } from '../../services/audit.ts';
import type { Services } from '../../services/index.ts';
import { NAV } from './render.ts';

/** Who acts in the admin: the owner behind the admin password (one web identity). */
export interface AdminIdentity {
  userId: number | undefined;
  /** `admin`: the audit log's externalId for every web action. */
  externalId: string;
  /** The client address (behind a trusted proxy: the one it reports). */
  ip: string;
}

export type NavPage = (typeof NAV)[number]['page'] | 'login' | 'error';

export interface RenderOptions {
  status?: number;
  /** false: the bare template (an htmx partial); default true (inside views/layout.eta). */
  layout?: boolean;
  title?: string;
  page?: NavPage;
}

export type FormResult<T> =
  { ok: true; data: T } | { ok: false; errors: Record<string, string>; values: Record<string, string> };

export interface WebAuditEntry {
  /** `<page>.<action>`: `accounts.add`, `people.grant`, `admin.login`. */
  command: string;
  accountId?: string | undefined;
  symbol?: string | undefined;
  outcome?: AuditOutcome;
  /** Why it ended so (refused, invalid, unchanged; a login's address), as a catalog message. */
  reason?: AuditMessage | undefined;
  /** What it changed, or would have: catalog messages, read back in each reader's language. */
  change?: AuditMessage[] | undefined;
  /** The orders it moved, as they stand now (a cancelled one of ours). */
  orders?: AuditOrder[] | undefined;
}

export type FlashKind = 'ok' | 'error' | 'warning';
export interface Flash {
  kind: FlashKind;
  text: string;
}

export interface WebContext {
  readonly app: App;
  readonly services: Services;
  readonly language: Language;
  readonly t: Translate;
  render(res: Response, view: string, data?: Record<string, unknown>, options?: RenderOptions): void;
  parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>>;
  admin(res: Response): AdminIdentity;
  audit(res: Response, entry: WebAuditEntry): Promise<void>;
  flash(res: Response, kind: FlashKind, text: string): void;
  /** 303 See Other to a local path. */
  redirect(res: Response, path: string): void;
  isHtmx(req: Request): boolean;
  describeError(err: unknown): string;
}

/** Form fields that are never echoed back into a page, not even into a value attribute. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['apiKey', 'secret', 'passphrase', 'password', '_csrf']);

/** Per-request state the session middleware leaves on `res.locals.web`. */
export interface RequestState {
  session: AdminSession | undefined;
  admin: AdminIdentity | undefined;
  /** Pre-login form token (login page only). */
  loginToken?: string;
}

export function stateOf(res: Response): RequestState {
  const locals = res.locals as { web?: RequestState };
  locals.web ??= { session: undefined, admin: undefined };
  return locals.web;
}

export interface WebContextOptions {
  app: App;
  views: Eta;
  /** Shown on every page (e.g. exposed without TLS). */
  banner: string | undefined;
  adminUserId: number | undefined;
}

export function createWebContext({ app, views, banner, adminUserId }: WebContextOptions): WebContext {
  const { services } = app;
  const language = app.config.defaultLanguage;
  const t = translator(language);
  const flashes = new Map<string, Flash[]>();

  const takeFlash = (res: Response): Flash[] => {
    const key = stateOf(res).session?.tokenHash;
    if (!key) return [];
    const list = flashes.get(key) ?? [];
    flashes.delete(key);
    return list;
  };

  const web: WebContext = {
    app,
    services,
    language,
    t,
    render(res, view, data = {}, options = {}) {
      const state = stateOf(res);
      const common = {
        csrf: state.session?.csrfToken ?? state.loginToken ?? '',
        admin: state.admin,
        page: options.page,
        title: options.title ?? '',
        t,
        nav: NAV,
        banner,
      };
      const body = views.render(view, { ...common, ...data });
      const html = options.layout === false ? body : views.render('layout', { ...common, flash: takeFlash(res), body });
      res
        .status(options.status ?? 200)
        .type('html')
        .send(html);
    },
    parseForm(schema, body) {
      const raw = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
      const parsed = schema.safeParse(raw);
      if (parsed.success) return { ok: true, data: parsed.data };
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '_form');
        errors[field] ??= issue.message;
      }
      const values: Record<string, string> = {};
      for (const [key, value] of Object.entries(raw)) {
        if (!SECRET_FIELDS.has(key) && typeof value === 'string') values[key] = value.slice(0, 200);
      }
      return { ok: false, errors, values };
    },
    admin(res) {
      const admin = stateOf(res).admin;
      if (!admin) throw new Error('web.admin() called outside the login gate');
      return admin;
    },
    async audit(res, entry) {
      const state = stateOf(res);
      await services.audit.record({
        userId: state.admin?.userId ?? adminUserId,
        platform: 'web',
        externalId: state.admin?.externalId ?? 'anonymous',
        command: entry.command,
        accountId: entry.accountId,
        symbol: entry.symbol,
        outcome: entry.outcome ?? 'ok',
        facts: { reason: entry.reason, change: entry.change, orders: entry.orders },
      });
    },
    flash(res, kind, text) {
      const key = stateOf(res).session?.tokenHash;
      if (!key) return;
      const list = flashes.get(key) ?? [];
      list.push({ kind, text });
      flashes.set(key, list.slice(-5));
    },
    redirect(res, path) {
      const local = path.startsWith('/') && !path.startsWith('//') ? path : '/';
      res.redirect(303, local);
    },
    isHtmx(req) {
      return req.get('hx-request') === 'true';
    },
    describeError(err) {
      if (err instanceof HedgeError) return t(err.key, err.params);
      const ref = randomBytes(4).toString('hex');
      services.logger.error({ err, ref }, 'web admin action failed unexpectedly');
      return t('errors.internal', { ref });
    },
  };
  return web;
}
