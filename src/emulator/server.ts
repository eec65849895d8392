import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { gateAnswers, readCall, sendJson, type AnswerGate, type HttpCall } from './http.ts';
import type { StreamRegistry } from './streams.ts';
import type { WsEndpoint } from './ws-endpoint.ts';

/** One request as the emulator received it: when (ms), what, and the status it answered (0 until answered). */
export interface RequestLogEntry {
  at: number;
  method: string;
  path: string;
  status: number;
}

const REQUEST_LOG_SIZE = 10_000;

export interface HttpHandler {
  handles(path: string): boolean;
  dispatch(call: HttpCall): Promise<void>;
}

/**
 * One port for everything: Binance REST, Bitget REST and the control surface over HTTP, and the
 * WebSocket endpoints by path. Each handler decides by URL prefix, as the real hosts would by host.
 */
export class EmulatorServer {
  readonly http: Server;
  /** Requests served per "METHOD /path", for tests that count calls (e.g. loadMarkets is one). */
  readonly requestCounts = new Map<string, number>();
  /** The last REQUEST_LOG_SIZE requests in arrival order, with the status they were answered with. */
  readonly requestLog: RequestLogEntry[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(
    private readonly handlers: HttpHandler[],
    private readonly wsEndpoints: WsEndpoint[],
    private readonly streams: StreamRegistry,
    /** With durable state: answers wait until what they report is on disk. */
    private readonly gate?: AnswerGate,
  ) {
    this.http = createServer((req, res) => void this.onRequest(req, res));
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.gate) gateAnswers(res, this.gate);
    try {
      const call = await readCall(req, res);
      const endpoint = `${call.method} ${call.path}`;
      this.requestCounts.set(endpoint, (this.requestCounts.get(endpoint) ?? 0) + 1);
      this.logRequest(call);
      const handler = this.handlers.find((h) => h.handles(call.path));
      if (!handler) {
        sendJson(res, 404, { code: -1000, msg: `no route for ${call.method} ${call.path}` });
        return;
      }
      await handler.dispatch(call);
    } catch (err) {
      sendJson(res, 500, { code: -1000, msg: err instanceof Error ? err.message : String(err) });
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Before anything else: a client may reset the connection at any moment (a refused reconnect
    // often does), and an 'error' event nobody listens to ends the whole process.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'ws://emulator');
    const endpoint = this.wsEndpoints.find((e) => e.matches(url.pathname));
    if (!endpoint || (endpoint.accepts && !endpoint.accepts(req, url))) {
      const status = endpoint ? '400 Bad Request' : '404 Not Found';
      // The refusal is written, then the socket is gone either way (a client that never reads
      // must not keep it half-open).
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // A bad frame or a reset after the handshake is an 'error' on the WebSocket: ws closes it.
      ws.on('error', () => ws.terminate());
      this.streams.track(ws);
      endpoint.onConnection(ws, req, url);
    });
  }

  private logRequest(call: HttpCall): void {
    // Arrival time on the wall clock (not the exchange clock a test may move): tests measure waits with it.
    const entry: RequestLogEntry = { at: Date.now(), method: call.method, path: call.path, status: 0 };
    this.requestLog.push(entry);
    if (this.requestLog.length > REQUEST_LOG_SIZE) this.requestLog.splice(0, this.requestLog.length - REQUEST_LOG_SIZE);
    call.res.on('finish', () => {
      entry.status = call.res.statusCode;
    });
  }

  listen(port: number, host: string): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        const address = this.http.address();
        resolve({ port: typeof address === 'object' && address ? address.port : port });
      });
    });
  }

  async close(): Promise<void> {
    this.streams.closeAll();
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
