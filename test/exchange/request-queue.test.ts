import { describe, expect, it } from 'vitest';
import { RequestQueue, type RequestMode } from '../../src/exchange/request-queue.ts';
import { settle } from './manual-clock.ts';

/** Requests that run until the test finishes them, so it can see which ones started. */
function recorder() {
  const finishers = new Map<string, () => void>();
  function task(name: string) {
    return () =>
      new Promise<string>((resolve) => {
        finishers.set(name, () => {
          finishers.delete(name);
          resolve(name);
        });
      });
  }
  return {
    task,
    started: (name: string) => finishers.has(name),
    async finish(name: string) {
      finishers.get(name)?.();
      await settle();
    },
  };
}

describe('request queue', () => {
  it('runs the order changes of one account one at a time, in order', async () => {
    const queue = new RequestQueue();
    const r = recorder();
    const results = ['place-1', 'cancel-1', 'place-2'].map((name) => queue.run('sub_a', 'write', r.task(name)));
    await settle();
    expect(['place-1', 'cancel-1', 'place-2'].map(r.started)).toEqual([true, false, false]);
    await r.finish('place-1');
    expect(['cancel-1', 'place-2'].map(r.started)).toEqual([true, false]);
    await r.finish('cancel-1');
    await r.finish('place-2');
    await expect(Promise.all(results)).resolves.toEqual(['place-1', 'cancel-1', 'place-2']);
  });

  it('runs the accounts in parallel: a slow order on one never holds another', async () => {
    const queue = new RequestQueue();
    const r = recorder();
    void queue.run('sub_a', 'write', r.task('a-slow'));
    const b = queue.run('sub_b', 'write', r.task('b-order'));
    await settle();
    expect([r.started('a-slow'), r.started('b-order')]).toEqual([true, true]);
    await r.finish('b-order');
    await expect(b).resolves.toBe('b-order');
    expect(queue.pending('sub_a')).toBe(1);
    await r.finish('a-slow');
  });

  it('lets reads share, but not with an order change, and a waiting change holds later reads', async () => {
    const queue = new RequestQueue();
    const r = recorder();
    const steps: [string, RequestMode][] = [
      ['balance', 'read'],
      ['positions', 'read'],
      ['place', 'write'],
      ['open-orders', 'read'],
    ];
    for (const [name, mode] of steps) void queue.run('main', mode, r.task(name));
    await settle();
    expect(steps.map(([name]) => r.started(name))).toEqual([true, true, false, false]);
    await r.finish('balance');
    expect(r.started('place')).toBe(false);
    await r.finish('positions');
    expect([r.started('place'), r.started('open-orders')]).toEqual([true, false]);
    await r.finish('place');
    expect(r.started('open-orders')).toBe(true);
    await r.finish('open-orders');
    expect(queue.pending('main')).toBe(0);
  });

  it('keeps going after a failed request', async () => {
    const queue = new RequestQueue();
    await expect(queue.run('f1', 'write', () => Promise.reject(new Error('rejected')))).rejects.toThrow('rejected');
    await expect(queue.run('f1', 'write', () => Promise.resolve('next'))).resolves.toBe('next');
  });
});
