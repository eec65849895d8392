/** Something whose writes a window holds back: a Coalescer. */
export interface HeldWriter {
  holdWhile(work: Promise<unknown>): void;
  /** Resolves once everything queued (and not held) is written. */
  settled(): Promise<void>;
}

/** Something that waits until a window's writes are out: fill booking, read-backs. */
export interface HeldFollower {
  holdWhile(work: Promise<unknown>): void;
}

/**
 * One unit of work for a copy fan-out's deferred bookkeeping. While a fan-out waits for its
 * followers' answers, nothing else competes with their orders for the CPU: the writes of order
 * states and intents wait (then go out as one statement each), and after them the fills its
 * followers' streams brought (they find their orders by the answers just written) and the
 * read-backs queued behind it. A window is held for `maxMs` at most, so a copy that hangs until
 * its timeout holds nothing up for long. Every part that defers registers here once; a fan-out
 * opens the window with one call.
 */
export class FanOutWindow {
  private readonly writers: HeldWriter[] = [];
  private readonly followers: HeldFollower[] = [];
  private closing: Promise<void>[] = [];

  /** Writers flush first when a window closes. */
  addWriter(writer: HeldWriter): void {
    this.writers.push(writer);
  }

  /** Followers run once the writers are done. */
  addFollower(follower: HeldFollower): void {
    this.followers.push(follower);
  }

  /** Opens a window while `work` runs (`maxMs` at most); resolves when it closes, never rejects. */
  hold(work: Promise<unknown>, maxMs: number): Promise<void> {
    if (maxMs <= 0) return Promise.resolve();
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      work.then(done, done);
    }).then(() => {
      this.closing = this.closing.filter((c) => c !== closed);
    });
    this.closing.push(closed);
    for (const writer of this.writers) writer.holdWhile(closed);
    const written = closed.then(() => this.written());
    for (const follower of this.followers) follower.holdWhile(written);
    return closed;
  }

  /** Resolves once every writer has written what was queued so far (and not held). */
  async written(): Promise<void> {
    await Promise.all(this.writers.map((writer) => writer.settled()));
  }

  /** Resolves once no window is open and everything held is written: the database is current. */
  async quiet(): Promise<void> {
    while (this.closing.length > 0) await Promise.all(this.closing);
    await this.written();
  }
}
