import { z } from 'zod';
import { roleAllows } from '../../domain/roles.ts';
import { argShapes, usageOf } from '../args.ts';
import { defineCommand, descriptionKeyOf, type CommandContext, type CommandDef } from '../types.ts';

function visibleTo(ctx: CommandContext): CommandDef[] {
  return ctx.commands.filter((c) => roleAllows(ctx.caller.role, c.role));
}

function commandHelp(ctx: CommandContext, def: CommandDef): string {
  const { t } = ctx;
  const lines = [`${usageOf(def)} — ${t(descriptionKeyOf(def))}`];
  for (const arg of argShapes(def)) {
    const choices = arg.choices ? ` (${arg.choices.join(' | ')})` : '';
    const optional = arg.required ? '' : ` ${t('help.optional')}`;
    lines.push(`  ${arg.name}${optional}: ${t(arg.descriptionKey)}${choices}`);
  }
  if (def.aliases?.length) lines.push(`  ${t('help.aliases')}: ${def.aliases.map((a) => `/${a}`).join(', ')}`);
  lines.push(`  ${t('help.role')}: ${t(`roles.${def.role}`)}`);
  return lines.join('\n');
}

export const helpCommand = defineCommand({
  name: 'help',
  aliases: ['start'],
  role: 'public',
  scope: 'none',
  mutates: false,
  args: {
    command: {
      schema: z
        .string()
        .trim()
        .toLowerCase()
        .transform((s) => s.replace(/^\//, ''))
        .optional(),
      descriptionKey: 'commands.help.args.command',
      rest: true,
    },
  },
  async run(ctx, { command }) {
    const { t } = ctx;
    const visible = visibleTo(ctx);
    if (command) {
      const wanted = command.split(/\s+/).join(' ');
      // `/help vp` covers every `/vp …` subcommand.
      const defs = visible.filter(
        (c) => c.name === wanted || c.aliases?.includes(wanted) || c.name.startsWith(`${wanted} `),
      );
      if (defs.length === 0) return { text: t('help.no_such_command', { command: wanted }) };
      return { text: defs.map((d) => commandHelp(ctx, d)).join('\n\n') };
    }
    const lines = [t('help.title', { role: t(`roles.${ctx.caller.role ?? 'public'}`) })];
    for (const def of visible) lines.push(`${usageOf(def)} — ${t(descriptionKeyOf(def))}`);
    lines.push('', t('help.footer'));
    if (ctx.caller.role === undefined) lines.push(t('help.not_linked'));
    return { text: lines.join('\n') };
  },
});
