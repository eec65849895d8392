import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts';
import { binanceKey, binanceSpot, binanceUsdm, bitgetSpot, bitgetSwap, type Credentials } from './ccxt-clients.ts';

interface Closable {
  close(): Promise<unknown>;
}

/** An emulator plus the ccxt clients a test opened, all closed together. */
export class EmulatorHarness {
  private readonly clients: Closable[] = [];
  private seq = 0;

  private constructor(readonly em: Emulator) {}

  static async start(opts: EmulatorOptions = {}): Promise<EmulatorHarness> {
    return new EmulatorHarness(await startEmulator(opts));
  }

  track<T extends Closable>(client: T): T {
    this.clients.push(client);
    return client;
  }

  /** A fresh Binance account (spot and futures wallets) with a well-formed 64-character key. */
  binanceAccount(
    spot: Record<string, string> = { USDT: '10000' },
    futures: Record<string, string> = { USDT: '10000' },
  ) {
    const id = `bn${String(++this.seq)}`;
    const creds: Credentials = { apiKey: binanceKey(`key${id}`), secret: `secret-${id}` };
    this.em.createAccount({ id, exchange: 'binance', apiKey: creds.apiKey, secret: creds.secret, spot, futures });
    return {
      id,
      creds,
      spot: (options?: Record<string, unknown>) => this.track(binanceSpot(this.em, creds, options)),
      usdm: (options?: Record<string, unknown>) => this.track(binanceUsdm(this.em, creds, options)),
    };
  }

  bitgetAccount(spot: Record<string, string> = { USDT: '1000' }, demo = false) {
    const id = `bg${String(++this.seq)}`;
    const creds: Credentials = { apiKey: `bg_${id}_key`, secret: `bg-${id}-secret`, password: `pass-${id}` };
    this.em.createAccount({
      id,
      exchange: 'bitget',
      apiKey: creds.apiKey,
      secret: creds.secret,
      passphrase: creds.password,
      spot,
      demo,
    });
    return { id, creds, client: () => this.track(bitgetSpot(this.em, creds, demo)) };
  }

  /** A fresh Bitget account with a USDT-FUTURES wallet; hedge (two-way) position mode unless `hedge: false`. */
  bitgetFuturesAccount(
    futures: Record<string, string> = { USDT: '10000' },
    opts: { hedge?: boolean; demo?: boolean } = {},
  ) {
    const id = `bgf${String(++this.seq)}`;
    const creds: Credentials = { apiKey: `bg_${id}_key`, secret: `bg-${id}-secret`, password: `pass-${id}` };
    const demo = opts.demo ?? false;
    this.em.createAccount({
      id,
      exchange: 'bitget',
      apiKey: creds.apiKey,
      secret: creds.secret,
      passphrase: creds.password,
      futures,
      hedgeMode: opts.hedge ?? true,
      demo,
    });
    return { id, creds, client: () => this.track(bitgetSwap(this.em, creds, demo)) };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map((c) => c.close()));
    await this.em.stop();
  }
}

/** Polls until `check` stops throwing (or returns true), for effects that arrive asynchronously. */
export async function eventually(check: () => unknown, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await check()) !== false) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Holds a promise's outcome from the moment it is created, so a rejection that lands while the
 * test awaits something else is not reported as unhandled.
 */
export function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

/** ccxt types order ids as optional; every order the emulator returns has one. */
export function idOf(order: { id?: string | undefined }): string {
  if (order.id === undefined || order.id === '') throw new Error('order without an id');
  return order.id;
}
