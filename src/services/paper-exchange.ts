import path from 'node:path';
import { ArgumentError } from '../domain/errors.ts';
import { startEmulator, type AccountSpec, type Emulator } from '../emulator/index.ts';
import { servedByPaper } from '../exchange/endpoints.ts';
import type { Logger } from '../infra/logger.ts';
import type { AccountService, AccountView } from './accounts.ts';
import { DEMO_BALANCES } from './seed.ts';
import type { Credentials } from './vault/vault.ts';

const DEFAULT_BALANCES = { spot: { USDT: '10000' }, futures: { USDT: '10000' } };

export const PAPER_STATE_FILE = 'paper-exchange.json';

/**
 * Paper mode: the Binance/Bitget-compatible emulator runs in-process on a free loopback port,
 * and every `paper` account is an account on it, with the same keys the vault holds — so paper
 * trading goes through exactly the ccxt code path live trading does. Its state (balances,
 * orders, positions, prices) lives in the data directory (0600) and survives restarts; the keys
 * do not: the emulator holds them in memory only, and every start gives each account its keys
 * again from the vault (an existing account keeps its balances and orders).
 */
export class PaperExchange {
  private constructor(
    readonly emulator: Emulator,
    private readonly accounts: AccountService,
  ) {}

  static async start(dataDir: string, accounts: AccountService, logger: Logger): Promise<PaperExchange> {
    const emulator = await startEmulator({
      port: 0,
      stateFile: path.join(dataDir, PAPER_STATE_FILE),
      persistCredentials: false,
    });
    const paper = new PaperExchange(emulator, accounts);
    for (const account of await accounts.list()) await paper.register(account);
    // Rewritten at once: a file an older version wrote held every key and secret in clear.
    emulator.flush();
    logger.info({ http: emulator.httpUrl }, 'paper exchange running');
    return paper;
  }

  get urls(): { httpUrl: string; wsUrl: string } {
    return { httpUrl: this.emulator.httpUrl, wsUrl: this.emulator.wsUrl };
  }

  /**
   * Opens a paper account on the emulator with the account's own (decrypted) keys; a demo account
   * its venue lets the paper exchange host becomes a demo-trading key there.
   */
  async register(account: AccountView): Promise<void> {
    if (!servedByPaper(account, this.urls) || !account.hasCredentials) return;
    const credentials = await this.accounts.credentialsFor(account.id);
    this.emulator.createAccount(
      this.specOf(account, {
        apiKey: credentials.apiKey,
        secret: credentials.secret,
        ...(credentials.passphrase ? { passphrase: credentials.passphrase } : {}),
      }),
    );
  }

  private specOf(
    account: Pick<AccountView, 'id' | 'exchange' | 'env'>,
    key: { apiKey: string; secret: string; passphrase?: string },
  ): AccountSpec {
    // A demo account opens with its seeded holdings (recorded as accepted at seeding); others get the default.
    const balances = DEMO_BALANCES[account.id] ?? DEFAULT_BALANCES;
    return {
      id: account.id,
      exchange: account.exchange,
      ...key,
      ...balances,
      // Our futures flows (VPs per LONG/SHORT side) are built for hedge mode.
      hedgeMode: true,
      ...(account.env === 'demo' ? { demo: true } : {}),
    };
  }

  /**
   * Makes a key the desk is about to check known to the paper exchange, when the account trades
   * there. A key the emulator knows already is left as it is (what it may do is the emulator's
   * to say); a new one joins the account's keys, with the default permissions, or opens the
   * account. The returned function takes an added key away again (the desk refused it); an
   * accepted key becomes the account's own key at the next `register`.
   */
  stageKey(account: Pick<AccountView, 'id' | 'exchange' | 'market' | 'env'>, credentials: Credentials): () => void {
    if (!servedByPaper(account, this.urls)) return () => undefined;
    const { emulator } = this;
    const owner = emulator.keyOwner(credentials.apiKey);
    if (owner !== undefined) {
      if (owner !== account.id) throw new ArgumentError('web.accounts.paper_key_taken', { account: account.id, owner });
      return () => undefined;
    }
    const key = {
      apiKey: credentials.apiKey,
      secret: credentials.secret,
      ...(credentials.passphrase ? { passphrase: credentials.passphrase } : {}),
    };
    if (!emulator.hasAccount(account.id)) {
      emulator.createAccount(this.specOf(account, key));
      return () => undefined;
    }
    emulator.addKey(account.id, key);
    return () => {
      if (emulator.keyOwner(key.apiKey) === account.id) emulator.removeKey(account.id, key.apiKey);
    };
  }

  /** Prices move on their own, as a market would. */
  startMarket(): void {
    this.emulator.startRandomWalk({ intervalMs: 1_000 });
  }

  async stop(): Promise<void> {
    this.emulator.stopRandomWalk();
    await this.emulator.stop();
  }
}
