import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedCall {
  method: string;
  /** Decoded, without `/api/v10` and the query (`/webhooks/1/tok/messages/@original`). */
  path: string;
  body: Record<string, unknown> | unknown[] | undefined;
  /** What the fake answered. */
  status: number;
}

export interface FakeDiscordUser {
  id: string;
  username?: string;
  /** Discord's locale of the user's client: `en-US`, `zh-CN`. */
  locale?: string;
}

/** A guild text channel, or a DM with the user when absent. */
export interface FakeChannel {
  guildId: string;
  channelId: string;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  content: string;
  components: { type: number; components: { type: number; custom_id?: string; label?: string; style?: number }[] }[];
  /** Only the one user sees it (flag 64). */
  ephemeral: boolean;
  /** Still the "thinking…" placeholder of a deferred reply. */
  deferred: boolean;
}

/** One option as Discord sends it; a subcommand is `{name, type: 1, options}`. */
export interface FakeOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: FakeOption[];
}

export interface InjectedInteraction {
  id: string;
  token: string;
  /** Set when the interaction is a button press on a message. */
  messageId?: string;
}

type Json = Record<string, unknown>;
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

export const BOT_USER = {
  id: '900000000000000001',
  username: 'hedgestack',
  discriminator: '0',
  bot: true,
  avatar: null,
};
const EPHEMERAL = 64;
const DM_CHANNEL_PREFIX = 'dm';

const snowflakes = (() => {
  let next = 1_000_000_000_000_000n;
  return () => String(next++);
})();

/**
 * A fake Discord REST API and gateway on 127.0.0.1, speaking what discord.js 14 uses: login
 * (`/gateway/bot`, HELLO, IDENTIFY → READY, heartbeats, RESUME), the slash-command bulk
 * overwrite, interaction callbacks, the interaction webhook (original reply and follow-ups) and
 * channel messages. It records every REST call, injects interactions, 429s, outages and a wrong
 * token.
 */
export class FakeDiscord {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  /** Messages the bot deleted, as they stood just before. */
  readonly deleted: StoredMessage[] = [];
  /** Each slash-command bulk overwrite: the guild (or `global`) and the commands. */
  readonly registered: { scope: string; commands: Json[] }[] = [];
  readonly botUser = BOT_USER;
  readonly appId = '900000000000000002';
  url = '';
  private server: http.Server | undefined;
  private readonly wss = new WebSocketServer({ noServer: true });
  private sockets = new Set<WebSocket>();
  private seq = 0;
  /** Interaction token → the message its `@original` stands for, once there is one. */
  private originals = new Map<string, string>();
  private interactionChannels = new Map<string, string>();
  /** Interactions that have had their callback, by id: the callback type. */
  readonly acknowledged = new Map<string, number>();
  private faults: { match: RegExp; remaining: number; answer: Answer }[] = [];
  private outage: 'reset' | 'error5xx' | undefined;
  /** When set, IDENTIFY is answered with close code 4004 whatever the token. */
  rejectIdentify = false;

  constructor(readonly token = 'MTAw.fake.discord-token') {}

  /** The REST base discord.js is given (it adds `/v10`). */
  get apiBase(): string {
    return `${this.url}/api`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.outage === 'reset') {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onGatewayConnection(ws));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The next `count` REST calls whose `METHOD path` matches answer 429 with `retry_after` seconds. */
  rateLimit(count: number, retryAfterSeconds: number, match = /./): void {
    this.faults.push({
      match,
      remaining: count,
      answer: {
        status: 429,
        headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-scope': 'user' },
        body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
      },
    });
  }

  /** The next `count` matching REST calls are refused with a 400 (a call the bot cannot retry). */
  refuse(count: number, match: RegExp, message = 'Invalid Form Body'): void {
    this.faults.push({ match, remaining: count, answer: { status: 400, body: { code: 50035, message } } });
  }

  /** Until lifted, REST requests and gateway upgrades have their connection reset, or REST answers 502. */
  startOutage(kind: 'reset' | 'error5xx' = 'reset'): void {
    this.outage = kind;
  }

