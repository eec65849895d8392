import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig } from '../src/config/index.ts';
import { ConfigError } from '../src/domain/errors.ts';

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
    for (const message of [configError({ PORT: '70000' }), configError({ LOG_LEVEL: 'loud' })]) {
      expect(message.split('\n')).toHaveLength(1);
    }
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
