import { displayHolding } from '../../domain/display-number.ts';
import { newAccountSchema, type AccountKind, type CopyRole, type NewAccountInput } from '../../domain/account.ts';
import { ArgumentError, HedgeError } from '../../domain/errors.ts';
import {
  canTradeMarket,
  KeyCannotTradeError,
  keyWarnings,
  storedKeyPermissions,
  storeKeyPermissions,
  type KeyPermissions,
  type KeyWarning,
} from '../../domain/key-permissions.ts';
import { servedByPaper } from '../../exchange/endpoints.ts';
import { ExchangeAuthError } from '../../exchange/errors.ts';
import type { AccountExchange } from '../../exchange/types.ts';
import type { AccountView } from '../accounts.ts';
import type { Services } from '../index.ts';
import { credentialsSchema, type Credentials } from '../vault/vault.ts';

/** An admin action refused for a reason the owner can act on (delete guard, second leader…). */
export class AccountAdminRefusedError extends HedgeError {}

/** The exchange rejected a key the owner typed (add, rotate): in words that do not say "disabled". */
export class CandidateKeyRejectedError extends HedgeError {}

/**
 * A key refused before it was stored: the account was not added, or keeps its old key. `reason`
 * says why (the exchange's rejection, a key that cannot trade the market, the exchange down).
 */
export class KeyRefusedError extends HedgeError {
  constructor(
    readonly during: 'add' | 'rotate',
    readonly reason: HedgeError,
  ) {
    super(reason.key, reason.params, reason.message);
  }
}

export interface BalanceRow {
  asset: string;
  free: string;
  locked: string;
}

/** What the key may do, as read with it; `permissions` undefined where the exchange cannot tell. */
export interface KeyReading {
  permissions: KeyPermissions | undefined;
  /** Everything risky about the key (it is accepted all the same). */
  warnings: KeyWarning[];
}

export type VerifyResult =
  { ok: true; balances: BalanceRow[]; at: Date; key: KeyReading } | { ok: false; error: HedgeError };

/** Why an account may not be deleted without forcing. */
export interface DeleteBlockers {
  openOrders: number;
  openVps: number;
  activeLeader: boolean;
}

/** An account after an action that checked its key. */
export interface Checked {
  account: AccountView;
  verify: VerifyResult;
}

export interface AccountEdit {
  name: string;
  kind: AccountKind;
  copyRole: CopyRole;
}

type Deps = Pick<Services, 'accounts' | 'exchanges' | 'streams' | 'copy' | 'paper' | 'logger' | 'bus'>;

/** A key's reading before it is stored: balances and permissions. */
interface CheckedKey {
  balances: BalanceRow[];
  permissions: KeyPermissions | undefined;
}

/**
 * What the admin does to accounts, each step in the order the running desk needs: the vault and
 * the row first, then the exchange client rebuilt, the stream restarted or stopped, and the copy
 * engine's roster refreshed — so no restart is ever needed.
 */
export class AccountAdmin {
  constructor(private readonly deps: Deps) {}

  /**
   * Adds an account with its key. The key is checked first, on a client of its own (opened on
   * the paper exchange when the account trades there): the exchange must accept it, and it must
   * be allowed to trade the account's market. A refused key adds nothing (KeyRefusedError). An
   * accepted one is stored with its reading; a key that can withdraw or has no IP restriction is
   * accepted with warnings (and an alert). Then the copy role, and the stream.
   */
  async add(input: NewAccountInput, credentials: Credentials, now = new Date()): Promise<Checked> {
    const account = newAccountSchema.parse(input);
    const creds = this.checkCredentials(account.exchange, credentials);
    if (await this.deps.accounts.find(account.id)) {
      throw new ArgumentError('web.accounts.id_taken', { account: account.id });
    }
    await this.checkCopyRole(account, account.copyRole);
    const checked = await this.checkCandidate('add', account, creds);
    const created = await this.deps.accounts.create({ ...account, copyRole: 'NONE' }, creds, {
      at: now,
      keyPermissions: checked.permissions ? storeKeyPermissions(checked.permissions, now) : null,
    });
    await this.openOnPaper(created);
    const key = this.announce(created.id, checked.permissions, undefined);
    if (account.copyRole !== 'NONE') await this.deps.copy.setCopyRole(created.id, account.copyRole);
    return {
      account: await this.watchIfActive(created.id),
      verify: { ok: true, balances: checked.balances, at: now, key },
    };
  }

