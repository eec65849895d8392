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
          detail: `user #${user.id} ${user.name}, ${role}`,
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
        return {
          text: t('web.people.role_set', { user: user.name, role }),
          detail: `user #${id} ${user.name}: ${before.role} → ${role}`,
        };
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
        return {
          text: t('web.people.granted', { user: user.name, account: accountId }),
          detail: `user #${id} ${user.name}`,
        };
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
        return {
          text: t(removed ? 'web.people.revoked' : 'web.people.was_not_granted', {
            user: user.name,
            account: accountId,
          }),
          detail: `user #${id} ${user.name}${removed ? '' : ' (had no grant)'}`,
        };
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
        return {
          text: t('web.people.linked', { user: user.name, platform, id: externalId }),
          detail: `user #${id} ${user.name}: ${platform} ${externalId}`,
        };
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
        return {
          text: t(removed ? 'web.people.unlinked' : 'web.people.was_not_linked', {
            user: user.name,
            platform,
            id: externalId,
          }),
          detail: `user #${id} ${user.name}: ${platform} ${externalId}${removed ? '' : ' (was not linked)'}`,
        };
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
        return {
          text: t('web.people.deleted', { user: user.name }),
          detail: `user #${id} ${user.name} (${user.role}; ids ${user.identities.map((i) => `${i.platform} ${i.externalId}`).join(', ') || 'none'}; grants ${user.grants.join(', ') || 'none'})`,
        };
      },
    }),
  );
}
