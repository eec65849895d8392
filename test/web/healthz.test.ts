import http from 'node:http';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/adapters/http/server.ts';
import { hostMatcher } from '../../src/adapters/web/security.ts';
import { startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

const TOKEN = 'healthz-token-0123456789abcdef';
const ACCOUNT_IDS = ['main', 'sub_a', 'sub_b', 'lead', 'f1', 'f2'];

let web: WebDesk;
let owner: WebClient;
let port: number;

beforeAll(async () => {
  web = await startWebDesk({ env: { HEALTHZ_TOKEN: TOKEN, ADMIN_ALLOWED_HOSTS: 'desk.example.com, 10.9.8.7:8443' } });
  owner = await web.owner();
  port = Number(new URL(web.baseUrl).port);
});
afterAll(async () => {
  await web.close();
});

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with any Host header (fetch will not send a made-up one); `host: ''` sends none. */
function raw(path: string, headers: Record<string, string> = {}): Promise<Raw> {
  const { host, ...rest } = headers;
  const options = host === '' ? { headers: rest, setHost: false } : { headers };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function expectAdminHeaders(headers: Headers | http.IncomingHttpHeaders, what: string): void {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined);
  expect(get('content-security-policy'), what).toContain("default-src 'self'");
  expect(get('content-security-policy'), what).toContain("frame-ancestors 'none'");
  expect(get('x-frame-options'), what).toBe('SAMEORIGIN');
  expect(get('x-content-type-options'), what).toBe('nosniff');
  expect(get('referrer-policy'), what).toBe('no-referrer');
  expect(get('x-powered-by'), what).toBeFalsy();
}

describe('/healthz', () => {
  it('without login: ok, version, uptime and counts — numbers only, no account id, name or reason', async () => {
    await web.desk.app.services.accounts.setStatus('f2', 'DISABLED', 'key refused: secretive-reason');
    const res = await web.client().get('/healthz');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['counts', 'ok', 'uptime', 'version']);
    expect(body['ok']).toBe(true);
    expect(body['version']).toBe(VERSION);
    expect(typeof body['uptime']).toBe('number');
    expect(body['counts']).toEqual({
      accounts: { total: 6, active: 5, paused: 0, disabled: 1 },
      streams: { starting: 0, live: 0, polling: 0, stopped: 0, failed: 0, off: 6 },
    });
    for (const id of ACCOUNT_IDS) expect(res.text).not.toContain(`"${id}"`);
    expect(res.text).not.toContain('secretive-reason');
    expect(res.text).not.toContain('Follower');
    await web.desk.app.services.accounts.setStatus('f2', 'ACTIVE');
  });

  it('with an admin session: every account, as before', async () => {
    const res = await owner.get('/healthz');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { status: string; mode: string; accounts: { id: string }[] };
    expect(body.status).toBe('ok');
    expect(body.mode).toBe('paper');
    expect(body.accounts.map((a) => a.id).sort()).toEqual([...ACCOUNT_IDS].sort());
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('with the bearer token from HEALTHZ_TOKEN: the detail; a wrong token is refused with 401', async () => {
    const good = await web.client().get('/healthz', { authorization: `Bearer ${TOKEN}` });
    expect(good.status).toBe(200);
    expect((JSON.parse(good.text) as { accounts: unknown[] }).accounts).toHaveLength(6);

    for (const wrong of [`Bearer ${TOKEN}x`, 'Bearer ', `bearer ${TOKEN.slice(0, -1)}`]) {
      const res = await web.client().get('/healthz', { authorization: wrong });
      expect(res.status, wrong).toBe(401);
      expect(res.text).toContain('wrong health token');
      for (const id of ACCOUNT_IDS) expect(res.text).not.toContain(`"${id}"`);
    }
    // Another scheme (a proxy's basic auth) is not ours: the counts.
    const basic = await web.client().get('/healthz', { authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.status).toBe(200);
    expect(JSON.parse(basic.text)).not.toHaveProperty('accounts');
  });

  it('a made-up session cookie gets the counts only', async () => {
    const forger = web.client();
    forger.cookies.set('hs_session', 'made-up-token');
    const res = await forger.get('/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).not.toHaveProperty('accounts');
  });
});

describe('the admin security headers', () => {
  it('are on every answer: /healthz, pages, the login redirect, static files, 404s', async () => {
    const anonymous = web.client();
    expectAdminHeaders((await anonymous.get('/healthz')).headers, '/healthz');
    expectAdminHeaders((await anonymous.get('/no-such-page')).headers, 'anonymous 404');
    expectAdminHeaders((await anonymous.get('/login')).headers, '/login');
    expectAdminHeaders((await anonymous.get('/static/admin.css')).headers, 'static');
    expectAdminHeaders((await owner.get('/accounts')).headers, '/accounts');
    const notFound = await owner.get('/no-such-page');
    expect(notFound.status).toBe(404);
    expectAdminHeaders(notFound.headers, 'logged-in 404');
    expectAdminHeaders((await raw('/healthz', { host: 'evil.example' })).headers, 'foreign host');
  });
});

describe('the Host header (DNS rebinding)', () => {
  it('loopback names and the configured ones reach the admin; any other name is refused with 421', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'localhost',
      `[::1]:${port}`,
      'desk.example.com',
      'DESK.example.com:443',
      '10.9.8.7:8443',
    ]) {
      const res = await raw('/login', { host });
      expect(res.status, host).toBe(200);
    }
    for (const host of ['evil.example', `evil.example:${port}`, '10.9.8.7:3000', 'desk.example.com.evil.example']) {
      for (const path of ['/login', '/accounts', '/static/admin.css', '/no-such-page']) {
        const res = await raw(path, { host });
        expect(res.status, `${host} ${path}`).toBe(421);
        expect(res.body).toContain('ADMIN_ALLOWED_HOSTS');
      }
    }
    // No Host at all: Node's HTTP server refuses an HTTP/1.1 request without one (400).
    expect((await raw('/login', { host: '' })).status).toBe(400);
  });

  it('a session cookie or the token from a foreign Host gets no detail (421); without either, the counts', async () => {
    const cookie = [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    for (const headers of [{ cookie }, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const refused = await raw('/healthz', { ...headers, host: `evil.example:${port}` });
      expect(refused.status).toBe(421);
      for (const id of ACCOUNT_IDS) expect(refused.body).not.toContain(`"${id}"`);
      const ours = await raw('/healthz', { ...headers, host: `localhost:${port}` });
      expect((JSON.parse(ours.body) as { accounts: unknown[] }).accounts).toHaveLength(6);
    }
    // A monitor probing by any address still learns that the desk is up.
    const probe = await raw('/healthz', { host: '172.17.0.5:3000' });
    expect(probe.status).toBe(200);
    expect(Object.keys(JSON.parse(probe.body) as object).sort()).toEqual(['counts', 'ok', 'uptime', 'version']);
  });
});

describe('hostMatcher', () => {
  it('bound to one address: that address and loopback; bound to all: any IP address, never a foreign name', () => {
    const one = hostMatcher({ http: { host: '192.168.1.20', port: 3000 }, adminAllowedHosts: [] });
    expect(one('192.168.1.20:3000')).toBe(true);
    expect(one('127.0.0.1:3000')).toBe(true);
    expect(one('192.168.1.21:3000')).toBe(false);
    expect(one('rebind.evil.example:3000')).toBe(false);
    expect(one('not a host')).toBe(false);
    expect(one(undefined)).toBe(false);

    const all = hostMatcher({ http: { host: '0.0.0.0', port: 3000 }, adminAllowedHosts: [] });
    const own = Object.values(os.networkInterfaces())
      .flatMap((list) => list ?? [])
      .map((i) => (i.family === 'IPv6' ? `[${i.address}]` : i.address));
    // The address a browser used through Docker's port mapping is not one the container has.
    for (const address of [...own, '192.168.1.77', '[2001:db8::7]']) expect(all(`${address}:3000`), address).toBe(true);
    for (const host of ['0.0.0.0:3000', '[::]:3000', 'rebind.evil.example:3000', 'localhost.evil.example'])
      expect(all(host), host).toBe(false);
    expect(all('localhost:3000')).toBe(true);
  });
});
