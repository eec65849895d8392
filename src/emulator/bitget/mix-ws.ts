import type { WebSocket } from 'ws';
import type { Engine } from '../engine/engine.ts';
import type { EngineEvent } from '../engine/events.ts';
import type { StreamRegistry } from '../streams.ts';
import {
  mixAccountPush,
  mixFillPush,
  mixOrderPush,
  mixPlanPush,
  mixPositionPush,
  openPositions,
  PRODUCT_TYPE,
} from './mix-format.ts';

export interface MixChannel {
  instType: string;
  channel: string;
  instId?: string;
  coin?: string;
}

/**
 * The private channels of instType USDT-FUTURES (Bitget's contract WebSocket docs): `orders`
 * (every order event, the latest fill's fields when it traded), `fill` (trades), `positions`
 * (every open position, pushed whole on each change), `account` (the USDT margin account) and
 * `orders-algo` (plan orders: TP/SL and triggers). Every push is `{action: 'snapshot', arg, data, ts}`.
 */
export class BitgetMixChannels {
  static readonly CHANNELS = ['orders', 'fill', 'positions', 'account', 'orders-algo'];

  constructor(
    private readonly engine: Engine,
    private readonly streams: StreamRegistry,
    private readonly now: () => number,
  ) {}

  supports(channel: MixChannel): boolean {
    return channel.instType === PRODUCT_TYPE && BitgetMixChannels.CHANNELS.includes(channel.channel);
  }

  /** Bitget answers `account` and `positions` subscriptions with what there is now. */
  onSubscribe(socket: WebSocket, accountId: string, channel: MixChannel): void {
    if (channel.channel === 'account') this.pushAccount(socket, accountId);
    else if (channel.channel === 'positions') this.pushPositions(socket, accountId, channel);
  }

  /** One engine event to one socket's one USDT-FUTURES channel, if the channel carries it. */
  push(socket: WebSocket, accountId: string, channel: MixChannel, event: EngineEvent): void {
    if (!this.supports(channel)) return;
    switch (event.kind) {
      case 'futuresOrder': {
        if (!this.covers(channel, event.order.symbol)) return;
        const account = this.engine.ctx.findAccount(accountId);
        if (!account) return;
        const data =
          channel.channel === 'orders'
            ? mixOrderPush(account, event.order, event.execution, event.trade)
            : channel.channel === 'fill' && event.trade
              ? mixFillPush(event.trade, event.order)
              : undefined;
        if (data) this.send(socket, accountId, channel, [data]);
        return;
      }
      case 'futuresAccount':
        if (channel.channel === 'account') this.pushAccount(socket, accountId);
        else if (channel.channel === 'positions') this.pushPositions(socket, accountId, channel);
        return;
      case 'algoOrder':
        if (channel.channel === 'orders-algo' && this.covers(channel, event.algo.symbol))
          this.send(socket, accountId, channel, [mixPlanPush(event.algo)]);
        return;
      default:
        return;
    }
  }

  private covers(channel: MixChannel, symbol: string): boolean {
    return channel.instId === undefined || channel.instId === 'default' || channel.instId === symbol;
  }

  private pushAccount(socket: WebSocket, accountId: string): void {
    const account = this.engine.ctx.findAccount(accountId);
    if (!account) return;
    this.send(socket, accountId, { instType: PRODUCT_TYPE, channel: 'account', coin: 'default' }, [
      mixAccountPush(this.engine.ctx, account),
    ]);
  }

  /** The whole list of open positions: a closed one is simply no longer there. */
  private pushPositions(socket: WebSocket, accountId: string, channel: MixChannel): void {
    const account = this.engine.ctx.findAccount(accountId);
    if (!account) return;
    const data = openPositions(this.engine.ctx, account)
      .filter((m) => this.covers(channel, m.position.symbol))
      .map((m) => mixPositionPush(account, m));
    this.send(socket, accountId, channel, data);
  }

  private send(socket: WebSocket, accountId: string, channel: MixChannel, data: unknown[]): void {
    const arg =
      channel.channel === 'account'
        ? { instType: PRODUCT_TYPE, channel: 'account', coin: channel.coin ?? 'default' }
        : { instType: PRODUCT_TYPE, channel: channel.channel, instId: channel.instId ?? 'default' };
    this.streams.send(accountId, socket, { action: 'snapshot', arg, data, ts: this.now() });
  }
}
