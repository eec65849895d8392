import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { accountIdSchema } from '../../../domain/account.ts';
import { chatIdentitySchema, CHAT_PLATFORMS, newUserSchema, roleSchema } from '../../../domain/people.ts';
import { ROLES } from '../../../domain/roles.ts';
import type { WebContext } from '../context.ts';
import { idParam, runAction, wantsPartial, type ActionSpec, type ActionView } from './page-action.ts';

/** The part of the page an htmx action swaps (views/partials/people-table.eta). */
const TARGET = 'people-table';

const userRef = z.object({ id: idParam });
const roleForm = userRef.extend({ role: roleSchema });
const grantForm = userRef.extend({ accountId: accountIdSchema });
const identityForm = z.intersection(userRef, chatIdentitySchema);

/** The People page (issue 7 item 3): users, roles, per-account grants, linked Telegram/Discord ids. */
export function register(router: Router, web: WebContext): void {
  const { services, t } = web;
  const { people } = services;

  const show = async (req: Request, res: Response, view: ActionView = { status: 200 }) => {
    const [list, accounts, unlinked] = await Promise.all([
      people.list(),
      services.accounts.list(),
      people.unlinkedIdentities(),
    ]);
    const data = {
      people: list,
      accountIds: accounts.map((a) => a.id),
      unlinked,
      roles: ROLES,
      platforms: CHAT_PLATFORMS,
      form: view.form ?? '',
      errors: view.errors ?? {},
      values: view.values ?? {},
      notice: view.notice,
    };
    if (wantsPartial(web, req, TARGET)) {
      web.render(res, 'partials/people-table', data, { status: view.status, layout: false });
    } else {
      web.render(res, 'people', data, { status: view.status, title: t('web.people.title'), page: 'people' });
    }
  };

  const act = <S extends z.ZodType>(
    req: Request,
    res: Response,
    spec: Omit<ActionSpec<S>, 'show' | 'back' | 'targetId'>,
  ) => runAction(web, req, res, { ...spec, show: (view) => show(req, res, view), back: '/people', targetId: TARGET });

  router.get('/people', (req, res) => show(req, res));

  router.post('/people', (req, res) =>
    act(req, res, {
      command: 'people.add',
      form: 'add',
      schema: newUserSchema,
      async run({ name, role }) {
        const user = await people.create({ name, role });
        return {
          text: t('web.people.added', { user: user.name, role }),
          change: [{ key: 'audit.web.person_added', params: { user: user.name, id: user.id, role } }],
        };
      },
    }),
  );

  router.post('/people/:id/role', (req, res) =>
    act(req, res, {
      command: 'people.role',
      form: `role:${req.params['id']}`,
      schema: roleForm,
      input: { id: req.params['id'] },
      async run({ id, role }) {
        const before = await people.get(id);
        const user = await people.setRole(id, role);
        const text = t('web.people.role_set', { user: user.name, role });
        if (before.role === role) {
          return { text, unchanged: { key: 'audit.web.role_same', params: { user: user.name, id, role } } };
        }
        const change = { user: user.name, id, field: 'role', from: before.role, to: role };
        return { text, change: [{ key: 'audit.web.person_role', params: change }] };
      },
    }),
  );

  router.post('/people/:id/grant', (req, res) =>
    act(req, res, {
      command: 'people.grant',
      form: `grant:${req.params['id']}`,
      schema: grantForm,
      input: { id: req.params['id'] },
      accountOf: (data) => data.accountId,
      async run({ id, accountId }) {
        const user = await people.grant(id, accountId);
        const granted = { key: 'web.people.granted', params: { user: user.name, account: accountId } };
        return { text: t(granted.key, granted.params), change: [granted] };
      },
    }),
  );

  router.post('/people/:id/revoke', (req, res) =>
    act(req, res, {
      command: 'people.revoke',
      form: `grant:${req.params['id']}`,
      schema: grantForm,
      input: { id: req.params['id'] },
      accountOf: (data) => data.accountId,
      async run({ id, accountId }) {
        const user = await people.get(id);
        const removed = await people.revoke(id, accountId);
        const params = { user: user.name, account: accountId };
        if (!removed)
          return {
            text: t('web.people.was_not_granted', params),
            unchanged: { key: 'web.people.was_not_granted', params },
          };
        return { text: t('web.people.revoked', params), change: [{ key: 'web.people.revoked', params }] };
      },
    }),
  );

  router.post('/people/:id/link', (req, res) =>
    act(req, res, {
      command: 'people.link',
      form: `link:${req.params['id']}`,
      schema: identityForm,
      input: { id: req.params['id'] },
      fieldOf: (err) => (err.key === 'people.identity_taken' ? 'externalId' : undefined),
      async run({ id, platform, externalId }) {
        const user = await people.link(id, { platform, externalId });
        const linked = { key: 'web.people.linked', params: { user: user.name, platform, id: externalId } };
        return { text: t(linked.key, linked.params), change: [linked] };
      },
    }),
  );

  router.post('/people/:id/unlink', (req, res) =>
    act(req, res, {
      command: 'people.unlink',
      form: `link:${req.params['id']}`,
      schema: identityForm,
      input: { id: req.params['id'] },
      async run({ id, platform, externalId }) {
        const user = await people.get(id);
        const removed = await people.unlink(id, { platform, externalId });
        const params = { user: user.name, platform, id: externalId };
        if (!removed)
          return {
            text: t('web.people.was_not_linked', params),
            unchanged: { key: 'web.people.was_not_linked', params },
          };
        return { text: t('web.people.unlinked', params), change: [{ key: 'web.people.unlinked', params }] };
      },
    }),
  );

  router.post('/people/:id/delete', (req, res) =>
    act(req, res, {
      command: 'people.delete',
      form: `delete:${req.params['id']}`,
      schema: userRef,
      input: { id: req.params['id'] },
      async run({ id }) {
        const user = await people.remove(id);
        // What went with them, each in the words its own removal has.
        return {
          text: t('web.people.deleted', { user: user.name }),
          change: [
            { key: 'audit.web.person_deleted', params: { user: user.name, id, role: user.role } },
            ...user.identities.map((i) => ({
              key: 'web.people.unlinked',
              params: { user: user.name, platform: i.platform, id: i.externalId },
            })),
            ...user.grants.map((account) => ({ key: 'web.people.revoked', params: { user: user.name, account } })),
          ],
        };
      },
    }),
  );
}
