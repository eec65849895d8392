import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, tempDir } from '../support/harness.ts';

import { envSchema } from '../../src/config/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** node itself (not the tsx wrapper), so the child's PID is the one that holds the lock. */
const NODE = [process.execPath, '--import', 'tsx'];

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The parent's environment without any hedgestack variable, so a developer's .env cannot leak in. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const ours = new Set(Object.keys(envSchema.shape));
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !ours.has(k))), ...env };
}

function run(script: string, env: Record<string, string>, input?: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE[0] ?? 'node', [...NODE.slice(1), script], { cwd: ROOT, env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcessWithoutNullStreams; startLine: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE[0] ?? 'node', [...NODE.slice(1), 'src/main.ts'], { cwd: ROOT, env: childEnv(env) });
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (const line of buffered.split('\n')) {
        if (line.includes('hedgestack running'))
          resolve({ child, startLine: JSON.parse(line) as Record<string, unknown> });
      }
    });
    child.stderr.on('data', (d: Buffer) => (buffered += d.toString()));
    child.on('close', (code) => reject(new Error(`server exited early (${String(code)}): ${buffered}`)));
  });
}

describe('hedgestack as a process', () => {
  const dataDir = tempDir();
  const healthzToken = randomBytes(24).toString('hex');
  const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', HEALTHZ_TOKEN: healthzToken };
  let server: ChildProcessWithoutNullStreams | undefined;

  afterAll(() => {
    server?.kill('SIGKILL');
  });

  it('starts in paper mode, serves /healthz, refuses a second instance, attaches the console, stops cleanly', async () => {
    const started = await startServer(env);
    server = started.child;
    expect(started.startLine['msg']).toMatch(/paper mode: 6 accounts \(.*main.*sub_a.*\)/);
    expect(started.startLine['msg']).toMatch(/telegram off; discord off/);

    const healthz = `${String(started.startLine['http'])}/healthz`;
    const counts = (await (await fetch(healthz)).json()) as Record<string, unknown>;
    expect(counts).toMatchObject({ ok: true, counts: { accounts: { total: 6, active: 6 } } });
    expect(counts).not.toHaveProperty('accounts');
    const health = (await (await fetch(healthz, { headers: { authorization: `Bearer ${healthzToken}` } })).json()) as {
      status: string;
      accounts: { id: string; stream: { health: string } | null }[];
    };
    expect(health.status).toBe('ok');
    expect(health.accounts.map((a) => a.id).sort()).toEqual(['f1', 'f2', 'lead', 'main', 'sub_a', 'sub_b']);
    for (const a of health.accounts) expect(['starting', 'live']).toContain(a.stream?.health);

    const second = await run('src/main.ts', env);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`PID ${String(server.pid)}`);

    const console1 = await run(
      'src/adapters/console/main.ts',
      env,
      '/accounts\n/whoami\n/lang zh\n/help\n/followers\n',
    );
    expect(console1.code).toBe(0);
    expect(console1.stdout).toContain('• main — Main (USDT-M futures): binance usdm paper');
    expect(console1.stdout).toContain('Your id: local');
    expect(console1.stdout).toContain('语言已设置为中文。');
    expect(console1.stdout).toContain('你可以使用的命令（你的角色：所有者）');
    // Piped lines are shown after a prompt, each reply ends with a blank line, tables come bare.
    const entries = console1.stdout.trimEnd().split('\n\n> ');
    expect(entries.map((e) => e.split('\n')[0]?.replace(/^> /, ''))).toEqual([
      '/accounts',
      '/whoami',
      '/lang zh',
      '/help',
      '/followers',
    ]);
    expect(entries[1]).toBe(
      '/whoami\nPlatform: console\nYour id: local\nLanguage: en\nUser: local owner, role: owner\nAccounts you may act on: all',
    );
    expect(entries[4]?.split('\n')[1]).toMatch(/^跟单账户\s+/);
    expect(console1.stdout).not.toContain('```');
    // Logs are JSON on a pipe (LOG_FORMAT unset): one object a line on stderr, if any.
    for (const line of console1.stderr.split('\n').filter(Boolean))
      expect(() => JSON.parse(line) as unknown).not.toThrow();

    const exited = new Promise<number | null>((resolve) => server?.once('close', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    server = undefined;
    expect(existsSync(path.join(dataDir, 'hedgestack.lock'))).toBe(false);

    // With nothing running, the console opens the data directory itself; the language stayed.
    const console2 = await run('src/adapters/console/main.ts', env, '/whoami\n');
    expect(console2.code).toBe(0);
    expect(console2.stdout).toContain('你的 ID：local');
  }, 60_000);
});

describe('a bad configuration stops the start before anything is created', () => {
  /** One line on stderr naming the variable: no stack trace, exit code 2. */
  function expectOneLine(finished: Finished, variable: string): void {
    expect(finished.code, finished.stderr).toBe(2);
    const lines = finished.stderr.trim().split('\n');
    expect(lines, finished.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^hedgestack: ${variable}: `));
    expect(finished.stderr).not.toMatch(/\n\s+at /);
    expect(finished.stdout).not.toContain('database migrated');
  }

  it('ADMIN_HOST=999.1.1.1: one line naming ADMIN_HOST, exit 2, no DATA_DIR and no database', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const finished = await run('src/main.ts', { DATA_DIR: dataDir, PORT: '0', ADMIN_HOST: '999.1.1.1' });
    expectOneLine(finished, 'ADMIN_HOST');
    expect(finished.stderr).toContain('(got "999.1.1.1")');
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);

  it('a DATA_DIR that is a file, a PORT out of range, a proxy that is no address: each named, nothing created', async () => {
    const parent = tempDir();
    const file = path.join(parent, 'not-a-dir');
    writeFileSync(file, 'x');
    expectOneLine(await run('src/main.ts', { DATA_DIR: file, PORT: '0' }), 'DATA_DIR');
    const dataDir = path.join(parent, 'data');
    expectOneLine(await run('src/main.ts', { DATA_DIR: dataDir, PORT: '70000' }), 'PORT');
    expectOneLine(
      await run('src/main.ts', { DATA_DIR: dataDir, PORT: '0', ADMIN_TRUST_PROXY: 'abc' }),
      'ADMIN_TRUST_PROXY',
    );
    expect(readdirSync(parent)).toEqual(['not-a-dir']);
  }, 30_000);

  it('an ADMIN_HOST that is not on this machine (EADDRNOTAVAIL): one line naming ADMIN_HOST, nothing migrated', async () => {
    const dataDir = path.join(tempDir(), 'data');
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): valid, and the address of no machine.
    const finished = await run('src/main.ts', { DATA_DIR: dataDir, PORT: '0', ADMIN_HOST: '192.0.2.1' });
    expectOneLine(finished, 'ADMIN_HOST');
    expect(finished.stderr).toContain('192.0.2.1 is not an address of this machine');
    // Nothing at all: not even the data directory.
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);
});

describe('npm run vault:rotate', () => {
  it('re-encrypts every key under a new file master key, and the desk still opens them', async () => {
    const dataDir = tempDir();
    const before = await startTestApp({ DATA_DIR: dataDir });
    const plain = await before.app.services.accounts.credentialsFor('f2');
    await before.app.close();
    const oldKey = readFileSync(path.join(dataDir, 'master.key'), 'utf8');

    const rotated = await run('src/scripts/vault-rotate.ts', { DATA_DIR: dataDir });
    expect(rotated.stderr).toBe('');
    expect(rotated.stdout).toMatch(/re-encrypted 6 account\(s\) under new master key [0-9a-f]{8}/);
    expect(rotated.code).toBe(0);
    expect(readFileSync(path.join(dataDir, 'master.key'), 'utf8')).not.toBe(oldKey);

    const after = await startTestApp({ DATA_DIR: dataDir });
    expect(await after.app.services.accounts.credentialsFor('f2')).toEqual(plain);
    await after.app.close();
  }, 30_000);

  it('with MASTER_KEY from the environment, takes the new key from NEW_MASTER_KEY and never prints it', async () => {
    const dataDir = tempDir();
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const before = await startTestApp({ DATA_DIR: dataDir, MASTER_KEY: oldKey });
    const plain = await before.app.services.accounts.credentialsFor('main');
    await before.app.close();

    const refused = await run('src/scripts/vault-rotate.ts', { DATA_DIR: dataDir, MASTER_KEY: oldKey });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('NEW_MASTER_KEY: set it to the new key');

    const rotated = await run('src/scripts/vault-rotate.ts', {
      DATA_DIR: dataDir,
      MASTER_KEY: oldKey,
      NEW_MASTER_KEY: newKey,
    });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('Now set MASTER_KEY to the value of NEW_MASTER_KEY');
    expect(rotated.stdout + rotated.stderr).not.toContain(newKey);

    const after = await startTestApp({ DATA_DIR: dataDir, MASTER_KEY: newKey });
    expect(await after.app.services.accounts.credentialsFor('main')).toEqual(plain);
    await after.app.close();
  }, 30_000);
});
