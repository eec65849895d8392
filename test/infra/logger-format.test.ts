import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logFormatFor } from '../../src/infra/logger.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Logs one line with a secret-bearing field in a child process and returns what it printed. */
function logOnce(format: 'json' | 'pretty'): string {
  const script = `
    import { createLogger } from './src/infra/logger.ts';
    const logger = createLogger({ level: 'info', format: '${format}' });
    logger.info({ account: 'main', apiKey: 'K3Y-that-must-not-show' }, 'order sent');
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(child.status, child.stderr).toBe(0);
  return child.stdout;
}

describe('log format', () => {
  it('a person at a terminal reads lines; a pipe, a file or LOG_FORMAT=json gets JSON', () => {
    expect(logFormatFor(1, 'json')).toBe('json');
    expect(logFormatFor(2, 'pretty')).toBe('pretty');
    // Under vitest neither stdout nor stderr is a terminal.
    expect(logFormatFor(1, undefined)).toBe(process.stdout.isTTY ? 'pretty' : 'json');
  });

  it('pretty: a short line with the level and the message, fields below it, secrets redacted', () => {
    const out = logOnce('pretty');
    expect(out).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: order sent\n/);
    expect(out).toContain('account: "main"');
    expect(out).toContain('apiKey: "[redacted]"');
    expect(out).not.toContain('K3Y-that-must-not-show');
    expect(out).not.toContain('"app"');
  });

  it('json: one object a line, secrets redacted', () => {
    const out = logOnce('json').trim();
    const line = JSON.parse(out) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'order sent', account: 'main', apiKey: '[redacted]', level: 30 });
    expect(out).not.toContain('K3Y-that-must-not-show');
  });
});