  /**
   * Checks the stored key: what it may do, then the free balances. A key the exchange refuses,
   * or that can no longer trade the account's market, disables the account before this returns.
   * The reading is kept on the account; a risk it did not have before raises an alert.
   */
  async verify(id: string, now = new Date()): Promise<VerifyResult> {
    const account = await this.deps.accounts.get(id);
    try {
      const exchange = await this.deps.exchanges.for(id);
      const checked = await this.checkKey(exchange, account);
      await this.deps.accounts.markVerified(id, now);
      const before = storedKeyPermissions(account.keyPermissions);
      await this.deps.accounts.setKeyPermissions(
        id,
        checked.permissions ? storeKeyPermissions(checked.permissions, now) : null,
      );
      const key = this.announce(id, checked.permissions, before);
      return { ok: true, balances: checked.balances, at: now, key };
    } catch (err) {
      if (err instanceof ExchangeAuthError) {
        await this.deps.accounts.setStatus(id, 'DISABLED', err.statusReason);
        await this.deps.streams.unwatch(id);
      }
      if (err instanceof KeyCannotTradeError) await this.disableForPermissions(id, err, now);
      if (err instanceof HedgeError) return { ok: false, error: err };
      throw err;
    }
  }

  /**
   * Every active account the built-in paper exchange serves, checked as Verify checks it: the
   * admin shows when, and what each key may do, from the first start. Local, so it costs
   * milliseconds; a refused key is disabled with its reason, as it would be on Verify.
   */
  async verifyPaperAccounts(
    now = new Date(),
  ): Promise<{ verified: string[]; refused: { account: string; reason: string }[] }> {
    const paper = this.deps.paper;
    const served = paper
      ? (await this.deps.accounts.list()).filter(
          (a) => a.status === 'ACTIVE' && a.hasCredentials && servedByPaper(a, paper.urls),
        )
      : [];
    const results = await Promise.all(
      served.map(async (a) => ({ account: a.id, result: await this.verify(a.id, now) })),
    );
    return {
      verified: results.filter((r) => r.result.ok).map((r) => r.account),
      refused: results.flatMap(({ account, result }) => (result.ok ? [] : [{ account, reason: result.error.key }])),
    };
  }

  /**
   * ACTIVE again (from PAUSED or DISABLED): a fresh client, the key checked (a key whose
   * permissions no longer let it trade the market stays disabled), back in the copy roster, streaming.
   */
  async enable(id: string): Promise<Checked> {
    await this.deps.accounts.get(id);
    await this.deps.exchanges.invalidate(id);
    await this.deps.accounts.setStatus(id, 'ACTIVE');
    const verify = await this.verify(id);
    await this.deps.copy.refreshRoster();
    return { account: await this.watchIfActive(id), verify };
  }

  /** DISABLED with the owner's reason: nothing is sent for it; its stream and client are closed. */
  async disable(id: string, reason: string): Promise<AccountView> {
    const account = await this.deps.accounts.setStatus(id, 'DISABLED', reason);
    await this.deps.streams.unwatch(id);
    await this.deps.exchanges.invalidate(id);
    await this.deps.copy.refreshRoster();
    return account;
  }

