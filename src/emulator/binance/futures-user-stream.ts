import type { WebSocket } from 'ws';
import type { Engine } from '../engine/engine.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { ListenKey } from '../engine/types.ts';
import type { StreamRegistry } from '../streams.ts';
import { algoUpdate } from './algo-format.ts';
import { accountUpdate, orderTradeUpdate } from './futures-format.ts';
import type { ListenKeyStore } from './listen-keys.ts';

/** One listenKey a socket listens to, and how its events are framed. */
export interface UserDataSubscription {
  /**
   * Only these event types (`e`), when the client named any: Binance's `events=` parameter on the
   * /private routes is an allow list ("ORDER_TRADE_UPDATE/ACCOUNT_UPDATE").
   */
  events?: ReadonlySet<string>;
  /** Combined-stream framing: `{stream: <listenKey>, data: <event>}` (the `/stream` routes). */
  combined: boolean;
}

interface Listening extends UserDataSubscription {
  key: string;
  accountId: string;
}

/**
 * The USDT-M user-data stream: ORDER_TRADE_UPDATE / ACCOUNT_UPDATE / ALGO_UPDATE for the account
 * behind each listenKey a socket listens to, `listenKeyExpired` and the end of that subscription
 * when the key runs out (the socket closes when it has nothing left to listen to). Which socket
 * listens to which key is decided by the stream endpoint (stream-endpoint.ts) from the URL.
 */
export class FuturesUserStream {
  private readonly sockets = new Map<WebSocket, Listening[]>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly engine: Engine,
    private readonly listenKeys: ListenKeyStore,
    private readonly streams: StreamRegistry,
    private readonly now: () => number,
    /** Whether a socket still has market streams once its last listenKey ended (then it stays open). */
    private readonly keepsOpen: (socket: WebSocket) => boolean = () => false,
  ) {
    engine.ctx.events.subscribe((event) => this.onEngineEvent(event));
    listenKeys.onEnd((key, reason) => this.onKeyEnd(key, reason));
    this.sweeper = setInterval(() => listenKeys.sweep(), 250);
    this.sweeper.unref();
  }

  /** The key if it is valid now. */
  lookup(key: string): ListenKey | undefined {
    return this.listenKeys.lookup(key);
  }

  /** The socket listens to `key` from now on; false when the key is unknown or expired. */
  subscribe(socket: WebSocket, key: string, subscription: UserDataSubscription): boolean {
    const listenKey = this.listenKeys.lookup(key);
    if (!listenKey) return false;
    let listening = this.sockets.get(socket);
    if (!listening) {
      this.sockets.set(socket, (listening = []));
      socket.on('close', () => this.sockets.delete(socket));
    }
    if (!listening.some((l) => l.key === key)) listening.push({ ...subscription, key, accountId: listenKey.accountId });
    this.streams.attach(listenKey.accountId, socket);
    return true;
  }

  unsubscribe(socket: WebSocket, key: string): void {
    const listening = this.sockets.get(socket);
    const ended = listening?.find((l) => l.key === key);
    if (!listening || !ended) return;
    listening.splice(listening.indexOf(ended), 1);
    if (!listening.some((l) => l.accountId === ended.accountId)) this.streams.detach(ended.accountId, socket);
  }

  /** The listenKeys a socket listens to. */
  keysOf(socket: WebSocket): string[] {
    return (this.sockets.get(socket) ?? []).map((l) => l.key);
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private send(socket: WebSocket, l: Listening, payload: Record<string, unknown>): void {
    if (l.events && !l.events.has(String(payload['e']))) return;
    this.streams.send(l.accountId, socket, l.combined ? { stream: l.key, data: payload } : payload);
  }

  private onKeyEnd(key: ListenKey, reason: 'expired' | 'deleted'): void {
    for (const [socket, listening] of this.sockets) {
      const l = listening.find((item) => item.key === key.key);
      if (!l) continue;
      if (reason === 'expired') this.send(socket, l, { e: 'listenKeyExpired', E: this.now(), listenKey: key.key });
      this.unsubscribe(socket, key.key);
      if (listening.length === 0 && !this.keepsOpen(socket))
        socket.close(1000, reason === 'expired' ? 'listenKey expired' : 'listenKey deleted');
    }
  }

  private deliver(accountId: string, payload: Record<string, unknown>): void {
    for (const socket of this.streams.socketsOf(accountId))
      for (const l of this.sockets.get(socket) ?? []) if (l.accountId === accountId) this.send(socket, l, payload);
  }

  private onEngineEvent(event: EngineEvent): void {
    const now = this.now();
    switch (event.kind) {
      case 'futuresOrder':
        this.deliver(event.accountId, orderTradeUpdate(event.order, event.execution, event.trade, now));
        return;
      case 'futuresAccount': {
        const account = this.engine.ctx.findAccount(event.accountId);
        if (account)
          this.deliver(
            account.id,
            accountUpdate(this.engine.ctx, account, event.assets, event.positionKeys, event.time),
          );
        return;
      }
      case 'algoOrder':
        this.deliver(event.accountId, algoUpdate(event.algo, now));
        return;
      default:
        return;
    }
  }
}
