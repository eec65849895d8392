import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { FollowerPolicy } from '../../../domain/copy-sizing.ts';
import { displayMoney } from '../../../domain/display-number.ts';
import type { MessageParams } from '../../../domain/errors.ts';
import { PAUSED_IN_ADMIN } from '../../../domain/status-reasons.ts';
import { checkFollowerPolicy } from '../../../services/copy/copy-settings.ts';
import type { WebContext } from '../context.ts';
import { addFollowerForm, copyPageData, followerRef, followerSettingsForm, symbolForm } from './copy-view.ts';
import { changesOf, runAction, wantsPartial, type ActionSpec, type ActionView } from './page-action.ts';

/** The part of the page an htmx action swaps (views/partials/copy-followers.eta). */
const TARGET = 'copy-followers';

const noFields = z.object({});

/** A message both the admin's notice and the audit row are made of. */
interface MessageOf {
  key: string;
  params: MessageParams;
}

/** A follower's copy policy as the audit compares it: exact decimals; a cap of '' is none. */
const policyFields = (p: FollowerPolicy | undefined) => ({
  copyMode: p?.mode ?? '',
  ratio: p?.ratio?.toFixed() ?? '',
  cap: p?.maxPerTrade?.toFixed() ?? '',
});

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
          const done = running ? 'copy.started' : 'copy.stopped';
          if (was === running) {
            return { text: t(done), unchanged: { key: running ? 'copy.already_running' : 'copy.already_stopped' } };
          }
          return { text: t(done), change: [{ key: done }] };
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
        return { text: t('copy.symbol_set', set), change: [{ key: 'copy.symbol_set', params: set }] };
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
        const done = { key: 'copy.added', params: { follower: added.id } };
        return { text: t(done.key, done.params), change: [done] };
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
        const after = (await copy.settings.policies([account.id])).get(account.id);
        const text = t(mode === 'ratio' ? 'copy.set_ratio' : 'copy.set_share', {
          follower: account.id,
          ratio: ratio?.toFixed() ?? '',
          cap: capText,
        });
        const change = changesOf(policyFields(before), policyFields(after), ['copyMode', 'ratio', 'cap']);
        return change.length > 0 ? { text, change } : { text, unchanged: { key: 'audit.web.no_change' } };
      },
    }),
  );

  const followerAction = (path: string, command: string, work: (id: string) => Promise<MessageOf>) =>
    router.post(`/copy/followers/:follower/${path}`, (req, res) =>
      act(req, res, {
        command,
        form: `row:${req.params['follower']}`,
        schema: followerRef,
        input: { follower: req.params['follower'] },
        accountOf: (data) => data.follower,
        async run({ follower }) {
          const done = await work(follower);
          return { text: t(done.key, done.params), change: [done] };
        },
      }),
    );

  followerAction('pause', 'copy.pause', async (id) => {
    const account = await copy.pauseFollower(id, PAUSED_IN_ADMIN);
    return { key: 'copy.paused', params: { follower: account.id } };
  });
  followerAction('resume', 'copy.resume', async (id) => {
    const account = await copy.resumeFollower(id);
    return { key: 'copy.resumed', params: { follower: account.id } };
  });
  followerAction('remove', 'copy.remove', async (id) => {
    const account = await copy.removeFollower(id);
    return { key: 'copy.removed', params: { follower: account.id } };
  });
}