  endOutage(): void {
    this.outage = undefined;
  }

  callsTo(method: string, path: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  /** Messages in a channel (or a user's DM), in order, as stored now (after edits). */
  channel(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId).sort((a, b) => compareIds(a.id, b.id));
  }

  dmChannelOf(user: FakeDiscordUser): string {
    return `${DM_CHANNEL_PREFIX}${user.id}`;
  }

  /** A slash command: `options` as Discord sends them (a subcommand wraps its own). */
  slash(user: FakeDiscordUser, name: string, options: FakeOption[], where?: FakeChannel): InjectedInteraction {
    return this.inject(user, 2, { id: snowflakes(), name, type: 1, options }, where);
  }

  /** Typing into an option with autocomplete: the focused option carries what was typed so far. */
  autocomplete(user: FakeDiscordUser, name: string, options: FakeOption[], where?: FakeChannel): InjectedInteraction {
    return this.inject(user, 4, { id: snowflakes(), name, type: 1, options }, where);
  }

  /** A press on a button of a message the bot sent. */
  press(user: FakeDiscordUser, message: StoredMessage, customId: string, where?: FakeChannel): InjectedInteraction {
    const injected = this.inject(user, 3, { custom_id: customId, component_type: 2 }, where, message);
    this.originals.set(injected.token, message.id);
    return { ...injected, messageId: message.id };
  }

  /** The choices the bot answered an autocomplete with. */
  choicesFor(interaction: InjectedInteraction): { name: string; value: string | number }[] {
    const call = this.calls.find(
      (c) => c.method === 'POST' && c.path === `/interactions/${interaction.id}/${interaction.token}/callback`,
    );
    const body = call?.body as { type?: number; data?: { choices?: { name: string; value: string }[] } } | undefined;
    if (body?.type !== 8) throw new Error(`interaction ${interaction.id} has no autocomplete answer`);
    return body.data?.choices ?? [];
  }

  private inject(
    user: FakeDiscordUser,
    type: number,
    data: Json,
    where: FakeChannel | undefined,
    message?: StoredMessage,
  ): InjectedInteraction {
    const id = snowflakes();
    const token = `itok-${randomBytes(12).toString('hex')}`;
    const channelId = where?.channelId ?? this.dmChannelOf(user);
    this.interactionChannels.set(token, channelId);
    const apiUser = {
      id: user.id,
      username: user.username ?? `user${user.id}`,
      discriminator: '0',
      global_name: user.username ?? null,
      avatar: null,
    };
    const payload: Json = {
      id,
      application_id: this.appId,
      type,
      token,
      version: 1,
      data: where && type !== 3 ? { ...data, guild_id: where.guildId } : data,
      channel_id: channelId,
      channel: where
        ? { id: channelId, type: 0, guild_id: where.guildId, name: 'trading-desk' }
        : { id: channelId, type: 1, recipients: [apiUser] },
      locale: user.locale ?? 'en-US',
      app_permissions: '2248473465835073',
      entitlements: [],
      authorizing_integration_owners: { '0': where?.guildId ?? user.id },
      context: where ? 0 : 1,
      ...(where
        ? {
            guild_id: where.guildId,
            guild_locale: 'en-US',
            member: {
              user: apiUser,
              roles: [],
              joined_at: new Date(0).toISOString(),
              permissions: '2248473465835073',
              deaf: false,
              mute: false,
              flags: 0,
            },
          }
        : { user: apiUser }),
      ...(message ? { message: this.asMessage(message) } : {}),
    };
    this.dispatch('INTERACTION_CREATE', payload);
    return { id, token };
  }

  private dispatch(event: string, data: unknown): void {
    const frame = JSON.stringify({ op: 0, t: event, s: ++this.seq, d: data });
    for (const ws of this.sockets) ws.send(frame);
  }

