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

/**
 * A command answered within this is answered directly, public or private as its reply says; a
 * slower one is acknowledged first. Discord wants the first answer within 3 s of the interaction,
 * and the gateway and the answer's own round trip take part of that.
 */
export const DIRECT_REPLY_MS = 1_500;

export interface InteractionDeps {
  dispatcher: CommandDispatcher;
  identity: IdentityService;
  completions: CompletionSources;
  logger: Logger;
  defaultLanguage: Language;
  /** Commands whose replies only the caller sees (`balance`, `positions`), when so configured. */
  privateCommands?: readonly string[] | undefined;
  /** How long a command may run before it is deferred; DIRECT_REPLY_MS unless set. */
  directReplyMs?: number | undefined;
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
 * Whether a reply is for the channel or for the caller alone (a refusal, an error) is known only
 * once the command has run, and Discord fixes it with the first answer: so a command is answered
 * directly when it finishes quickly (most refusals take milliseconds), and a slow one is deferred
 * privately — a "thinking…" only the caller sees — its public reply then posted as a follow-up.
 * The channel never sees a placeholder for a reply that ends up private. Each interaction runs on
 * its own, and a failure in one is logged with a reference the user is given, never thrown at the
 * client.
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
    const work = this.deps.dispatcher.handleValues(callerOf(interaction), name, values);
    const quick = await settledWithin(work, this.deps.directReplyMs ?? DIRECT_REPLY_MS);
    if (quick) {
      await this.replyDirectly(interaction, quick.reply, hidden);
      return;
    }
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await this.deliverDeferred(interaction, await work, hidden);
  }

  /** The first answer is the reply itself, public or private as the reply says. */
  private async replyDirectly(interaction: ChatInputCommandInteraction, reply: Reply, hidden: boolean): Promise<void> {
    const flags = hidden || reply.ephemeral === true ? { flags: MessageFlags.Ephemeral as const } : {};
    const [first, ...rest] = this.messagesOf(reply);
    await interaction.reply({ ...first, ...flags });
    let lastId: string | undefined;
    for (const body of rest) lastId = (await interaction.followUp({ ...body, ...flags })).id;
    if (reply.confirmation) lastId ??= (await interaction.fetchReply()).id;
    this.notePrompt(interaction, reply, lastId);
  }

  /**
   * A reply after a private deferral. A private reply takes the placeholder's place. A public one
   * cannot (Discord keeps a deferral's visibility, and so does the first follow-up after it): the
   * placeholder says where the answer went, and the answer follows in the channel.
   */
  private async deliverDeferred(interaction: RepliableInteraction, reply: Reply, hidden: boolean): Promise<void> {
    const ephemeral = hidden || reply.ephemeral === true;
    const parts = this.messagesOf(reply);
    let lastId: string | undefined;
    if (ephemeral) {
      const [first, ...rest] = parts;
      lastId = (await interaction.editReply(first)).id;
      for (const body of rest) lastId = (await interaction.followUp({ ...body, flags: MessageFlags.Ephemeral })).id;
    } else {
      const language = await this.languageOf(interaction);
      await interaction.editReply({
        content: t(language, 'discord.answered_in_channel'),
        allowedMentions: NO_MENTIONS,
      });
      for (const body of parts) lastId = (await interaction.followUp(body)).id;
    }
    this.notePrompt(interaction, reply, lastId);
  }

  /** Text over 2,000 characters continues in more messages; buttons go on the last. */
  private messagesOf(reply: Reply): [MessageBody, ...MessageBody[]] {
    const components = componentsOf(reply.buttons);
    const parts = discordMessagesOf(reply.text);
    const bodies = parts.map((content, i) => ({
      content,
      allowedMentions: NO_MENTIONS,
      components: i === parts.length - 1 ? components : [],
    }));
    const [first = { content: ' ', allowedMentions: NO_MENTIONS, components }, ...rest] = bodies;
    return [first, ...rest];
  }

  private notePrompt(interaction: RepliableInteraction, reply: Reply, messageId: string | undefined): void {
    if (reply.confirmation && messageId) {
      this.prompts.add({ messageId, askerId: interaction.user.id, expiresAt: reply.confirmation.expiresAt });
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
      await this.deliverDeferred(interaction, reply, true);
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
      const privately = () =>
        interaction.followUp({ content, allowedMentions: NO_MENTIONS, flags: MessageFlags.Ephemeral });
      if (!interaction.deferred && !interaction.replied) {
        await interaction.reply({ ...apology, flags: MessageFlags.Ephemeral });
      } else if (interaction.deferred) {
        // Replace the "thinking…" placeholder (or the pressed prompt); when even that is refused, say it privately.
        await interaction.editReply(apology).catch(privately);
      } else {
        // Answered directly, maybe in public: what was said stays, the apology goes to the caller alone.
        await privately();
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

type MessageBody = {
  content: string;
  allowedMentions: typeof NO_MENTIONS;
  components: ActionRowBuilder<ButtonBuilder>[];
};

/** The work's result if it settles within `ms` (a rejection is thrown at once), else undefined. */
async function settledWithin<T>(work: Promise<T>, ms: number): Promise<{ reply: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work.then((reply) => ({ reply })), late]);
  } finally {
    clearTimeout(timer);
  }
}
