import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, describe, expect, it } from 'vitest';
import { accountRow } from '../src/adapters/web/pages/accounts-forms.ts';
import { CONSOLE_CALLER } from '../src/app.ts';
import { startEmulator } from '../src/emulator/index.ts';
import { translator } from '../src/i18n/index.ts';
import { startHedgestack, type Running } from '../src/runtime.ts';
import { PAPER_STATE_FILE } from '../src/services/paper-exchange.ts';
import { capturingLogger, tempDir, testConfig } from './support/harness.ts';

/** Two paper accounts with canary credentials: every byte under DATA_DIR is searched for them. */
const BINANCE = {
  apiKey: 'canaryBinanceKey00000000000000000000000000000000000000000000KEY7',
  secret: 'canaryBinanceSecret000000000000000000000000000000000000000SEC7',
};
const BITGET = {
  apiKey: 'bg_canaryBitgetKey000000000000000KEY8',
  secret: 'canaryBitgetSecret0000000000000000000000000000000000000SEC8',
  passphrase: 'canaryBitgetPass8',
};
const CANARIES = [BINANCE.apiKey, BINANCE.secret, BITGET.apiKey, BITGET.secret, BITGET.passphrase];

/** Every entry under `dir`, recursively, with its lstat. */
function entries(dir: string): { file: string; mode: number; regular: boolean; directory: boolean }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => {
    const file = path.join(dir, name);
    const stat = lstatSync(file);
    return { file, mode: stat.mode & 0o777, regular: stat.isFile(), directory: stat.isDirectory() };
  });
}

/** `grep -a` over every regular file under `dir`, read as bytes. */
function filesHolding(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  for (const e of entries(dir).filter((x) => x.regular)) {
    const bytes = readFileSync(e.file);
    for (const needle of needles) if (bytes.includes(Buffer.from(needle))) found.push(`${e.file}: ${needle}`);
  }
  return found;
}

function expectPrivate(dataDir: string): void {
  expect((statSync(dataDir).mode & 0o777).toString(8), dataDir).toBe('700');
  const all = entries(dataDir);
  expect(all.length).toBeGreaterThanOrEqual(4);
  for (const e of all) expect(e.mode.toString(8), e.file).toBe(e.directory ? '700' : '600');
}

const running: Running[] = [];
afterAll(async () => {
  for (const r of running) await r.stop().catch(() => undefined);
});

async function start(dataDir: string) {
  const { logger, lines } = capturingLogger();
  const desk = await startHedgestack(testConfig({ DATA_DIR: dataDir }), { logger });
  running.push(desk);
  return { desk, lines };
}

