import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig } from '../src/config/index.ts';
import { ConfigError } from '../src/domain/errors.ts';
import { tempDir } from './support/harness.ts';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env, '/srv/hedgestack');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('with nothing configured runs paper mode with data under ./data', () => {
    const config = loadConfig({}, '/srv/hedgestack');
    expect(config.mode).toBe('paper');
    expect(config.dataDir).toBe('/srv/hedgestack/data');
    expect(config.databaseFile).toBe('/srv/hedgestack/data/hedgestack.db');
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.telegram.apiRoot).toBe('https://api.telegram.org');
    expect(config.masterKey).toBeUndefined();
  });

  it('reads owners, URLs without trailing slash and a base64 master key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig(
      { OWNER_TELEGRAM_IDS: '11, 22', TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/', MASTER_KEY: key },
      '/x',
    );
    expect(config.telegram.ownerIds).toEqual(['11', '22']);
    expect(config.telegram.apiRoot).toBe('http://127.0.0.1:8081');
    expect(config.masterKey?.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('a bad value fails with one line naming the variable', () => {
    expect(configError({ PORT: 'abc' })).toMatch(/^PORT: .+\(got "abc"\)$/);
    expect(configError({ TRADING_MODE: 'real' })).toMatch(/^TRADING_MODE: /);
    expect(configError({ OWNER_TELEGRAM_IDS: '12,abc' })).toMatch(/^OWNER_TELEGRAM_IDS: .*comma-separated/);
    expect(configError({ DATABASE_URL: 'postgres://x' })).toMatch(/^DATABASE_URL: /);
    expect(configError({ DISCORD_TOKEN: 'tok' })).toBe('DISCORD_APP_ID: required when DISCORD_TOKEN is set');
    for (const bad of ['0', '1e2', '-5', '3601', 'soon']) {
      expect(configError({ COPY_MAX_EVENT_AGE_SECONDS: bad })).toMatch(
        /^COPY_MAX_EVENT_AGE_SECONDS: expected whole seconds, 1 to 3600/,
      );
    }
    expect(loadConfig({ COPY_MAX_EVENT_AGE_SECONDS: '45' }, '/tmp').copyMaxEventAgeMs).toBe(45_000);
    for (const message of [configError({ PORT: '70000' }), configError({ LOG_LEVEL: 'loud' })]) {
      expect(message.split('\n')).toHaveLength(1);
    }
  });

  it('ADMIN_HOST is an IP address or an RFC 1123 host name', () => {
    for (const host of [
      '127.0.0.1',
      '0.0.0.0',
      '::',
      '::1',
      'fe80::1%eth0',
      'localhost',
      'desk-1.example.com',
      'a.b.',
    ]) {
      expect(loadConfig({ ADMIN_HOST: host }, '/x').http.host, host).toBe(host);
    }
    for (const host of [
      '999.1.1.1',
      '1.2.3',
      '256.0.0.1',
      '01.2.3.4',
      '[::1]',
      'exa mple',
      '-bad.example',
      'a..b',
      'x_y',
      'http://x',
    ]) {
      const message = configError({ ADMIN_HOST: host });
      expect(message, host).toMatch(/^ADMIN_HOST: an IP address .+ or a host name/);
      expect(message.split('\n')).toHaveLength(1);
    }
    expect(configError({ ADMIN_HOST: '999.1.1.1' })).toContain('(got "999.1.1.1")');
  });

  it('values that used to pass and fail later are refused up front', () => {
    for (const port of ['1e3', '0x10', '-1', '3000.5', '65536'])
      expect(configError({ PORT: port }), port).toMatch(/^PORT: /);
    expect(loadConfig({ PORT: '0' }, '/x').http.port).toBe(0);
    expect(loadConfig({ PORT: ' 8080 ' }, '/x').http.port).toBe(8080);
    for (const proxy of ['abc', '999.1.1.1', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', ' , ']) {
      expect(configError({ ADMIN_TRUST_PROXY: proxy }), proxy).toMatch(/^ADMIN_TRUST_PROXY: /);
    }
    expect(loadConfig({ ADMIN_TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }, '/x').adminTrustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '::1',
    ]);
    for (const url of ['file::memory:', 'file:./x.db?mode=ro']) {
      expect(configError({ DATABASE_URL: url }), url).toMatch(/^DATABASE_URL: /);
    }
  });

  it('ADMIN_ALLOWED_HOSTS and HEALTHZ_TOKEN', () => {
    const config = loadConfig(
      { ADMIN_ALLOWED_HOSTS: 'desk.example.com, 10.0.0.5:3000,[::1]:8443', HEALTHZ_TOKEN: 'a'.repeat(32) },
      '/x',
    );
    expect(config.adminAllowedHosts).toEqual(['desk.example.com', '10.0.0.5:3000', '[::1]:8443']);
    expect(config.healthzToken).toBe('a'.repeat(32));
    expect(loadConfig({}, '/x')).toMatchObject({ adminAllowedHosts: [], healthzToken: undefined });
    for (const hosts of ['http://desk.example.com', 'a b', 'desk:99999', '999.1.1.1', 'desk.example.com/path']) {
      expect(configError({ ADMIN_ALLOWED_HOSTS: hosts }), hosts).toMatch(/^ADMIN_ALLOWED_HOSTS: /);
    }
    const short = configError({ HEALTHZ_TOKEN: 'short-but-secret'.slice(0, 10) });
    expect(short).toMatch(/^HEALTHZ_TOKEN: 16 to 256/);
    expect(short).not.toContain('short-but');
  });

  it('a DATA_DIR or database path that cannot work is named before anything is created', () => {
    const dir = tempDir();
    const file = path.join(dir, 'plain-file');
    writeFileSync(file, 'not a directory');
    expect(configError({ DATA_DIR: file })).toBe(`DATA_DIR: ${file} is a file, not a directory`);
    expect(configError({ DATA_DIR: path.join(file, 'data') })).toBe(
      `DATA_DIR: ${path.join(file, 'data')} cannot be created: ${file} is a file`,
    );
    expect(configError({ DATABASE_URL: `file:${file}/x.db` })).toBe(`DATABASE_URL: ${file} is a file, not a directory`);
    mkdirSync(path.join(dir, 'db-dir'));
    expect(configError({ DATABASE_URL: `file:${path.join(dir, 'db-dir')}` })).toMatch(
      /^DATABASE_URL: .* is a directory, not a SQLite database file$/,
    );
    expect(configError({ DATABASE_URL: `file:${file}` })).toBe(`DATABASE_URL: ${file} is not a SQLite database`);
    mkdirSync(path.join(dir, 'data', 'hedgestack.db'), { recursive: true });
    expect(configError({ DATA_DIR: path.join(dir, 'data') })).toMatch(/^DATA_DIR: .*hedgestack\.db is a directory/);
    // Absent (created at start) or an empty file is fine.
    expect(loadConfig({ DATA_DIR: path.join(dir, 'new', 'deeper') }, '/x').dataDir).toBe(
      path.join(dir, 'new', 'deeper'),
    );
    writeFileSync(path.join(dir, 'empty.db'), '');
    expect(loadConfig({ DATABASE_URL: `file:${path.join(dir, 'empty.db')}` }, '/x').databaseFile).toBe(
      path.join(dir, 'empty.db'),
    );
  });

  it('never echoes a secret variable in its error', () => {
    const message = configError({ MASTER_KEY: 'not-a-key-but-secret-looking-value' });
    expect(message).toMatch(/^MASTER_KEY: 32 random bytes in base64/);
    expect(message).not.toContain('secret-looking');
  });

  it('.env.example documents every variable and is itself a valid configuration', () => {
    const text = readFileSync(path.resolve(import.meta.dirname, '../.env.example'), 'utf8');
    for (const name of Object.keys(envSchema.shape)) expect(text, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    const env = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(loadConfig(env, '/x').mode).toBe('paper');
  });

  it('the README configuration table lists every variable', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
    for (const name of Object.keys(envSchema.shape)) expect(readme, name).toContain(`| \`${name}\` |`);
  });
});