  /**
   * New key, secret (and passphrase), checked before anything changes: on a client of its own
   * (the paper exchange learns the key first), accepted by the exchange and allowed to trade the
   * account's market. Refused → KeyRefusedError: the old key stays in the vault, the account's
   * status, client and stream are as they were. Accepted → stored with its reading, the client
   * rebuilt, the stream restarted (an account that is not ACTIVE stays as it is until enabled).
   */
  async rotate(id: string, credentials: Credentials, now = new Date()): Promise<Checked> {
    const account = await this.deps.accounts.get(id);
    const creds = this.checkCredentials(account.exchange, credentials);
    const checked = await this.checkCandidate('rotate', account, creds);
    await this.deps.streams.unwatch(id);
    await this.deps.accounts.setCredentials(id, creds, {
      at: now,
      keyPermissions: checked.permissions ? storeKeyPermissions(checked.permissions, now) : null,
    });
    // The old client goes before the paper exchange retires the old key: nothing is sent with it after.
    await this.deps.exchanges.invalidate(id);
    await this.openOnPaper(await this.deps.accounts.get(id));
    const key = this.announce(id, checked.permissions, undefined);
    return { account: await this.watchIfActive(id), verify: { ok: true, balances: checked.balances, at: now, key } };
  }

  /** Name and kind on the row; a copy-role change through the copy engine, which applies it at once. */
  async edit(id: string, edit: AccountEdit): Promise<AccountView> {
    const account = await this.deps.accounts.get(id);
    if (edit.copyRole !== account.copyRole) await this.checkCopyRole(account, edit.copyRole);
    await this.deps.accounts.update(id, { name: edit.name, kind: edit.kind });
    if (edit.copyRole !== account.copyRole) await this.deps.copy.setCopyRole(id, edit.copyRole);
    return this.deps.accounts.get(id);
  }

  async deleteBlockers(id: string): Promise<DeleteBlockers> {
    const account = await this.deps.accounts.get(id);
    const work = await this.deps.accounts.openWork(id);
    return { ...work, activeLeader: account.copyRole === 'LEADER' && account.status === 'ACTIVE' };
  }

  /**
   * Deletes the account. Refused while it has open orders, open VPs or is the active leader,
   * unless forced with the account id typed as confirmation.
   */
  async remove(id: string, force: { confirm: string } | undefined): Promise<void> {
    const account = await this.deps.accounts.get(id);
    const blockers = await this.deleteBlockers(id);
    const blocked = blockers.openOrders > 0 || blockers.openVps > 0 || blockers.activeLeader;
    if (blocked && !force) {
      throw new AccountAdminRefusedError('web.accounts.delete_blocked', {
        account: id,
        orders: blockers.openOrders,
        vps: blockers.openVps,
        leader: blockers.activeLeader ? 'yes' : 'no',
      });
    }
    if (force && force.confirm.trim() !== account.id) {
      throw new ArgumentError('web.accounts.delete_confirm_mismatch', { account: id });
    }
    await this.deps.streams.unwatch(id);
    await this.deps.exchanges.invalidate(id);
    await this.deps.accounts.remove(id);
    this.deps.copy.balances.forget(id);
    await this.deps.copy.refreshRoster();
  }

  /**
   * A key not stored yet, checked on a throwaway client; any failure refuses it (KeyRefusedError).
   * On the paper exchange the key is made known first, and taken away again when refused.
   */
  private async checkCandidate(
    during: 'add' | 'rotate',
    account: { id: string; exchange: 'binance' | 'bitget'; market: 'spot' | 'usdm'; env: AccountView['env'] },
    credentials: Credentials,
  ): Promise<CheckedKey> {
    const discard = this.deps.paper?.stageKey(account, credentials) ?? (() => undefined);
    try {
      return await this.deps.exchanges.withCandidate(account, credentials, (exchange) =>
        this.checkKey(exchange, account),
      );
    } catch (err) {
      discard();
      if (!(err instanceof HedgeError)) throw err;
      const reason =
        err instanceof ExchangeAuthError
          ? new CandidateKeyRejectedError('web.accounts.candidate_rejected', {
              exchange: String(err.params['exchange']),
              codeRef: String(err.params['codeRef']),
            })
          : err;
      throw new KeyRefusedError(during, reason);
    }
  }

