import type { IncomingMessage, ServerResponse } from 'node:http';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One HTTP request, read in full: the emulator's handlers never stream. */
export interface HttpCall {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  /** The query string exactly as sent, without the leading "?" (signatures cover the raw bytes). */
  rawQuery: string;
  rawBody: string;
  ip: string;
}

const MAX_BODY_BYTES = 1_000_000;

export async function readCall(req: IncomingMessage, res: ServerResponse): Promise<HttpCall> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk);
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    req,
    res,
    method: (req.method ?? 'GET').toUpperCase(),
    path: q === -1 ? url : url.slice(0, q),
    rawQuery: q === -1 ? '' : url.slice(q + 1),
    rawBody: Buffer.concat(chunks).toString('utf8'),
    ip: req.socket.remoteAddress ?? 'unknown',
  };
}

/**
 * Holds an answer back until every state change made before it is durable (persistence.ts), then
 * runs `send`; at once when nothing is waiting to be written. Answers keep their order.
 */
export type AnswerGate = (send: () => void) => void;

const gates = new WeakMap<ServerResponse, AnswerGate>();

/** Every answer on `res` goes through `gate`: nothing is acknowledged before it is on disk. */
export function gateAnswers(res: ServerResponse, gate: AnswerGate): void {
  gates.set(res, gate);
}

/** Writes the answer, through the response's gate if it has one (its body is taken now). */
function answer(res: ServerResponse, status: number, text: string, headers: Record<string, string | number>): void {
  const write = () => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const gate = gates.get(res);
  if (gate) gate(write);
  else write();
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  answer(res, status, JSON.stringify(body), { 'content-type': 'application/json;charset=UTF-8', ...headers });
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  answer(res, status, text, { 'content-type': 'text/plain' });
}

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/.test(address);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
