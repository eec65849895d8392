import { DEMO_ACCOUNTS } from './demo-accounts.ts';
import { startEmulator } from './index.ts';

/**
 * `npm run emulator`: the exchange emulator as its own process, with demo accounts and a random
 * walk, for paper trading against it from another process. EMULATOR_PORT (default 8765) and
 * EMULATOR_STATE_FILE (optional durable JSON persistence: a snapshot and `<file>.wal`) configure it;
 * EMULATOR_COMPACT_BYTES sets how long the write-ahead log grows before it is folded into the snapshot.
 */
function portFromEnv(raw: string | undefined): number {
  const port = Number(raw ?? '8765');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`EMULATOR_PORT must be a port number (0-65535), got "${String(raw)}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const stateFile = process.env['EMULATOR_STATE_FILE'];
  const compact = process.env['EMULATOR_COMPACT_BYTES'];
  const compactAfterBytes = compact ? Number(compact) : undefined;
  if (compactAfterBytes !== undefined && !(Number.isInteger(compactAfterBytes) && compactAfterBytes >= 0)) {
    throw new Error(`EMULATOR_COMPACT_BYTES must be a byte count, got "${String(compact)}"`);
  }
  const emulator = await startEmulator({
    port: portFromEnv(process.env['EMULATOR_PORT']),
    ...(stateFile ? { stateFile } : {}),
    ...(compactAfterBytes === undefined ? {} : { compactAfterBytes }),
  });
  for (const account of DEMO_ACCOUNTS) emulator.createAccount(account);
  emulator.startRandomWalk({ intervalMs: 1000, stepBps: 5 });

  const lines = [
    `exchange emulator listening (loopback only)`,
    `  HTTP      ${emulator.httpUrl}   Binance /api/v3 /fapi/v1..v3 · Bitget /api/v2 · control /_control/*`,
    `  WS        ${emulator.wsUrl}     Binance /ws-api/v3 and /private/ws?listenKey= · Bitget /v2/ws/private`,
    `  state     ${stateFile ? `${stateFile} (+ .wal; every answer waits until it is synced)` : 'in memory'}`,
    `  demo accounts (emulator-only credentials):`,
    ...DEMO_ACCOUNTS.map(
      (a) =>
        `    ${a.id.padEnd(22)} ${a.exchange.padEnd(8)} apiKey=${a.apiKey} secret=${a.secret}${a.passphrase ? ` passphrase=${a.passphrase}` : ''}`,
    ),
    `  prices move by a random walk every second; POST /_control/price {"symbol","price"} to set one`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const shutdown = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
