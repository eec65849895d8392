import { randomBytes } from 'node:crypto';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type Interaction,
  type RepliableInteraction,
} from 'discord.js';
import type { CommandDispatcher } from '../../commands/dispatcher.ts';
import type { Reply, ReplyButton } from '../../commands/types.ts';
import type { Logger } from '../../infra/logger.ts';
import { normalizeLanguage, t, type Language } from '../../i18n/index.ts';
import type { CallerRef, IdentityService } from '../../services/identity.ts';
import { suggestionsFor, type CompletionSources } from './completions.ts';
import { discordMessagesOf } from './format.ts';
import { PromptRegistry } from './prompts.ts';

/** Discord's limit on a button's custom_id. */
export const CUSTOM_ID_LIMIT = 100;

/** Replies never ping anyone, whatever the text holds. */
const NO_MENTIONS = { parse: [] };

export interface InteractionDeps {
  dispatcher: CommandDispatcher;
  identity: IdentityService;
  completions: CompletionSources;
  logger: Logger;
  defaultLanguage: Language;
  /** Commands whose replies only the caller sees (`balance`, `positions`), when so configured. */
  privateCommands?: readonly string[] | undefined;
}

/** The person behind an interaction — in a server channel, never the server or the channel. */
export function callerOf(interaction: Interaction): CallerRef {
  const { user } = interaction;
  return {
    platform: 'discord',
    externalId: user.id,
    displayName: user.globalName ?? user.username,
    locale: interaction.locale,
    // The channel is where alerts can go, not who may run a command.
    ...(interaction.channelId ? { chat: { id: interaction.channelId, group: interaction.inGuild() } } : {}),
  };
}

/** The declared name (`order`, `vp close`) and the option values of a slash command. */
export function commandOf(interaction: ChatInputCommandInteraction | AutocompleteInteraction): {
  name: string;
  values: Record<string, string | number | boolean>;
} {
  const sub = interaction.options.getSubcommand(false);
  const data: readonly CommandInteractionOption[] = sub
    ? (interaction.options.data[0]?.options ?? [])
    : interaction.options.data;
  const values: Record<string, string | number | boolean> = {};
  for (const option of data) if (option.value !== undefined) values[option.name] = option.value;
  return { name: sub ? `${interaction.commandName} ${sub}` : interaction.commandName, values };
}

const BUTTON_STYLES = {
  primary: ButtonStyle.Primary,
  danger: ButtonStyle.Danger,
  secondary: ButtonStyle.Secondary,
} as const;

export function componentsOf(buttons: ReplyButton[][] | undefined): ActionRowBuilder<ButtonBuilder>[] {
  return (buttons ?? []).map((row) =>
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      row.map((b) => {
        if (b.data.length > CUSTOM_ID_LIMIT) {
          throw new Error(`button data longer than ${CUSTOM_ID_LIMIT} characters: ${b.data.slice(0, 20)}…`);
        }
        return new ButtonBuilder()
          .setCustomId(b.data)
          .setLabel(b.label)
          .setStyle(BUTTON_STYLES[b.style ?? 'secondary']);
      }),
    ),
  );
}

/**
 * Slash commands, autocomplete and Confirm / Cancel presses, answered through the dispatcher.
 * Every command is deferred at once (an order may take longer than Discord's 3 seconds) and
 * answered by editing that reply; each interaction runs on its own, and a failure in one is
 * logged with a reference the user is given, never thrown at the client.
 */
export class DiscordInteractions {
  private readonly prompts = new PromptRegistry();
  private readonly running = new Set<Promise<void>>();
  private readonly privateCommands: ReadonlySet<string>;

  constructor(private readonly deps: InteractionDeps) {
    this.privateCommands = new Set(deps.privateCommands ?? []);
  }

  /** Commands, presses and suggestions still being answered. */
  get pendingWork(): number {
    return this.running.size;
  }

  /** The client's `interactionCreate` listener. */
  readonly onInteraction = (interaction: Interaction): void => {
    const work = this.answer(interaction).catch((err: unknown) => this.fail(interaction, err));
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  };

