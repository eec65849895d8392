import type { Engine } from '../engine/engine.ts';
import type { FaultRegistry, HeldRequests } from '../faults.ts';
import type { StreamRegistry } from '../streams.ts';
import { futuresRoutes } from './futures-routes.ts';
import { FuturesUserStream } from './futures-user-stream.ts';
import { ListenKeyStore } from './listen-keys.ts';
import { marketRoutes } from './market-routes.ts';
import { BinanceRateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { BinanceRouter } from './rest.ts';
import { spotRoutes } from './spot-routes.ts';
import { SpotWsApi } from './spot-ws-api.ts';
import { walletRoutes } from './wallet-routes.ts';

export interface BinanceDepsIn {
  engine: Engine;
  faults: FaultRegistry;
  held: HeldRequests;
  streams: StreamRegistry;
  now: () => number;
  rateLimits?: RateLimitOptions;
}

/** Everything that speaks Binance: REST routes, the spot WS API and the futures user stream. */
export function createBinance(deps: BinanceDepsIn): {
  router: BinanceRouter;
  spotWsApi: SpotWsApi;
  userStream: FuturesUserStream;
  listenKeys: ListenKeyStore;
} {
  const listenKeys = new ListenKeyStore(deps.engine.ctx);
  const limiter = new BinanceRateLimiter(deps.rateLimits ?? {}, deps.now);
  const router = new BinanceRouter({
    engine: deps.engine,
    faults: deps.faults,
    held: deps.held,
    limiter,
    now: deps.now,
  })
    .add(...spotRoutes(deps.engine, deps.now))
    .add(...futuresRoutes(deps.engine, listenKeys, deps.now))
    .add(...walletRoutes())
    .add(...marketRoutes(deps.engine, deps.now));
  return {
    router,
    spotWsApi: new SpotWsApi(deps.engine, deps.streams, deps.now),
    userStream: new FuturesUserStream(deps.engine, listenKeys, deps.streams, deps.now),
    listenKeys,
  };
}
