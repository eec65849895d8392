import type { Db } from '../infra/db/client.ts';
import type { Platform } from '../generated/prisma/enums.ts';

export type AuditOutcome = 'ok' | 'refused' | 'invalid' | 'cancelled' | 'failed';

export interface AuditEntry {
  userId?: number | undefined;
  platform: Platform;
  externalId: string;
  command: string;
  accountId?: string | undefined;
  symbol?: string | undefined;
  outcome: AuditOutcome;
  detail?: string | undefined;
}

/** The audit log: who did what, where, on which account, and how it ended. Never a secret. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.auditLog.create({
      data: { ...entry, detail: entry.detail?.slice(0, 500) },
    });
  }

  async recent(limit = 50) {
    return this.db.auditLog.findMany({ orderBy: { id: 'desc' }, take: limit });
  }
}
