import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/infra/db/coalescer.ts';

describe('Coalescer', () => {
  it('writes what arrives in one turn of the event loop with one flush, each caller awaiting its own item', async () => {
    const flushes: number[][] = [];
    const writes = new Coalescer<number>(async (items) => {
      flushes.push(items);
      await Promise.resolve();
    });
    await Promise.all([1, 2, 3].map((n) => writes.write(n)));
    await writes.write(4);
    expect(flushes).toEqual([[1, 2, 3], [4]]);
  });

  it('splits a large turn into batches of at most maxBatch, in arrival order', async () => {
    const flushes: number[][] = [];
    const writes = new Coalescer<number>((items) => {
      flushes.push(items);
      return Promise.resolve();
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => writes.write(n)));
    expect(flushes).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('a failed flush rejects every caller in it, and the next turn flushes again', async () => {
    let fail = true;
    const writes = new Coalescer<number>(() => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve()));
    const results = await Promise.allSettled([writes.write(1), writes.write(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(writes.write(3)).resolves.toBeUndefined();
  });

  it('holds what is written during a fan-out and writes it once, when the fan-out ends', async () => {
    const flushes: number[][] = [];
    const writes = new Coalescer<number>((items) => {
      flushes.push(items);
      return Promise.resolve();
    });
    let end = () => {};
    const fanOut = new Promise<void>((resolve) => (end = resolve));
    writes.holdWhile(fanOut);
    const written = [1, 2, 3].map((n) => writes.write(n));
    await new Promise((r) => setTimeout(r, 20)); // turns pass: nothing is written while held
    written.push(writes.write(4));
    await new Promise((r) => setTimeout(r, 5));
    expect(flushes).toEqual([]);
    end();
    await Promise.all(written);
    await writes.settled();
    expect(flushes).toEqual([[1, 2, 3, 4]]);
  });

  it('settled() waits for a flush under way', async () => {
    let finish = () => {};
    const flushed: number[] = [];
    const writes = new Coalescer<number>(
      (items) =>
        new Promise<void>((resolve) => {
          finish = () => {
            flushed.push(...items);
            resolve();
          };
        }),
    );
    void writes.write(7);
    const settled = writes.settled().then(() => [...flushed]);
    await new Promise((r) => setTimeout(r, 10));
    finish();
    expect(await settled).toEqual([7]);
  });
});
