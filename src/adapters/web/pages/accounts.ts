import type { Request, Response, Router } from 'express';
import { accountIdSchema, newAccountSchema } from '../../../domain/account.ts';
import { HedgeError, NotFoundError } from '../../../domain/errors.ts';
import { keyHint, maskedHint } from '../../../domain/mask.ts';
import type { AccountView } from '../../../services/accounts.ts';
import { AccountAdmin, KeyRefusedError, type VerifyResult } from '../../../services/admin/account-admin.ts';
import { DISABLED_IN_ADMIN } from '../../../domain/status-reasons.ts';
import { auditMessageOf, auditOrderOf } from '../../../services/audit.ts';
import type { WebContext } from '../context.ts';
import { cancelledMessage, keyOutcome } from './accounts-audit.ts';
import { changesOf, invalidFields } from './page-action.ts';
import { describeOpenOrder } from '../../../commands/catalog/orders.ts';
import { accountNumbers } from '../../../commands/format/numbers.ts';
import type { OpenOrderView } from '../../../services/open-orders.ts';
import {
  accountRow,
  cancelOrderFormSchema,
  CHOICES,
  credentialsFormSchema,
  deleteFormSchema,
  describePermissions,
  disableFormSchema,
  editFormSchema,
  formatTime,
  warningTexts,
} from './accounts-forms.ts';

type Errors = Record<string, string>;
type Values = Record<string, string>;

/** The verify outcome as the page shows it: balances and what the key may do, or the refusal in words. */
interface VerifyView {
  ok: boolean;
  at: string;
  balances: { asset: string; free: string; locked: string }[];
  message: string;
  /** "Key permissions: spot trading: yes · …", in words. */
  permissions: string;
  /** What is risky about the accepted key, in words. */
  warnings: string[];
}

interface DetailExtras {
  status?: number;
  verify?: VerifyView;
  /** Which form the errors belong to: edit, rotate, disable, delete. */
  form?: string;
  errors?: Errors;
  values?: Values;
  message?: string;
}

