import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { LANGUAGES } from '../../../i18n/index.ts';
import type { AlertSubscription } from '../../../generated/prisma/client.ts';
import { SEVERITIES } from '../../../services/alerts/alert-batching.ts';
import {
  ALERT_CATEGORIES,
  alertCategoriesSchema,
  alertDestinationSchema,
  alertSeveritySchema,
  chosenCategories,
} from '../../../services/alerts/alert-settings.ts';
import { reachOf } from '../../../services/alerts/alert-audience.ts';
import type { AuditMessage } from '../../../services/audit.ts';
import type { WebContext } from '../context.ts';
import { idParam, runAction, wantsPartial, type ActionSpec, type ActionView } from './page-action.ts';

/** The part of the page an htmx action swaps (views/partials/alerts-table.eta). */
const TARGET = 'alerts-table';

/** Checkboxes arrive as one value or a list; `all` wins; none ticked is a mistake, not "all". */
const categoriesField = z.preprocess((value) => {
  const list = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string' && v !== '');
  return list.includes('all') ? 'all' : list.join(',');
}, z.string().min(1, 'tick at least one category, or all').pipe(alertCategoriesSchema));

/** What a destination receives: the same schemas as chat `/alerts on`, plus its language. */
const receivesForm = z.object({
  categories: categoriesField,
  minSeverity: alertSeveritySchema,
  language: z.enum(LANGUAGES, { error: `one of: ${LANGUAGES.join(', ')}` }),
});
const addForm = z.intersection(alertDestinationSchema, receivesForm);
const updateForm = receivesForm.extend({ id: idParam });
const removeForm = z.object({ id: idParam });

const PLATFORM_NAMES = { telegram: 'Telegram', discord: 'Discord' } as const;

const describe = (s: { platform: string; destination: string }) => `${s.platform} ${s.destination}`;

/** What a destination receives, for the audit: categories, severity and language as the desk has them. */
function receives(
  to: { platform: string; destination: string },
  categories: string[] | '*',
  severity: string,
  language: string,
): AuditMessage {
  const params = { platform: to.platform, destination: to.destination, severity, language };
  return categories === '*'
    ? { key: 'audit.web.alerts_all', params }
    : { key: 'audit.web.alerts_some', params: { ...params, categories } };
}

/** The Alerts page (issue 7 item 4): the chats that get push alerts, what and in which language. */
export function register(router: Router, web: WebContext): void {
  const { services, t } = web;
  const { alerts } = services;

  const show = async (req: Request, res: Response, view: ActionView = { status: 200 }) => {
    const destinations = (await alerts.listDestinations()).map(
      ({ subscription, pending, audience, platformRunning }) => {
        const reach = reachOf(audience);
        return {
          ...rowOf(subscription),
          pending,
          platformRunning,
          people: audience.map((p) => (p.linked ? p.name : `${p.name} (not linked)`)),
          reaches: reach === 'all' ? 'every account' : reach.length > 0 ? reach.join(', ') : 'no account',
        };
      },
    );
    const data = {
      destinations,
      categories: ALERT_CATEGORIES,
      severities: SEVERITIES,
      languages: LANGUAGES,
      form: view.form ?? '',
      errors: view.errors ?? {},
      values: view.values ?? {},
      notice: view.notice,
    };
    if (wantsPartial(web, req, TARGET)) {
      web.render(res, 'partials/alerts-table', data, { status: view.status, layout: false });
    } else {
      web.render(res, 'alerts', data, { status: view.status, title: t('web.alerts.title'), page: 'alerts' });
    }
  };

  const act = <S extends z.ZodType>(
    req: Request,
    res: Response,
    spec: Omit<ActionSpec<S>, 'show' | 'back' | 'targetId'>,
  ) => runAction(web, req, res, { ...spec, show: (view) => show(req, res, view), back: '/alerts', targetId: TARGET });

  router.get('/alerts', (req, res) => show(req, res));

  router.post('/alerts', (req, res) =>
    act(req, res, {
      command: 'alerts.add',
      form: 'add',
      schema: addForm,
      async run({ platform, destination, categories, minSeverity, language }) {
        const existed = alerts.subscription(platform, destination) !== undefined;
        const chosen = chosenCategories(categories);
        await alerts.subscribe(platform, destination, { categories: chosen, minSeverity, language });
        const done = t(existed ? 'web.alerts.updated' : 'web.alerts.added', {
          destination: describe({ platform, destination }),
        });
        return {
          text: alerts.platformRunning(platform)
            ? done
            : `${done} ${t('web.alerts.platform_not_running', { platform: PLATFORM_NAMES[platform] })}`,
          change: [
            receives({ platform, destination }, chosen, minSeverity, language),
            ...(existed ? [{ key: 'audit.web.alerts_replaced' }] : []),
          ],
        };
      },
    }),
  );

  router.post('/alerts/:id', (req, res) =>
    act(req, res, {
      command: 'alerts.update',
      form: `edit:${req.params['id']}`,
      schema: updateForm,
      input: { id: req.params['id'] },
      async run({ id, categories, minSeverity, language }) {
        const chosen = chosenCategories(categories);
        const updated = await alerts.updateDestination(id, { categories: chosen, minSeverity, language });
        return {
          text: t('web.alerts.updated', { destination: describe(updated) }),
          change: [receives(updated, chosen, minSeverity, language)],
        };
      },
    }),
  );

  router.post('/alerts/:id/remove', (req, res) =>
    act(req, res, {
      command: 'alerts.remove',
      form: `remove:${req.params['id']}`,
      schema: removeForm,
      input: { id: req.params['id'] },
      async run({ id }) {
        const removed = await alerts.removeDestination(id);
        return {
          text: t('web.alerts.removed', { destination: describe(removed) }),
          change: [
            {
              key: 'audit.web.alerts_removed',
              params: { platform: removed.platform, destination: removed.destination },
            },
          ],
        };
      },
    }),
  );
}

function rowOf(s: AlertSubscription) {
  return {
    id: s.id,
    platform: s.platform,
    destination: s.destination,
    categories: s.categories === '*' ? ['all'] : s.categories.split(','),
    minSeverity: s.minSeverity,
    language: s.language,
  };
}
