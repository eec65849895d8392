import type { Request, Response } from 'express';
import { z } from 'zod';
import { ArgumentError, HedgeError, NotFoundError } from '../../../domain/errors.ts';
import { auditMessageOf, type AuditMessage } from '../../../services/audit.ts';
import { SECRET_FIELDS, type Flash, type WebContext } from '../context.ts';

/** A form field left empty is an argument not given. */
export const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A numeric id from the path (`/people/3/role`). */
export const idParam = z.coerce.number({ error: 'not an id' }).int().positive('not an id');

/** What a page shows after an action: its errors next to the form they belong to, or a notice. */
export interface ActionView {
  status: number;
  /** Which form (and row) the errors belong to: `link:3`, `add`. */
  form?: string;
  errors?: Record<string, string>;
  values?: Record<string, string>;
  notice?: Flash;
}

/** What an action did: words for the admin now, catalog messages for the audit log. */
export interface ActionDone {
  /** The notice or flash, in the admin's language. */
  text: string;
  /** What changed, each thing a message (`changed('role', 'viewer', 'trader')`). */
  change?: AuditMessage[];
  /** There was nothing to do, and why: the row says `unchanged`, never `ok`. */
  unchanged?: AuditMessage;
}

/** One field's change for the audit: its old and new value as the desk has them; '' is none. */
export function changed(field: string, from: string, to: string): AuditMessage {
  return { key: 'audit.web.changed', params: { field, from, to } };
}

/** The fields of `before` and `after` that differ, each as `changed`. */
export function changesOf<F extends string>(
  before: Readonly<Record<F, string | null>>,
  after: Readonly<Record<F, string | null>>,
  fields: readonly F[],
): AuditMessage[] {
  return fields
    .filter((f) => (before[f] ?? '') !== (after[f] ?? ''))
    .map((f) => changed(f, before[f] ?? '', after[f] ?? ''));
}

/** Why a form was not run: the fields that did not fit, by name (their values may be secrets). */
export function invalidFields(errors: Record<string, string>): AuditMessage {
  return { key: 'audit.web.invalid_fields', params: { fields: Object.keys(errors) } };
}

export interface ActionSpec<S extends z.ZodType> {
  /** The audit log's action: `people.grant`. */
  command: string;
  form: string;
  schema: S;
  /** Extra input merged over the body (path parameters). */
  input?: Record<string, unknown>;
  accountOf?: (data: z.output<S>) => string | undefined;
  /** The form field a refusal is about; undefined: the whole action. */
  fieldOf?: (err: HedgeError) => string | undefined;
  /** Does the change through a service; returns the words for the admin and what the audit keeps. */
  run(data: z.output<S>): Promise<ActionDone>;
  /** Renders the page again (or, for an htmx request, only the part that changed). */
  show(view: ActionView): Promise<void>;
  /** Where a plain form goes after a success (303). */
  back: string;
  /** The element an htmx form swaps: it gets a notice instead of a redirect. */
  targetId: string;
}

/**
 * An htmx call aimed at one part of the page (the element `targetId`), which gets only that part
 * back. A boosted link or form, and a history restore, want the whole page.
 */
export function wantsPartial(web: WebContext, req: Request, targetId: string): boolean {
  return (
    web.isHtmx(req) &&
    req.get('hx-boosted') !== 'true' &&
    req.get('hx-history-restore-request') !== 'true' &&
    req.get('hx-target') === targetId
  );
}

/**
 * One admin action the same way on every page: validate with the command's schema, change through
 * the service, write an audit row whatever the outcome, then 303 back (no JS) or re-render the
 * changed part (htmx). A bad field or a refusal re-renders with the reason next to the form.
 */
export async function runAction<S extends z.ZodType>(
  web: WebContext,
  req: Request,
  res: Response,
  spec: ActionSpec<S>,
): Promise<void> {
  const raw = { ...(req.body as Record<string, unknown> | undefined), ...spec.input };
  const parsed = web.parseForm(spec.schema, raw);
  if (!parsed.ok) {
    await web.audit(res, { command: spec.command, outcome: 'invalid', reason: invalidFields(parsed.errors) });
    return spec.show({ status: 422, form: spec.form, errors: parsed.errors, values: parsed.values });
  }
  const accountId = spec.accountOf?.(parsed.data);
  let done: ActionDone;
  try {
    done = await spec.run(parsed.data);
  } catch (err) {
    if (!(err instanceof HedgeError)) throw err;
    const message = web.describeError(err);
    const invalid = err instanceof ArgumentError;
    await web.audit(res, {
      command: spec.command,
      accountId,
      outcome: invalid ? 'invalid' : 'refused',
      reason: auditMessageOf(err),
    });
    const status = err instanceof NotFoundError ? 404 : invalid ? 422 : 409;
    const field = err instanceof NotFoundError ? undefined : spec.fieldOf?.(err);
    // A refusal of the whole action (or of a thing that is gone, whose row is no longer shown)
    // heads the part that changed; one about a field stands next to that field.
    if (field === undefined) return spec.show({ status, notice: { kind: 'error', text: message } });
    return spec.show({ status, form: spec.form, errors: { [field]: message }, values: stringsOf(raw) });
  }
  await web.audit(res, {
    command: spec.command,
    accountId,
    outcome: done.unchanged ? 'unchanged' : 'ok',
    reason: done.unchanged,
    change: done.change,
  });
  if (wantsPartial(web, req, spec.targetId)) return spec.show({ status: 200, notice: { kind: 'ok', text: done.text } });
  web.flash(res, 'ok', done.text);
  web.redirect(res, spec.back);
}

function stringsOf(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!SECRET_FIELDS.has(key) && typeof value === 'string') out[key] = value.slice(0, 200);
  }
  return out;
}
