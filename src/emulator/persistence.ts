import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ChangeTracker, type Op } from './change-tracker.ts';
import type { Account, EngineState } from './engine/types.ts';

/** Account fields that hold an API key, secret or passphrase (`extraKeys`: the further keys, each with its own). */
const CREDENTIAL_FIELDS = new Set(['apiKey', 'secret', 'passphrase', 'extraKeys']);

function accountWithoutCredentials(account: Account): Account {
  const { passphrase: _passphrase, extraKeys: _extraKeys, ...rest } = account;
  return { ...rest, apiKey: '', secret: '' };
}

/**
 * The state as written when credentials are kept in memory only: every account without any API
 * key, secret or passphrase (its first key's, or those of further keys, `extraKeys`), and no
 * listen keys (each one opens an account's private stream).
 */
export function withoutCredentials(state: EngineState): EngineState {
  const accounts: Record<string, Account> = {};
  for (const [id, account] of Object.entries(state.accounts)) accounts[id] = accountWithoutCredentials(account);
  return { ...state, accounts, listenKeys: {} };
}

/** The log operation without credentials, or undefined when it only carries credentials (or a listen key). */
function redact(op: Op): Op | undefined {
  const [where] = op;
  if (where[0] === 'listenKeys') return where.length === 1 && op.length === 2 ? [where, {}] : undefined;
  if (where[0] !== 'accounts') return op;
  if (where.length >= 3) return CREDENTIAL_FIELDS.has(where[2] ?? '') ? undefined : op;
  if (op.length === 1) return op;
  if (where.length === 2) return [where, accountWithoutCredentials(op[1] as Account)];
  const accounts = op[1] as Record<string, Account>;
  return [where, Object.fromEntries(Object.entries(accounts).map(([id, a]) => [id, accountWithoutCredentials(a)]))];
}

/** Applies one logged operation; the parent of its path exists (the log was written in order). */
function apply(state: EngineState, op: Op, where: string): void {
  const [keys] = op;
  let at: unknown = state;
  for (const key of keys.slice(0, -1)) at = (at as Record<string, unknown> | undefined)?.[key];
  const key = keys.at(-1);
  if (typeof at !== 'object' || at === null || key === undefined)
    throw new Error(`emulator: ${where} changes ${keys.join('.')}, which the state does not have`);
  if (op.length === 1) Reflect.deleteProperty(at, key);
  else if (Array.isArray(at) && key === 'length') at.length = op[1] as number;
  // Defined, not assigned: a key such as "__proto__" (a client order id) stays an own property.
  else Object.defineProperty(at, key, { value: op[1], writable: true, enumerable: true, configurable: true });
}

/**
 * Order, trade and algo ids never go back: each counter is at least the highest id the state holds
 * (the counters are logged with every id handed out; this also covers a state file from elsewhere).
 */
function raiseCounters(state: EngineState): void {
  const { counters } = state;
  for (const account of Object.values(state.accounts)) {
    const books: { orders: Record<string, { id: number }>; trades: { id: number }[] }[] = [
      account.spot,
      account.futures,
    ];
    for (const book of books) {
      for (const order of Object.values(book.orders)) counters.order = Math.max(counters.order, order.id);
      for (const trade of book.trades) counters.trade = Math.max(counters.trade, trade.id);
    }
    for (const algo of Object.values(account.futures.algoOrders)) {
      counters.algo = Math.max(counters.algo, algo.algoId);
      if (algo.orderId !== undefined) counters.order = Math.max(counters.order, algo.orderId);
    }
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function writeAll(fd: number, text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length;) offset += fs.writeSync(fd, bytes, offset);
  return bytes.length;
}

/** The directory entry of a new or renamed file is durable only once the directory is synced. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot open or sync a directory (Windows); the rename itself is atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export interface DurableStateOptions {
  /** false: no API key, secret, passphrase or listen key is ever written, to the snapshot or the log. */
  persistCredentials: boolean;
  /** The log is folded into the snapshot once it is this long and at least as long as the snapshot. */
  compactAfterBytes?: number;
  /** Told when a write fails (the store retries; answers wait meanwhile). Default: stderr. */
  onError?: (err: Error) => void;
}

const DEFAULT_COMPACT_AFTER_BYTES = 4 * 1024 * 1024;
const RETRY_MS = 200;

