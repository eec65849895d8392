import type { Emulator, EmulatorBalances, EmulatorOptions } from './api.ts';
import { createBinance } from './binance/index.ts';
import { BitgetPrivateWs } from './bitget/private-ws.ts';
import { BitgetRouter } from './bitget/rest.ts';
import { bitgetMixRoutes } from './bitget/mix-routes.ts';
import { bitgetRoutes } from './bitget/routes.ts';
import { handleControl } from './control.ts';
import type { AccountSpec, KeySpec } from './engine/accounts.ts';
import { emptyState } from './engine/context.ts';
import { Engine, type PositionView } from './engine/engine.ts';
import { PriceDriver, type RandomWalkOptions } from './engine/price-driver.ts';
import type { DepthSpec, KeyPermissions } from './engine/types.ts';
import { FaultRegistry, HeldRequests, type Fault } from './faults.ts';
import type { HttpCall } from './http.ts';
import { DurableState } from './persistence.ts';
import { EmulatorServer } from './server.ts';
import { StreamRegistry } from './streams.ts';

export type * from './api.ts';
export { DEMO_ACCOUNTS } from './demo-accounts.ts';

/**
 * Starts the exchange emulator: Binance spot + USDT-M and Bitget spot v2 wire protocols over one
 * loopback port, driven by one matching engine, so unmodified ccxt works against it.
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const now = opts.now ?? Date.now;
  const engine = new Engine(emptyState(), now);
  // Durable state: the engine works on the loaded state behind a change tracker; every change is
  // in the write-ahead log before any answer or event that reports it leaves (persistence.ts).
  const store =
    opts.stateFile === undefined
      ? undefined
      : new DurableState(opts.stateFile, {
          persistCredentials: opts.persistCredentials !== false,
          ...(opts.compactAfterBytes === undefined ? {} : { compactAfterBytes: opts.compactAfterBytes }),
        });
  if (store) engine.load(store.open(store.load() ?? engine.state));
  const gate = store?.gate;

  const faults = new FaultRegistry();
  const held = new HeldRequests();
  const streams = new StreamRegistry(gate);
  const prices = new PriceDriver(engine);
  const binance = createBinance({
    engine,
    faults,
    held,
    streams,
    now,
    ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}),
  });
  const bitget = new BitgetRouter({ engine, faults, held, now }).add(
    ...bitgetRoutes(engine, now),
    ...bitgetMixRoutes(engine, now),
  );
  const bitgetWs = new BitgetPrivateWs(engine, streams, now);

  // The control surface drives the finished Emulator object, which needs the port first.
  const self: { emulator?: Emulator } = {};
  const control = {
    handles: (path: string) => path.startsWith('/_control/'),
    dispatch: (call: HttpCall) => (self.emulator ? handleControl(self.emulator, call) : Promise.resolve()),
  };
  const server = new EmulatorServer(
    [control, binance.router, bitget],
    [binance.spotWsApi, binance.userStream, bitgetWs],
    streams,
    gate,
  );
  const host = opts.host ?? '127.0.0.1';
  const { port } = await server.listen(opts.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let stopped = false;

  const emulator: Emulator = {
    httpUrl: `http://${urlHost}:${String(port)}`,
    wsUrl: `ws://${urlHost}:${String(port)}`,
    createAccount: (spec: AccountSpec) => void engine.createAccount(spec),
    hasAccount: (id: string) => engine.hasAccount(id),
    keyOwner: (apiKey: string) => engine.ctx.accountByApiKey(apiKey)?.id,
    keys: (accountId: string) => engine.keys(accountId),
    addKey: (accountId: string, key: KeySpec) => void engine.addKey(accountId, key),
    removeKey: (accountId: string, apiKey: string) => engine.removeKey(accountId, apiKey),
    setKeyPermissions: (accountId: string, permissions: Partial<KeyPermissions>, apiKey?: string) =>
      engine.setKeyPermissions(accountId, permissions, apiKey),
    accounts: () => Object.values(engine.state.accounts).map((a) => ({ id: a.id, exchange: a.venue })),
    setPrice: (symbol: string, price: string) => engine.setPrice(symbol, price),
    price: (symbol: string) => engine.price(symbol),
    prices: () => ({ ...engine.state.prices }),
    setDepth: (symbol: string, depth: DepthSpec) => engine.setDepth(symbol, depth),
    clearDepth: (symbol?: string) => engine.clearDepth(symbol),
    depth: () => engine.depth(),
    startRandomWalk: (walk?: RandomWalkOptions) => prices.startRandomWalk(walk),
    stopRandomWalk: () => prices.stopRandomWalk(),
    playPath: (symbol: string, path: string[], intervalMs: number) => prices.playPath(symbol, path, intervalMs),
    balances: (accountId: string): EmulatorBalances => ({
      spot: engine.spotBalances(accountId),
      futures: engine.futuresBalances(accountId),
    }),
    positions: (accountId: string): PositionView[] => engine.positions(accountId),
    fault: (accountId: string, fault: Fault) => faults.add(accountId, fault),
    clearFaults: (accountId?: string) => faults.clear(accountId),
    dropStreams: (accountId: string) => streams.drop(accountId),
    silenceStreams: (accountId: string, silent: boolean) => streams.setSilent(accountId, silent),
    connectedStreams: (accountId: string) => streams.socketsOf(accountId).length,
    expireListenKeys: (accountId: string) => binance.listenKeys.expire(accountId),
    requests: () => Object.fromEntries(server.requestCounts),
    requestLog: () => server.requestLog.map((entry) => ({ ...entry })),
    resetRequests: () => {
      server.requestCounts.clear();
      server.requestLog.length = 0;
    },
    flush: () => store?.flush(),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      prices.stop();
      binance.userStream.stop();
      held.releaseAll();
      await server.close();
      await store?.close();
    },
  };
  self.emulator = emulator;
  return emulator;
}