  /** Waits for the work already started, at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all([...this.running]), timeout]);
    clearTimeout(timer);
  }

  private async answer(interaction: Interaction): Promise<void> {
    if (interaction.isChatInputCommand()) return this.answerCommand(interaction);
    if (interaction.isAutocomplete()) return this.answerAutocomplete(interaction);
    if (interaction.isButton()) return this.answerPress(interaction);
  }

  private async answerCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const { name, values } = commandOf(interaction);
    const hidden = this.privateCommands.has(name) || this.privateCommands.has(interaction.commandName);
    await interaction.deferReply(hidden ? { flags: MessageFlags.Ephemeral } : {});
    const reply = await this.deps.dispatcher.handleValues(callerOf(interaction), name, values);
    await this.deliver(interaction, reply, hidden);
  }

  /**
   * Puts a reply where the deferred one stands. A reply meant for the caller alone (an error, a
   * refusal) cannot turn a public deferral private, so the placeholder is deleted and the reply
   * follows privately. Text over 2,000 characters continues in follow-ups; buttons go last.
   */
  private async deliver(interaction: RepliableInteraction, reply: Reply, deferredPrivately: boolean): Promise<void> {
    const parts = discordMessagesOf(reply.text);
    const components = componentsOf(reply.buttons);
    const ephemeral = deferredPrivately || reply.ephemeral === true;
    const flags = ephemeral ? MessageFlags.Ephemeral : undefined;
    let lastId: string | undefined;
    const replaced = ephemeral && !deferredPrivately;
    if (replaced) await interaction.deleteReply();
    for (const [i, content] of parts.entries()) {
      const body = {
        content,
        allowedMentions: NO_MENTIONS,
        ...(i === parts.length - 1 ? { components } : { components: [] }),
      };
      const sent =
        i === 0 && !replaced
          ? await interaction.editReply(body)
          : await interaction.followUp({ ...body, ...(flags ? { flags } : {}) });
      lastId = sent.id;
    }
    if (reply.confirmation && lastId) {
      this.prompts.add({ messageId: lastId, askerId: interaction.user.id, expiresAt: reply.confirmation.expiresAt });
    }
  }

  /**
   * The core decides (asker only, not expired, once); this only chooses where the answer shows.
   * The asker's press replaces the prompt with the outcome and removes its buttons; anyone
   * else's refusal, and a second press, show only to the presser and leave the message alone.
   */
  private async answerPress(interaction: ButtonInteraction): Promise<void> {
    const prompt = this.prompts.take(interaction.message.id, interaction.user.id);
    if (prompt) await interaction.deferUpdate();
    else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const reply = await this.deps.dispatcher.handleAction(callerOf(interaction), interaction.customId);
    if (!reply) {
      if (!prompt) await interaction.deleteReply();
      return;
    }
    if (!prompt) {
      await this.deliver(interaction, reply, true);
      return;
    }
    if (reply.buttons?.length) {
      await interaction.editReply({ components: [] });
      await this.sendFollowUpPrompt(interaction, reply);
      return;
    }
    const [first = ' ', ...rest] = discordMessagesOf(reply.text);
    await interaction.editReply({ content: first, components: [], allowedMentions: NO_MENTIONS });
    for (const content of rest) await interaction.followUp({ content, allowedMentions: NO_MENTIONS });
  }

  /** An outcome that itself asks for a confirmation arrives as a new message with its buttons. */
  private async sendFollowUpPrompt(interaction: ButtonInteraction, reply: Reply): Promise<void> {
    const parts = discordMessagesOf(reply.text);
    let lastId: string | undefined;
    for (const [i, content] of parts.entries()) {
      const last = i === parts.length - 1;
      const sent = await interaction.followUp({
        content,
        allowedMentions: NO_MENTIONS,
        ...(last ? { components: componentsOf(reply.buttons) } : {}),
      });
      lastId = sent.id;
    }
    if (reply.confirmation && lastId) {
      this.prompts.add({ messageId: lastId, askerId: interaction.user.id, expiresAt: reply.confirmation.expiresAt });
    }
  }

  private async answerAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const { name, values } = commandOf(interaction);
    const kind = this.deps.dispatcher.find(name)?.args[focused.name]?.complete;
    const account = typeof values['account'] === 'string' ? values['account'] : undefined;
    const suggestions = kind
      ? await suggestionsFor(this.deps.completions, callerOf(interaction), {
          kind,
          typed: focused.value,
          account: focused.name === 'account' ? undefined : account,
        })
      : [];
    await interaction.respond(suggestions.map((value) => ({ name: value, value })));
  }

  /** A bug or a refused API call: logged with a reference the user is given privately. */
  private async fail(interaction: Interaction, err: unknown): Promise<void> {
    const ref = randomBytes(4).toString('hex');
    this.deps.logger.error({ err, ref, interaction: interaction.id }, 'discord: handling an interaction failed');
    if (!interaction.isRepliable()) {
      if (interaction.isAutocomplete() && !interaction.responded) await interaction.respond([]).catch(() => undefined);
      return;
    }
    const content = t(await this.languageOf(interaction), 'errors.internal', { ref });
    const apology = { content, components: [], allowedMentions: NO_MENTIONS };
    try {
      if (!interaction.deferred && !interaction.replied) {
        await interaction.reply({ ...apology, flags: MessageFlags.Ephemeral });
      } else {
        // Replace the "thinking…" placeholder; when even that is refused, say it privately.
        await interaction
          .editReply(apology)
          .catch(() => interaction.followUp({ content, allowedMentions: NO_MENTIONS, flags: MessageFlags.Ephemeral }));
      }
    } catch (sendErr) {
      this.deps.logger.error({ err: sendErr, ref }, 'discord: could not tell the user about a failure');
    }
  }

  private async languageOf(interaction: Interaction): Promise<Language> {
    try {
      return (await this.deps.identity.resolve(callerOf(interaction))).language;
    } catch {
      return normalizeLanguage(interaction.locale) ?? this.deps.defaultLanguage;
    }
  }
}
