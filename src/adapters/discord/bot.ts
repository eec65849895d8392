import {
  Client,
  DiscordAPIError,
  DiscordjsError,
  DiscordjsErrorCodes,
  Events,
  GatewayCloseCodes,
  HTTPError,
  REST,
  Routes,
} from 'discord.js';
import type { CommandDispatcher } from '../../commands/dispatcher.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Language } from '../../i18n/index.ts';
import type { IdentityService } from '../../services/identity.ts';
import type { CompletionSources } from './completions.ts';
import { DiscordInteractions } from './interactions.ts';
import { DiscordSender } from './sender.ts';
import { slashCommandsOf } from './slash-commands.ts';

export interface DiscordBotOptions {
  token: string;
  appId: string;
  /** Registers the slash commands to this server (instant) instead of globally. */
  guildId?: string | undefined;
  /** REST base without `/v10` (a proxy, or a fake in tests). */
  apiBase: string;
  dispatcher: CommandDispatcher;
  identity: IdentityService;
  completions: CompletionSources;
  logger: Logger;
  defaultLanguage: Language;
  privateCommands?: readonly string[] | undefined;
  /** How long a command may run before its answer is deferred (default 1.5 s; Discord allows 3 s). */
  directReplyMs?: number;
  /** First wait before connecting again after Discord could not be reached; doubles up to 5 min. */
  retryInitialMs?: number;
}

export type DiscordStatus =
  | { state: 'starting'; lastError?: string }
  | { state: 'running'; username: string }
  | { state: 'failed'; reason: string }
  | { state: 'stopped' };

const TOKEN_REJECTED =
  'Discord rejected DISCORD_TOKEN (401 Unauthorized); check the bot token in the Developer Portal and restart';
const RETRY_MAX_MS = 5 * 60_000;
/** The gateway's close code for a token it refuses (4004). */
const GATEWAY_AUTHENTICATION_FAILED: number = GatewayCloseCodes.AuthenticationFailed;
/** How long stop() waits for replies still being sent before giving up on them. */
const DRAIN_MS = 2_000;

function isTokenRejected(err: unknown): boolean {
  return (
    (err instanceof DiscordjsError && err.code === DiscordjsErrorCodes.TokenInvalid) ||
    (err instanceof DiscordAPIError && err.status === 401) ||
    (err instanceof HTTPError && err.status === 401)
  );
}

/** One line a trader can act on; never contains the token. */
export function describeDiscordFailure(err: unknown): string {
  if (isTokenRejected(err)) return TOKEN_REJECTED;
  if (err instanceof DiscordAPIError) {
    return `Discord refused ${err.method.toUpperCase()} ${new URL(err.url).pathname} (${err.status}: ${err.message})`;
  }
  if (err instanceof HTTPError) return `Discord answered ${err.status} ${err.message}`;
  const message = err instanceof Error ? err.message : String(err);
  return `cannot reach the Discord API (${message})`;
}

/**
 * The Discord adapter: a discord.js client over the command dispatcher, slash commands generated
 * from the declarations. Starting never blocks: the client connects in the background and
 * reports through `status`; while Discord cannot be reached it tries again with backoff, and a
 * rejected token stops only this adapter.
 */
export class DiscordBot {
  /** Pushes to a channel; a REST client of its own, so alerts do not depend on the gateway. */
  readonly sender: DiscordSender;
  readonly interactions: DiscordInteractions;
  private client: Client | undefined;
  private current: DiscordStatus = { state: 'stopped' };
  private settled: Promise<DiscordStatus> | undefined;
  private settle: ((status: DiscordStatus) => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly options: DiscordBotOptions) {
    this.sender = new DiscordSender(new REST({ api: options.apiBase }).setToken(options.token));
    this.interactions = new DiscordInteractions(options);
  }

  get status(): DiscordStatus {
    return this.current;
  }

  get pendingWork(): number {
    return this.interactions.pendingWork;
  }

  /**
   * Connects in the background. The promise settles once Discord has answered — running or
   * failed — which may be never while it is unreachable; callers race it with a timer.
   */
  start(): Promise<DiscordStatus> {
    if (this.settled) return this.settled;
    this.stopping = false;
    this.current = { state: 'starting' };
    this.settled = new Promise<DiscordStatus>((resolve) => {
      this.settle = resolve;
    });
    void this.connect(this.options.retryInitialMs ?? 5_000);
    return this.settled;
  }

  private report(status: DiscordStatus): void {
    this.current = status;
    this.settle?.(status);
  }

  private createClient(): Client {
    const client = new Client({ intents: [], rest: { api: this.options.apiBase } });
    client.on(Events.InteractionCreate, this.interactions.onInteraction);
    client.on(Events.Error, (err) => this.options.logger.error({ err }, 'discord: client error'));
    client.once(Events.ClientReady, (ready) => {
      const username = ready.user.username;
      this.report({ state: 'running', username });
      this.options.logger.info({ bot: username }, `discord running as ${username}`);
      void this.publishCommands(client);
    });
    client.on(Events.ShardDisconnect, (event) => {
      if (event.code === GATEWAY_AUTHENTICATION_FAILED) this.fail(TOKEN_REJECTED, client);
    });
    return client;
  }

  private async connect(backoffMs: number): Promise<void> {
    const client = this.createClient();
    this.client = client;
    try {
      await client.login(this.options.token);
    } catch (err) {
      if (this.stopping || this.client !== client || this.current.state === 'failed') return;
      const reason = describeDiscordFailure(err);
      if (isTokenRejected(err)) {
        this.fail(reason, client);
        return;
      }
      this.current = { state: 'starting', lastError: reason };
      this.options.logger.warn(`discord: ${reason}; trying again in ${Math.round(backoffMs / 1000)} s`);
      this.retryTimer = setTimeout(() => void this.connect(Math.min(backoffMs * 2, RETRY_MAX_MS)), backoffMs);
      this.retryTimer.unref();
    }
  }

  private fail(reason: string, client: Client): void {
    if (this.current.state === 'failed') return;
    this.report({ state: 'failed', reason });
    this.options.logger.error(`discord failed: ${reason}; everything else keeps running`);
    void client.destroy();
  }

  /** The slash commands, generated from the declarations, as one bulk overwrite. */
  async publishCommands(client = this.client): Promise<void> {
    if (!client) return;
    const { appId, guildId, dispatcher } = this.options;
    const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);
    try {
      await client.rest.put(route, { body: slashCommandsOf(dispatcher.entries) });
      this.options.logger.info(
        { commands: dispatcher.entries.length, scope: guildId ?? 'global' },
        'discord: slash commands registered',
      );
    } catch (err) {
      this.options.logger.warn({ err: describeDiscordFailure(err) }, 'discord: could not register the slash commands');
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    await this.interactions.drain(DRAIN_MS);
    await this.client?.destroy();
    this.client = undefined;
    if (this.current.state !== 'failed') this.current = { state: 'stopped' };
    this.settle?.(this.current);
  }
}
