/**
 * Work run one piece at a time per key, in arrival order, a failure holding up nothing behind
 * it; a key with nothing queued holds no memory. (One order's events, one VP's TP/SL work.)
 */
export class KeyedLanes<K> {
  private readonly tails = new Map<K, Promise<unknown>>();

  /** Whether something is queued or running for the key. */
  busy(key: K): boolean {
    return this.tails.has(key);
  }

  run<T>(key: K, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}
