import { LANGUAGES } from '../../i18n/index.ts';
import { alertCategoriesSchema, alertSeveritySchema, chosenCategories } from '../../services/alerts/alert-settings.ts';
import { defineCommand, type CommandContext, type CommandGroup, type Reply } from '../types.ts';

const categoriesArg = {
  schema: alertCategoriesSchema.optional(),
  descriptionKey: 'args.alert_categories',
  flexible: true,
  example: 'copy,tpsl',
};

const severityArg = {
  schema: alertSeveritySchema.optional(),
  descriptionKey: 'args.alert_severity',
  flexible: true,
};

/** Alerts go to the chat the command is sent in; the console has none. */
function chatOf(ctx: CommandContext): { platform: 'telegram' | 'discord'; id: string } | Reply {
  const { caller } = ctx;
  if (!caller.chat || (caller.platform !== 'telegram' && caller.platform !== 'discord')) {
    return { text: ctx.t('alerts.needs_chat'), ephemeral: true };
  }
  return { platform: caller.platform, id: caller.chat.id };
}

const onCommand = defineCommand({
  name: 'on',
  role: 'trader',
  scope: 'none',
  mutates: true,
  args: { categories: categoriesArg, severity: severityArg },
  async run(ctx, { categories, severity }) {
    const chat = chatOf(ctx);
    if ('text' in chat) return chat;
    const chosen = chosenCategories(categories);
    const language = ctx.caller.language;
    await ctx.services.alerts.subscribe(chat.platform, chat.id, {
      categories: chosen,
      minSeverity: severity ?? 'info',
      language: (LANGUAGES as readonly string[]).includes(language) ? language : 'en',
      userId: ctx.caller.userId,
    });
    return {
      text: ctx.t('alerts.on', {
        categories: chosen === '*' ? ctx.t('alerts.all_categories') : chosen.join(', '),
        severity: severity ?? 'info',
      }),
    };
  },
});

const offCommand = defineCommand({
  name: 'off',
  role: 'trader',
  scope: 'none',
  mutates: true,
  args: {},
  async run(ctx) {
    const chat = chatOf(ctx);
    if ('text' in chat) return chat;
    const removed = await ctx.services.alerts.unsubscribe(chat.platform, chat.id);
    return { text: ctx.t(removed ? 'alerts.off' : 'alerts.was_off') };
  },
});

const statusCommand = defineCommand({
  name: 'status',
  role: 'viewer',
  scope: 'none',
  mutates: false,
  args: {},
  async run(ctx) {
    const chat = chatOf(ctx);
    if ('text' in chat) return chat;
    const found = ctx.services.alerts.subscription(chat.platform, chat.id);
    if (!found) return { text: ctx.t('alerts.status_off') };
    const { subscription, pending } = found;
    return {
      text: ctx.t('alerts.status_on', {
        categories: subscription.categories === '*' ? ctx.t('alerts.all_categories') : subscription.categories,
        severity: subscription.minSeverity,
        pending,
      }),
    };
  },
});

export const alertsGroup: CommandGroup = {
  name: 'alerts',
  subcommands: [statusCommand, onCommand, offCommand],
  defaultSubcommand: 'status',
};
