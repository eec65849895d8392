import type { WebSocket } from 'ws';
import type { Engine } from '../engine/engine.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { StreamRegistry } from '../streams.ts';
import { isRecord, parseJson, sendFrame, type WsEndpoint } from '../ws-endpoint.ts';
import { BinanceError, errors } from './errors.ts';
import { accountForKey, verifySignature } from './signing.ts';
import { executionReport, outboundAccountPosition } from './spot-format.ts';

interface Subscription {
  subscriptionId: number;
  accountId: string;
}

/** Sorted `key=value&…` of every parameter but the signature, as the WS API signs it. */
function signaturePayload(params: Record<string, unknown>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
}

/**
 * The spot WebSocket API (/ws-api/v3), as far as user data goes: `userDataStream.subscribe.signature`
 * binds the connection to an account, and every executionReport and outboundAccountPosition of
 * that account then arrives wrapped as `{subscriptionId, event}`.
 */
export class SpotWsApi implements WsEndpoint {
  private readonly subscriptions = new Map<WebSocket, Subscription[]>();
  private nextSubscriptionId = 0;

  constructor(
    private readonly engine: Engine,
    private readonly streams: StreamRegistry,
    private readonly now: () => number,
  ) {
    engine.ctx.events.subscribe((event) => this.onEngineEvent(event));
  }

  matches(path: string): boolean {
    return path === '/ws-api/v3';
  }

  onConnection(socket: WebSocket): void {
    this.subscriptions.set(socket, []);
    socket.on('message', (data) => this.onMessage(socket, parseJson(data)));
    socket.on('close', () => this.subscriptions.delete(socket));
  }

  private reply(socket: WebSocket, id: unknown, result: unknown): void {
    sendFrame(socket, { id, status: 200, result, rateLimits: [] });
  }

  private replyError(socket: WebSocket, id: unknown, error: BinanceError): void {
    sendFrame(socket, { id, status: error.httpStatus, error: error.body });
  }

  private onMessage(socket: WebSocket, message: unknown): void {
    if (!isRecord(message)) {
      this.replyError(socket, null, new BinanceError(400, -1000, 'Malformed request.'));
      return;
    }
    const id = message['id'] ?? null;
    const params = isRecord(message['params']) ? message['params'] : {};
    try {
      switch (message['method']) {
        case 'ping':
          this.reply(socket, id, {});
          return;
        case 'time':
          this.reply(socket, id, { serverTime: this.now() });
          return;
        case 'userDataStream.subscribe.signature':
          this.reply(socket, id, { subscriptionId: this.subscribe(socket, params) });
          return;
        case 'userDataStream.unsubscribe':
          this.unsubscribe(socket, params['subscriptionId']);
          this.reply(socket, id, {});
          return;
        default:
          throw new BinanceError(400, -1020, 'This operation is not supported.');
      }
    } catch (err) {
      this.replyError(socket, id, err instanceof BinanceError ? err : new BinanceError(400, -1000, String(err)));
    }
  }

  private subscribe(socket: WebSocket, params: Record<string, unknown>): number {
    const apiKey = typeof params['apiKey'] === 'string' ? params['apiKey'] : undefined;
    const { account, key } = accountForKey(apiKey, this.engine.ctx);
    const signature = params['signature'];
    if (typeof signature !== 'string') throw errors.mandatory('signature');
    const asSearch = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) asSearch.set(k, String(v));
    // The WS API signs the sorted parameters; reuse the REST check with that payload as the "query".
    verifySignature(key.secret, `${signaturePayload(params)}&signature=${signature}`, '', asSearch, this.now());
    const subscription = { subscriptionId: this.nextSubscriptionId++, accountId: account.id };
    this.subscriptions.get(socket)?.push(subscription);
    this.streams.attach(account.id, socket);
    return subscription.subscriptionId;
  }

  private unsubscribe(socket: WebSocket, subscriptionId: unknown): void {
    const list = this.subscriptions.get(socket) ?? [];
    const kept = list.filter((s) => subscriptionId !== undefined && s.subscriptionId !== Number(subscriptionId));
    for (const s of list) if (!kept.includes(s)) this.streams.detach(s.accountId, socket);
    this.subscriptions.set(socket, kept);
  }

  private deliver(accountId: string, event: unknown): void {
    for (const socket of this.streams.socketsOf(accountId)) {
      for (const s of this.subscriptions.get(socket) ?? [])
        if (s.accountId === accountId)
          this.streams.send(accountId, socket, { subscriptionId: s.subscriptionId, event });
    }
  }

  private onEngineEvent(event: EngineEvent): void {
    if (event.kind !== 'spotOrder' && event.kind !== 'spotBalance') return;
    const account = this.engine.ctx.findAccount(event.accountId);
    if (account?.venue !== 'binance') return;
    if (event.kind === 'spotOrder') {
      const report = executionReport(event.order, event.execution, event.trade, this.now(), event.cancelClientOrderId);
      this.deliver(account.id, report);
    } else {
      this.deliver(account.id, outboundAccountPosition(account, event.assets, event.time));
    }
  }
}
