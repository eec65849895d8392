import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InlineKeyboardMarkup, Message, Update } from 'grammy/types';

export interface RecordedCall {
  method: string;
  token: string;
  body: Record<string, unknown>;
  /** What the fake answered. */
  status: number;
}

export interface FakeUser {
  id: number;
  first_name?: string;
  language_code?: string;
}

export interface StoredMessage {
  chatId: number;
  messageId: number;
  text: string;
  replyMarkup: InlineKeyboardMarkup | undefined;
  replyTo: number | undefined;
}

type Answer = { status: number; body: Record<string, unknown> };

const BOT_USER = { id: 777000111, is_bot: true, first_name: 'Hedgestack', username: 'hedgestack_bot' };

/** The visible text of a Telegram HTML message: what Telegram counts against 4096. */
export function visibleTextOf(html: string): string {
  return html
    .replace(/<\/?(b|i|u|s|code|pre|a)(\s[^>]*)?>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Back to the reply's own form: <pre> blocks as ``` fences, entities unescaped. */
export function sourceTextOf(html: string): string {
  return visibleTextOf(html.replace(/<pre>/g, '```\n').replace(/<\/pre>/g, '\n```'));
}

function textOf(body: Record<string, unknown>): string {
  return typeof body['text'] === 'string' ? body['text'] : '';
}

function badHtml(html: string): boolean {
  const stripped = html.replace(/<\/?(b|i|u|s|code|pre|a)(\s[^>]*)?>/g, '');
  return /[<>]/.test(stripped) || /&(?!(lt|gt|amp|quot);)/.test(stripped);
}

/**
 * A fake Telegram Bot API on 127.0.0.1 speaking what grammY uses: long polling with offsets,
 * messages, edits, callback answers, the command menu. It records every call and can inject
 * updates, 429s, refusals and outages.
 */
export class FakeTelegram {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly botUser = BOT_USER;
  url = '';
  /** The highest update id the bot has confirmed by asking for the next ones. */
  confirmedUpTo = 0;
  private server: http.Server | undefined;
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private nextCallbackId = 1;
  private waiters = new Set<() => void>();
  private faults: { method: string | undefined; remaining: number; answer: Answer }[] = [];
  private outage: 'reset' | 'error5xx' | undefined;

  constructor(readonly token = '123456:TEST-token') {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters) wake();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The next `count` calls (of `method`, or any) answer 429 with `retry_after` seconds. */
  rateLimit(count: number, retryAfter: number, method?: string): void {
    this.faults.push({
      method,
      remaining: count,
      answer: {
        status: 429,
        body: {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${retryAfter}`,
          parameters: { retry_after: retryAfter },
        },
      },
    });
  }

  /** The next `count` calls of `method` are refused with a 400 (a call the bot cannot retry). */
  refuse(count: number, method: string, description = 'Bad Request: injected failure'): void {
    this.faults.push({
      method,
      remaining: count,
      answer: { status: 400, body: { ok: false, error_code: 400, description } },
    });
  }

  /** Until lifted, every request has its connection reset (`reset`) or answers 502. */
  startOutage(kind: 'reset' | 'error5xx' = 'reset'): void {
    this.outage = kind;
  }

  endOutage(): void {
    this.outage = undefined;
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  /** Messages the bot sent to a chat, in order, as stored now (after edits). */
  chat(chatId: number): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.chatId === chatId).sort((a, b) => a.messageId - b.messageId);
  }

  sendText(from: FakeUser, text: string, chat?: { id: number; type: 'group' | 'supergroup' }): number {
    const messageId = this.nextMessageId++;
    const command = /^\/\S+/.exec(text);
    this.inject({
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: chat
          ? { id: chat.id, type: chat.type, title: 'trading desk' }
          : { id: from.id, type: 'private', first_name: from.first_name ?? `user ${from.id}` },
        from: { is_bot: false, first_name: `user ${from.id}`, ...from },
        text,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
      },
    });
    return messageId;
  }

  /** A press on a button of a message the bot sent. Returns the callback query id. */
  press(from: FakeUser, message: StoredMessage, data: string): string {
    const id = String(this.nextCallbackId++);
    this.inject({
      callback_query: {
        id,
        from: { is_bot: false, first_name: `user ${from.id}`, ...from },
        chat_instance: `ci${message.chatId}`,
        data,
        message: {
          message_id: message.messageId,
          date: Math.floor(Date.now() / 1000),
          chat:
            message.chatId < 0
              ? { id: message.chatId, type: 'group', title: 'trading desk' }
              : {
                  id: message.chatId,
                  type: 'private',
                  first_name: 'user',
                },
          from: BOT_USER,
          text: visibleTextOf(message.text),
          ...(message.replyMarkup ? { reply_markup: message.replyMarkup } : {}),
        },
      },
    });
    return id;
  }

  /** The id the next injected update gets. */
  get lastUpdateId(): number {
    return this.nextUpdateId - 1;
  }

  private inject(update: Record<string, unknown>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    for (const wake of this.waiters) wake();
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (this.outage === 'reset') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    const token = m?.[1] ?? '';
    const method = m?.[2] ?? '';
    const answer = await this.answer(token, method, body, req);
    this.calls.push({ method, token, body, status: answer.status });
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  private async answer(
    token: string,
    method: string,
    body: Record<string, unknown>,
    req: http.IncomingMessage,
  ): Promise<Answer> {
    if (this.outage === 'error5xx') {
      return { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } };
    }
    if (token !== this.token) return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const fault = this.faults.find((f) => f.remaining > 0 && (f.method === undefined || f.method === method));
    if (fault && method !== 'getUpdates') {
      fault.remaining--;
      return fault.answer;
    }
    const ok = (result: unknown): Answer => ({ status: 200, body: { ok: true, result } });
    const bad = (description: string): Answer => ({
      status: 400,
      body: { ok: false, error_code: 400, description: `Bad Request: ${description}` },
    });
    switch (method) {
      case 'getMe':
        return ok(BOT_USER);
      case 'deleteWebhook':
      case 'setWebhook':
      case 'setMyCommands':
      case 'answerCallbackQuery':
      case 'sendChatAction':
        return ok(true);
      case 'getUpdates':
        return ok(await this.getUpdates(body, req));
      case 'sendMessage': {
        const text = textOf(body);
        const problem = this.checkText(text, body);
        if (problem) return bad(problem);
        const chatId = Number(body['chat_id']);
        const stored: StoredMessage = {
          chatId,
          messageId: this.nextMessageId++,
          text,
          replyMarkup: body['reply_markup'] as InlineKeyboardMarkup | undefined,
          replyTo: (body['reply_parameters'] as { message_id?: number } | undefined)?.message_id,
        };
        this.messages.set(`${chatId}:${stored.messageId}`, stored);
        return ok(this.asMessage(stored));
      }
      case 'editMessageText':
      case 'editMessageReplyMarkup': {
        const stored = this.messages.get(`${Number(body['chat_id'])}:${Number(body['message_id'])}`);
        if (!stored) return bad('message to edit not found');
        if (method === 'editMessageText') {
          const text = textOf(body);
          const problem = this.checkText(text, body);
          if (problem) return bad(problem);
          stored.text = text;
        }
        const markup = body['reply_markup'] as InlineKeyboardMarkup | undefined;
        stored.replyMarkup = markup && markup.inline_keyboard.length > 0 ? markup : undefined;
        return ok(this.asMessage(stored));
      }
      case 'deleteMessage':
        return ok(this.messages.delete(`${Number(body['chat_id'])}:${Number(body['message_id'])}`));
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found: method not found' } };
    }
  }

  private checkText(text: string, body: Record<string, unknown>): string | undefined {
    const html = body['parse_mode'] === 'HTML';
    if (html && badHtml(text)) return "can't parse entities: unsupported start tag or stray character";
    const visible = html ? visibleTextOf(text) : text;
    if (visible.trim() === '') return 'message text is empty';
    if (visible.length > 4096) return 'message is too long';
    const markup = body['reply_markup'] as InlineKeyboardMarkup | undefined;
    for (const button of markup?.inline_keyboard.flat() ?? []) {
      if ('callback_data' in button && Buffer.byteLength(button.callback_data, 'utf8') > 64) {
        return 'BUTTON_DATA_INVALID';
      }
    }
    return undefined;
  }

  private asMessage(stored: StoredMessage): Message.TextMessage {
    return {
      message_id: stored.messageId,
      date: Math.floor(Date.now() / 1000),
      chat:
        stored.chatId < 0
          ? { id: stored.chatId, type: 'group', title: 'trading desk' }
          : { id: stored.chatId, type: 'private', first_name: 'user' },
      from: BOT_USER,
      text: visibleTextOf(stored.text),
      ...(stored.replyMarkup ? { reply_markup: stored.replyMarkup } : {}),
    };
  }

  /** Long polling: answer at once when updates at or above `offset` wait, else hold until one comes. */
  private async getUpdates(body: Record<string, unknown>, req: http.IncomingMessage): Promise<Update[]> {
    const offset = Number(body['offset'] ?? 0);
    this.confirmedUpTo = Math.max(this.confirmedUpTo, offset - 1);
    const limit = Number(body['limit'] ?? 100);
    const timeoutMs = Number(body['timeout'] ?? 0) * 1000;
    this.updates = this.updates.filter((u) => u.update_id >= offset);
    if (this.updates.length === 0 && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          req.socket.off('close', wake);
          resolve();
        };
        const timer = setTimeout(wake, timeoutMs);
        this.waiters.add(wake);
        req.socket.once('close', wake);
      });
    }
    return this.updates.slice(0, limit);
  }
}
