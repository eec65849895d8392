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

/** Confirmations that belong to one asker, expire, and work once. */
export class ConfirmationStore<T> {
  private readonly pending = new Map<string, PendingConfirmation<T>>();

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
    if (!entry) return { status: 'unknown' };
    if (entry.owner !== owner) return { status: 'not_yours' };
    this.pending.delete(id);
    if (entry.expiresAt.getTime() <= this.now()) return { status: 'expired' };
    return { status: 'ok', pending: entry };
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.pending) if (entry.expiresAt.getTime() <= now) this.pending.delete(id);
  }
}