/** Stops once every account's stream is up: a socket closed while it connects rejects in ccxt. */
async function stop(desk: Running): Promise<void> {
  const { accounts, streams } = desk.app.services;
  const ids = (await accounts.list()).map((a) => a.id);
  for (let i = 0; i < 200 && ids.some((id) => streams.status(id)?.health === 'starting'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await desk.stop();
  running.splice(running.indexOf(desk), 1);
}

describe('secrets and files under DATA_DIR', () => {
  it('a paper account keeps no key or secret in any file; every file 0600, the folder 0700; a restart trades on', async () => {
    const dataDir = path.join(tempDir(), 'data'); // created by the desk itself
    const first = await start(dataDir);
    const { accounts, paper, exchanges } = first.desk.app.services;
    const bn = await accounts.create(
      { id: 'canary_bn', name: 'Canary Binance', exchange: 'binance', market: 'spot', env: 'paper' },
      BINANCE,
    );
    const bg = await accounts.create(
      { id: 'canary_bg', name: 'Canary Bitget', exchange: 'bitget', market: 'spot', env: 'paper' },
      BITGET,
    );
    await paper?.register(bn);
    await paper?.register(bg);
    paper?.emulator.setPrice('BTCUSDT', '60000');
    for (const id of ['canary_bn', 'canary_bg']) {
      const ex = await exchanges.for(id);
      await ex.placeOrder({
        symbol: 'BTC/USDT',
        side: 'buy',
        type: 'market',
        cost: new Decimal('600'),
        clientOrderId: `files-${id.slice(-2)}`,
      });
    }
    const before = {
      bn: (await (await exchanges.for('canary_bn')).fetchBalance()).map((l) => [l.asset, l.free.toString()]),
      bg: (await (await exchanges.for('canary_bg')).fetchBalance()).map((l) => [l.asset, l.free.toString()]),
    };
    expect(Number(before.bn.find(([asset]) => asset === 'BTC')?.[1])).toBeGreaterThan(0.009);
    paper?.emulator.flush();

    // While it runs: database (+ WAL, SHM), master key, paper exchange, lock, console socket, admin password.
    const names = entries(dataDir).map((e) => path.basename(e.file));
    for (const name of ['hedgestack.db', 'hedgestack.db-wal', 'hedgestack.db-shm', 'master.key', PAPER_STATE_FILE])
      expect(names).toContain(name);
    expect(names).toContain('hedgestack.lock');
    expect(names).toContain('console.sock');
    expect(filesHolding(dataDir, CANARIES)).toEqual([]);
    expectPrivate(dataDir);

    // Masks: the key's last 4, none of the secret — in chat, in the admin, and in the database.
    const reply = (await first.desk.app.dispatcher.handleLine(CONSOLE_CALLER, '/accounts'))?.text ?? '';
    expect(reply).toContain('••••KEY7');
    const row = accountRow(translator('en'), await accounts.get('canary_bn'), undefined);
    expect(row.key).toBe('••••KEY7');
    expect(row.secret).toBe('••••');
    const stored = await first.desk.app.services.db.account.findUniqueOrThrow({ where: { id: 'canary_bn' } });
    expect(stored.secretHint).toBeNull();

    await stop(first.desk);
    expect(filesHolding(dataDir, CANARIES)).toEqual([]);
    expectPrivate(dataDir);

    // Restarted on the same DATA_DIR: the keys come back from the vault, the balances from the file.
    const second = await start(dataDir);
    const again = second.desk.app.services.exchanges;
    for (const [id, balances] of [
      ['canary_bn', before.bn],
      ['canary_bg', before.bg],
    ] as const) {
      const ex = await again.for(id);
      expect(
        (await ex.fetchBalance()).map((l) => [l.asset, l.free.toString()]),
        id,
      ).toEqual(balances);
      const sold = await ex.placeOrder({
        symbol: 'BTC/USDT',
        side: 'sell',
        type: 'market',
        amount: new Decimal('0.005'),
        clientOrderId: `files2-${id.slice(-2)}`,
      });
      expect(sold.status, id).toBe('closed');
    }
    second.desk.app.services.paper?.emulator.flush();
    expect(filesHolding(dataDir, CANARIES)).toEqual([]);
    expectPrivate(dataDir);
    await stop(second.desk);
  }, 60_000);

  it('a DATA_DIR others can read gets a warning with the fix; files an older version left open are tightened', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const first = await start(dataDir);
    await stop(first.desk);
    chmodSync(dataDir, 0o755);
    for (const name of ['hedgestack.db', 'master.key', PAPER_STATE_FILE]) chmodSync(path.join(dataDir, name), 0o644);

    const second = await start(dataDir);
    const warning = second.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 40 && l.msg.includes('chmod 700'));
    expect(warning?.msg).toContain(`run: chmod 700 ${dataDir}`);
    expect(warning?.msg).toContain(`data directory ${dataDir} is open to other users (mode 0755)`);
    // The directory is the owner's to change; everything the desk writes in it is tightened.
    expect(statSync(dataDir).mode & 0o777).toBe(0o755);
    for (const e of entries(dataDir)) expect(e.mode.toString(8), e.file).toBe('600');
    await stop(second.desk);
  }, 60_000);

  it('a paper state file written with keys in clear (an older version, or the standalone emulator) is rewritten without them at start', async () => {
    const dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
    const standalone = await startEmulator({ port: 0, stateFile: path.join(dataDir, PAPER_STATE_FILE) });
    standalone.createAccount({ id: 'old', exchange: 'binance', ...BINANCE, spot: { USDT: '5' } });
    await standalone.stop();
    expect(filesHolding(dataDir, [BINANCE.apiKey, BINANCE.secret])).toHaveLength(2);

    const desk = await start(dataDir);
    expect(filesHolding(dataDir, CANARIES)).toEqual([]);
    // The account stays on the paper exchange, unreachable until it is given a key again.
    const emulator = desk.desk.app.services.paper?.emulator;
    expect(emulator?.hasAccount('old')).toBe(true);
    const res = await fetch(`${emulator?.httpUrl ?? ''}/api/v3/account?timestamp=${Date.now()}&signature=00`, {
      headers: { 'x-mbx-apikey': '' },
    });
    expect(res.status).toBe(401);
    await stop(desk.desk);
  }, 60_000);
});
