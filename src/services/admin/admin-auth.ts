import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../infra/db/client.ts';
import { DEFAULT_THROTTLE, LoginThrottle, type ThrottleLimits } from './login-throttle.ts';
import { generatePassword, hashPassword, verifyPassword } from './password.ts';

export interface AdminAuthOptions {
  /** A session unused for this long ends. */
  idleMs: number;
  /** A session ends this long after login, however active. */
  absoluteMs: number;
  throttle: ThrottleLimits;
  now: () => number;
}

export const DEFAULT_AUTH: AdminAuthOptions = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 60 * 60_000,
  throttle: DEFAULT_THROTTLE,
  now: () => Date.now(),
};

/** How the owner password came to be; `generated` carries it, to be printed once. */
export type PasswordSetup =
  { state: 'configured' } | { state: 'stored' } | { state: 'generated'; password: string } | { state: 'missing' };

export interface AdminSession {
  tokenHash: string;
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
  ip: string | null;
}

export type LoginResult =
  | { ok: true; token: string; session: AdminSession }
  | { ok: false; reason: 'wrong_password' }
  | { ok: false; reason: 'no_password' }
  /** `started`: this attempt began the lockout (audit it once, not every refused try). */
  | { ok: false; reason: 'locked'; until: number; scope: 'client' | 'overall'; started: boolean };

const PASSWORD_SETTING = 'admin.passwordHash';
/** lastSeenAt is written at most this often: an idle check does not need a write per request. */
const TOUCH_EVERY_MS = 15_000;

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * The web admin's owner login: one password, kept only as a scrypt hash in the Setting table,
 * and server-side sessions keyed by a hash of the cookie token (stored in the database, so a
 * restart logs nobody out and a stolen database copy holds no usable token).
 */
export class AdminAuth {
  readonly options: AdminAuthOptions;
  private readonly throttle: LoginThrottle;
  private readonly lastTouch = new Map<string, number>();

  constructor(
    private readonly db: Db,
    options: Partial<AdminAuthOptions> = {},
  ) {
    this.options = { ...DEFAULT_AUTH, ...options };
    this.throttle = new LoginThrottle(this.options.throttle, this.options.now);
  }

  /**
   * ADMIN_PASSWORD wins (its hash replaces a different stored one, and ends every session);
   * else the stored hash; else, in paper mode, a generated password — returned once, never stored
   * in clear. In live mode with neither, nobody can log in until ADMIN_PASSWORD is set.
   */
  async setupPassword(configured: string | undefined, mode: 'paper' | 'live'): Promise<PasswordSetup> {
    const stored = await this.db.setting.findUnique({ where: { key: PASSWORD_SETTING } });
    if (configured !== undefined) {
      if (stored && (await verifyPassword(configured, stored.value))) return { state: 'configured' };
      await this.storeHash(await hashPassword(configured));
      if (stored) await this.db.adminSession.deleteMany({});
      return { state: 'configured' };
    }
    if (stored) return { state: 'stored' };
    if (mode === 'live') return { state: 'missing' };
    const password = generatePassword();
    await this.storeHash(await hashPassword(password));
    return { state: 'generated', password };
  }

  async login(password: string, client: string): Promise<LoginResult> {
    const verdict = this.throttle.check(client);
    if (!verdict.allowed)
      return { ok: false, reason: 'locked', until: verdict.until, scope: verdict.scope, started: false };
    const stored = await this.db.setting.findUnique({ where: { key: PASSWORD_SETTING } });
    if (!stored) return { ok: false, reason: 'no_password' };
    if (!(await verifyPassword(password, stored.value))) {
      const after = this.throttle.fail(client);
      if (!after.allowed) return { ok: false, reason: 'locked', until: after.until, scope: after.scope, started: true };
      return { ok: false, reason: 'wrong_password' };
    }
    this.throttle.succeed(client);
    return { ok: true, ...(await this.createSession(client)) };
  }

  /** The live session of a cookie token, its idle clock reset; expired ones are deleted. */
  async session(token: string | undefined): Promise<AdminSession | undefined> {
    if (!token || token.length > 200) return undefined;
    const tokenHash = sha256(token);
    const row = await this.db.adminSession.findUnique({ where: { tokenHash } });
    if (!row) return undefined;
    const now = this.options.now();
    if (row.expiresAt.getTime() <= now || row.lastSeenAt.getTime() + this.options.idleMs <= now) {
      await this.db.adminSession.deleteMany({ where: { tokenHash } });
      this.lastTouch.delete(tokenHash);
      return undefined;
    }
    if (now - (this.lastTouch.get(tokenHash) ?? 0) >= TOUCH_EVERY_MS) {
      this.lastTouch.set(tokenHash, now);
      await this.db.adminSession.update({ where: { tokenHash }, data: { lastSeenAt: new Date(now) } });
    }
    return row;
  }

  async logout(token: string | undefined): Promise<void> {
    if (!token) return;
    const tokenHash = sha256(token);
    this.lastTouch.delete(tokenHash);
    await this.db.adminSession.deleteMany({ where: { tokenHash } });
  }

  private async createSession(ip: string): Promise<{ token: string; session: AdminSession }> {
    const now = this.options.now();
    await this.db.adminSession.deleteMany({
      where: {
        OR: [{ expiresAt: { lte: new Date(now) } }, { lastSeenAt: { lte: new Date(now - this.options.idleMs) } }],
      },
    });
    const token = randomBytes(32).toString('base64url');
    const tokenHash = sha256(token);
    this.lastTouch.set(tokenHash, now);
    const session = await this.db.adminSession.create({
      data: {
        tokenHash,
        csrfToken: randomBytes(32).toString('base64url'),
        createdAt: new Date(now),
        lastSeenAt: new Date(now),
        expiresAt: new Date(now + this.options.absoluteMs),
        ip: ip.slice(0, 64),
      },
    });
    return { token, session };
  }

  private async storeHash(value: string): Promise<void> {
    await this.db.setting.upsert({
      where: { key: PASSWORD_SETTING },
      create: { key: PASSWORD_SETTING, value },
      update: { value },
    });
  }
}
