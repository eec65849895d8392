import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Connection } from './connection.ts';

/**
 * Moves SQLite's WAL checkpoints off the desk's thread.
 *
 * Why: by default the commit that takes the WAL past 1,000 pages copies them into the database
 * file and, with `synchronous = NORMAL`, fsyncs the WAL and the database file before it returns —
 * on the one Node thread that also sends the copies. A copy fan-out to 100 followers dirties
 * ~700 pages (each follower's order, intent and fill sit in index pages of their own), so nearly
 * every fan-out paid a checkpoint inside one of its commits. Measured here, a 100-follower
 * fan-out's four write transactions (event + intents + orders, order states, intents, fills)
 * repeated 300 times: 57.7 ms of wall time per event with SQLite's own checkpoints, 35.6 ms with
 * them on the worker, the process's CPU about the same (25.6 ms and 23.4 ms).
 *
 * How: the desk's connection only checkpoints past a far bound (`SAFETY_PAGES`, ~64 MiB), which
 * it reaches only if the worker stops keeping up. Once the WAL file first passes `startBytes`, a
 * worker thread opens a connection of its own and runs PASSIVE checkpoints every `intervalMs`:
 * PASSIVE takes no writer lock, so the desk's commits go on while it copies and syncs, and the WAL
 * restarts from its beginning at the desk's next commit after a complete one. Databases that
 * never grow (most tests, a quiet desk) never start a worker.
 */
export interface CheckpointerOptions {
  /** WAL size (bytes) from which the worker runs; SQLite's own default threshold is ~4 MiB. */
  startBytes?: number;
  intervalMs?: number;
  /** Told when the worker fails, and when it is given up (at most once a minute per message). */
  onProblem?: (message: string) => void;
}

/** Workers that fail before their first checkpoint, in a row, before SQLite's own checkpoints take over again. */
export const MAX_FAILED_STARTS = 3;
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** The desk connection's own checkpoint threshold while a worker does the work (4 KiB pages). */
export const SAFETY_PAGES = 16_000;

/** What the worker reports after each checkpoint (SQLite's wal_checkpoint row). */
export interface CheckpointReport {
  busy: number;
  log: number;
  checkpointed: number;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
} catch (err) {
  parentPort.postMessage({ kind: 'fatal', message: 'cannot open ' + workerData.file + ': ' + String(err && err.message || err) });
  process.exit(1);
}
db.pragma('synchronous = NORMAL');
// This connection never writes; it closes before the desk's connection does.
db.pragma('wal_autocheckpoint = 0');
function checkpoint() {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ kind: 'checkpoint', busy: row.busy, log: row.log, checkpointed: row.checkpointed });
  } catch (err) {
    parentPort.postMessage({ kind: 'error', message: String(err && err.message || err) });
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs);
checkpoint();
parentPort.on('message', (m) => {
  if (m === 'checkpoint') checkpoint();
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); }
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export class Checkpointer {
  private worker: Worker | undefined;
  private watch: NodeJS.Timeout | undefined;
  private readonly startBytes: number;
  private readonly intervalMs: number;
  private stopped = false;
  private gaveUp = false;
  private failedStarts = 0;
  private lastReport: CheckpointReport | undefined;
  private readonly told = new Map<string, number>();
  private readonly waiting = new Set<{ resolve: (r: CheckpointReport) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly connection: Connection,
    private readonly databaseFile: string,
    private readonly options: CheckpointerOptions = {},
  ) {
    this.startBytes = options.startBytes ?? 4 * 1024 * 1024;
    this.intervalMs = options.intervalMs ?? 250;
    connection.pragma(`wal_autocheckpoint = ${SAFETY_PAGES}`);
    this.watchWal();
  }

  /** Whether the worker runs (the WAL once grew past the start size). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** After MAX_FAILED_STARTS failed workers the desk's connection checkpoints as SQLite does by default. */
  get givenUp(): boolean {
    return this.gaveUp;
  }

  get report(): CheckpointReport | undefined {
    return this.lastReport;
  }

  /** Resolves with the next checkpoint's report (starting the worker now if it is not running). */
  checkpointNow(): Promise<CheckpointReport> {
    if (this.stopped) return Promise.reject(new Error('the checkpointer is stopped'));
    if (this.gaveUp) return Promise.reject(new Error('the checkpoint worker was given up'));
    return new Promise((resolve, reject) => {
      this.waiting.add({ resolve, reject });
      if (this.worker) this.worker.postMessage('checkpoint');
      else this.start();
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.watch);
    this.settle(new Error('the checkpointer is stopped'));
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    // A worker inside a long checkpoint is not waited for beyond a second.
    const timer = setTimeout(() => void worker.terminate(), 1000);
    await exited;
    clearTimeout(timer);
  }

  private watchWal(): void {
    this.watch = setInterval(() => this.startIfGrown(), this.intervalMs);
    this.watch.unref();
  }

  private startIfGrown(): void {
    if (this.worker || this.stopped) return;
    let size = 0;
    try {
      size = statSync(`${this.databaseFile}-wal`).size;
    } catch {
      return;
    }
    if (size >= this.startBytes) this.start();
  }

  private start(): void {
    if (this.worker || this.stopped || this.gaveUp) return;
    clearInterval(this.watch);
    let checkpointed = false;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file: this.databaseFile, intervalMs: this.intervalMs },
    });
    worker.unref();
    worker.on('message', (m: { kind: string; message?: string } & CheckpointReport) => {
      // A worker that cannot start says why, then exits (its exit settles whoever waits).
      if (m.kind === 'fatal') {
        this.problem(`WAL checkpoint worker failed: ${String(m.message)}`);
        return;
      }
      if (m.kind === 'error') {
        this.problem(`WAL checkpoint failed: ${String(m.message)}`);
        this.settle(new Error(String(m.message)));
        return;
      }
      checkpointed = true;
      this.failedStarts = 0;
      this.lastReport = { busy: m.busy, log: m.log, checkpointed: m.checkpointed };
      this.settle(this.lastReport);
    });
    // What a worker throws arrives as it was cloned: an error's message, or a bare value.
    worker.on('error', (err: unknown) => {
      const { message, code } = (typeof err === 'object' && err !== null ? err : {}) as {
        message?: unknown;
        code?: unknown;
      };
      this.problem(`WAL checkpoint worker failed: ${String(message ?? code ?? err)}`);
    });
    // One that exits unasked is started again when the WAL next grows — unless it never got to
    // checkpoint, MAX_FAILED_STARTS times in a row: then SQLite's own checkpoints take over.
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.settle(new Error('the checkpoint worker exited'));
      if (this.stopped) return;
      if (!checkpointed) this.failedStarts++;
      if (this.failedStarts >= MAX_FAILED_STARTS) {
        this.gaveUp = true;
        this.connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
        this.problem(
          `the WAL checkpoint worker failed ${MAX_FAILED_STARTS} times in a row; the desk's own connection checkpoints again (commits may pause while it does)`,
        );
        return;
      }
      this.watchWal();
    });
    this.worker = worker;
  }

  private settle(outcome: CheckpointReport | Error): void {
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const w of waiting) {
      if (outcome instanceof Error) w.reject(outcome);
      else w.resolve(outcome);
    }
  }

  /** Each distinct problem is told once a minute at most. */
  private problem(message: string): void {
    const now = Date.now();
    const last = this.told.get(message);
    if (last !== undefined && now - last < 60_000) return;
    this.told.set(message, now);
    this.options.onProblem?.(message);
  }
}
