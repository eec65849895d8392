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
import { BinanceStreamEndpoint } from './stream-endpoint.ts';
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
  /**
   * Every raw and combined stream socket (`/ws`, `/stream`, `/public`, `/market`, `/private`):
   * spot and USDT-M market streams, and the USDT-M user data stream (FuturesUserStream) by listenKey.
   */
  userStream: BinanceStreamEndpoint;
  listenKeys: ListenKeyStore;
} {
  const listenKeys = new ListenKeyStore(deps.engine.ctx);
  const limiter = new BinanceRateLimiter(deps.rateLimits ?? {}, deps.now);
  // The user stream keeps a socket open after its last listenKey ends if it has market streams too.
  const endpoint: { streams?: BinanceStreamEndpoint } = {};
  const userData = new FuturesUserStream(
    deps.engine,
    listenKeys,
    deps.streams,
    deps.now,
    (socket) => endpoint.streams?.hasMarketStreams(socket) ?? false,
  );
  const streamEndpoint = new BinanceStreamEndpoint(deps.engine, userData, deps.now);
  endpoint.streams = streamEndpoint;
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
    userStream: streamEndpoint,
    listenKeys,
  };
}