/** The accounts page (issue 7 item 2): list, add, verify, enable/disable, rotate, edit, delete. */
export function register(router: Router, web: WebContext): void {
  const { services, t } = web;
  const admin = new AccountAdmin(services);

  const load = async (req: Request): Promise<AccountView> => {
    const id = accountIdSchema.safeParse(req.params['id']);
    const account = id.success ? await services.accounts.find(id.data) : undefined;
    if (!account)
      throw new NotFoundError('errors.account_not_found', { account: String(req.params['id']).slice(0, 40) });
    return account;
  };

  /** A refusal of an account action, as the log keeps it: the error's message. */
  const auditRefusal = (res: Response, command: string, accountId: string | undefined, err: HedgeError) =>
    web.audit(res, { command, accountId, outcome: 'refused', reason: auditMessageOf(err) });

  const renderList = async (res: Response, verify?: { id: string; view: VerifyView }) => {
    const rows = (await services.accounts.list()).map((a) => accountRow(t, a, services.streams.status(a.id)));
    web.render(res, 'accounts', { rows, verify }, { title: t('web.accounts.title'), page: 'accounts' });
  };

  const renderNew = (res: Response, status: number, errors: Errors = {}, values: Values = {}) => {
    web.render(
      res,
      'accounts-new',
      { choices: CHOICES, errors, values },
      { status, title: t('web.accounts.add_title'), page: 'accounts' },
    );
  };

  /** The account's open, conditional and desk-watched orders, or why they could not be read. */
  const openOrdersOf = async (account: AccountView) => {
    if (account.status !== 'ACTIVE' || !account.hasCredentials) return { rows: [], error: '' };
    try {
      const views = await services.openOrders.list(account.id);
      return { rows: await Promise.all(views.map((v) => openOrderRow(account.id, v))), error: '' };
    } catch (err) {
      return { rows: [], error: web.describeError(err) };
    }
  };
  const openOrderRow = async (accountId: string, view: OpenOrderView) => ({
    ref: view.ref,
    kind: view.kind,
    text: describeOpenOrder(t, view, await accountNumbers(services, accountId, view.order.symbol)),
  });

  const renderDetail = async (res: Response, account: AccountView, extras: DetailExtras = {}) => {
    const fresh = (await services.accounts.find(account.id)) ?? account;
    web.render(
      res,
      'accounts-detail',
      {
        account: accountRow(t, fresh, services.streams.status(fresh.id)),
        blockers: await admin.deleteBlockers(fresh.id),
        openOrders: await openOrdersOf(fresh),
        choices: CHOICES,
        verify: extras.verify,
        form: extras.form ?? '',
        errors: extras.errors ?? {},
        values: extras.values ?? {},
        message: extras.message,
      },
      { status: extras.status ?? 200, title: t('web.accounts.detail_title', { account: fresh.id }), page: 'accounts' },
    );
  };

  const verifyView = (result: VerifyResult): VerifyView => {
    if (!result.ok) {
      return {
        ok: false,
        at: '',
        balances: [],
        message: web.describeError(result.error),
        permissions: '',
        warnings: [],
      };
    }
    const at = formatTime(result.at);
    const { permissions, warnings } = result.key;
    return {
      ok: true,
      at,
      balances: result.balances,
      message: '',
      permissions: `${t('web.accounts.permissions_label')}: ${
        permissions ? describePermissions(t, permissions, at) : t('web.accounts.permissions_unknown')
      }`,
      warnings: warningTexts(t, warnings),
    };
  };

  /** The key accepted (with a warning per risk), or the refusal. */
  const flashVerify = (res: Response, verify: VerifyResult) => {
    if (!verify.ok) {
      web.flash(res, 'error', t('web.accounts.key_refused', { reason: web.describeError(verify.error) }));
      return;
    }
    web.flash(res, 'ok', t('web.accounts.key_accepted'));
    for (const text of warningTexts(t, verify.key.warnings)) web.flash(res, 'warning', text);
  };

  router.get('/accounts', async (_req, res) => renderList(res));

  router.get('/accounts/new', (_req, res) => {
    const env = services.config.mode === 'paper' ? 'paper' : 'prod';
    renderNew(res, 200, {}, { kind: 'MAIN', copyRole: 'NONE', env });
  });

  router.post('/accounts', async (req, res) => {
    const account = web.parseForm(newAccountSchema, req.body);
    const creds = web.parseForm(credentialsFormSchema, req.body);
    const errors: Errors = { ...(account.ok ? {} : account.errors), ...(creds.ok ? {} : creds.errors) };
    const values: Values = account.ok ? {} : account.values;
    if (account.ok && account.data.exchange === 'bitget' && creds.ok && !creds.data.passphrase) {
      errors['passphrase'] = t('web.accounts.passphrase_required');
    }
    const id = account.ok ? account.data.id : undefined;
    if (!account.ok || !creds.ok || Object.keys(errors).length > 0) {
      await web.audit(res, {
        command: 'accounts.add',
        accountId: id,
        outcome: 'invalid',
        reason: invalidFields(errors),
      });
      return renderNew(res, 422, errors, account.ok ? plain(account.data) : values);
    }
    try {
      const { account: created, verify } = await admin.add(account.data, creds.data);
      const { exchange, market, env, kind, copyRole } = created;
      const key = maskedHint(created.apiKeyHint, true);
      await web.audit(res, {
        command: 'accounts.add',
        accountId: created.id,
        change: [
          { key: 'audit.web.account_added', params: { exchange, market, env, kind, copyRole, key } },
          ...keyOutcome(verify),
        ],
      });
      web.flash(res, 'ok', t('web.accounts.added', { account: created.id }));
      flashVerify(res, verify);
      web.redirect(res, `/accounts/${created.id}`);
    } catch (err) {
      if (!(err instanceof HedgeError)) throw err;
      const refused = err instanceof KeyRefusedError;
      const message = refused
        ? t('web.accounts.add_refused', { reason: web.describeError(err) })
        : web.describeError(err);
      await auditRefusal(res, 'accounts.add', id, err);
      const field = err.key === 'web.accounts.id_taken' ? 'id' : '_form';
      renderNew(res, 422, { [field]: message }, plain(account.data));
    }
  });

  router.get('/accounts/:id', async (req, res) => renderDetail(res, await load(req)));

  router.post('/accounts/:id/verify', async (req, res) => {
    const account = await load(req);
    const result = await admin.verify(account.id);
    const view = verifyView(result);
    await web.audit(res, {
      command: 'accounts.verify',
      accountId: account.id,
      ...(result.ok
        ? { change: [{ key: 'audit.web.balances_read', params: { count: result.balances.length } }] }
        : { outcome: 'failed', reason: auditMessageOf(result.error) }),
    });
    if (web.isHtmx(req) && req.get('hx-boosted') !== 'true') {
      web.render(res, 'partials/accounts-verify', { verify: view, id: account.id }, { layout: false });
      return;
    }
    await renderDetail(res, account, { verify: view });
  });

  router.post('/accounts/:id/orders/cancel', async (req, res) => {
    const account = await load(req);
    const form = web.parseForm(cancelOrderFormSchema, req.body);
    if (!form.ok) return renderDetail(res, account, { status: 422, form: 'orders', ...form });
    try {
      const { openOrders } = services;
      const cancelled = await openOrders.cancel(account.id, await openOrders.find(account.id, form.data.ref));
      const text = describeOpenOrder(t, cancelled, await accountNumbers(services, account.id, cancelled.order.symbol));
      const { clientOrderId } = cancelled.order;
      const tracked = clientOrderId ? await services.tracker.current(clientOrderId) : null;
      await web.audit(res, {
        command: 'orders.cancel',
        accountId: account.id,
        symbol: cancelled.order.symbol,
        // One of ours reads as every order of the log does, and the order filter finds it.
        ...(tracked ? { orders: [auditOrderOf(tracked)] } : { change: [cancelledMessage(cancelled)] }),
      });
      web.flash(res, 'ok', t('cancel.done', { account: account.id, order: text }));
    } catch (err) {
      if (!(err instanceof HedgeError)) throw err;
      const message = web.describeError(err);
      await auditRefusal(res, 'orders.cancel', account.id, err);
      web.flash(res, 'error', message);
    }
    web.redirect(res, `/accounts/${account.id}`);
  });

  router.post('/accounts/:id/enable', async (req, res) => {
    const account = await load(req);
    const { account: enabled, verify } = await admin.enable(account.id);
    const active = enabled.status === 'ACTIVE';
    await web.audit(res, {
      command: 'accounts.enable',
      accountId: account.id,
      outcome: active ? 'ok' : 'failed',
      // Not enabled because the key was refused: that refusal is the reason, not one more change.
      ...(active || verify.ok
        ? { change: [...changesOf(account, enabled, ['status']), ...keyOutcome(verify)] }
        : { reason: auditMessageOf(verify.error) }),
    });
    if (enabled.status === 'ACTIVE') web.flash(res, 'ok', t('web.accounts.enabled', { account: account.id }));
    flashVerify(res, verify);
    web.redirect(res, `/accounts/${account.id}`);
  });

  router.post('/accounts/:id/disable', async (req, res) => {
    const account = await load(req);
    const form = web.parseForm(disableFormSchema, req.body);
    if (!form.ok) return renderDetail(res, account, { status: 422, form: 'disable', ...form });
    // The desk's own words are read back in each reader's language; typed ones stay as typed.
    const reason = form.data.reason ?? DISABLED_IN_ADMIN;
    const disabled = await admin.disable(account.id, reason);
    await web.audit(res, {
      command: 'accounts.disable',
      accountId: account.id,
      change: [...changesOf(account, disabled, ['status']), { key: 'audit.web.reason_given', params: { reason } }],
    });
    web.flash(res, 'ok', t('web.accounts.disabled', { account: account.id }));
    web.redirect(res, `/accounts/${account.id}`);
  });

  router.post('/accounts/:id/rotate', async (req, res) => {
    const account = await load(req);
    const form = web.parseForm(credentialsFormSchema, req.body);
    const errors: Errors = form.ok ? {} : form.errors;
    if (form.ok && account.exchange === 'bitget' && !form.data.passphrase) {
      errors['passphrase'] = t('web.accounts.passphrase_required');
    }
    if (!form.ok || Object.keys(errors).length > 0) {
      await web.audit(res, {
        command: 'accounts.rotate',
        accountId: account.id,
        outcome: 'invalid',
        reason: invalidFields(errors),
      });
      return renderDetail(res, account, { status: 422, form: 'rotate', errors });
    }
    const keys = {
      old: maskedHint(account.apiKeyHint, account.hasCredentials),
      key: maskedHint(keyHint(form.data.apiKey), true),
    };
    try {
      const { account: updated, verify } = await admin.rotate(account.id, form.data);
      await web.audit(res, {
        command: 'accounts.rotate',
        accountId: account.id,
        change: [{ key: 'audit.web.key_replaced', params: keys }, ...keyOutcome(verify)],
      });
      web.flash(res, 'ok', t('web.accounts.rotated', { account: account.id }));
      flashVerify(res, verify);
      if (updated.status !== 'ACTIVE') {
        web.flash(res, 'warning', t('web.accounts.rotated_inactive', { account: account.id, status: updated.status }));
      }
    } catch (err) {
      if (!(err instanceof HedgeError)) throw err;
      // Refused: the old key stays in the vault and in use; the account is as it was.
      const reason = web.describeError(err);
      await web.audit(res, {
        command: 'accounts.rotate',
        accountId: account.id,
        outcome: 'refused',
        reason: auditMessageOf(err),
        change: [{ key: 'audit.web.key_kept', params: keys }],
      });
      web.flash(res, 'error', t('web.accounts.rotate_refused', { account: account.id, reason }));
    }
    web.redirect(res, `/accounts/${account.id}`);
  });

  router.post('/accounts/:id/edit', async (req, res) => {
    const account = await load(req);
    const form = web.parseForm(editFormSchema, req.body);
    if (!form.ok) return renderDetail(res, account, { status: 422, form: 'edit', ...form });
    try {
      const updated = await admin.edit(account.id, form.data);
      const change = changesOf(account, updated, ['name', 'kind', 'copyRole']);
      await web.audit(res, {
        command: 'accounts.edit',
        accountId: account.id,
        ...(change.length > 0 ? { change } : { outcome: 'unchanged', reason: { key: 'audit.web.no_change' } }),
      });
      web.flash(res, 'ok', t('web.accounts.edited', { account: account.id }));
      web.redirect(res, `/accounts/${account.id}`);
    } catch (err) {
      if (!(err instanceof HedgeError)) throw err;
      const message = web.describeError(err);
      await auditRefusal(res, 'accounts.edit', account.id, err);
      await renderDetail(res, account, {
        status: 409,
        form: 'edit',
        errors: { _form: message },
        values: plain(form.data),
      });
    }
  });

  router.post('/accounts/:id/delete', async (req, res) => {
    const account = await load(req);
    const form = web.parseForm(deleteFormSchema, req.body);
    const force = form.ok && form.data.force ? { confirm: form.data.confirm } : undefined;
    try {
      await admin.remove(account.id, force);
    } catch (err) {
      if (!(err instanceof HedgeError)) throw err;
      const message = web.describeError(err);
      await auditRefusal(res, 'accounts.delete', account.id, err);
      return renderDetail(res, account, { status: 409, form: 'delete', errors: { _form: message } });
    }
    await web.audit(res, {
      command: 'accounts.delete',
      accountId: account.id,
      change: [{ key: force ? 'audit.web.deleted_forced' : 'audit.web.deleted_clean' }],
    });
    web.flash(res, 'ok', t('web.accounts.deleted', { account: account.id }));
    web.redirect(res, '/accounts');
  });
}

/** Form values to show again: only plain strings (a secret never comes back). */
function plain(data: Record<string, unknown>): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string') out[k] = v;
  return out;
}
