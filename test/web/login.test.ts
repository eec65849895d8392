import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExposedWithoutTls } from '../../src/adapters/web/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startHttpServer } from '../../src/adapters/http/server.ts';
import { describeWebAdmin } from '../../src/runtime.ts';
import { AdminAuth } from '../../src/services/admin/admin-auth.ts';
import { hashPassword, verifyPassword } from '../../src/services/admin/password.ts';
import { startTestApp, tempDir } from '../support/harness.ts';
import { ADMIN_PASSWORD, auditSentence, startWebDesk, type WebDesk } from './web-desk.ts';

const MINUTE = 60_000;
let web: WebDesk;

beforeAll(async () => {
  web = await startWebDesk({
    env: { ADMIN_TRUST_PROXY: 'loopback' },
    auth: {
      idleMs: 10 * MINUTE,
      absoluteMs: 30 * MINUTE,
      throttle: { perClient: 3, overall: 8, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
    },
  });
});
afterAll(async () => {
  await web.close();
});

/** A client that comes from its own address (through the trusted loopback proxy). */
function from(ip: string) {
  const client = web.client();
  const request = client.request.bind(client);
  client.request = (method, path, init) =>
    request(method, path, { ...init, headers: { 'x-forwarded-for': ip, ...init?.headers } });
  return client;
}

const audit = (command: string) =>
  web.desk.app.services.db.auditLog.findMany({ where: { command }, orderBy: { id: 'asc' } });

describe('login and logout', () => {
  it('shows a login form with its own token and an empty password field', async () => {
    const client = from('10.1.0.1');
    const page = await client.get('/login');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(
      /<input type="password" name="password" autocomplete="current-password" required autofocus>/,
    );
    expect(client.cookies.has('hs_login')).toBe(true);
    const forged = await client.post('/login', { password: ADMIN_PASSWORD, _csrf: 'not-the-form-token' });
    expect(forged.status).toBe(403);
    expect(client.cookies.has('hs_session')).toBe(false);
  });

  it('a wrong password is refused in words and audited; the right one opens a session in a strict cookie', async () => {
    const client = from('10.1.0.2');
    const wrong = await client.login('not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong password.');
    const refused = (await audit('admin.login')).at(-1);
    expect(refused).toMatchObject({ platform: 'web', outcome: 'refused' });
    expect(auditSentence(refused)).toBe('Refused: wrong password from 10.1.0.2');

    await client.get('/login');
    const ok = await client.post('/login', { password: ADMIN_PASSWORD });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/accounts');
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('hs_session=')) ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const token = client.cookies.get('hs_session') ?? '';
    const hash = createHash('sha256').update(token).digest('hex');
    const { db } = web.desk.app.services;
    expect(await db.adminSession.findUnique({ where: { tokenHash: hash } })).not.toBeNull();
    expect(await db.adminSession.findUnique({ where: { tokenHash: token } })).toBeNull();
    expect((await client.get('/accounts')).status).toBe(200);
    // Sessions live in the database: a restarted process still knows this one.
    expect(await new AdminAuth(db).session(token)).toMatchObject({ tokenHash: hash });
  });

  it('marks the cookie Secure behind the trusted TLS proxy', async () => {
    const client = from('10.1.0.3');
    await client.get('/login', { 'x-forwarded-proto': 'https' });
    const res = await client.post('/login', { password: ADMIN_PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(res.headers.getSetCookie().find((c) => c.startsWith('hs_session='))).toMatch(/Secure/);
  });

  it('goes back to the page asked for, never to another site', async () => {
    const client = from('10.1.0.4');
    const asked = await client.get('/accounts/new');
    expect(asked.location).toBe('/login?next=%2Faccounts%2Fnew');
    await client.get(asked.location ?? '');
    expect((await client.post('/login', { password: ADMIN_PASSWORD, next: '/accounts/new' })).location).toBe(
      '/accounts/new',
    );
    const other = from('10.1.0.4');
    await other.get('/login');
    expect((await other.post('/login', { password: ADMIN_PASSWORD, next: '//evil.example/x' })).location).toBe(
      '/accounts',
    );
  });

  it('logout ends the session: the old cookie no longer opens a page', async () => {
    const client = from('10.1.0.5');
    await client.login();
    const token = client.cookies.get('hs_session') ?? '';
    const res = await client.post('/logout');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/login');
    const replay = web.client();
    replay.cookies.set('hs_session', token);
    expect((await replay.get('/accounts')).status).toBe(303);
    expect((await audit('admin.logout')).length).toBeGreaterThan(0);
  });
});

describe('session expiry', () => {
  it('ends after the idle time', async () => {
    const client = from('10.2.0.1');
    await client.login();
    web.advance(9 * MINUTE);
    expect((await client.get('/accounts')).status).toBe(200);
    web.advance(11 * MINUTE);
    expect((await client.get('/accounts')).status).toBe(303);
  });

  it('ends at the absolute limit however active it is', async () => {
    const client = from('10.2.0.2');
    await client.login();
    for (let i = 0; i < 4; i++) {
      web.advance(7 * MINUTE);
      expect((await client.get('/accounts')).status).toBe(200);
    }
    web.advance(3 * MINUTE);
    expect((await client.get('/accounts')).status).toBe(303);
  });
});

describe('brute force', () => {
  it('locks one address out, saying until when, even for the right password; others still log in', async () => {
    const attacker = from('10.3.0.1');
    expect((await attacker.login('guess1')).status).toBe(401);
    expect((await attacker.login('guess2')).status).toBe(401);
    const locked = await attacker.login('guess3');
    expect(locked.status).toBe(429);
    expect(locked.text).toMatch(
      /Too many failed logins from your address\. Logins are refused until \d\d:\d\d:\d\d UTC \(about 15 min\)/,
    );
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
    const right = await attacker.login();
    expect(right.status).toBe(429);
    expect(attacker.cookies.has('hs_session')).toBe(false);
    expect((await from('10.3.0.2').login()).status).toBe(303);
    const lockouts = (await audit('admin.login')).map((a) => auditSentence(a)).filter((s) => s.includes('too many'));
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatch(
      /^Refused: too many failed logins from 10\.3\.0\.1: that address is refused until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );

    web.advance(16 * MINUTE);
    expect((await attacker.login()).status).toBe(303);
  });

  it('locks every login out when failures come from many addresses', async () => {
    web.advance(16 * MINUTE);
    for (let i = 0; i < 7; i++) expect((await from(`10.4.0.${i}`).login('guess')).status).toBe(401);
    expect((await from('10.4.0.99').login('guess')).status).toBe(429);
    const anyone = await from('10.4.1.1').login();
    expect(anyone.status).toBe(429);
    expect(anyone.text).toContain('Too many failed logins from everywhere');
    web.advance(16 * MINUTE);
    expect((await from('10.4.1.1').login()).status).toBe(303);
  });
});

describe('the owner password', () => {
  it('is a salted scrypt hash, checked in constant time', async () => {
    const a = await hashPassword('s3cret pass');
    const b = await hashPassword('s3cret pass');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('s3cret pass', a)).toBe(true);
    expect(await verifyPassword('s3cret pasS', a)).toBe(false);
    expect(await verifyPassword('s3cret pass', 'scrypt$garbage')).toBe(false);
  });

  it('is generated once in paper mode into a file only its owner can read; stored only as a hash, never logged', async () => {
    const dataDir = tempDir();
    const first = await startTestApp({ DATA_DIR: dataDir });
    let password = '';
    try {
      const server = await startHttpServer(first.app);
      const line = describeWebAdmin(server.admin, 'http://127.0.0.1:3000');
      const file = path.join(dataDir, 'admin-password');
      expect(line).toBe(
        `web admin http://127.0.0.1:3000/ — owner password generated into ${file} (readable by you only): log in with it, then delete the file (or set ADMIN_PASSWORD)`,
      );
      // Readable by its owner only; the password itself is on no line the desk prints or logs.
      expect(statSync(file).mode & 0o777).toBe(0o600);
      password = readFileSync(file, 'utf8').trim();
      expect(password).toMatch(/^[\w-]{20}$/);
      const stored = await first.app.services.db.setting.findUnique({ where: { key: 'admin.passwordHash' } });
      expect(stored?.value).toMatch(/^scrypt\$/);
      expect(stored?.value).not.toContain(password);
      expect((await server.admin.auth.login(password, '127.0.0.1')).ok).toBe(true);
      server.close();
    } finally {
      await first.close();
    }
    const second = await startTestApp({ DATA_DIR: dataDir });
    try {
      const server = await startHttpServer(second.app);
      const line = describeWebAdmin(server.admin, 'http://127.0.0.1:3000');
      expect(line).toBe('web admin http://127.0.0.1:3000/');
      expect((await server.admin.auth.login(password, '127.0.0.1')).ok).toBe(true);
      server.close();
    } finally {
      await second.close();
    }
    expect([...first.logs, ...second.logs].some((l) => l.includes(password))).toBe(false);
  });

  it('says on the start line when the admin is exposed without TLS, or has no password', () => {
    const exposed = describeWebAdmin(
      { exposedWithoutTls: true, password: { state: 'missing' } },
      'http://0.0.0.0:3000',
    );
    expect(exposed).toContain('WARNING: reachable from the network without TLS');
    expect(exposed).toContain('login off until ADMIN_PASSWORD is set');
  });

  it('in live mode with no ADMIN_PASSWORD, nobody can log in; a new ADMIN_PASSWORD ends every session', async () => {
    const desk = await startTestApp({ TRADING_MODE: 'live' });
    try {
      const auth = new AdminAuth(desk.app.services.db);
      expect(await auth.setupPassword(undefined, 'live')).toEqual({ state: 'missing' });
      expect(await auth.login('anything', '127.0.0.1')).toEqual({ ok: false, reason: 'no_password' });
      expect(await auth.setupPassword('first password', 'live')).toEqual({ state: 'configured' });
      const login = await auth.login('first password', '127.0.0.1');
      if (!login.ok) throw new Error('login failed');
      expect(await auth.setupPassword('first password', 'live')).toEqual({ state: 'configured' });
      expect(await auth.session(login.token)).toBeDefined();
      await auth.setupPassword('second password', 'live');
      expect(await auth.session(login.token)).toBeUndefined();
    } finally {
      await desk.close();
    }
  });

  it('warns when the admin is bound to the network without a TLS proxy', () => {
    expect(isExposedWithoutTls(loadConfig({ DATA_DIR: tempDir() }))).toBe(false);
    expect(isExposedWithoutTls(loadConfig({ DATA_DIR: tempDir(), ADMIN_HOST: '0.0.0.0' }))).toBe(true);
    expect(
      isExposedWithoutTls(loadConfig({ DATA_DIR: tempDir(), ADMIN_HOST: '0.0.0.0', ADMIN_TRUST_PROXY: 'loopback' })),
    ).toBe(false);
  });
});
