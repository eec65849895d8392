import { ConfigError } from './domain/errors.ts';
import { loadConfig, loadDotEnv } from './config/index.ts';
import { createLogger } from './infra/logger.ts';
import { LockHeldError } from './infra/lock.ts';
import { ListenError } from './adapters/http/server.ts';
import { startHedgestack } from './runtime.ts';

async function main(): Promise<void> {
  // Whatever the desk creates (database, its -wal and -shm, state files, lock, socket) is its
  // owner's alone; each of those is also created or chmod-ed 0600 by its own code, this is the net.
  process.umask(0o077);
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  // ccxt.pro leaves some internal promises without a handler (a rejected subscribe, a socket the
  // server closed). Those are stream failures the supervisor already handles; they must not
  // kill the process and with it every other account.
  process.on('unhandledRejection', (reason) => {
    logger.warn(
      { err: reason instanceof Error ? reason.message : String(reason) },
      'unhandled promise rejection (ignored)',
    );
  });
  const running = await startHedgestack(config, { logger });
  logger.info({ mode: config.mode, http: running.httpUrl, dataDir: config.dataDir }, running.summary);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running
      .stop()
      .then(() => {
        logger.info('stopped cleanly');
        logger.flush();
        process.exitCode = 0;
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exitCode = 1;
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof LockHeldError || err instanceof ListenError;
  console.error(`hedgestack: ${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(known ? 2 : 1);
});