  private onGatewayConnection(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as { op: number; d: unknown };
      switch (frame.op) {
        case 1:
          ws.send(JSON.stringify({ op: 11 }));
          break;
        case 2: {
          const { token } = frame.d as { token: string };
          if (this.rejectIdentify || token !== this.token) {
            ws.close(4004, 'Authentication failed.');
            return;
          }
          ws.send(
            JSON.stringify({
              op: 0,
              t: 'READY',
              s: ++this.seq,
              d: {
                v: 10,
                user: BOT_USER,
                guilds: [],
                session_id: randomBytes(8).toString('hex'),
                resume_gateway_url: this.url.replace(/^http/, 'ws') + '/gateway',
                shard: [0, 1],
                application: { id: this.appId, flags: 0 },
              },
            }),
          );
          break;
        }
        case 6:
          ws.send(JSON.stringify({ op: 0, t: 'RESUMED', s: ++this.seq, d: {} }));
          break;
        default:
          break;
      }
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.outage === 'reset') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = readBody(raw, req.headers['content-type']);
    const url = new URL(req.url ?? '/', this.url);
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, '');
    const method = req.method ?? 'GET';
    const answer = this.answer(method, path, body, req.headers.authorization);
    this.calls.push({ method, path, body, status: answer.status });
    if (res.destroyed) return;
    const contentType = answer.body === undefined ? {} : { 'content-type': 'application/json' };
    res.writeHead(answer.status, { ...contentType, ...answer.headers });
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private answer(method: string, path: string, body: unknown, authorization: string | undefined): Answer {
    if (this.outage === 'error5xx') return { status: 502, body: { message: 'Bad Gateway', code: 0 } };
    if (authorization !== undefined && authorization !== `Bot ${this.token}`) {
      return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    }
    const fault = this.faults.find((f) => f.remaining > 0 && f.match.test(`${method} ${path}`));
    if (fault) {
      fault.remaining--;
      return fault.answer;
    }
    const json = (status: number, b?: unknown): Answer => ({ status, body: b });
    const notFound = json(404, { message: 'Unknown Message', code: 10008 });
    const data = (body ?? {}) as Json;
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return json(200, {
        url: this.url.replace(/^http/, 'ws') + '/gateway',
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (method === 'PUT' && (m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path))) {
      const commands = (Array.isArray(body) ? body : []) as Json[];
      this.registered.push({ scope: m[2] ?? 'global', commands });
      return json(
        200,
        commands.map((c) => ({ ...c, id: snowflakes(), application_id: m?.[1], version: '1' })),
      );
    }
    if (method === 'POST' && (m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path))) {
      return this.callback(m[1] ?? '', m[2] ?? '', data);
    }
    if ((m = /^\/webhooks\/\d+\/([^/]+)\/messages\/([^/]+)$/.exec(path))) {
      const token = m[1] ?? '';
      const id = m[2] === '@original' ? this.originals.get(token) : m[2];
      const stored = id ? this.messages.get(id) : undefined;
      if (!stored) return notFound;
      if (method === 'GET') return json(200, this.asMessage(stored));
      if (method === 'DELETE') {
        this.messages.delete(stored.id);
        this.deleted.push({ ...stored });
        return json(204);
      }
      if (method === 'PATCH') {
        const problem = this.edit(stored, data);
        return problem ? json(400, { code: 50035, message: problem }) : json(200, this.asMessage(stored));
      }
    }
    if (method === 'POST' && (m = /^\/webhooks\/\d+\/([^/]+)$/.exec(path))) {
      const token = m[1] ?? '';
      const channelId = this.interactionChannels.get(token);
      if (!channelId) return json(404, { message: 'Unknown Webhook', code: 10015 });
      // As Discord does: the first follow-up after a deferral takes the placeholder's place and
      // keeps its visibility, whatever flags it asks for.
      const placeholder = this.messages.get(this.originals.get(token) ?? '');
      if (placeholder?.deferred) {
        const problem = this.edit(placeholder, data);
        return problem ? json(400, { code: 50035, message: problem }) : json(200, this.asMessage(placeholder));
      }
      return this.create(channelId, data);
    }
    if (method === 'POST' && (m = /^\/channels\/([^/]+)\/messages$/.exec(path))) {
      return this.create(m[1] ?? '', data);
    }
    return json(404, { message: '404: Not Found', code: 0 });
  }

  private callback(interactionId: string, token: string, body: Json): Answer {
    if (this.acknowledged.has(interactionId)) {
      return { status: 400, body: { code: 40060, message: 'Interaction has already been acknowledged.' } };
    }
    const type = Number(body['type']);
    const data = (body['data'] ?? {}) as Json;
    const channelId = this.interactionChannels.get(token) ?? 'unknown';
    switch (type) {
      case 4:
      case 5: {
        const stored = this.newMessage(channelId, type === 5 ? {} : data, type === 5);
        stored.ephemeral = (Number(data['flags'] ?? 0) & EPHEMERAL) !== 0;
        this.originals.set(token, stored.id);
        break;
      }
      case 6:
        break;
      case 7: {
        const stored = this.messages.get(this.originals.get(token) ?? '');
        if (stored) this.edit(stored, data);
        break;
      }
      case 8:
        if (((data['choices'] as unknown[] | undefined) ?? []).length > 25) {
          return { status: 400, body: { code: 50035, message: 'choices: Must be 25 or fewer in length.' } };
        }
        break;
      default:
        return { status: 400, body: { code: 50035, message: `unknown callback type ${type}` } };
    }
    this.acknowledged.set(interactionId, type);
    return { status: 204 };
  }

  private create(channelId: string, data: Json): Answer {
    const problem = checkContent(data);
    if (problem) return { status: 400, body: { code: 50035, message: problem } };
    const stored = this.newMessage(channelId, data, false);
    return { status: 200, body: this.asMessage(stored) };
  }

  private newMessage(channelId: string, data: Json, deferred: boolean): StoredMessage {
    const stored: StoredMessage = {
      id: snowflakes(),
      channelId,
      content: typeof data['content'] === 'string' ? data['content'] : '',
      components: (data['components'] as StoredMessage['components'] | undefined) ?? [],
      ephemeral: (Number(data['flags'] ?? 0) & EPHEMERAL) !== 0,
      deferred,
    };
    this.messages.set(stored.id, stored);
    return stored;
  }

  private edit(stored: StoredMessage, data: Json): string | undefined {
    const problem = checkContent(data);
    if (problem) return problem;
    if (typeof data['content'] === 'string') stored.content = data['content'];
    if (Array.isArray(data['components'])) stored.components = data['components'] as StoredMessage['components'];
    stored.deferred = false;
    return undefined;
  }

  private asMessage(stored: StoredMessage): Json {
    return {
      id: stored.id,
      channel_id: stored.channelId,
      type: 0,
      author: BOT_USER,
      content: stored.content,
      components: stored.components,
      flags: stored.ephemeral ? EPHEMERAL : 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      application_id: this.appId,
    };
  }
}

