import { LANGUAGES } from '../../i18n/index.ts';
import { alertCategoriesSchema, alertSeveritySchema, chosenCategories } from '../../services/alerts/alert-settings.ts';
import { HedgeError } from '../../domain/errors.ts';
import { defineCommand, type CommandContext, type CommandGroup } from '../types.ts';

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

/** Alerts are pushed to a chat; the console is none, so it is refused there, never told "ok". */
export class NoAlertChatError extends HedgeError {}

/** Alerts go to the chat the command is sent in; the console has none. */
function chatOf(ctx: CommandContext): { platform: 'telegram' | 'discord'; id: string } {
  const { caller } = ctx;
  if (!caller.chat || (caller.platform !== 'telegram' && caller.platform !== 'discord')) {
    throw new NoAlertChatError('alerts.needs_chat');
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
    const removed = await ctx.services.alerts.unsubscribe(chat.platform, chat.id);
    if (!removed) return { text: ctx.t('alerts.was_off'), unchanged: { key: 'alerts.was_off' } };
    return { text: ctx.t('alerts.off') };
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
