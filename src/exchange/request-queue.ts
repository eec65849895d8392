/**
 * 'write' changes the account's orders (place, cancel); 'read' only looks. Writes of one account
 * run one at a time and never overlap a read, so a cancel cannot overtake the order it cancels
 * and a lookup after a timeout sees everything sent before it. Reads overlap each other.
 */
export type RequestMode = 'read' | 'write';

interface Waiting {
  mode: RequestMode;
  start: () => void;
}

/** One account's lane: a FIFO readers–writer lock (a waiting write holds back later reads). */
class AccountLane {
  private reads = 0;
  private writing = false;
  private readonly waiting: Waiting[] = [];

  get size(): number {
    return this.reads + (this.writing ? 1 : 0) + this.waiting.length;
  }

  run<T>(mode: RequestMode, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        mode,
        start: () => {
          task()
            .then(resolve, reject)
            .finally(() => this.finish(mode));
        },
      });
      this.pump();
    });
  }

  private finish(mode: RequestMode): void {
    if (mode === 'write') this.writing = false;
    else this.reads -= 1;
    this.pump();
  }

  private pump(): void {
    for (let next = this.waiting[0]; next; next = this.waiting[0]) {
      if (this.writing) return;
      if (next.mode === 'write') {
        if (this.reads > 0) return;
        this.writing = true;
      } else {
        this.reads += 1;
      }
      this.waiting.shift();
      next.start();
    }
  }
}

/** Serial per account, parallel across accounts: lanes never wait on each other. */
export class RequestQueue {
  private readonly lanes = new Map<string, AccountLane>();

  /** Lanes are kept per account id (a handful of accounts), so a rebuilt client shares its lane. */
  run<T>(accountId: string, mode: RequestMode, task: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(accountId);
    if (!lane) {
      lane = new AccountLane();
      this.lanes.set(accountId, lane);
    }
    return lane.run(mode, task);
  }

  /** Requests of an account running or waiting. */
  pending(accountId: string): number {
    return this.lanes.get(accountId)?.size ?? 0;
  }
}
