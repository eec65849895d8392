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
});
