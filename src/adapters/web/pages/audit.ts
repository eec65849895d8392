import type { Router } from 'express';
import { z } from 'zod';
import { accountIdSchema } from '../../../domain/account.ts';
import { AUDIT_OUTCOMES, type AuditPage } from '../../../services/audit.ts';
import { describeAuditRow, webActionName, type PrecisionLookup } from '../../../services/audit-sentence.ts';
import type { Services } from '../../../services/index.ts';
import type { WebContext } from '../context.ts';
import { blankToUndefined, wantsPartial } from './page-action.ts';

const DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::(\d{2}))?)?$/;

/**
 * A time typed into the filter, read as UTC: `2026-01-10` or `2026-01-10T14:30`. The end of a
 * range includes the whole day (or minute) it names.
 */
const timeField = (end: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(DATE, 'a date like 2026-01-31, or a date and time like 2026-01-31T14:30 (UTC)')
      .transform((text, ctx) => {
        const [, day = '', hm, ss] = DATE.exec(text) ?? [];
        const at = new Date(`${day}T${hm ?? '00:00'}:${ss ?? '00'}.000Z`);
        if (Number.isNaN(at.getTime())) {
          ctx.addIssue({ code: 'custom', message: 'not a real date' });
          return z.NEVER;
        }
        if (!end) return at;
        const span = hm === undefined ? 86_400_000 : ss === undefined ? 60_000 : 1_000;
        return new Date(at.getTime() + span - 1);
      })
      .optional(),
  );

/** The filters as they come in the query string; empty means any. */
export const auditFilterSchema = z
  .object({
    account: z.preprocess(blankToUndefined, accountIdSchema.optional()),
    user: z.preprocess(blankToUndefined, z.coerce.number().int().positive('a user from the list').optional()),
    command: z.preprocess(blankToUndefined, z.string().trim().max(64, 'at most 64 characters').optional()),
    outcome: z.preprocess(
      blankToUndefined,
      z.enum(AUDIT_OUTCOMES, { error: `one of: ${AUDIT_OUTCOMES.join(', ')}` }).optional(),
    ),
    order: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .regex(/^[\w-]{1,64}$/, 'an exchange order id or a client order id')
        .optional(),
    ),
    from: timeField(false),
    to: timeField(true),
    page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1, 'a page number').optional()),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: 'the end is before the start' });

const FILTER_FIELDS = ['account', 'user', 'command', 'outcome', 'order', 'from', 'to'] as const;
/** The catalog key naming each filter (web.audit.*). */
const LABELS: Record<string, string> = {
  account: 'account',
  user: 'user',
  command: 'action',
  outcome: 'outcome',
  order: 'order',
  from: 'from',
  to: 'to',
  page: 'page',
};

/**
 * The Audit page: filterable by account, user, action, outcome and time; paginated. Each row reads
 * as a sentence in the admin's language, with the orders it placed or cancelled.
 */
export function register(router: Router, web: WebContext): void {
  const { services, t } = web;

  router.get('/audit', async (req, res) => {
    const raw = req.query as Record<string, unknown>;
    const typed: Record<string, string> = {};
    for (const field of FILTER_FIELDS) {
      const value = raw[field];
      if (typeof value === 'string' && value.trim() !== '') typed[field] = value.slice(0, 64);
    }
    const page = typeof raw['page'] === 'string' ? raw['page'].slice(0, 8) : undefined;
    const parsed = web.parseForm(auditFilterSchema, { ...typed, page });
    const [people, accounts, audited, commands] = await Promise.all([
      services.people.list(),
      services.accounts.list(),
      // A deleted account's history stays in the log and must stay filterable.
      services.audit.accountIds(),
      services.audit.commands(),
    ]);
    const accountIds = [...new Set([...accounts.map((a) => a.id), ...audited])].sort();
    let result: AuditPage | undefined;
    if (parsed.ok) {
      const { account, user, command, outcome, order, from, to, page } = parsed.data;
      result = await services.audit.query({
        accountId: account,
        userId: user,
        command,
        outcome,
        order,
        from,
        to,
        page,
      });
    }
    const names = new Map(people.map((p) => [p.id, p.name]));
    const precision = await precisionOfAccounts(services, result?.rows ?? []);
    const data = {
      filters: typed,
      problems: Object.entries(parsed.ok ? {} : parsed.errors).map(([field, message]) => ({
        label: LABELS[field] ? t(`web.audit.${LABELS[field]}`) : field,
        message,
      })),
      rows: (result?.rows ?? []).map((r) => {
        const text = describeAuditRow(t, r, precision);
        return {
          id: r.id,
          at: r.at.toISOString().slice(0, 19).replace('T', ' '),
          user: r.userId === null ? '' : (names.get(r.userId) ?? `#${r.userId}`),
          via: `${r.platform} ${r.externalId}`,
          action: text.action,
          accountId: r.accountId ?? '',
          symbol: r.symbol ?? '',
          outcome: r.outcome,
          outcomeText: text.outcome,
          sentence: text.sentence,
        };
      }),
      total: result?.total ?? 0,
      page: result?.page ?? 1,
      pages: result?.pages ?? 1,
      pageSize: result?.pageSize ?? 0,
      query: (page: number) => new URLSearchParams({ ...typed, page: String(page) }).toString(),
      choices: {
        accounts: accountIds,
        users: people.map((p) => ({ id: String(p.id), name: p.name })),
        // An admin action is typed by its name in the log (`accounts.add`) and shown by its words.
        commands: commands.map((c) => ({ value: c, label: webActionName(t, c) ?? '' })),
        outcomes: AUDIT_OUTCOMES.map((o) => ({ value: o, label: t(`audit.outcome.${o}`) })),
      },
    };
    const status = parsed.ok ? 200 : 422;
    if (wantsPartial(web, req, 'audit-results')) {
      web.render(res, 'partials/audit-results', data, { status, layout: false });
    } else {
      web.render(res, 'audit', data, { status, title: t('web.audit.title'), page: 'audit' });
    }
  });
}

/**
 * The markets of the accounts on the page, so an order's figures read as that market has them
 * (price to the tick, quantity to the step); an account whose exchange is out of reach gets the
 * asset defaults.
 */
async function precisionOfAccounts(
  services: Services,
  rows: readonly { accountId: string | null }[],
): Promise<PrecisionLookup> {
  const ids = [...new Set(rows.flatMap((r) => (r.accountId ? [r.accountId] : [])))];
  const exchanges = new Map(
    await Promise.all(ids.map(async (id) => [id, await services.exchanges.for(id).catch(() => undefined)] as const)),
  );
  return (accountId, symbol) => (accountId ? exchanges.get(accountId)?.precisionOf(symbol) : undefined) ?? {};
}
