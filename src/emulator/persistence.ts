import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Account, EngineState } from './engine/types.ts';

/**
 * The state as written when credentials are kept in memory only: every account without any API
 * key, secret or passphrase (its first key's, or those of further keys, `extraKeys`), and no
 * listen keys (each one opens an account's private stream).
 */
export function withoutCredentials(state: EngineState): EngineState {
  const accounts: Record<string, Account> = {};
  for (const [id, { passphrase: _passphrase, ...account }] of Object.entries(state.accounts)) {
    const copy: Account & { extraKeys?: unknown } = { ...account, apiKey: '', secret: '' };
    delete copy.extraKeys;
    accounts[id] = copy;
  }
  return { ...state, accounts, listenKeys: {} };
}

/**
 * Keeps the engine state in one JSON file. Writes are batched (a burst of fills is one write) and
 * atomic: a temp file renamed over the old one, so a crash never leaves half a state behind.
 */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;
  private firstDirtyAt = 0;

  constructor(
    readonly file: string,
    private readonly snapshot: () => EngineState,
    private readonly debounceMs = 50,
    private readonly maxDelayMs = 500,
  ) {}

  load(): EngineState | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const state = JSON.parse(text) as { version?: unknown };
    if (state.version !== 1)
      throw new Error(`emulator: ${this.file} has unknown state version ${String(state.version)}`);
    const loaded = state as EngineState;
    // An account written without credentials gets a key and secret nobody knows: it answers no
    // request (an empty key or secret would be one anybody can sign with) until createAccount
    // gives it its own.
    for (const account of Object.values(loaded.accounts)) {
      if (!account.apiKey) account.apiKey = `unset-${randomBytes(16).toString('hex')}`;
      if (!account.secret) account.secret = randomBytes(32).toString('hex');
    }
    return loaded;
  }

  /** Called on every change; writes at most `debounceMs` after the last one, `maxDelayMs` after the first. */
  markDirty(): void {
    const now = Date.now();
    if (this.timer === undefined) this.firstDirtyAt = now;
    else clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstDirtyAt + this.maxDelayMs - now));
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${String(process.pid)}.tmp`;
    // Balances and orders are nobody else's business: the file is its owner's only (0600). The
    // mode applies to a new file; the chmod covers a temp file a crash left behind.
    writeFileSync(temp, JSON.stringify(this.snapshot()), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }
}
