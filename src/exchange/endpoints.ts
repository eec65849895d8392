import http from 'node:http';
import { ConfigError } from '../domain/errors.ts';
import type { Credentials } from '../services/vault/vault.ts';
import type { ExchangeEnv, ExchangeId, MarketKind } from './types.ts';
import type { PaperUrls } from './venue.ts';
import { venueOf } from './venues.ts';

/** Which ccxt client: an exchange, its market, its environment (and where paper lives). */
export interface ClientSpec {
  exchange: ExchangeId;
  market: MarketKind;
  env: ExchangeEnv;
}

export interface ClientOptions {
  paper?: PaperUrls | undefined;
  /** REST timeout; ccxt's default is 10 s. */
  timeoutMs?: number | undefined;
}

/** The budget bucket of a client: exchanges count weight per API host, i.e. per market and env. */
export function hostKeyOf({ exchange, market, env }: ClientSpec): string {
  return `${exchange}-${market}-${env}`;
}

/** Whether a client's requests go to the paper exchange: paper accounts, and demo ones a venue lets it host. */
export function servedByPaper(spec: ClientSpec, paper: PaperUrls | undefined): boolean {
  return spec.env === 'paper' || (spec.env === 'demo' && paper !== undefined && venueOf(spec.exchange).demoOnPaper);
}

/**
 * How many orders and trades each account's ccxt.pro client keeps for its streams (ccxt keeps
 * 1000 of each). Kept, they are only memory: the watcher takes every update as it comes, and one
 * socket read (64 KiB) holds about a hundred order events, so 200 loses none. Measured in the
 * copy bench: each copy leaves ~4.9 KB of parsed order and trade in its follower's client, so at
 * 1000 each account ends up holding ~5 MB, and 500 followers ~2.4 GB that every major garbage
 * collection walks.
 */
export const STREAM_CACHE_LIMITS = { ordersLimit: 200, tradesLimit: 200 };

/** The ccxt constructor config for one (exchange, market, env). */
export function ccxtConfig(spec: ClientSpec, credentials: Credentials | undefined, options: ClientOptions = {}) {
  const venue = venueOf(spec.exchange);
  const { options: ccxtOptions, has } = venue.clientConfig(spec.market);
  const config: Record<string, unknown> = {
    // ccxt's limiter spaces calls per instance by a fixed cost (a futures order waits 200 ms
    // behind the previous one) and knows nothing of other accounts on the same IP. RateBudget
    // counts what the exchange counts, across accounts, so it is the one limiter.
    enableRateLimit: false,
    options: { ...STREAM_CACHE_LIMITS, ...ccxtOptions },
    ...(has ? { has } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  };
  if (credentials) {
    config['apiKey'] = credentials.apiKey;
    config['secret'] = credentials.secret;
    if (credentials.passphrase) config['password'] = credentials.passphrase;
  }
  if (servedByPaper(spec, options.paper)) {
    if (!options.paper) throw new ConfigError('paper accounts need the paper exchange, which is not running');
    config['urls'] = venue.paperUrls(options.paper);
    // ccxt.pro refuses plain ws:// URLs unless the client has an http agent.
    config['httpAgent'] = new http.Agent();
  }
  return config;
}
