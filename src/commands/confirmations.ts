import { randomBytes } from 'node:crypto';

export interface PendingConfirmation<T> {
  id: string;
  /** `platform:externalId` of the asker; only they may confirm. */
  owner: string;
  expiresAt: Date;
  payload: T;
}

export type TakeResult<T> =
  { status: 'ok'; pending: PendingConfirmation<T> } | { status: 'unknown' | 'expired' | 'not_yours' };

/** How many swept ids are remembered, so a late press still hears "expired" (oldest forgotten first). */
const REMEMBERED_EXPIRED = 1000;

/** Confirmations that belong to one asker, expire, and work once. */
export class ConfirmationStore<T> {
  private readonly pending = new Map<string, PendingConfirmation<T>>();
  /** Ids swept after expiring, with their owner: a press on one says "expired", not "does not exist". */
  private readonly expired = new Map<string, string>();

  constructor(
    private readonly ttlMs = 120_000,
    private readonly now: () => number = Date.now,
  ) {}

  create(owner: string, payload: T): PendingConfirmation<T> {
    this.sweep();
    const entry = {
      id: randomBytes(9).toString('base64url'),
      owner,
      expiresAt: new Date(this.now() + this.ttlMs),
      payload,
    };
    this.pending.set(entry.id, entry);
    return entry;
  }

  take(id: string, owner: string): TakeResult<T> {
    const entry = this.pending.get(id);
    if (!entry) {
      const expiredOwner = this.expired.get(id);
      if (expiredOwner === undefined) return { status: 'unknown' };
      if (expiredOwner !== owner) return { status: 'not_yours' };
      this.expired.delete(id);
      return { status: 'expired' };
    }
    if (entry.owner !== owner) return { status: 'not_yours' };
    this.pending.delete(id);
    if (entry.expiresAt.getTime() <= this.now()) return { status: 'expired' };
    return { status: 'ok', pending: entry };
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.pending) {
      if (entry.expiresAt.getTime() > now) continue;
      this.pending.delete(id);
      this.expired.set(id, entry.owner);
    }
    for (const id of this.expired.keys()) {
      if (this.expired.size <= REMEMBERED_EXPIRED) break;
      this.expired.delete(id);
    }
  }
}
