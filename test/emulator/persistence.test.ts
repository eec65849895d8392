import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { binanceKey, binanceSpot, binanceUsdm } from './ccxt-clients.ts';
import { EmulatorHarness, idOf } from './harness.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hedgestack-emulator-'));
const stateFile = path.join(dir, 'state', 'emulator.json');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('persistence with stateFile', () => {
  it('keeps accounts, balances, orders, trades, positions, prices and client ids across a restart', async () => {
    const creds = { apiKey: binanceKey('persist'), secret: 'persist-secret' };
    const first = await EmulatorHarness.start({ stateFile });
    first.em.createAccount({
      id: 'keeper',
      exchange: 'binance',
      ...creds,
      spot: { USDT: '1000' },
      futures: { USDT: '2000' },
    });
    first.em.setPrice('BTCUSDT', '60000');
    const spot = first.track(binanceSpot(first.em, creds));
    const fut = first.track(binanceUsdm(first.em, creds));
    await spot.createOrder('BTC/USDT', 'market', 'buy', 0.001, undefined, { clientOrderId: 'kept-market' });
    const resting = await spot.createOrder('BTC/USDT', 'limit', 'buy', 0.002, 55000, { clientOrderId: 'kept-limit' });
    await fut.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.01);
    first.em.setPrice('BTCUSDT', '61000');
    const balancesBefore = first.em.balances('keeper');
    await first.close();

    const files = readdirSync(path.dirname(stateFile));
    expect(files).toEqual(['emulator.json']);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ version: 1, prices: { BTCUSDT: '61000' } });

    const second = await EmulatorHarness.start({ stateFile });
    try {
      expect(second.em.hasAccount('keeper')).toBe(true);
      expect(second.em.price('BTCUSDT')).toBe('61000');
      expect(second.em.balances('keeper')).toEqual(balancesBefore);
      expect(second.em.positions('keeper')).toMatchObject([
        { symbol: 'BTCUSDT', positionAmt: '0.01', entryPrice: '60000' },
      ]);

      // The same credentials work against the new process; createAccount does not wipe state.
      second.em.createAccount({ id: 'keeper', exchange: 'binance', ...creds, spot: { USDT: '1' } });
      const again = second.track(binanceSpot(second.em, creds));
      expect((await again.fetchOpenOrders('BTC/USDT')).map((o) => o.id)).toEqual([resting.id]);
      expect((await again.fetchOrder('', 'BTC/USDT', { clientOrderId: 'kept-market' })).status).toBe('closed');
      await expect(
        again.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'kept-limit' }),
      ).rejects.toThrow(/Duplicate/);
      expect(await again.fetchMyTrades('BTC/USDT')).toHaveLength(1);

      // The resting order is matched again after the restart.
      second.em.setPrice('BTCUSDT', '54000');
      expect((await again.fetchOrder(idOf(resting), 'BTC/USDT')).status).toBe('closed');
    } finally {
      await second.close();
    }
  });

  it('starts empty when the state file does not exist yet', async () => {
    const fresh = await EmulatorHarness.start({ stateFile: path.join(dir, 'new', 'state.json') });
    try {
      expect(fresh.em.accounts()).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
