import type { Db } from '../infra/db/client.ts';
import type { AuditLog as AuditRow, Prisma } from '../generated/prisma/client.ts';
import type { Platform } from '../generated/prisma/enums.ts';

export const AUDIT_OUTCOMES = ['ok', 'refused', 'invalid', 'cancelled', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Filters of the audit page; every one optional. `from` and `to` are inclusive. */
export interface AuditQuery {
  accountId?: string | undefined;
  userId?: number | undefined;
  /** A command (`copy`) matches itself and its subcommands (`copy start`). */
  command?: string | undefined;
  outcome?: AuditOutcome | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** 1-based. */
  page?: number | undefined;
  pageSize?: number | undefined;
}

export interface AuditPage {
  rows: AuditRow[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

export const AUDIT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

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

  /** One page of the rows matching every filter given, newest first, with the total count. */
  async query(filters: AuditQuery = {}): Promise<AuditPage> {
    const pageSize = Math.min(Math.max(1, Math.trunc(filters.pageSize ?? AUDIT_PAGE_SIZE)), MAX_PAGE_SIZE);
    const where = auditWhere(filters);
    const total = await this.db.auditLog.count({ where });
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const page = Math.min(Math.max(1, Math.trunc(filters.page ?? 1)), pages);
    const rows = await this.db.auditLog.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { rows, total, page, pageSize, pages };
  }

  /** Every command name the log holds, for the filter's choices. */
  /** Every account id the log mentions, deleted accounts included. */
  async accountIds(): Promise<string[]> {
    const rows = await this.db.auditLog.findMany({
      distinct: ['accountId'],
      where: { accountId: { not: null } },
      select: { accountId: true },
    });
    return rows.flatMap((r) => (r.accountId ? [r.accountId] : [])).sort();
  }

  async commands(): Promise<string[]> {
    const rows = await this.db.auditLog.findMany({ distinct: ['command'], select: { command: true } });
    return rows.map((r) => r.command).sort();
  }
}

function auditWhere(q: AuditQuery): Prisma.AuditLogWhereInput {
  const at = { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lte: q.to } : {}) };
  return {
    ...(q.accountId ? { accountId: q.accountId } : {}),
    ...(q.userId !== undefined ? { userId: q.userId } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
    ...(q.from || q.to ? { at } : {}),
    ...(q.command ? { OR: [{ command: q.command }, { command: { startsWith: `${q.command} ` } }] } : {}),
  };
}
