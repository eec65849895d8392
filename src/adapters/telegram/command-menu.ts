import type { BotCommand } from 'grammy/types';
import { isGroup, type CommandEntry } from '../../commands/types.ts';
import { hasMessage, LANGUAGES, t, type Language } from '../../i18n/index.ts';

/** What Telegram accepts as a command name. */
export const TELEGRAM_COMMAND_NAME = /^[a-z0-9_]{1,32}$/;

export interface TelegramCommandList {
  /** Absent for the default list, shown to users whose language has no list of its own. */
  languageCode?: Language;
  commands: BotCommand[];
}

function descriptionKeyOfEntry(entry: CommandEntry): string {
  return entry.descriptionKey ?? `commands.${entry.name}.description`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The command menu in one language, generated from the declarations: a group is listed once. */
export function telegramCommandsIn(entries: readonly CommandEntry[], language: Language): BotCommand[] {
  return entries
    .filter((entry) => TELEGRAM_COMMAND_NAME.test(entry.name))
    .map((entry) => {
      const key = descriptionKeyOfEntry(entry);
      const subcommands = isGroup(entry) ? entry.subcommands.map((s) => s.name).join(', ') : '';
      // A missing description must not show its raw key in Telegram's menu (a test flags it).
      const description = hasMessage(key) ? t(language, key) : `/${entry.name}`;
      const text = subcommands ? `${description} (${subcommands})` : description;
      return { command: entry.name, description: truncate(text, 256) };
    });
}

/** The lists for setMyCommands: the default language without a code, then every language with one. */
export function telegramCommandLists(
  entries: readonly CommandEntry[],
  defaultLanguage: Language,
): TelegramCommandList[] {
  return [
    { commands: telegramCommandsIn(entries, defaultLanguage) },
    ...LANGUAGES.map((languageCode) => ({ languageCode, commands: telegramCommandsIn(entries, languageCode) })),
  ];
}

/** Declared names Telegram cannot show; a test keeps this empty. */
export function namesTelegramCannotShow(entries: readonly CommandEntry[]): string[] {
  return entries.map((e) => e.name).filter((name) => !TELEGRAM_COMMAND_NAME.test(name));
}
