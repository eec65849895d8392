/**
 * One queue of work per chat: replies in a chat keep their order while chats run side by side.
 * Every task's failure goes to its own handler, never to the caller.
 */
export class ChatQueues {
  private readonly tails = new Map<number | string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  run(chatId: number | string, task: () => Promise<void>, onError: (err: unknown) => Promise<void>): void {
    const previous = this.tails.get(chatId) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch(onError)
      .catch(() => undefined);
    this.tails.set(chatId, next);
    this.running.add(next);
    void next.finally(() => {
      this.running.delete(next);
      if (this.tails.get(chatId) === next) this.tails.delete(chatId);
    });
  }

  /** Waits for the work already queued, at most `timeoutMs` (a reply may be stuck retrying). */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = Promise.all([...this.running]).then(() => true);
    const result = await Promise.race([done, timedOut]);
    clearTimeout(timer);
    return result;
  }

  get size(): number {
    return this.running.size;
  }
}
