import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EngineState } from './engine/types.ts';

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
    return state as EngineState;
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
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${String(process.pid)}.tmp`;
    writeFileSync(temp, JSON.stringify(this.snapshot()));
    renameSync(temp, this.file);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }
}
