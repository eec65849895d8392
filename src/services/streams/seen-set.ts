/** A set that forgets its oldest members beyond a bound: enough to de-duplicate replays. */
export class BoundedSet {
  private readonly items = new Set<string>();

  constructor(private readonly max = 20_000) {}

  has(key: string): boolean {
    return this.items.has(key);
  }

  /** Adds the key; false when it was already there. */
  add(key: string): boolean {
    if (this.items.has(key)) return false;
    this.items.add(key);
    if (this.items.size > this.max) {
      const oldest = this.items.values().next();
      if (!oldest.done) this.items.delete(oldest.value);
    }
    return true;
  }

  clear(): void {
    this.items.clear();
  }
}