  /**
   * What the key may do first (a key that cannot trade the account's market is refused, whatever
   * else works), then the free balances.
   */
  private async checkKey(
    exchange: AccountExchange,
    account: { id: string; exchange: 'binance' | 'bitget'; market: 'spot' | 'usdm' },
  ): Promise<CheckedKey> {
    const permissions = await exchange.fetchKeyPermissions();
    if (permissions && !canTradeMarket(permissions, account.market)) {
      throw new KeyCannotTradeError(account.id, account.exchange, account.market, permissions);
    }
    const lines = await exchange.fetchBalance();
    const balances = lines
      .filter((b) => !b.total.isZero() || !b.free.isZero())
      .sort((a, b) => a.asset.localeCompare(b.asset))
      .map((b) => ({
        asset: b.asset,
        free: displayHolding(b.free, b.asset),
        locked: displayHolding(b.locked, b.asset),
      }));
    return { balances, permissions };
  }

  /** The key's risks, with an alert for each one the previous reading of the same key did not have. */
  private announce(
    id: string,
    permissions: KeyPermissions | undefined,
    before: KeyPermissions | undefined,
  ): KeyReading {
    const warnings = permissions ? keyWarnings(permissions) : [];
    const known = new Set(before ? keyWarnings(before) : []);
    for (const warning of warnings) {
      if (known.has(warning)) continue;
      this.deps.bus.emit({
        type: 'alert',
        accountId: id,
        category: 'account',
        severity: 'warning',
        key: `alerts.account_key_${warning}`,
        params: { account: id },
      });
    }
    return { permissions, warnings };
  }

  /** The stored key can no longer trade the account's market: disabled as a refused key is, with an alert. */
  private async disableForPermissions(id: string, error: KeyCannotTradeError, now: Date): Promise<void> {
    if (error.permissions) {
      await this.deps.accounts.setKeyPermissions(id, storeKeyPermissions(error.permissions, now));
    }
    await this.deps.accounts.setStatus(id, 'DISABLED', error.statusReason);
    await this.deps.streams.unwatch(id);
    await this.deps.exchanges.invalidate(id);
    await this.deps.copy.refreshRoster();
    this.deps.bus.emit({
      type: 'alert',
      accountId: id,
      category: 'account',
      severity: 'critical',
      key: 'alerts.account_disabled',
      params: { account: id, reason: error.statusReason },
    });
  }

  /** A paper account's stored key becomes its key on the paper exchange (the old one, if any, stops working). */
  private async openOnPaper(account: AccountView): Promise<void> {
    try {
      await this.deps.paper?.register(account);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.deps.logger.warn({ account: account.id, reason }, 'paper account not opened');
    }
  }

  /** Streams an account that is (still) active; a refused key has disabled it by now. */
  private async watchIfActive(id: string): Promise<AccountView> {
    const account = await this.deps.accounts.get(id);
    if (account.status === 'ACTIVE') await this.deps.streams.watch(account);
    return account;
  }

  private checkCredentials(exchange: string, credentials: Credentials): Credentials {
    const parsed = credentialsSchema.safeParse(credentials);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ArgumentError('web.accounts.credentials_invalid', {
        field: String(issue?.path[0] ?? 'apiKey'),
        problem: issue?.message ?? 'invalid',
      });
    }
    const { passphrase, ...rest } = parsed.data;
    if (exchange === 'bitget') {
      if (!passphrase) throw new ArgumentError('web.accounts.passphrase_required');
      return { ...rest, passphrase };
    }
    return rest;
  }

  /** One leader at a time; a follower must be a spot account with a key (the copy engine's rule). */
  private async checkCopyRole(account: { id: string; market: string }, role: CopyRole): Promise<void> {
    if (role === 'LEADER') {
      const leader = (await this.deps.accounts.list()).find((a) => a.copyRole === 'LEADER' && a.id !== account.id);
      if (leader) throw new AccountAdminRefusedError('web.accounts.leader_exists', { leader: leader.id });
    }
    if (role === 'FOLLOWER' && account.market !== 'spot') {
      throw new AccountAdminRefusedError('copy.follower_not_spot', { account: account.id });
    }
  }
}
