import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Engine } from '../engine/engine.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { StreamRegistry } from '../streams.ts';
import type { WsEndpoint } from '../ws-endpoint.ts';
import { algoUpdate } from './algo-format.ts';
import { accountUpdate, orderTradeUpdate } from './futures-format.ts';
import type { ListenKeyStore } from './listen-keys.ts';

/** ccxt builds `…/private/ws?listenKey=KEY` from `urls.api.ws.future`; the old `/ws/KEY` form works too. */
function listenKeyOf(url: URL): string | undefined {
  if (url.pathname === '/private/ws' || url.pathname === '/ws') return url.searchParams.get('listenKey') ?? undefined;
  const match = /^\/(?:private\/)?ws\/([A-Za-z0-9]+)$/.exec(url.pathname);
  return match?.[1];
}

/**
 * The USDT-M user-data stream: one socket per listenKey, ORDER_TRADE_UPDATE / ACCOUNT_UPDATE /
 * ALGO_UPDATE for its account, `listenKeyExpired` and a close when the key runs out.
 */
export class FuturesUserStream implements WsEndpoint {
  private readonly sockets = new Map<WebSocket, { key: string; accountId: string }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly engine: Engine,
    private readonly listenKeys: ListenKeyStore,
    private readonly streams: StreamRegistry,
    private readonly now: () => number,
  ) {
    engine.ctx.events.subscribe((event) => this.onEngineEvent(event));
    listenKeys.onEnd((key, reason) => {
      for (const [socket, info] of this.sockets) {
        if (info.key !== key.key) continue;
        if (reason === 'expired')
          this.streams.send(info.accountId, socket, { e: 'listenKeyExpired', E: this.now(), listenKey: key.key });
        socket.close(1000, reason === 'expired' ? 'listenKey expired' : 'listenKey deleted');
      }
    });
    this.sweeper = setInterval(() => listenKeys.sweep(), 250);
    this.sweeper.unref();
  }

  matches(path: string): boolean {
    return path === '/private/ws' || path === '/ws' || /^\/(private\/)?ws\/[A-Za-z0-9]+$/.test(path);
  }

  accepts(_req: IncomingMessage, url: URL): boolean {
    const key = listenKeyOf(url);
    return key !== undefined && this.listenKeys.lookup(key) !== undefined;
  }

  onConnection(socket: WebSocket, _req: IncomingMessage, url: URL): void {
    const key = this.listenKeys.lookup(listenKeyOf(url) ?? '');
    if (!key) {
      socket.close(1008, 'invalid listenKey');
      return;
    }
    this.sockets.set(socket, { key: key.key, accountId: key.accountId });
    this.streams.attach(key.accountId, socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private deliver(accountId: string, payload: unknown): void {
    for (const socket of this.streams.socketsOf(accountId))
      if (this.sockets.get(socket)?.accountId === accountId) this.streams.send(accountId, socket, payload);
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
