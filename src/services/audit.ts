import { HedgeError } from '../domain/errors.ts';
import type { Db } from '../infra/db/client.ts';
import { scrubSecrets } from '../infra/secret-scrubber.ts';
import type { AuditLog as AuditRow, Order, Prisma } from '../generated/prisma/client.ts';
import type { Platform } from '../generated/prisma/enums.ts';

/** `unchanged`: accepted, but there was nothing to do (alerts already off): never called `ok`. */
export const AUDIT_OUTCOMES = ['ok', 'unchanged', 'refused', 'invalid', 'cancelled', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * A parameter of an audit message: a value as the desk has it (`trader`, `ACTIVE`, an account
 * id), or a list of them, read back as the reader's words (src/services/audit-sentence.ts).
 */
export type AuditParam = string | number | readonly string[];

/** A catalog message, kept as key and parameters so each reader gets it in their own language. */
export interface AuditMessage {
  key: string;
  params?: Readonly<Record<string, AuditParam>> | undefined;
}

/** An error as the audit keeps it: its message; anything else is a bug, told as such. */
export function auditMessageOf(err: unknown): AuditMessage {
  return err instanceof HedgeError ? { key: err.key, params: err.params } : { key: 'audit.internal_error' };
}

/**
 * A message whose `{{reason}}` is another message: the inner key travels as `reason` and its
 * parameters beside it, so the reader's catalog renders the two as one sentence.
 */
export function withReason(key: string, reason: AuditMessage, params: Record<string, AuditParam> = {}): AuditMessage {
  return { key, params: { ...reason.params, ...params, reason: reason.key } };
}

/** An order as the audit keeps it: what was sent and how it stood when the command ended. */
export interface AuditOrder {
  clientOrderId: string;
  exchangeOrderId: string | null;
  symbol: string;
  side: string;
  type: string;
  positionSide: string | null;
  /** Base quantity, or `cost` (a quote amount); exact decimal strings as stored. */
  amount: string | null;
  cost: string | null;
  price: string | null;
  status: string;
  filledQty: string;
  avgPrice: string | null;
}

/** What an audit row is about, beyond who, where and how it ended (the `facts` column). */
export interface AuditFacts {
  /** The command as it ran, in the form one could type it again (`/order main BTC/USDT buy 0.01`). */
  line?: string | undefined;
  /** The command's arguments as validated, as text (decimals exact). */
  args?: Record<string, string> | undefined;
  /** Why it was refused, invalid, unchanged or failed. */
  reason?: AuditMessage | undefined;
  /** What an admin action changed, or would have: one message for each thing (a field, the key). */
  change?: AuditMessage[] | undefined;
  orders?: AuditOrder[] | undefined;
}

export function auditOrderOf(order: Order): AuditOrder {
  return {
    clientOrderId: order.clientOrderId,
    exchangeOrderId: order.exchangeOrderId,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    positionSide: order.positionSide,
    amount: order.amount,
    cost: order.cost,
    price: order.price,
    status: order.status,
    filledQty: order.filledQty,
    avgPrice: order.avgPrice,
  };
}

/** The facts of a row as written; a row from before the column, or one that does not parse, has none. */
export function auditFactsOf(row: Pick<AuditRow, 'facts'>): AuditFacts {
  if (!row.facts) return {};
  try {
    const parsed = JSON.parse(row.facts) as AuditFacts | null;
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/** Longest argument or parameter text kept: an echoed value is evidence, not a payload. */
const MAX_VALUE = 80;

/** Most items of a list parameter kept. */
const MAX_ITEMS = 20;

/**
 * A value as it is kept: cut to length, and without any credential the vault handled — scrubbed
 * value by value, where JSON's escaping cannot hide one from the scrubber.
 */
function clip(value: string, max = MAX_VALUE): string {
  const clean = scrubSecrets(value);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

function clipParam(value: AuditParam): AuditParam {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return clip(value);
  return value.slice(0, MAX_ITEMS).map((item) => clip(item));
}

function clipMessage(m: AuditMessage): AuditMessage {
  const params = m.params && Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k, clipParam(v)]));
  return { key: m.key, ...(params ? { params } : {}) };
}

function serializeFacts(facts: AuditFacts | undefined): string | undefined {
  if (!facts) return undefined;
  const kept: AuditFacts = {
    ...(facts.line ? { line: clip(facts.line, 200) } : {}),
    ...(facts.args && Object.keys(facts.args).length > 0
      ? { args: Object.fromEntries(Object.entries(facts.args).map(([k, v]) => [k, clip(v)])) }
      : {}),
    ...(facts.reason ? { reason: clipMessage(facts.reason) } : {}),
    ...(facts.change && facts.change.length > 0 ? { change: facts.change.map(clipMessage) } : {}),
    ...(facts.orders && facts.orders.length > 0 ? { orders: facts.orders } : {}),
  };
  // And over the whole, for the orders' fields too.
  return Object.keys(kept).length === 0 ? undefined : scrubSecrets(JSON.stringify(kept));
}

/** Filters of the audit page; every one optional. `from` and `to` are inclusive. */
export interface AuditQuery {
  accountId?: string | undefined;
  userId?: number | undefined;
  /** A command (`copy`) matches itself and its subcommands (`copy start`). */
  command?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** An exchange order id or a client order id: the rows of the commands that moved that order. */
  order?: string | undefined;
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
  /** A few English words for whoever reads the table itself; readers of the log get `facts`. */
  detail?: string | undefined;
  facts?: AuditFacts | undefined;
}

/** The audit log: who did what, where, on which account, and how it ended. Never a secret. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  async record(entry: AuditEntry): Promise<void> {
    const { facts, detail, ...row } = entry;
    await this.db.auditLog.create({
      data: { ...row, detail: detail === undefined ? null : clip(detail, 500), facts: serializeFacts(facts) ?? null },
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
  const either: Prisma.AuditLogWhereInput[] = [];
  if (q.command) either.push({ OR: [{ command: q.command }, { command: { startsWith: `${q.command} ` } }] });
  if (q.order) {
    // The ids as the facts JSON spells them: a whole id, not a part of another one.
    const id = JSON.stringify(q.order);
    either.push({
      OR: [{ facts: { contains: `"clientOrderId":${id}` } }, { facts: { contains: `"exchangeOrderId":${id}` } }],
    });
  }
  return {
    ...(q.accountId ? { accountId: q.accountId } : {}),
    ...(q.userId !== undefined ? { userId: q.userId } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
    ...(q.from || q.to ? { at } : {}),
    ...(either.length > 0 ? { AND: either } : {}),
  };
}
