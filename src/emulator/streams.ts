import type { WebSocket } from 'ws';
import type { AnswerGate } from './http.ts';
import { sendFrame } from './ws-endpoint.ts';

/**
 * Every private socket, by the account it serves, so the control surface can drop an account's
 * streams or make them go silent (open, answering pings, but delivering no events).
 */
export class StreamRegistry {
  private readonly byAccount = new Map<string, Set<WebSocket>>();
  private readonly silent = new Set<string>();
  private readonly all = new Set<WebSocket>();

  /**
   * With durable state, `gate` holds every pushed event (an order update, a fill, a balance) until
   * what it reports is on disk, as REST answers wait: a client never sees what a crash could undo.
   */
  constructor(private readonly gate?: AnswerGate) {}

  /** Every socket the server accepted, private or not, so stop() can close them. */
  track(socket: WebSocket): void {
    this.all.add(socket);
    const { gate } = this;
    if (gate) {
      // A close after a held event (listenKeyExpired, then the close) must not overtake it.
      const close = socket.close.bind(socket);
      socket.close = (...args: Parameters<WebSocket['close']>) => gate(() => close(...args));
    }
    socket.on('close', () => {
      this.all.delete(socket);
      for (const sockets of this.byAccount.values()) sockets.delete(socket);
    });
  }

  attach(accountId: string, socket: WebSocket): void {
    let sockets = this.byAccount.get(accountId);
    if (!sockets) {
      sockets = new Set();
      this.byAccount.set(accountId, sockets);
    }
    sockets.add(socket);
  }

  detach(accountId: string, socket: WebSocket): void {
    this.byAccount.get(accountId)?.delete(socket);
  }

  socketsOf(accountId: string): WebSocket[] {
    return [...(this.byAccount.get(accountId) ?? [])];
  }

  /** Sends (once durable, with a gate) unless the account's streams are silenced: then the event is dropped. */
  send(accountId: string, socket: WebSocket, payload: unknown): void {
    if (this.silent.has(accountId)) return;
    if (!this.gate) {
      sendFrame(socket, payload);
      return;
    }
    const frame = typeof payload === 'string' ? payload : JSON.stringify(payload);
    this.gate(() => sendFrame(socket, frame));
  }

  drop(accountId: string): void {
    for (const socket of this.socketsOf(accountId)) socket.terminate();
    this.byAccount.delete(accountId);
  }

  setSilent(accountId: string, silent: boolean): void {
    if (silent) this.silent.add(accountId);
    else this.silent.delete(accountId);
  }

  closeAll(): void {
    for (const socket of this.all) socket.terminate();
    this.all.clear();
    this.byAccount.clear();
  }
}
