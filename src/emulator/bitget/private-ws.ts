import type { WebSocket } from 'ws';
import type { Engine } from '../engine/engine.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { StreamRegistry } from '../streams.ts';
import { isRecord, parseJson, sendFrame, type WsEndpoint } from '../ws-endpoint.ts';
import { bitgetAssetJson, bitgetFillPush, bitgetOrderPush } from './format.ts';
import { BitgetMixChannels } from './mix-ws.ts';
import { bitgetSign } from './rest.ts';

interface Channel {
  instType: string;
  channel: string;
  instId?: string;
  coin?: string;
}

interface Session {
  accountId?: string;
  channels: Channel[];
}

const MAX_CLOCK_SKEW_S = 30;
const SPOT_CHANNELS = ['orders', 'fill', 'account'];

/**
 * Bitget's private WebSocket (/v2/ws/private): `login` signed over ts+GET+/user/verify, text
 * ping/pong, and the spot `orders`, `fill` and `account` channels pushed as `{action, arg, data, ts}`;
 * the USDT-FUTURES channels are mix-ws.ts's.
 */
export class BitgetPrivateWs implements WsEndpoint {
  private readonly sessions = new Map<WebSocket, Session>();
  private readonly mix: BitgetMixChannels;

  constructor(
    private readonly engine: Engine,
    private readonly streams: StreamRegistry,
    private readonly now: () => number,
  ) {
    this.mix = new BitgetMixChannels(engine, streams, now);
    engine.ctx.events.subscribe((event) => this.onEngineEvent(event));
  }

  matches(path: string): boolean {
    return path === '/v2/ws/private';
  }

  onConnection(socket: WebSocket): void {
    this.sessions.set(socket, { channels: [] });
    socket.on('message', (data) => this.onMessage(socket, parseJson(data)));
    socket.on('close', () => this.sessions.delete(socket));
  }

  private error(socket: WebSocket, code: number, msg: string, op?: string): void {
    sendFrame(socket, { event: 'error', code, msg, ...(op === undefined ? {} : { op }) });
  }

  private onMessage(socket: WebSocket, message: unknown): void {
    const session = this.sessions.get(socket);
    if (!session) return;
    if (message === 'ping') {
      sendFrame(socket, 'pong');
      return;
    }
    if (!isRecord(message) || !Array.isArray(message['args'])) {
      this.error(socket, 30016, 'Param error');
      return;
    }
    const args = message['args'].filter(isRecord);
    if (message['op'] === 'login') this.login(socket, session, args[0] ?? {});
    else if (message['op'] === 'subscribe') this.subscribe(socket, session, args);
    else if (message['op'] === 'unsubscribe') {
      session.channels = session.channels.filter(
        (c) => !args.some((a) => a['channel'] === c.channel && a['instType'] === c.instType),
      );
      for (const arg of args) sendFrame(socket, { event: 'unsubscribe', arg });
    } else this.error(socket, 30003, 'Invalid op');
  }