function compareIds(a: string, b: string): number {
  return a.length === b.length ? a.localeCompare(b) : a.length - b.length;
}

/** Discord's own checks on a message: content ≤ 2000, custom_id ≤ 100, not empty. */
function checkContent(data: Json): string | undefined {
  const content = data['content'];
  if (typeof content === 'string' && content.length > 2000) return 'content: Must be 2000 or fewer in length.';
  for (const row of (data['components'] as StoredMessage['components'] | undefined) ?? []) {
    for (const c of row.components) {
      if ((c.custom_id?.length ?? 0) > 100) return 'custom_id: Must be 100 or fewer in length.';
    }
  }
  return undefined;
}

/** JSON, or the `payload_json` part of a multipart body (discord.js uses it when it sends files). */
function readBody(raw: string, contentType: string | undefined): Json | unknown[] | undefined {
  if (raw === '') return undefined;
  if (contentType?.startsWith('multipart/')) {
    const m = /name="payload_json"\r\n(?:[^\r\n]*\r\n)*\r\n([\s\S]*?)\r\n--/.exec(raw);
    return m?.[1] ? (JSON.parse(m[1]) as Json) : undefined;
  }
  return JSON.parse(raw) as Json | unknown[];
}

/** The text a user reads: markdown escapes removed (code blocks carry none). */
export function plainTextOf(content: string): string {
  return content.replace(/\\([\\*_~|`#>])/g, '$1');
}
