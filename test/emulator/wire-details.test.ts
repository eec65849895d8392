import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EmulatorHarness } from './harness.ts';

/**
 * Wire details ccxt does not surface (it ignores listenKeyExpired and answers pings itself),
 * checked with a plain WebSocket client speaking the exchange protocol.
 */
let h: EmulatorHarness;

beforeAll(async () => {
  h = await EmulatorHarness.start();
});
afterAll(async () => {
  await h.close();
});

function open(url: string): Promise<{ socket: WebSocket; messages: string[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const messages: string[] = [];
    const closed = new Promise<number>((done) => socket.on('close', (code) => done(code)));
    socket.on('message', (data: Buffer) => messages.push(data.toString('utf8')));
    socket.once('open', () => resolve({ socket, messages, closed }));
    socket.once('error', reject);
  });
}

async function next(messages: string[], count: number): Promise<string[]> {
  for (let i = 0; i < 100 && messages.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  return messages;
}

describe('wire details', () => {
  it('sends listenKeyExpired on the futures stream before closing it', async () => {
    const acct = h.binanceAccount();
    const res = await fetch(`${h.em.httpUrl}/fapi/v1/listenKey`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': acct.creds.apiKey },
    });
    const { listenKey } = (await res.json()) as { listenKey: string };
    expect(listenKey).toMatch(/^[A-Za-z0-9]{64}$/);
    const stream = await open(`${h.em.wsUrl}/private/ws?listenKey=${listenKey}`);
    h.em.expireListenKeys(acct.id);
    expect(await stream.closed).toBe(1000);
    expect(JSON.parse(stream.messages[0] ?? '{}')).toMatchObject({ e: 'listenKeyExpired', listenKey });
  });

  it('refuses the stream handshake for an unknown listenKey', async () => {
    await expect(open(`${h.em.wsUrl}/private/ws?listenKey=nope`)).rejects.toThrow(/400/);
  });

  it('answers Bitget text pings with pong', async () => {
    const socket = await open(`${h.em.wsUrl}/v2/ws/private`);
    socket.socket.send('ping');
    expect(await next(socket.messages, 1)).toEqual(['pong']);
    socket.socket.close();
  });

  it('answers an unsupported WS API method with a Binance error envelope', async () => {
    const socket = await open(`${h.em.wsUrl}/ws-api/v3`);
    socket.socket.send(JSON.stringify({ id: 'x1', method: 'order.place', params: {} }));
    const [reply] = await next(socket.messages, 1);
    expect(JSON.parse(reply ?? '{}')).toMatchObject({ id: 'x1', status: 400, error: { code: -1020 } });
    socket.socket.close();
  });

  it('reports request weight in X-MBX-USED-WEIGHT-1M', async () => {
    const res = await fetch(`${h.em.httpUrl}/api/v3/exchangeInfo`);
    expect(Number(res.headers.get('x-mbx-used-weight-1m'))).toBeGreaterThanOrEqual(20);
  });
});
