import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.ts';
import { ExchangeClockError } from '../../src/exchange/errors.ts';
import { startDesk, type Desk } from './desk.ts';

/**
 * The machine's clock drifted: the exchange refuses the request time. The trader is told so
 * once; the layer measures the offset to the exchange's clock and the next request goes through.
 */
describe('clock drift', () => {
  let emulator: Emulator | undefined;
  let desk: Desk | undefined;
  afterEach(async () => {
    await desk?.close();
    await emulator?.stop();
  });

  it.each([
    ['binance', 'spot'],
    ['binance', 'usdm'],
    ['bitget', 'spot'],
  ] as const)('%s %s: one refusal, then the layer signs with the exchange time', async (exchange, market) => {
    // The exchange's clock runs 90 s ahead of ours: beyond Binance's recvWindow and Bitget's 30 s.
    emulator = await startEmulator({ now: () => Date.now() + 90_000 });
    desk = await startDesk({ httpUrl: emulator.httpUrl, wsUrl: emulator.wsUrl });
    const credentials = await desk.addAccount('drift', exchange, market);
    emulator.createAccount({ id: 'drift', exchange, ...credentials, spot: { USDT: '100' }, futures: { USDT: '100' } });
    const ex = await desk.clients.for('drift');

    const first = await ex.fetchBalance().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(first).toBeInstanceOf(ExchangeClockError);
    expect((first as Error).message).toMatch(/clock/);
    await expect
      .poll(async () => (await ex.fetchBalance().catch(() => [])).length, { timeout: 3_000 })
      .toBeGreaterThan(0);
  });
});
