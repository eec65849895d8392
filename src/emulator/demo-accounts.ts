import type { AccountSpec } from './api.ts';

/**
 * Demo accounts for paper mode and `npm run emulator`: a Binance leader, a Binance follower and a
 * Bitget follower. The credentials exist only inside the emulator.
 */
export const DEMO_ACCOUNTS: readonly AccountSpec[] = [
  {
    id: 'demo-leader',
    exchange: 'binance',
    apiKey: 'DemoLeaderKey000000000000000000000000000000000000000000000000001',
    secret: 'demo-leader-secret',
    spot: { USDT: '10000', BTC: '0.1', ETH: '1' },
    futures: { USDT: '10000' },
    hedgeMode: true,
  },
  {
    id: 'demo-follower',
    exchange: 'binance',
    apiKey: 'DemoFollowerKey0000000000000000000000000000000000000000000000002',
    secret: 'demo-follower-secret',
    spot: { USDT: '2000' },
    futures: { USDT: '2000' },
    hedgeMode: true,
  },
  {
    id: 'demo-bitget-follower',
    exchange: 'bitget',
    apiKey: 'bg_demo_follower_key',
    secret: 'demo-bitget-secret',
    passphrase: 'demo-passphrase',
    spot: { USDT: '1000' },
  },
];
