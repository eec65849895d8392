import { defineCommand } from '../types.ts';

export const whoamiCommand = defineCommand({
  name: 'whoami',
  role: 'public',
  scope: 'none',
  mutates: false,
  args: {},
  async run({ caller, t }) {
    const lines = [
      t('whoami.platform', { platform: caller.platform }),
      t('whoami.id', { id: caller.externalId }),
      t('whoami.language', { language: caller.language }),
    ];
    if (caller.role === undefined) {
      lines.push(t('whoami.not_linked', { platform: caller.platform, id: caller.externalId }));
    } else {
      lines.push(t('whoami.user', { name: caller.userName ?? '', role: t(`roles.${caller.role}`) }));
      const accounts =
        caller.accounts === 'all'
          ? t('whoami.all_accounts')
          : [...caller.accounts].join(', ') || t('whoami.no_accounts');
      lines.push(t('whoami.accounts', { accounts }));
    }
    return { text: lines.join('\n'), ephemeral: true };
  },
});
