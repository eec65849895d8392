import { createInterface } from 'node:readline';
import { CONSOLE_CALLER, createApp, type App } from '../../app.ts';
import { loadConfig, loadDotEnv } from '../../config/index.ts';
import { ConfigError } from '../../domain/errors.ts';
import { DataDirLock, LockHeldError, liveLockHolder } from '../../infra/lock.ts';
import { createLogger } from '../../infra/logger.ts';
import { PROMPT, transcriptEntry } from './render.ts';
import { ConsoleSession } from './session.ts';
import { ConsoleSocketClient } from './socket.ts';

/**
 * `npm run console`: the command layer at a local prompt, as the local owner. It attaches to a
 * running hedgestack through its socket, or — when none runs — opens the data directory itself.
 * Lines may come from a pipe; the program exits at the end of input.
 */
type Send = (line: string) => Promise<string | null | undefined>;

async function connect(): Promise<{ send: Send; close: () => Promise<void>; where: string }> {
  loadDotEnv();
  const config = loadConfig();
  const holder = liveLockHolder(config.dataDir);
  if (holder?.socket) {
    const client = await ConsoleSocketClient.connect(holder.socket);
    return { send: (l) => client.send(l), close: async () => client.close(), where: `attached to PID ${holder.pid}` };
  }
  if (holder) throw new LockHeldError(holder, config.dataDir);
  const lock = DataDirLock.acquire(config.dataDir);
  const level = process.env['LOG_LEVEL'] ? config.logLevel : 'warn';
  const logger = createLogger({ level, fd: 2, format: config.logFormat });
  let app: App;
  try {
    app = await createApp(config, { logger });
  } catch (err) {
    lock.release();
    throw err;
  }
  // No background streams here, but orders a crash left unanswered are still looked up first.
  await app.services.tracker.recover();
  const session = new ConsoleSession(app.dispatcher, app.services.identity, CONSOLE_CALLER);
  return {
    send: (l) => session.input(l),
    close: async () => {
      await app.close();
      lock.release();
    },
    where: `${config.mode} mode, ${config.dataDir}`,
  };
}

async function main(): Promise<void> {
  const { send, close, where } = await connect();
  const interactive = process.stdin.isTTY;
  const rl = createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
  });
  if (interactive) {
    console.log(`hedgestack console (${where}). /help lists commands; Ctrl-D quits.\n`);
    rl.setPrompt(PROMPT);
    rl.prompt();
  }
  let queue = Promise.resolve();
  rl.on('line', (line) => {
    queue = queue.then(async () => {
      const out = await send(line);
      // Piped input is not on the screen: each line is shown after a prompt, as if typed.
      const entry = transcriptEntry(line, out, !interactive && line.trim() !== '');
      if (entry) console.log(entry);
      if (interactive) rl.prompt();
    });
  });
  await new Promise<void>((resolve) => rl.once('close', resolve));
  await queue;
  await close();
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof LockHeldError;
  console.error(
    `hedgestack console: ${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  process.exit(2);
});
