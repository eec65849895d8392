import { Rejection } from '../engine/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { permissionsOf } from '../engine/accounts.ts';
import type { Account, ApiKey } from '../engine/types.ts';
import { failHeaders, type FaultRegistry, type HeldRequests } from '../faults.ts';
import { sendJson, sleep, type HttpCall } from '../http.ts';
import { BinanceError, errors, fromRejection, type BinanceMarket } from './errors.ts';
import { BinanceParams } from './params.ts';
import { weightHeaders, type BinanceRateLimiter } from './rate-limit.ts';
import { accountForKey, verifySignature } from './signing.ts';

/** NONE: public; USER_STREAM: API key only (listenKey); SIGNED: key + HMAC + timestamp. */
export type Security = 'NONE' | 'USER_STREAM' | 'SIGNED';

export interface BinanceRequest {
  params: BinanceParams;
  call: HttpCall;
}

export interface AuthedRequest extends BinanceRequest {
  account: Account;
  /** The key the request came with. */
  key: ApiKey;
}

interface RouteBase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  market: BinanceMarket;
  /** Request weight as Binance documents it. */
  weight: number | ((params: BinanceParams) => number);
  /** Counts toward the order rate limit and can be hit by the unknown-status fault. */
  orderPlacement?: boolean;
}

export type BinanceRoute =
  | (RouteBase & { security: 'NONE'; handle: (req: BinanceRequest) => unknown })
  | (RouteBase & { security: 'USER_STREAM' | 'SIGNED'; handle: (req: AuthedRequest) => unknown });

export interface BinanceDeps {
  engine: Engine;
  faults: FaultRegistry;
  held: HeldRequests;
  limiter: BinanceRateLimiter;
  now: () => number;
}

export class BinanceRouter {
  private readonly routes = new Map<string, BinanceRoute>();

  constructor(private readonly deps: BinanceDeps) {}

  add(...routes: BinanceRoute[]): this {
    for (const route of routes) this.routes.set(`${route.method} ${route.path}`, route);
    return this;
  }

  handles(path: string): boolean {
    return /^\/(api\/v3|fapi\/v[123]|sapi\/v1)\//.test(path);
  }

  /** Binance's order of checks: weight, API key, (faults), signature and clock, order count, then the call. */
  async dispatch(call: HttpCall): Promise<void> {
    const endpoint = `${call.method} ${call.path}`;
    const route = this.routes.get(endpoint);
    const headers: Record<string, string> = {};
    const market: BinanceMarket = call.path.startsWith('/fapi') ? 'futures' : 'spot';
    try {
      if (!route) throw errors.notFound();
      const params = BinanceParams.from(call.rawQuery, call.rawBody);
      const weight = typeof route.weight === 'number' ? route.weight : route.weight(params);
      // Every answer carries the IP's weight this minute (a refusal carries it itself).
      Object.assign(headers, weightHeaders(this.deps.limiter.charge(route.market, call.ip, weight)));
      if (route.security === 'NONE') {
        sendJson(call.res, 200, route.handle({ params, call }), headers);
        return;
      }
      const apiKey = call.req.headers['x-mbx-apikey'];
      const { account, key } = accountForKey(Array.isArray(apiKey) ? apiKey[0] : apiKey, this.deps.engine.ctx);
      const plan = this.deps.faults.plan(account.id, endpoint, route.orderPlacement ?? false);
      if (plan.latencyMs > 0) await sleep(plan.latencyMs);
      if (plan.hold) {
        this.deps.held.hold(call.res);
        return;
      }
      if (plan.fail) {
        const { httpStatus, code, msg } = plan.fail;
        sendJson(call.res, httpStatus, { code, msg }, { ...headers, ...failHeaders(plan.fail) });
        return;
      }
      if (route.security === 'SIGNED') {
        verifySignature(key.secret, call.rawQuery, call.rawBody, params.all, this.deps.now());
        // Every signed change (orders, cancels, position mode, leverage) needs the key's trading
        // permission for that market; without it Binance answers -2015. Reads need none.
        const permissions = permissionsOf(key);
        const trading = route.market === 'futures' ? permissions.futuresTrading : permissions.spotTrading;
        if (call.method !== 'GET' && !trading) throw errors.badKey();
      }
      // "Every successful order response will contain a X-MBX-ORDER-COUNT-(intervalNum)(intervalLetter) header."
      const orderCounts = route.orderPlacement ? this.deps.limiter.chargeOrder(route.market, account.id) : {};
      const result = route.handle({ params, call, account, key });
      if (plan.unknownStatus) throw errors.unknownStatus();
      if (plan.dropAnswer) {
        this.deps.held.hold(call.res);
        return;
      }
      sendJson(call.res, 200, result, { ...headers, ...orderCounts });
    } catch (err) {
      const error = toBinanceError(err, route?.market ?? market);
      sendJson(call.res, error.httpStatus, error.body, { ...headers, ...error.headers });
    }
  }
}

export function toBinanceError(err: unknown, market: BinanceMarket): BinanceError {
  if (err instanceof BinanceError) return err;
  if (err instanceof Rejection) return fromRejection(err, market);
  return new BinanceError(
    500,
    -1000,
    `An unknown error occured while processing the request. ${err instanceof Error ? err.message : ''}`.trim(),
  );
}