  private login(socket: WebSocket, session: Session, arg: Record<string, unknown>): void {
    const apiKey = typeof arg['apiKey'] === 'string' ? arg['apiKey'] : undefined;
    const account = apiKey === undefined ? undefined : this.engine.ctx.accountByApiKey(apiKey);
    const key = apiKey === undefined ? undefined : this.engine.ctx.keyOf(apiKey);
    if (account?.venue !== 'bitget' || !key) return this.error(socket, 30011, 'Invalid ACCESS_KEY', 'login');
    if (key.passphrase !== undefined && arg['passphrase'] !== key.passphrase) {
      return this.error(socket, 30012, 'Invalid ACCESS_PASSPHRASE', 'login');
    }
    const timestamp = typeof arg['timestamp'] === 'string' ? arg['timestamp'] : String(arg['timestamp']);
    if (!/^\d+$/.test(timestamp)) return this.error(socket, 30013, 'Invalid ACCESS_TIMESTAMP', 'login');
    if (Math.abs(this.now() / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_S)
      return this.error(socket, 30014, 'Request timestamp expired', 'login');
    if (arg['sign'] !== bitgetSign(key.secret, `${timestamp}GET/user/verify`))
      return this.error(socket, 30015, 'Invalid sign', 'login');
    session.accountId = account.id;
    this.streams.attach(account.id, socket);
    sendFrame(socket, { event: 'login', code: 0, msg: '' });
  }

  private subscribe(socket: WebSocket, session: Session, args: Record<string, unknown>[]): void {
    if (session.accountId === undefined) return this.error(socket, 30004, 'User not logged in', 'subscribe');
    for (const arg of args) {
      const channel: Channel = {
        instType: String(arg['instType']),
        channel: String(arg['channel']),
        ...(typeof arg['instId'] === 'string' ? { instId: arg['instId'] } : {}),
        ...(typeof arg['coin'] === 'string' ? { coin: arg['coin'] } : {}),
      };
      const spot = channel.instType === 'SPOT' && SPOT_CHANNELS.includes(channel.channel);
      if (!spot && !this.mix.supports(channel)) {
        this.error(socket, 30001, `instType:${channel.instType},channel:${channel.channel} doesn't exist`, 'subscribe');
        continue;
      }
      session.channels.push(channel);
      sendFrame(socket, { event: 'subscribe', arg });
      // Bitget answers an account subscription with a snapshot of every balance.
      if (!spot) this.mix.onSubscribe(socket, session.accountId, channel);
      else if (channel.channel === 'account') this.pushAccount(socket, session.accountId, channel, undefined);
    }
  }

  private pushAccount(socket: WebSocket, accountId: string, channel: Channel, assets: string[] | undefined): void {
    const account = this.engine.ctx.findAccount(accountId);
    if (!account) return;
    const now = this.now();
    const coins = (assets ?? Object.keys(account.spot.balances)).filter(
      (c) => channel.coin === undefined || channel.coin === 'default' || c === channel.coin,
    );
    this.streams.send(accountId, socket, {
      action: 'snapshot',
      arg: { instType: 'SPOT', channel: 'account', coin: channel.coin ?? 'default' },
      data: coins.map((c) => bitgetAssetJson(account, c, now)),
      ts: now,
    });
  }

  private onEngineEvent(event: EngineEvent): void {
    if (event.kind === 'futuresOrder' || event.kind === 'futuresAccount' || event.kind === 'algoOrder') {
      for (const socket of this.streams.socketsOf(event.accountId)) {
        const session = this.sessions.get(socket);
        if (session?.accountId !== event.accountId) continue;
        for (const channel of session.channels) this.mix.push(socket, event.accountId, channel, event);
      }
      return;
    }
    if (event.kind !== 'spotOrder' && event.kind !== 'spotBalance') return;
    // Only the account's own sockets: a scan of every session per event is quadratic in followers.
    for (const socket of this.streams.socketsOf(event.accountId)) {
      const session = this.sessions.get(socket);
      if (session?.accountId !== event.accountId) continue;
      for (const channel of session.channels) {
        if (channel.instType !== 'SPOT') continue;
        if (event.kind === 'spotBalance') {
          if (channel.channel === 'account') this.pushAccount(socket, event.accountId, channel, event.assets);
          continue;
        }
        if (channel.instId !== undefined && channel.instId !== 'default' && channel.instId !== event.order.symbol)
          continue;
        // `orders` carries every order event; `fill` (ccxt watchMyTrades) only the trades.
        const data =
          channel.channel === 'orders'
            ? bitgetOrderPush(event.order, event.execution, event.trade)
            : channel.channel === 'fill' && event.trade
              ? bitgetFillPush(event.trade, event.order)
              : undefined;
        if (!data) continue;
        this.streams.send(event.accountId, socket, {
          action: 'snapshot',
          arg: { instType: 'SPOT', channel: channel.channel, instId: channel.instId ?? 'default' },
          data: [data],
          ts: this.now(),
        });
      }
    }
  }
}
