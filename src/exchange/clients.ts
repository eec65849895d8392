import type { Exchange } from 'ccxt';
import { EXCHANGES, MARKETS, ENVS } from '../domain/account.ts';
import { ConfigError } from '../domain/errors.ts';
import { DISABLED_IN_ADMIN } from '../domain/status-reasons.ts';
import type { Logger } from '../infra/logger.ts';
import type { AccountService } from '../services/accounts.ts';
import type { Credentials } from '../services/vault/vault.ts';
import { CcxtAccountExchange } from './account-exchange.ts';
import { newCcxtClient, disposeClient, type RequestGate } from './ccxt-client.ts';
import { hostKeyOf, type ClientSpec } from './endpoints.ts';
import { AccountDisabledError, classifyExchangeError, ExchangeRequestError, type ExchangeAuthError } from './errors.ts';
import { MarketCache } from './markets.ts';
import { RateBudget, systemClock, type Clock } from './rate-budget.ts';
import { RequestQueue } from './request-queue.ts';
import type { AccountExchange } from './types.ts';
import type { PaperUrls } from './venue.ts';
import { venueOf } from './venues.ts';

export interface ExchangeClientsOptions {
  accounts: AccountService;
  logger: Logger;
  /** The paper exchange (emulator) serving `paper` accounts. */
  paper?: PaperUrls | undefined;
  /** REST timeout per request; ccxt's default (10 s) when unset. */
  timeoutMs?: number | undefined;
  clock?: Clock;
}

export type AuthFailureListener = (accountId: string, error: ExchangeAuthError) => void;
export type SymbolTradedListener = (accountId: string, symbol: string) => void;

/**
 * The registry of exchange clients: one per account, built on first use from the account's
 * stored settings and key (decrypted here and only here), never shared between accounts.
 * Markets, the rate budget and the request queue are shared; a failure of one account —
 * a bad key, a rate limit of its own, a dead stream — stays with that account.
 */
export class ExchangeClients {
  readonly budget: RateBudget;
  readonly queue = new RequestQueue();
  readonly markets: MarketCache;
  private readonly instances = new Map<string, Promise<CcxtAccountExchange>>();
  private readonly authListeners = new Set<AuthFailureListener>();
  private readonly symbolListeners = new Set<SymbolTradedListener>();
  private readonly clock: Clock;

  constructor(private readonly options: ExchangeClientsOptions) {
    this.clock = options.clock ?? systemClock;
    this.budget = new RateBudget(this.clock);
    this.markets = new MarketCache((spec) => this.newClient(spec, undefined));
  }

  /** The account's exchange, built once; concurrent first calls share one build. */
  for(accountId: string): Promise<AccountExchange> {
    let pending = this.instances.get(accountId);
    if (!pending) {
      const build = this.build(accountId);
      pending = build;
      this.instances.set(accountId, build);
      // A failed build is not kept: the next call tries again (the key may have been fixed).
      build.catch(() => {
        if (this.instances.get(accountId) === build) this.instances.delete(accountId);
      });
    }
    return pending;
  }

  /**
   * Runs `check` on a throwaway client holding candidate credentials for an account (a key being
   * added, or rotated in), apart from the account's own client: a refusal disables nothing and
   * reaches no listener. The client shares the account's budget and lane, and is closed after.
   */
  async withCandidate<T>(
    account: { id: string; exchange: string; market: string; env: string },
    credentials: Credentials,
    check: (exchange: AccountExchange) => Promise<T>,
  ): Promise<T> {
    const spec = specOf(account);
    const context = { accountId: account.id, exchange: spec.exchange, operation: 'loadMarkets' as const };
    if (spec.env === 'paper' && !this.options.paper) {
      throw new ExchangeRequestError('exchange.paper_not_running', context);
    }
    const client = this.newClient(spec, account.id, credentials);
    try {
      await this.markets.shareWith(client, spec);
    } catch (err) {
      await disposeClient(client);
      throw classifyExchangeError(err, context);
    }
    const candidate = new CcxtAccountExchange({
      accountId: account.id,
      exchange: spec.exchange,
      market: spec.market,
      venue: venueOf(spec.exchange),
      client,
      queue: this.queue,
      onAuthFailure: () => undefined,
    });
    try {
      return await check(candidate);
    } finally {
      await candidate.close();
    }
  }

