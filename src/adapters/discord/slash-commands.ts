import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { argShapes, type ArgShape } from '../../commands/args.ts';
import { isGroup, qualifiedSubcommand, type CommandDef, type CommandEntry } from '../../commands/types.ts';
import { hasMessage, t } from '../../i18n/index.ts';

/** What Discord accepts as a command, subcommand or option name (we declare lowercase ASCII). */
export const DISCORD_NAME = /^[a-z0-9_-]{1,32}$/;
/** Discord's limits on a description and on fixed choices. */
const DESCRIPTION_LIMIT = 100;
const CHOICES_LIMIT = 25;

export type SlashCommandJson = RESTPostAPIChatInputApplicationCommandsJSONBody;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The en description and its zh localization; a missing key falls back rather than show the key. */
function describedBy(key: string, fallback: string) {
  const text = (language: 'en' | 'zh') => truncate(hasMessage(key) ? t(language, key) : fallback, DESCRIPTION_LIMIT);
  return { description: text('en'), description_localizations: { 'zh-CN': text('zh') } };
}

const OPTION_TYPES = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  number: ApplicationCommandOptionType.Number,
  boolean: ApplicationCommandOptionType.Boolean,
} as const;

function optionOf(def: CommandDef, shape: ArgShape): APIApplicationCommandBasicOption {
  const completes = def.args[shape.name]?.complete !== undefined;
  const base = { name: shape.name, required: shape.required, ...describedBy(shape.descriptionKey, shape.name) };
  const numeric = shape.type === 'integer' || shape.type === 'number';
  const range = numeric
    ? {
        ...(shape.min !== undefined ? { min_value: shape.min } : {}),
        ...(shape.max !== undefined ? { max_value: shape.max } : {}),
      }
    : {};
  if (shape.type === 'boolean') return { ...base, type: OPTION_TYPES.boolean };
  if (shape.type === 'string') {
    // Discord allows fixed choices or autocomplete on an option, not both.
    const choices = shape.choices && shape.choices.length <= CHOICES_LIMIT ? shape.choices : undefined;
    if (choices) return { ...base, type: OPTION_TYPES.string, choices: choices.map((c) => ({ name: c, value: c })) };
    return { ...base, type: OPTION_TYPES.string, ...(completes ? { autocomplete: true } : {}) };
  }
  return shape.type === 'integer'
    ? { ...base, type: OPTION_TYPES.integer, ...range }
    : { ...base, type: OPTION_TYPES.number, ...range };
}

/** The options of one runnable command, required ones first as Discord demands. */
export function optionsOf(def: CommandDef): APIApplicationCommandBasicOption[] {
  const shapes = argShapes(def);
  return [...shapes.filter((s) => s.required), ...shapes.filter((s) => !s.required)].map((s) => optionOf(def, s));
}

function descriptionKeyOfEntry(entry: CommandEntry): string {
  return entry.descriptionKey ?? `commands.${entry.name}.description`;
}

/**
 * The slash commands, generated from the declarations: one per top-level entry, a group's
 * subcommands as Discord subcommands. Usable in servers and in the bot's DMs.
 */
export function slashCommandsOf(entries: readonly CommandEntry[]): SlashCommandJson[] {
  return entries.map((entry): SlashCommandJson => {
    const common = {
      name: entry.name,
      type: ApplicationCommandType.ChatInput as const,
      ...describedBy(descriptionKeyOfEntry(entry), `/${entry.name}`),
      contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
      integration_types: [ApplicationIntegrationType.GuildInstall],
    };
    if (!isGroup(entry)) return { ...common, options: optionsOf(entry) };
    const subcommands = entry.subcommands.map((sub): APIApplicationCommandSubcommandOption => {
      const leaf = qualifiedSubcommand(entry, sub);
      return {
        type: ApplicationCommandOptionType.Subcommand,
        name: sub.name,
        ...describedBy(leaf.descriptionKey ?? '', `/${leaf.name}`),
        options: optionsOf(leaf),
      };
    });
    return { ...common, options: subcommands };
  });
}

/** Declared names (commands, subcommands, options) Discord would refuse; a test keeps this empty. */
export function namesDiscordRefuses(entries: readonly CommandEntry[]): string[] {
  return slashCommandsOf(entries).flatMap((command) => {
    const names = [command.name];
    for (const option of command.options ?? []) {
      names.push(`${command.name} ${option.name}`);
      if (option.type === ApplicationCommandOptionType.Subcommand) {
        for (const o of option.options ?? []) names.push(`${command.name} ${option.name} ${o.name}`);
      }
    }
    return names.filter((full) => !DISCORD_NAME.test(full.split(' ').at(-1) ?? ''));
  });
}
