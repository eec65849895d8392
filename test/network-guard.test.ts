import net from 'node:net';
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

/**
 * The suite's setup file (test/support/no-network.ts) refuses every connection that is not to
 * this machine; every test file runs with it. This proves the guard is really in force for each
 * path a test could leave by: a raw socket, fetch, ccxt's HTTP client and a WebSocket.
 */
describe('tests never leave the machine', () => {
  it('a raw socket to a public address is refused before any packet is sent', () => {
    expect(() => net.connect(443, '203.0.113.10')).toThrow(/tried to leave the machine/);
  });

  it('fetch to a public host fails', async () => {
    await expect(fetch('https://api.binance.com/api/v3/ping')).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/tried to leave the machine/) as unknown },
    });
  });

  it('ccxt with its default (real) URLs cannot reach Binance', async () => {
    const binance = new ccxt.binance({ timeout: 2_000 });
    await expect(binance.fetchTime()).rejects.toThrow(/tried to leave the machine|fetch failed/);
  });

  it('a WebSocket to a public host fails', async () => {
    const error = await new Promise<unknown>((resolve) => {
      try {
        const ws = new WebSocket('wss://stream.binance.com:9443/ws');
        ws.on('error', resolve);
        ws.on('open', () => resolve(undefined));
      } catch (err) {
        resolve(err);
      }
    });
    expect(String(error)).toMatch(/tried to leave the machine/);
  });

  it('loopback stays allowed', async () => {
    const server = net.createServer((s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('data', (d) => resolve(d.toString()));
      socket.on('error', reject);
    });
    expect(reply).toBe('ok');
    server.close();
  });
});