  /** Forgets an account's client (key rotated, settings or status changed) and closes it. */
  async invalidate(accountId: string): Promise<void> {
    const pending = this.instances.get(accountId);
    this.instances.delete(accountId);
    const instance = await pending?.catch(() => undefined);
    await instance?.close();
  }

  /** Also tell `listener` when an account's key is rejected (after it is disabled). */
  onAuthFailure(listener: AuthFailureListener): () => void {
    this.authListeners.add(listener);
    return () => this.authListeners.delete(listener);
  }

  /** Also tell `listener` the symbol of every order an account sends. */
  onSymbolTraded(listener: SymbolTradedListener): () => void {
    this.symbolListeners.add(listener);
    return () => this.symbolListeners.delete(listener);
  }

  async close(): Promise<void> {
    await Promise.all([...this.instances.keys()].map((id) => this.invalidate(id)));
    await this.markets.close();
  }

  private async build(accountId: string): Promise<CcxtAccountExchange> {
    const account = await this.options.accounts.get(accountId);
    const spec = specOf(account);
    const context = { accountId, exchange: spec.exchange, operation: 'loadMarkets' as const };
    if (account.status === 'DISABLED') {
      throw new AccountDisabledError('exchange.account_disabled', context, {
        params: { reason: account.statusReason ?? DISABLED_IN_ADMIN },
      });
    }
    if (spec.env === 'paper' && !this.options.paper) {
      throw new ExchangeRequestError('exchange.paper_not_running', context);
    }
    const credentials = await this.options.accounts.credentialsFor(accountId);
    const client = this.newClient(spec, accountId, credentials);
    try {
      await this.markets.shareWith(client, spec);
    } catch (err) {
      await disposeClient(client);
      throw classifyExchangeError(err, context);
    }
    return new CcxtAccountExchange({
      accountId,
      exchange: spec.exchange,
      market: spec.market,
      venue: venueOf(spec.exchange),
      client,
      queue: this.queue,
      onAuthFailure: (error) => void this.disableAccount(accountId, error),
      onSymbolTraded: (symbol) => {
        for (const listener of this.symbolListeners) listener(accountId, symbol);
      },
    });
  }

  private newClient(
    spec: ClientSpec,
    accountId: string | undefined,
    credentials?: Parameters<typeof newCcxtClient>[1],
  ): Exchange {
    return newCcxtClient(spec, credentials, this.gate(spec, accountId), {
      paper: this.options.paper,
      timeoutMs: this.options.timeoutMs,
    });
  }

  /** Connects a client's requests to the shared budget, as the host's or the account's. */
  private gate(spec: ClientSpec, account: string | undefined): RequestGate {
    const host = hostKeyOf(spec);
    const venue = venueOf(spec.exchange);
    const limits = venue.limits(spec.market);
    return {
      beforeRequest: (endpoint, hasSymbol) => this.budget.acquire({ host, limits, account, endpoint, hasSymbol }),
      afterResponse: (response) => {
        const hint = venue.rateLimitHint(response, this.clock.now());
        if (!hint) return;
        this.budget.pause(host, account, hint);
        this.options.logger.warn(
          { host, account, scope: hint.scope, until: new Date(hint.untilMs).toISOString(), status: response.status },
          'exchange rate limit hit: requests wait',
        );
      },
    };
  }

  private async disableAccount(accountId: string, error: ExchangeAuthError): Promise<void> {
    const { logger, accounts } = this.options;
    logger.warn(
      { account: accountId, code: error.exchangeCode },
      'exchange rejected the API key: disabling the account',
    );
    try {
      await accounts.setStatus(accountId, 'DISABLED', error.statusReason);
    } catch (err) {
      logger.error({ account: accountId, err }, 'could not mark the account disabled');
    }
    await this.invalidate(accountId);
    for (const listener of this.authListeners) {
      try {
        listener(accountId, error);
      } catch (err) {
        logger.error({ account: accountId, err }, 'auth-failure listener failed');
      }
    }
  }
}

function specOf(account: { id: string; exchange: string; market: string; env: string }): ClientSpec {
  const { exchange, market, env } = account;
  if (!isOneOf(EXCHANGES, exchange) || !isOneOf(MARKETS, market) || !isOneOf(ENVS, env)) {
    throw new ConfigError(`account ${account.id}: unknown exchange/market/env ${exchange}/${market}/${env}`);
  }
  if (!venueOf(exchange).markets.includes(market)) {
    throw new ConfigError(`account ${account.id}: ${exchange} ${market} is not supported`);
  }
  return { exchange, market, env };
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
