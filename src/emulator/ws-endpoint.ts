import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/** A WebSocket path the server serves; `accepts` may refuse the handshake (e.g. an unknown listenKey). */
export interface WsEndpoint {
  matches(path: string): boolean;
  accepts?(req: IncomingMessage, url: URL): boolean;
  onConnection(socket: WebSocket, req: IncomingMessage, url: URL): void;
}

export function parseJson(data: unknown): unknown {
  const text = Buffer.isBuffer(data)
    ? data.toString('utf8')
    : Array.isArray(data)
      ? Buffer.concat(data as Buffer[]).toString('utf8')
      : String(data);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const corked = new WeakSet<WebSocket>();

/**
 * Sends one frame if the socket is open. The frames one engine step pushes to a socket (a market
 * order's new, trade and balance events) leave in one write: the socket is corked at the first
 * and uncorked once the step's synchronous work is done. Each frame is still its own message;
 * only the system calls are fewer — with hundreds of followers those writes were most of the
 * emulator's time, and the emulator shares the machine with the desk it stands in for.
 */
export function sendFrame(socket: WebSocket, payload: unknown): void {
  if (socket.readyState !== socket.OPEN) return;
  // ws keeps its TCP socket in `_socket` and has no cork of its own; without it, frames go one by one.
  const raw = (socket as unknown as { _socket?: Duplex })._socket;
  if (raw && !corked.has(socket)) {
    corked.add(socket);
    raw.cork();
    process.nextTick(() => {
      corked.delete(socket);
      raw.uncork();
    });
  }
  socket.send(typeof payload === 'string' ? payload : JSON.stringify(payload));
}
