import type { AddressInfo } from 'node:net';
import { startHttpServer, type HttpServer } from '../../src/adapters/http/server.ts';
import type { AuditLog } from '../../src/generated/prisma/client.ts';
import { translator, type Language } from '../../src/i18n/index.ts';
import type { AdminAuthOptions } from '../../src/services/admin/admin-auth.ts';
import { describeAuditRow } from '../../src/services/audit-sentence.ts';
import { startPaperDesk, type PaperDesk } from '../support/paper-desk.ts';

export const ADMIN_PASSWORD = 'correct horse battery staple';

/** A row of the Audit page's table as the reader sees it. */
export interface AuditPageRow {
  via: string;
  action: string;
  outcome: string;
  what: string;
}

/** The rows of the Audit page at `path`, newest first, as text. */
export async function auditRowsOf(client: WebClient, path = '/audit'): Promise<AuditPageRow[]> {
  const page = await client.get(path);
  const text = (html: string) =>
    html
      .replace(/<[^>]+>/g, '')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return [...page.text.matchAll(/<tr id="audit-\d+">([\s\S]*?)<\/tr>/g)].map(([, row = '']) => {
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1] ?? ''));
    return { via: cells[2] ?? '', action: cells[3] ?? '', outcome: cells[6] ?? '', what: cells[7] ?? '' };
  });
}

/** What the Audit page says of a row, to a reader of `language` ('' for no row). */
export function auditSentence(row: AuditLog | null | undefined, language: Language = 'en'): string {
  return row ? describeAuditRow(translator(language), row).sentence : '';
}

export interface WebResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

/**
 * A browser stand-in over real HTTP: keeps cookies, remembers the page's CSRF token, follows
 * nothing by itself (redirects are asserted), and keeps every body it received.
 */
export class WebClient {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(
    readonly baseUrl: string,
    private readonly bodies: string[],
  ) {}

  async request(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    this.bodies.push(text);
    const token = /<meta name="csrf-token" content="([^"]*)">/.exec(text)?.[1];
    if (token) this.csrf = token;
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
  }

  get(path: string, headers: Record<string, string> = {}): Promise<WebResponse> {
    return this.request('GET', path, { headers });
  }

  /** A form post; `_csrf` is the page's token unless the form says otherwise (or `null`: none). */
  post(
    path: string,
    form: Record<string, string | null> = {},
    headers: Record<string, string> = {},
  ): Promise<WebResponse> {
    const fields: Record<string, string> = {};
    if (!('_csrf' in form)) fields['_csrf'] = this.csrf;
    for (const [k, v] of Object.entries(form)) if (v !== null) fields[k] = v;
    return this.request('POST', path, {
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  async login(password = ADMIN_PASSWORD): Promise<WebResponse> {
    await this.get('/login');
    const res = await this.post('/login', { password });
    if (res.status === 303) await this.get(res.location ?? '/accounts');
    return res;
  }
}

export interface WebDesk {
  desk: PaperDesk;
  server: HttpServer;
  baseUrl: string;
  /** Every response body any client of this desk received. */
  bodies: string[];
  /** Moves the admin's clock (sessions, lockouts) forward. */
  advance(ms: number): void;
  client(): WebClient;
  /** A client already logged in. */
  owner(): Promise<WebClient>;
  close(): Promise<void>;
}

export async function startWebDesk(
  options: { env?: Record<string, string>; auth?: Partial<AdminAuthOptions> } = {},
): Promise<WebDesk> {
  const desk = await startPaperDesk({ env: { ADMIN_PASSWORD, ...options.env } });
  let offset = 0;
  const server = await startHttpServer(desk.app, { auth: { now: () => Date.now() + offset, ...options.auth } });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const bodies: string[] = [];
  const client = () => new WebClient(baseUrl, bodies);
  return {
    desk,
    server,
    baseUrl,
    bodies,
    advance: (ms) => {
      offset += ms;
    },
    client,
    async owner() {
      const c = client();
      const res = await c.login();
      if (res.status !== 303) throw new Error(`login failed: ${res.status} ${res.text.slice(0, 200)}`);
      return c;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await desk.close();
    },
  };
}
