import type { Exchange } from 'ccxt';
import type { Credentials } from '../services/vault/vault.ts';
import { ccxtConfig, type ClientOptions, type ClientSpec } from './endpoints.ts';
import type { ResponseMeta, Venue } from './venue.ts';
import { venueOf } from './venues.ts';

/** Where a request goes through the shared budget: before it is signed, and with its answer. */
export interface RequestGate {
  beforeRequest(endpoint: string, hasSymbol: boolean): Promise<void>;
  afterResponse(response: ResponseMeta): void;
}

/** A ccxt.pro client (REST and streams) for one account, or a public one for loading markets. */
export function newCcxtClient(
  spec: ClientSpec,
  credentials: Credentials | undefined,
  gate: RequestGate,
  options: ClientOptions = {},
): Exchange {
  const venue = venueOf(spec.exchange);
  const client = venue.newClient(spec.market, ccxtConfig(spec, credentials, options));
  // Paper URLs are already local; ccxt's env switches would point them back at real hosts.
  if (spec.env === 'testnet' || spec.env === 'demo') venue.applyEnv(client, spec.env);
  instrument(client, venue, gate);
  trackTimers(client);
  return client;
}

const timers = new WeakMap<Exchange, Set<NodeJS.Timeout>>();

/**
 * ccxt.pro schedules follow-ups (Binance's listenKey keep-alive every 20 min) with bare
 * setTimeout calls it never cancels; kept here, they are cleared when the client is disposed
 * and do not hold the process open.
 */
function trackTimers(client: Exchange): void {
  const pending = new Set<NodeJS.Timeout>();
  timers.set(client, pending);
  client.delay = (timeout: unknown, method: unknown, ...args: unknown[]) => {
    const timer = setTimeout(() => {
      pending.delete(timer);
      // spawn() swallows the task's rejection itself.
      void client.spawn(method, ...args);
    }, Number(timeout));
    timer.unref();
    pending.add(timer);
  };
}

/** Closes a client for good: sockets, scheduled follow-ups, and the HTTP keep-alive pool. */
export async function disposeClient(client: Exchange): Promise<void> {
  for (const timer of timers.get(client) ?? []) clearTimeout(timer);
  timers.get(client)?.clear();
  await client.close().catch(() => undefined);
  // ccxt's close() leaves its undici pool open.
  const dispatcher = client.fetchDispatcher as { close?: () => Promise<void> } | undefined;
  await dispatcher?.close?.().catch(() => undefined);
}

const RESPONSE = Symbol('exchange response');

/**
 * A response as the gate reads it, its headers copied only if asked: most venues judge a
 * response by its status and body, and a fan-out reads a hundred answers at once.
 */
function responseMeta(status: unknown, headers: unknown, body: unknown): ResponseMeta {
  let copied: Record<string, string> | undefined;
  return {
    status: Number(status),
    get headers() {
      copied ??= asHeaders(headers);
      return copied;
    },
    body: String(body),
  };
}

/** The HTTP status, headers and body behind a ccxt error, when a response was received. */
export function responseMetaOf(err: unknown): ResponseMeta | undefined {
  if (typeof err !== 'object' || err === null || !(RESPONSE in err)) return undefined;
  return (err as { [RESPONSE]: ResponseMeta })[RESPONSE];
}

function tag(err: unknown, meta: ResponseMeta): unknown {
  if (typeof err === 'object' && err !== null && !(RESPONSE in err)) {
    Object.defineProperty(err, RESPONSE, { value: meta, enumerable: false });
  }
  return err;
}

function asHeaders(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/**
 * Routes every REST request of the client through the gate *before* ccxt signs it (a request
 * that waited for budget must not carry a stale timestamp), reports every response, and tags
 * errors with the response they came from — ccxt's errors carry only a message.
 */
function instrument(client: Exchange, venue: Venue, gate: RequestGate): void {
  const fetch2 = client.fetch2.bind(client);
  client.fetch2 = async (
    path: unknown,
    api?: unknown,
    method = 'GET',
    params = {},
    headers?: unknown,
    body?: unknown,
    config = {},
  ) => {
    const hasSymbol = typeof params === 'object' && 'symbol' in params;
    await gate.beforeRequest(venue.endpointOf(client, api, method, String(path)), hasSymbol);
    return (await fetch2(path, api, method, params, headers, body, config)) as unknown;
  };

  const onRestResponse = client.onRestResponse.bind(client);
  client.onRestResponse = (
    status: unknown,
    statusText: unknown,
    url: unknown,
    method: unknown,
    responseHeaders: unknown,
    responseBody: unknown,
    requestHeaders: unknown,
    requestBody: unknown,
  ) => {
    gate.afterResponse(responseMeta(status, responseHeaders, responseBody));
    return onRestResponse(
      status,
      statusText,
      url,
      method,
      responseHeaders,
      responseBody,
      requestHeaders,
      requestBody,
    ) as unknown;
  };

  const handleErrors = client.handleErrors.bind(client);
  client.handleErrors = (
    status,
    statusText,
    url,
    method,
    responseHeaders,
    responseBody,
    response: unknown,
    requestHeaders: unknown,
    requestBody: unknown,
  ) => {
    try {
      return handleErrors(
        status,
        statusText,
        url,
        method,
        responseHeaders,
        responseBody,
        response,
        requestHeaders,
        requestBody,
      );
    } catch (err) {
      throw tag(err, { status, headers: asHeaders(responseHeaders), body: responseBody });
    }
  };

  const handleHttpStatusCode = client.handleHttpStatusCode.bind(client);
  client.handleHttpStatusCode = (code: unknown, reason: unknown, url: unknown, method: unknown, body: unknown) => {
    try {
      handleHttpStatusCode(code, reason, url, method, body);
    } catch (err) {
      throw tag(err, { status: Number(code), headers: {}, body: String(body) });
    }
  };
}
