import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EmulatorHarness } from './harness.ts';

/**
 * Opens a raw TCP connection, sends an upgrade request, then resets it (RST): at once, or once the
 * answer's status line and headers have come (at most 2 s).
 */
function upgradeThenReset(port: number, path: string, readAnswer: boolean, extra = ''): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const reset = () => {
      clearTimeout(timer);
      socket.resetAndDestroy();
      resolve(answer);
    };
    const timer = setTimeout(reset, 2_000);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n\r\n')) reset();
    });
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${String(port)}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n${extra}`,
      );
      if (!readAnswer) setImmediate(reset);
    });
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A text frame from the client (clients must mask theirs). */
function maskedTextFrame(text: string): string {
  const payload = Buffer.from(text, 'utf8');
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]).toString('latin1');
}

describe('refused and reset WebSocket upgrades', () => {
  let h: EmulatorHarness;
  beforeAll(async () => {
    h = await EmulatorHarness.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('survive 50 rounds of refused, accepted and half-sent upgrades reset by the client; REST and WS still serve', async () => {
    const port = portOf(h.em.httpUrl);
    const binance = h.binanceAccount();
    const expiredKey = await fetch(`${h.em.httpUrl}/fapi/v1/listenKey`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': binance.creds.apiKey },
    }).then(async (res) => ((await res.json()) as { listenKey: string }).listenKey);
    h.em.expireListenKeys(binance.id);

    // A bare /ws is Binance's raw-stream route (SUBSCRIBE later) and is accepted; an unknown
    // listenKey on its legacy user-data form is refused.
    const refused = [
      '/no/such/socket',
      '/private/ws?listenKey=expired',
      `/private/ws?listenKey=${expiredKey}`,
      `/ws/${'x'.repeat(64)}`,
    ];
    const badLogin = maskedTextFrame(
      JSON.stringify({ op: 'login', args: [{ apiKey: 'nobody', passphrase: 'x', timestamp: '1', sign: 'x' }] }),
    );
    for (let round = 0; round < 50; round++) {
      // Reset at once (before the refusal is even written) and after it was read, by turns.
      const readAnswer = round % 2 === 1;
      const answers = await Promise.all([
        ...refused.map((path) => upgradeThenReset(port, path, readAnswer)),
        // Accepted upgrades reset in the middle: Bitget with a refused login, the spot WS API.
        upgradeThenReset(port, '/v2/ws/private', readAnswer, badLogin),
        upgradeThenReset(port, '/ws-api/v3', readAnswer, '\x81'),
      ]);
      if (readAnswer) {
        expect(answers[0]).toMatch(/^HTTP\/1\.1 404 Not Found/);
        for (const answer of answers.slice(1, 4)) expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
        expect(answers[4]).toMatch(/^HTTP\/1\.1 101 Switching Protocols/);
      }
    }

    // Still serving: signed REST, and a WebSocket that answers.
    const balance = await binance.spot().fetchBalance();
    expect(balance['USDT']).toMatchObject({ free: 10000 });
    const ws = new WebSocket(`${h.em.wsUrl}/v2/ws/private`);
    const pong = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('ping'));
      ws.on('message', (data: Buffer) => resolve(data.toString()));
      ws.on('error', reject);
    });
    ws.close();
    expect(pong).toBe('pong');
  });
});
