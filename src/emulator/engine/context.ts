import { dec, type Dec } from './decimal.ts';
import { EngineEvents } from './events.ts';
import { INITIAL_PRICES } from './markets.ts';
import type { Account, ApiKey, DepthSpec, EngineState } from './types.ts';

export function emptyState(): EngineState {
  return {
    version: 1,
    prices: { ...INITIAL_PRICES },
    // Ids start high so they look like exchange ids and never collide with small test literals.
    counters: { order: 1_000_000, trade: 5_000_000, algo: 3_000 },
    accounts: {},
    listenKeys: {},
  };
}

/** What every engine module shares: the state, the clock, the id counters and the event bus. */
export class EngineContext {
  readonly events = new EngineEvents();
  private readonly byApiKey = new Map<string, string>();

  constructor(
    public state: EngineState,
    readonly now: () => number,
  ) {
    this.reindex();
  }

  replaceState(state: EngineState): void {
    this.state = state;
    this.reindex();
  }

  reindex(): void {
    this.byApiKey.clear();
    for (const account of Object.values(this.state.accounts)) {
      this.byApiKey.set(account.apiKey, account.id);
      for (const key of account.extraKeys ?? []) this.byApiKey.set(key.apiKey, account.id);
    }
  }

  account(id: string): Account {
    const account = this.state.accounts[id];
    if (!account) throw new Error(`emulator: no account "${id}"`);
    return account;
  }

  findAccount(id: string): Account | undefined {
    return this.state.accounts[id];
  }

  accountByApiKey(apiKey: string): Account | undefined {
    const id = this.byApiKey.get(apiKey);
    return id === undefined ? undefined : this.state.accounts[id];
  }

  /** The key record behind an API key (an account's first key or one of its further keys). */
  keyOf(apiKey: string): ApiKey | undefined {
    const account = this.accountByApiKey(apiKey);
    if (!account) return undefined;
    if (account.apiKey === apiKey) {
      return {
        apiKey,
        secret: account.secret,
        ...(account.passphrase === undefined ? {} : { passphrase: account.passphrase }),
        ...(account.permissions ? { permissions: account.permissions } : {}),
        createdAt: account.createdAt,
      };
    }
    return account.extraKeys?.find((key) => key.apiKey === apiKey);
  }

  price(symbol: string): Dec {
    const price = this.state.prices[symbol];
    if (price === undefined) throw new Error(`emulator: no price for ${symbol}`);
    return dec(price);
  }

  /** The symbol's limited depth, or undefined for an infinitely deep book. */
  depth(symbol: string): DepthSpec | undefined {
    return this.state.depth?.[symbol];
  }

  nextOrderId(): number {
    return ++this.state.counters.order;
  }

  nextTradeId(): number {
    return ++this.state.counters.trade;
  }

  nextAlgoId(): number {
    return ++this.state.counters.algo;
  }

  changed(): void {
    this.events.emit({ kind: 'changed' });
  }
}
