import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecretLeaks } from './secrets.ts';
import { startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

/** The admin attacked over real HTTP: no session, forged requests, hostile input, big bodies. */
let web: WebDesk;
let owner: WebClient;
const created: string[] = [];

/** Routes anyone may reach; every other route of the admin must want a session. */
const PUBLIC = new Set(['GET /login', 'POST /login', 'GET /static/htmx.min.js', 'GET /favicon.ico']);

const routes = () => web.server.admin.routes().filter((r) => !PUBLIC.has(`${r.method} ${r.path}`));
const concrete = (path: string) => path.replace(/:\w+/g, 'main');

/** A form that would change something on any page, were it accepted. */
const HOSTILE_FORM = {
  id: 'evil',
  name: 'changed by a forged request',
  exchange: 'binance',
  market: 'spot',
  env: 'paper',
  kind: 'SUB',
  copyRole: 'NONE',
  apiKey: 'forgedApiKey000000000001',
  secret: 'forgedSecret000000000001',
  reason: 'forged',
  force: 'on',
  confirm: 'main',
  role: 'owner',
  enabled: 'on',
};

/** Everything a forged request could change, except the session's own last-seen time. */
async function snapshot() {
  const { db } = web.desk.app.services;
  return JSON.stringify({
    accounts: await db.account.findMany({ orderBy: { id: 'asc' } }),
    users: await db.user.findMany({ orderBy: { id: 'asc' } }),
    identities: await db.chatIdentity.findMany({ orderBy: { id: 'asc' } }),
    grants: await db.accountGrant.findMany(),
    alerts: await db.alertSubscription.findMany(),
    copySettings: await db.copySettings.findMany(),
    risk: await db.riskLimit.findMany(),
    settings: await db.setting.findMany({ orderBy: { key: 'asc' } }),
    audit: await db.auditLog.count(),
    sessions: await db.adminSession.count(),
  });
}

beforeAll(async () => {
  web = await startWebDesk();
  owner = await web.owner();
});
afterAll(async () => {
  await web.close();
});

describe('without a session', () => {
  it('every page redirects to /login (303) and every other request gets 401', async () => {
    const anonymous = web.client();
    expect(routes().length).toBeGreaterThan(8);
    for (const route of routes()) {
      const path = concrete(route.path);
      const res = await anonymous.request(route.method, path, {
        body: route.method === 'GET' ? undefined : 'name=x',
        headers: route.method === 'GET' ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      });
      if (route.method === 'GET') {
        expect(res.status, `${route.method} ${path}`).toBe(303);
        expect(res.location, path).toMatch(/^\/login/);
      } else {
        expect(res.status, `${route.method} ${path}`).toBe(401);
      }
      const htmx = await anonymous.request(route.method, path, { headers: { 'hx-request': 'true' } });
      expect(htmx.status, `htmx ${route.method} ${path}`).toBe(401);
      expect(htmx.headers.get('hx-redirect')).toBe('/login');
    }
    expect((await anonymous.get('/no-such-page')).status).toBe(303);
    expect((await anonymous.get('/healthz')).status).toBe(200);
    expect((await anonymous.get('/static/admin.css')).status).toBe(200);
  });

  it('a made-up session cookie is no session', async () => {
    const forger = web.client();
    forger.cookies.set('hs_session', 'made-up-token');
    expect((await forger.get('/accounts')).status).toBe(303);
  });
});

describe('CSRF', () => {
  it('every state-changing route refuses a missing, wrong or foreign token with 403, and nothing changes', async () => {
    const other = await web.owner();
    const before = await snapshot();
    const changing = routes().filter((r) => r.method !== 'GET');
    expect(changing.length).toBeGreaterThan(5);
    for (const route of changing) {
      const path = concrete(route.path);
      for (const token of [null, '', 'wrong-token', other.csrf]) {
        const res = await owner.post(path, { ...HOSTILE_FORM, _csrf: token });
        expect(res.status, `${route.method} ${path} with token ${String(token)}`).toBe(403);
      }
      const header = await owner.post(path, { ...HOSTILE_FORM, _csrf: null }, { 'x-csrf-token': 'wrong-token' });
      expect(header.status, `${path} with a wrong header`).toBe(403);
    }
    expect(await snapshot()).toBe(before);
    expect((await owner.get('/accounts')).status).toBe(200);
  });

  it('the htmx header carries the token: a right one is accepted', async () => {
    const res = await owner.post(
      '/accounts/main/verify',
      { _csrf: null },
      { 'x-csrf-token': owner.csrf, 'hx-request': 'true' },
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('Key accepted');
  });
});

describe('hostile input', () => {
  it('an account name of <script>alert(1)</script> renders as text, in the table and in form values', async () => {
    const secret = 'xssSecret00000000000000000001';
    created.push(secret);
    web.desk.emulator.createAccount({ id: 'xss', exchange: 'binance', apiKey: 'xssApiKey000000000000001', secret });
    const res = await owner.post('/accounts', {
      id: 'xss',
      name: '<script>alert(1)</script>',
      exchange: 'binance',
      market: 'spot',
      env: 'paper',
      kind: 'MAIN',
      copyRole: 'NONE',
      apiKey: 'xssApiKey000000000000001',
      secret,
    });
    expect(res.status).toBe(303);
    for (const path of ['/accounts', '/accounts/xss']) {
      const page = await owner.get(path);
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).not.toContain('<script>alert(1)');
    }
    const quoted = await owner.post('/accounts', { id: 'x"><img src=x onerror=alert(1)>', name: '"><b>bold</b>' });
    expect(quoted.status).toBe(422);
    expect(quoted.text).toContain('value="x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(quoted.text).not.toContain('<img src=x');
    expect(quoted.text).not.toContain('<b>bold</b>');
  });

  it('SQL-looking input is stored literally', async () => {
    const name = "x'); DROP TABLE Account;--";
    const secret = 'sqlSecret00000000000000000001';
    created.push(secret);
    web.desk.emulator.createAccount({ id: 'sqlish', exchange: 'binance', apiKey: 'sqlApiKey000000000000001', secret });
    const res = await owner.post('/accounts', {
      id: 'sqlish',
      name,
      exchange: 'binance',
      market: 'spot',
      env: 'paper',
      apiKey: 'sqlApiKey000000000000001',
      secret,
    });
    expect(res.status).toBe(303);
    const { db } = web.desk.app.services;
    expect((await db.account.findUnique({ where: { id: 'sqlish' } }))?.name).toBe(name);
    expect(await db.account.count()).toBeGreaterThan(6);
    const refused = await owner.post('/accounts', { id: "a'; DROP TABLE Account;--", name: 'x' });
    expect(refused.status).toBe(422);
    expect((await owner.get('/accounts')).text).toContain('x&#39;); DROP TABLE Account;--');
  });

  it('a body over 16 KB is refused with 413 and changes nothing', async () => {
    const before = await snapshot();
    const big = await owner.post('/accounts/main/edit', { name: 'y'.repeat(20_000), kind: 'MAIN', copyRole: 'NONE' });
    expect(big.status).toBe(413);
    expect(big.text).toContain('larger than 16kb');
    const json = await owner.request('POST', '/accounts/main/edit', {
      body: JSON.stringify({ _csrf: owner.csrf, name: 'z'.repeat(20_000) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(json.status).toBe(413);
    expect(await snapshot()).toBe(before);
  });
});

describe('headers and pages', () => {
  it('sends a strict CSP and security headers; htmx comes from this server', async () => {
    const page = await owner.get('/accounts');
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "form-action 'self'",
      "object-src 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).toContain('<script src="/static/htmx.min.js" defer></script>');
    expect(page.text).toContain('"includeIndicatorStyles":false');
    const htmx = await web.client().get('/static/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get('content-type')).toMatch(/javascript/);
    expect(htmx.text).toContain('htmx');
  });

  it('no page has inline script, inline style, event handler attributes or a remote resource', async () => {
    for (const path of ['/accounts', '/accounts/new', '/accounts/main', '/login']) await owner.get(path);
    const html = web.bodies.filter((b) => b.startsWith('<!doctype html>'));
    expect(html.length).toBeGreaterThan(3);
    for (const body of html) {
      expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      // Attribute names only: what a user typed sits, escaped, inside quoted values.
      const markup = body.replace(/"[^"]*"/g, '""').replace(/'[^']*'/g, "''");
      expect(markup).not.toMatch(/\sstyle=/);
      expect(markup).not.toMatch(/\son[a-z]+=/i);
      expect(body).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it('no response and no log line carried a secret', async () => {
    await expectNoSecretLeaks(web, created);
  });
});
