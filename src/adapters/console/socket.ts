import { createHash } from 'node:crypto';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CONSOLE_CALLER, type App } from '../../app.ts';
import { ConsoleSession } from './session.ts';

/**
 * The running process serves its console on a Unix socket (mode 0600) so that `npm run console`
 * attaches to it instead of opening the same database a second time. One JSON object per line:
 * the client sends `{"line": "..."}` and gets `{"text": "..."}` back for each.
 */
export function consoleSocketPath(dataDir: string): string {
  const preferred = path.join(dataDir, 'console.sock');
  // Unix socket paths are limited to ~107 bytes; deep data directories fall back to /tmp.
  if (Buffer.byteLength(preferred) < 100) return preferred;
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `hedgestack-${digest}.sock`);
}

export interface ConsoleRequest {
  line: string;
}
export interface ConsoleResponse {
  text: string | null;
}

export async function startConsoleSocket(app: App): Promise<net.Server> {
  const socketPath = consoleSocketPath(app.config.dataDir);
  if (existsSync(socketPath)) unlinkSync(socketPath); // we hold the lock: any socket here is stale
  const server = net.createServer((conn) => {
    const session = new ConsoleSession(app.dispatcher, app.services.identity, CONSOLE_CALLER);
    const lines = createInterface({ input: conn, crlfDelay: Infinity });
    let queue = Promise.resolve();
    lines.on('line', (raw) => {
      queue = queue.then(async () => {
        let text: string | null;
        try {
          const request = JSON.parse(raw) as Partial<ConsoleRequest>;
          text = typeof request.line === 'string' ? ((await session.input(request.line)) ?? null) : null;
        } catch (err) {
          app.services.logger.error({ err }, 'console request failed');
          text = 'internal error; see the server log';
        }
        if (!conn.destroyed) conn.write(`${JSON.stringify({ text } satisfies ConsoleResponse)}\n`);
      });
    });
    conn.on('error', () => conn.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  chmodSync(socketPath, 0o600);
  server.on('close', () => {
    if (existsSync(socketPath)) unlinkSync(socketPath);
  });
  return server;
}

/** The client side: sends each line and waits for its answer, in order. */
export class ConsoleSocketClient {
  private readonly waiting: { resolve: (text: string | null) => void; reject: (err: Error) => void }[] = [];

  private constructor(private readonly conn: net.Socket) {
    createInterface({ input: conn, crlfDelay: Infinity }).on('line', (raw) => {
      const { text } = JSON.parse(raw) as ConsoleResponse;
      this.waiting.shift()?.resolve(text);
    });
    conn.on('close', () => {
      const err = new Error('the hedgestack process closed the console connection');
      for (const w of this.waiting.splice(0)) w.reject(err);
    });
  }

  static connect(socketPath: string): Promise<ConsoleSocketClient> {
    return new Promise((resolve, reject) => {
      const conn = net.createConnection(socketPath);
      conn.once('connect', () => resolve(new ConsoleSocketClient(conn)));
      conn.once('error', reject);
    });
  }

  send(line: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.conn.write(`${JSON.stringify({ line } satisfies ConsoleRequest)}\n`);
    });
  }

  close(): void {
    this.conn.end();
  }
}
