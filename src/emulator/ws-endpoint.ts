import type { IncomingMessage } from 'node:http';
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
