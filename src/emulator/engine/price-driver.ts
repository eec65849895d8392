import { dec, floorToStep, str } from './decimal.ts';
import type { Engine } from './engine.ts';
import { allSymbols, priceTick } from './markets.ts';

export interface RandomWalkOptions {
  symbols?: string[];
  intervalMs?: number;
  /** Largest move per tick, in basis points of the current price. */
  stepBps?: number;
  seed?: number;
}

/** mulberry32: a tiny seeded generator, so a random walk with a seed replays the same path. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Drives prices: a seeded random walk for paper mode and benchmarks, scripted paths for tests. */
export class PriceDriver {
  private walk: NodeJS.Timeout | undefined;
  private readonly paths = new Set<{ timer: NodeJS.Timeout | undefined; cancel: () => void }>();

  constructor(private readonly engine: Engine) {}

  startRandomWalk(opts: RandomWalkOptions = {}): void {
    this.stopRandomWalk();
    const symbols = opts.symbols ?? allSymbols();
    const stepBps = opts.stepBps ?? 5;
    const random = seededRandom(opts.seed ?? Date.now());
    this.walk = setInterval(() => {
      for (const symbol of symbols) {
        const current = dec(this.engine.price(symbol));
        // The move is a whole number of hundredths of a basis point, so it stays a clean decimal.
        const hundredthsOfBps = Math.round((random() * 2 - 1) * stepBps * 100);
        const next = floorToStep(current.mul(dec(hundredthsOfBps).div(1_000_000).add(1)), dec(priceTick(symbol)));
        if (next.gt(0)) this.engine.setPrice(symbol, str(next));
      }
    }, opts.intervalMs ?? 1000);
    this.walk.unref();
  }

  stopRandomWalk(): void {
    if (this.walk) clearInterval(this.walk);
    this.walk = undefined;
  }

  /** Sets each price in turn, `intervalMs` apart; resolves after the last one (or when stopped). */
  playPath(symbol: string, prices: string[], intervalMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let index = 0;
      const entry = { timer: undefined as NodeJS.Timeout | undefined, cancel: () => resolve() };
      this.paths.add(entry);
      const step = (): void => {
        try {
          const price = prices[index++];
          if (price !== undefined) this.engine.setPrice(symbol, price);
        } catch (err) {
          this.paths.delete(entry);
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (index >= prices.length) {
          this.paths.delete(entry);
          resolve();
          return;
        }
        entry.timer = setTimeout(step, intervalMs);
      };
      step();
    });
  }

  stop(): void {
    this.stopRandomWalk();
    for (const entry of this.paths) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.cancel();
    }
    this.paths.clear();
  }
}
