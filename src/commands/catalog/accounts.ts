import { visibleOf } from '../../domain/grants.ts';
import { maskedHint } from '../../domain/mask.ts';
import type { AccountView } from '../../services/accounts.ts';
import { defineCommand } from '../types.ts';
import type { Translate } from '../../i18n/index.ts';
import type { StreamStatus } from '../../services/streams/supervisor.ts';

function describeAccount(t: Translate, a: AccountView, stream: StreamStatus | undefined): string {
  const status = a.statusReason ? t('accounts.status_because', { status: a.status, reason: a.statusReason }) : a.status;
  return t('accounts.line', {
    id: a.id,
    name: a.name,
    exchange: a.exchange,
    env: a.env,
    market: a.market,
    kind: a.kind,
    copyRole: t(`accounts.copy_role.${a.copyRole}`),
    status,
    key: maskedHint(a.apiKeyHint, a.hasCredentials),
    stream: stream ? t(`accounts.stream.${stream.health}`) : t('accounts.stream.off'),
  });
}

export const accountsCommand = defineCommand({
  name: 'accounts',
  role: 'viewer',
  scope: 'visible',
  mutates: false,
  args: {},
  async run({ caller, t, services }) {
    const visible = visibleOf(caller.accounts, await services.accounts.list(), (a) => a.id);
    if (visible.length === 0) return { text: t('accounts.none') };
    const header = t('accounts.title', { count: visible.length, mode: services.config.mode });
    const lines = visible.map((a) => describeAccount(t, a, services.streams.status(a.id)));
    return { text: [header, ...lines].join('\n') };
  },
});