/**
 * The engine state on disk: a snapshot (`file`, written atomically: temp file, fsync, rename,
 * directory fsync; mode 0600) and a write-ahead log beside it (`file.wal`, 0600) holding every
 * change since, one JSON line per commit: `{"s": seq, "o": [[path, value] | [path], …]}` — each
 * path set to its value, or deleted. Loading reads the snapshot and replays the records after its
 * `walSeq`.
 *
 * Group commit: the first change schedules a commit for the end of the event-loop turn
 * (setImmediate), so every request handled in that turn shares one record and one fdatasync;
 * changes made while that fdatasync runs share the next. `gate` holds every answer back until the
 * changes made before it are durable — REST answers and pushed events alike (server.ts,
 * streams.ts) — so nothing a client was told can be lost by a crash, and no id it saw can be
 * handed out again. A failed write is retried as a whole snapshot; answers wait until it succeeds.
 */
export class DurableState {
  readonly walFile: string;
  private tracker: ChangeTracker<EngineState> | undefined;
  private fd: number | undefined;
  private readonly compactAfterBytes: number;
  /** Sequence number of the last record written. */
  private seq = 0;
  private walBytes = 0;
  private snapshotBytes = 0;
  /** Changes (the tracker's counter) known to be on disk. */
  private durable = 0;
  private waiters: { upto: number; send: () => void }[] = [];
  private scheduled = false;
  private syncing: Promise<void> | undefined;
  private broken = false;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly file: string,
    private readonly opts: DurableStateOptions,
  ) {
    this.walFile = `${file}.wal`;
    this.compactAfterBytes = opts.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
  }

  /** The snapshot with the log replayed on top; undefined when there is neither. */
  load(): EngineState | undefined {
    const snapshot = readIfExists(this.file);
    const log = readIfExists(this.walFile);
    const records = log === undefined ? [] : this.records(log);
    if (snapshot === undefined) {
      if (records.length > 0) throw new Error(`emulator: ${this.walFile} has records but ${this.file} is missing`);
      return undefined;
    }
    const parsed = JSON.parse(snapshot) as Omit<EngineState, 'version'> & { version: unknown; walSeq?: unknown };
    if (parsed.version !== 1)
      throw new Error(`emulator: ${this.file} has unknown state version ${String(parsed.version)}`);
    const walSeq = typeof parsed.walSeq === 'number' ? parsed.walSeq : 0;
    delete parsed.walSeq;
    const state = parsed as EngineState;
    this.seq = walSeq;
    // Records up to walSeq are in the snapshot already (a crash between writing it and emptying the log).
    for (const record of records) {
      if (record.s <= walSeq) continue;
      for (const op of record.o) apply(state, op, `${this.walFile} record ${String(record.s)}`);
      this.seq = record.s;
    }
    raiseCounters(state);
    // An account written without credentials gets a key and secret nobody knows: it answers no
    // request (an empty key or secret would be one anybody can sign with) until createAccount
    // gives it its own.
    for (const account of Object.values(state.accounts)) {
      if (!account.apiKey) account.apiKey = `unset-${randomBytes(16).toString('hex')}`;
      if (!account.secret) account.secret = randomBytes(32).toString('hex');
    }
    return state;
  }

  /** The log's complete records. A torn last line was never synced, so never acknowledged: it is dropped. */
  private records(log: string): { s: number; o: Op[] }[] {
    const lines = log.split('\n');
    const records: { s: number; o: Op[] }[] = [];
    for (const [i, line] of lines.entries()) {
      if (line === '') continue;
      try {
        records.push(JSON.parse(line) as { s: number; o: Op[] });
      } catch {
        const dropped = lines.slice(i).join('\n').length;
        if (i < lines.length - 1)
          this.report(
            new Error(`emulator: ${this.walFile}: dropped ${String(dropped)} bytes after an unfinished record`),
          );
        break;
      }
    }
    return records;
  }

  /**
   * Starts keeping `state`: returns it behind the change tracker (the engine must use that one),
   * with a fresh snapshot written and an empty log opened for what follows.
   */
  open(state: EngineState): EngineState {
    if (this.tracker) throw new Error('emulator: state store already open');
    this.tracker = new ChangeTracker(state, () => this.schedule());
    const dir = path.dirname(this.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A snapshot's temp file that a crash left behind (named by the pid that wrote it) is garbage.
    const base = `${path.basename(this.file)}.`;
    for (const name of fs.readdirSync(dir)) {
      const pid = name.startsWith(base) && name.endsWith('.tmp') ? name.slice(base.length, -'.tmp'.length) : '';
      if (/^\d+$/.test(pid)) fs.rmSync(path.join(dir, name), { force: true });
    }
    this.fd = fs.openSync(this.walFile, 'a', 0o600);
    // Balances and orders are nobody else's business: the file is its owner's only (0600), also
    // when an older one was not.
    fs.fchmodSync(this.fd, 0o600);
    this.compact();
    return this.tracker.state;
  }

  /** Runs `send` once every change made so far is durable: at once when it is. Keeps the order. */
  readonly gate = (send: () => void): void => {
    const upto = this.tracker?.changes ?? 0;
    if (upto <= this.durable && this.waiters.length === 0) send();
    else this.waiters.push({ upto, send });
  };

  /** Writes everything now, as a snapshot (the log starts empty again). */
  flush(): void {
    if (!this.tracker || this.closed) return;
    try {
      this.compact();
    } catch (err) {
      this.fail(err);
      throw err;
    }
  }

  /** A last snapshot; the log is removed (it is empty). Answers still waiting are released. */
  async close(): Promise<void> {
    if (!this.tracker || this.closed) return;
    this.closed = true;
    while (this.syncing) await this.syncing;
    clearTimeout(this.retry);
    this.compact();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.walFile, { force: true });
  }

  private schedule(): void {
    if (this.scheduled || this.syncing || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.commit();
    });
  }

  private commit(): void {
    const tracker = this.tracker;
    if (!tracker || this.closed || this.syncing || !tracker.pending || this.fd === undefined) return;
    if (this.broken) {
      if (!this.retry) this.tryCompact();
      return;
    }
    const taken = tracker.take();
    if ('full' in taken) {
      this.tryCompact();
      return;
    }
    const ops = this.opts.persistCredentials
      ? taken.ops
      : taken.ops.map(redact).filter((op): op is Op => op !== undefined);
    if (ops.length === 0) {
      this.release(taken.upto);
      return;
    }
    const fd = this.fd;
    try {
      this.walBytes += writeAll(fd, `${JSON.stringify({ s: this.seq + 1, o: ops })}\n`);
      this.seq++;
    } catch (err) {
      this.fail(err);
      return;
    }
    this.syncing = new Promise((resolve) => {
      fs.fdatasync(fd, (err) => {
        this.syncing = undefined;
        resolve();
        if (err) {
          this.fail(err);
          return;
        }
        this.release(taken.upto);
        if (this.closed) return;
        if (this.walBytes >= Math.max(this.compactAfterBytes, this.snapshotBytes)) this.tryCompact();
        else this.commit();
      });
    });
  }

  /** Folds everything into a new snapshot and empties the log; every change so far is then durable. */
  private compact(): void {
    const tracker = this.tracker;
    if (!tracker || this.fd === undefined) return;
    const upto = tracker.discard();
    const state = this.opts.persistCredentials ? tracker.root : withoutCredentials(tracker.root);
    const text = JSON.stringify({ ...state, walSeq: this.seq });
    const temp = `${this.file}.${String(process.pid)}.tmp`;
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.fchmodSync(fd, 0o600); // a temp file a crash left behind may have another mode
      this.snapshotBytes = writeAll(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, this.file);
    syncDirectory(path.dirname(this.file));
    // Only now may the log go: until the rename is durable, the old snapshot needs it.
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.walBytes = 0;
    this.broken = false;
    this.release(upto);
  }

  private tryCompact(): void {
    try {
      this.compact();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.broken = true;
    const reason = err instanceof Error ? err.message : String(err);
    this.report(new Error(`emulator: state not written (${reason}); answers wait until it is`));
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.tryCompact();
    }, RETRY_MS);
    this.retry.unref();
  }

  private report(err: Error): void {
    if (this.opts.onError) this.opts.onError(err);
    else process.stderr.write(`${err.message}\n`);
  }

  private release(upto: number): void {
    if (upto > this.durable) this.durable = upto;
    let ready = 0;
    while (ready < this.waiters.length && (this.waiters[ready]?.upto ?? Infinity) <= this.durable) ready++;
    if (ready === 0) return;
    const sends = this.waiters.splice(0, ready);
    for (const { send } of sends) {
      try {
        send();
      } catch (err) {
        this.report(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }
}
