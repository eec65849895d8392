import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { displayMoney } from '../../../domain/display-number.ts';
import { PAUSED_IN_ADMIN } from '../../../domain/status-reasons.ts';
import { checkFollowerPolicy } from '../../../services/copy/copy-settings.ts';
import type { WebContext } from '../context.ts';
import { addFollowerForm, copyPageData, followerRef, followerSettingsForm, symbolForm } from './copy-view.ts';
import { runAction, wantsPartial, type ActionSpec, type ActionView } from './page-action.ts';

/** The part of the page an htmx action swaps (views/partials/copy-followers.eta). */
const TARGET = 'copy-followers';

const noFields = z.object({});

/**
 * The Copy page (issue 7 item 5): the same actions as chat `/copy`, `/followers`, `/pause`,
 * `/resume`, through the same copy engine methods and schemas, in the same words.
 */
export function register(router: Router, web: WebContext): void {
  const { services, t } = web;
  const { copy } = services;

  const show = async (req: Request, res: Response, view: ActionView = { status: 200 }) => {
    const data = {
      ...(await copyPageData(services, t)),
      form: view.form ?? '',
      errors: view.errors ?? {},
      values: view.values ?? {},
      notice: view.notice,
    };
    if (wantsPartial(web, req, TARGET)) {
      web.render(res, 'partials/copy-followers', data, { status: view.status, layout: false });
    } else {
      web.render(res, 'copy', data, { status: view.status, title: t('web.copy.title'), page: 'copy' });
    }
  };

  const act = <S extends z.ZodType>(
    req: Request,
    res: Response,
    spec: Omit<ActionSpec<S>, 'show' | 'back' | 'targetId'>,
  ) => runAction(web, req, res, { ...spec, show: (view) => show(req, res, view), back: '/copy', targetId: TARGET });

  router.get('/copy', (req, res) => show(req, res));
  router.get('/copy/followers', (req, res) => show(req, res));

  for (const running of [true, false]) {
    router.post(running ? '/copy/start' : '/copy/stop', (req, res) =>
      act(req, res, {
        command: running ? 'copy.start' : 'copy.stop',
        form: 'running',
        schema: noFields,
        async run() {
          const was = await copy.isRunning();
          await copy.setRunning(running);
          return { text: t(running ? 'copy.started' : 'copy.stopped'), detail: `was ${was ? 'running' : 'stopped'}` };
        },
      }),
    );
  }

  router.post('/copy/symbol', (req, res) =>
    act(req, res, {
      command: 'copy.symbol',
      form: 'symbol',
      schema: symbolForm,
      fieldOf: () => 'symbol',
      async run({ symbol }) {
        const set = await copy.setLeaderSymbol(symbol);
        return { text: t('copy.symbol_set', set), detail: `leader ${set.leader}: ${set.symbol}` };
      },
    }),
  );

  router.post('/copy/followers', (req, res) =>
    act(req, res, {
      command: 'copy.add',
      form: 'add',
      schema: addFollowerForm,
      accountOf: (data) => data.account,
      fieldOf: () => 'account',
      async run({ account }) {
        const added = await copy.addFollower(account);
        return { text: t('copy.added', { follower: added.id }), detail: `${added.exchange} ${added.env}` };
      },
    }),
  );

  router.post('/copy/followers/:follower/settings', (req, res) =>
    act(req, res, {
      command: 'copy.set',
      form: `settings:${req.params['follower']}`,
      schema: followerSettingsForm,
      input: { follower: req.params['follower'] },
      accountOf: (data) => data.follower,
      fieldOf: (err) => (err.key.startsWith('copy.ratio') ? 'ratio' : undefined),
      async run({ follower, mode, ratio, cap }) {
        checkFollowerPolicy(mode, ratio);
        const account = await copy.follower(follower);
        const before = (await copy.settings.policies([account.id])).get(account.id);
        await copy.settings.setFollower(account.id, {
          mode,
          ratio: mode === 'ratio' ? (ratio ?? null) : null,
          maxPerTrade: cap === 'off' ? null : cap,
        });
        const capText = cap === 'off' ? t('copy.cap_none') : `${displayMoney(cap)} USDT`;
        const policyText = (p: typeof before) =>
          p ? `${p.mode}${p.ratio ? ` ×${p.ratio.toFixed()}` : ''}, cap ${p.maxPerTrade?.toFixed() ?? 'none'}` : '?';
        const after = (await copy.settings.policies([account.id])).get(account.id);
        return {
          text: t(mode === 'ratio' ? 'copy.set_ratio' : 'copy.set_share', {
            follower: account.id,
            ratio: ratio?.toFixed() ?? '',
            cap: capText,
          }),
          detail: `${policyText(before)} → ${policyText(after)}`,
        };
      },
    }),
  );

  const followerAction = (path: string, command: string, work: (id: string) => Promise<string>) =>
    router.post(`/copy/followers/:follower/${path}`, (req, res) =>
      act(req, res, {
        command,
        form: `row:${req.params['follower']}`,
        schema: followerRef,
        input: { follower: req.params['follower'] },
        accountOf: (data) => data.follower,
        async run({ follower }) {
          const text = await work(follower);
          return { text, detail: text };
        },
      }),
    );

  followerAction('pause', 'copy.pause', async (id) => {
    const account = await copy.pauseFollower(id, PAUSED_IN_ADMIN);
    return t('copy.paused', { follower: account.id });
  });
  followerAction('resume', 'copy.resume', async (id) => {
    const account = await copy.resumeFollower(id);
    return t('copy.resumed', { follower: account.id });
  });
  followerAction('remove', 'copy.remove', async (id) => {
    const account = await copy.removeFollower(id);
    return t('copy.removed', { follower: account.id });
  });
}
