import { createHmac } from 'node:crypto';
import { Rejection } from '../engine/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { permissionsOf } from '../engine/accounts.ts';
import type { Account, ApiKey } from '../engine/types.ts';
import { failHeaders, type FaultRegistry, type HeldRequests } from '../faults.ts';
import { sendJson, sleep, type HttpCall } from '../http.ts';
import { BitgetError, bitgetErrors, fromRejection } from './errors.ts';

const MAX_CLOCK_SKEW_MS = 30_000;

export interface BitgetRequest {
  /** Query parameters (GET) or the JSON body (POST), as strings where the client sent strings. */
  params: Record<string, unknown>;
  call: HttpCall;
}

export interface BitgetAuthedRequest extends BitgetRequest {
  account: Account;
  /** The key the request came with. */
  key: ApiKey;
}

interface RouteBase {
  method: 'GET' | 'POST';
  path: string;
  /** Bitget's per-UID limit for the endpoint, requests per second. */
  perSecond: number;
  orderPlacement?: boolean;
  /** Places or cancels orders: needs the key's spot trade permission (read and write, `stow`). */
  trading?: boolean;
}

export type BitgetRoute =
  | (RouteBase & { private: false; handle: (req: BitgetRequest) => unknown })
  | (RouteBase & { private: true; handle: (req: BitgetAuthedRequest) => unknown });

export function bitgetSign(secret: string, prehash: string): string {
  return createHmac('sha256', secret).update(prehash).digest('base64');
}

function header(call: HttpCall, name: string): string | undefined {
  const value = call.req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** ccxt signs the decoded query while sending it encoded; Bitget accepts the signature over either. */
function queryVariants(rawQuery: string): string[] {
  if (rawQuery === '') return [''];
  const decoded = rawQuery
    .split('&')
    .map((part) =>
      part
        .split('=')
        .map((piece) => decodeURIComponent(piece.replace(/\+/g, ' ')))
        .join('='),
    )
    .join('&');
  return [...new Set([`?${rawQuery}`, `?${decoded}`])];
}

export interface BitgetDeps {
  engine: Engine;
  faults: FaultRegistry;
  held: HeldRequests;
  now: () => number;
}

/** Bitget v2 REST: key, passphrase, clock and signature checks, the demo header, faults, per-UID limits. */
export class BitgetRouter {
  private readonly routes = new Map<string, BitgetRoute>();
  private readonly windows = new Map<string, { second: number; count: number }>();

  constructor(private readonly deps: BitgetDeps) {}

  add(...routes: BitgetRoute[]): this {
    for (const route of routes) this.routes.set(`${route.method} ${route.path}`, route);
    return this;
  }

  handles(path: string): boolean {
    return path.startsWith('/api/v2/');
  }

  async dispatch(call: HttpCall): Promise<void> {
    const endpoint = `${call.method} ${call.path}`;
    const now = this.deps.now();
    try {
      const route = this.routes.get(endpoint);
      if (!route) throw bitgetErrors.notFound();
      const params = this.paramsOf(call);
      if (!route.private) {
        sendJson(call.res, 200, this.envelope(route.handle({ params, call })));
        return;
      }
      const { account, key } = this.authenticate(call);
      const plan = this.deps.faults.plan(account.id, endpoint, route.orderPlacement ?? false);
      if (plan.latencyMs > 0) await sleep(plan.latencyMs);
      if (plan.hold) {
        this.deps.held.hold(call.res);
        return;
      }
      if (plan.fail) {
        const { httpStatus, code, msg } = plan.fail;
        const body = { code: String(code), msg, requestTime: now, data: null };
        sendJson(call.res, httpStatus, body, failHeaders(plan.fail));
        return;
      }
      this.verify(call, account, key);
      if (route.trading && !permissionsOf(key).spotTrading) throw bitgetErrors.noPermission();
      this.countRequest(account.id, route);
      const data = route.handle({ params, call, account, key });
      // Bitget has no "status unknown" code: the client sees its request time out.
      if (plan.unknownStatus || plan.dropAnswer) {
        this.deps.held.hold(call.res);
        return;
      }
      sendJson(call.res, 200, this.envelope(data));
    } catch (err) {
      const error =
        err instanceof BitgetError
          ? err
          : err instanceof Rejection
            ? fromRejection(err)
            : new BitgetError(500, '40010', String(err));
      sendJson(call.res, error.httpStatus, error.body(now));
    }
  }

  private envelope(data: unknown): Record<string, unknown> {
    return { code: '00000', msg: 'success', requestTime: this.deps.now(), data };
  }

  private paramsOf(call: HttpCall): Record<string, unknown> {
    if (call.method === 'GET') return Object.fromEntries(new URLSearchParams(call.rawQuery));
    if (call.rawBody.trim() === '') return {};
    try {
      const body = JSON.parse(call.rawBody) as unknown;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
    } catch {
      // falls through to the parameter error below
    }
    throw bitgetErrors.invalid('body');
  }

  private authenticate(call: HttpCall): { account: Account; key: ApiKey } {
    const apiKey = header(call, 'access-key');
    if (apiKey === undefined) throw bitgetErrors.keyEmpty();
    const account = this.deps.engine.ctx.accountByApiKey(apiKey);
    const key = this.deps.engine.ctx.keyOf(apiKey);
    if (account?.venue !== 'bitget' || !key) throw bitgetErrors.badKey();
    return { account, key };
  }

  private verify(call: HttpCall, account: Account, key: ApiKey): void {
    const sign = header(call, 'access-sign');
    const timestamp = header(call, 'access-timestamp');
    const passphrase = header(call, 'access-passphrase');
    if (sign === undefined) throw bitgetErrors.signEmpty();
    if (timestamp === undefined || !/^\d+$/.test(timestamp)) throw bitgetErrors.badTimestamp();
    if (passphrase === undefined) throw bitgetErrors.passphraseEmpty();
    if (Math.abs(this.deps.now() - Number(timestamp)) > MAX_CLOCK_SKEW_MS) throw bitgetErrors.timestampExpired();
    if (key.passphrase !== undefined && passphrase !== key.passphrase) throw bitgetErrors.badPassphrase();
    const body = call.method === 'GET' ? '' : call.rawBody;
    const matches = queryVariants(call.rawQuery).some(
      (query) => bitgetSign(key.secret, `${timestamp}${call.method}${call.path}${query}${body}`) === sign,
    );
    if (!matches) throw bitgetErrors.badSign();
    const demoHeader = header(call, 'paptrading') === '1';
    if (demoHeader !== account.demo) throw bitgetErrors.wrongEnvironment();
  }

  private countRequest(accountId: string, route: BitgetRoute): void {
    const key = `${accountId} ${route.method} ${route.path}`;
    const second = Math.floor(this.deps.now() / 1000);
    let entry = this.windows.get(key);
    if (entry?.second !== second) {
      entry = { second, count: 0 };
      this.windows.set(key, entry);
    }
    if (++entry.count > route.perSecond) throw bitgetErrors.tooMany();
  }
}
