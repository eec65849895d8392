import { newAccountSchema, type AccountKind, type CopyRole, type NewAccountInput } from '../../domain/account.ts';
import { ArgumentError, HedgeError } from '../../domain/errors.ts';
import { ExchangeAuthError } from '../../exchange/errors.ts';
import type { AccountView } from '../accounts.ts';
import type { Services } from '../index.ts';
import { credentialsSchema, type Credentials } from '../vault/vault.ts';

/** An admin action refused for a reason the owner can act on (delete guard, second leader…). */
export class AccountAdminRefusedError extends HedgeError {}

export interface BalanceRow {
  asset: string;
  free: string;
  locked: string;
}

export type VerifyResult = { ok: true; balances: BalanceRow[]; at: Date } | { ok: false; error: HedgeError };

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

type Deps = Pick<Services, 'accounts' | 'exchanges' | 'streams' | 'copy' | 'paper' | 'logger'>;

/**
 * What the admin does to accounts, each step in the order the running desk needs: the vault and
 * the row first, then the exchange client rebuilt, the stream restarted or stopped, and the copy
 * engine's roster refreshed — so no restart is ever needed.
 */
export class AccountAdmin {
  constructor(private readonly deps: Deps) {}

  /**
   * Adds an account with its key (opened on the paper exchange when it trades there and is new to
   * it), checks the key at once, and starts its stream only if the key is not refused.
   */
  async add(input: NewAccountInput, credentials: Credentials): Promise<Checked> {
    const account = newAccountSchema.parse(input);
    const creds = this.checkCredentials(account.exchange, credentials);
    if (await this.deps.accounts.find(account.id)) {
      throw new ArgumentError('web.accounts.id_taken', { account: account.id });
    }
    await this.checkCopyRole(account, account.copyRole);
    const created = await this.deps.accounts.create({ ...account, copyRole: 'NONE' }, creds);
    const { paper, logger } = this.deps;
    if (paper && !paper.emulator.hasAccount(created.id)) {
      try {
        await paper.register(created);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        logger.warn({ account: created.id, reason }, 'paper account not opened');
      }
    }
    const verify = await this.verify(created.id);
    if (account.copyRole !== 'NONE') await this.deps.copy.setCopyRole(created.id, account.copyRole);
    return { account: await this.watchIfActive(created.id), verify };
  }

  /**
   * Reads the free balances with the stored key: the key works, or the exchange's refusal. A
   * refused key disables the account (as any refused request does) before this returns.
   */
  async verify(id: string, now = new Date()): Promise<VerifyResult> {
    await this.deps.accounts.get(id);
    try {
      const exchange = await this.deps.exchanges.for(id);
      const lines = await exchange.fetchBalance();
      await this.deps.accounts.markVerified(id, now);
      const balances = lines
        .filter((b) => !b.total.isZero() || !b.free.isZero())
        .sort((a, b) => a.asset.localeCompare(b.asset))
        .map((b) => ({ asset: b.asset, free: b.free.toFixed(), locked: b.locked.toFixed() }));
      return { ok: true, balances, at: now };
    } catch (err) {
      if (err instanceof ExchangeAuthError) {
        await this.deps.accounts.setStatus(id, 'DISABLED', err.statusReason);
        await this.deps.streams.unwatch(id);
      }
      if (err instanceof HedgeError) return { ok: false, error: err };
      throw err;
    }
  }

  /** ACTIVE again (from PAUSED or DISABLED): a fresh client, the key checked, back in the copy roster, streaming. */
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
   * New key, secret (and passphrase): the client is rebuilt with them. An active account has the
   * new key checked at once; a disabled one keeps its status until enabled (which checks it).
   */
  async rotate(id: string, credentials: Credentials): Promise<{ account: AccountView; verify?: VerifyResult }> {
    const account = await this.deps.accounts.get(id);
    const creds = this.checkCredentials(account.exchange, credentials);
    await this.deps.streams.unwatch(id);
    await this.deps.accounts.setCredentials(id, creds);
    await this.deps.exchanges.invalidate(id);
    if (account.status !== 'ACTIVE') return { account: await this.deps.accounts.get(id) };
    const verify = await this.verify(id);
    return { account: await this.watchIfActive(id), verify };
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
