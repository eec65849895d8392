import { Decimal } from 'decimal.js';
import { decodeOwnClientOrderId } from '../domain/client-order-id.ts';
import { NotFoundError } from '../domain/errors.ts';
import type { ExchangeClients } from '../exchange/clients.ts';
import type { ExchangeOrder } from '../exchange/types.ts';
import type { VirtualPosition } from '../generated/prisma/client.ts';
import type { Db } from '../infra/db/client.ts';
import type { AccountCodes } from './orders/account-codes.ts';
import type { OrderService } from './orders/order-service.ts';
import type { OrderTracker } from './orders/order-tracker.ts';
import { armedOf, sideOf } from './tpsl/conditional-legs.ts';
import { closingSide, LEGS, type TpslLeg } from './tpsl/rules.ts';
import type { TpslService } from './tpsl/tpsl-service.ts';

/**
 * order: a regular order resting on the exchange; conditional: a stop / take-profit (algo) order
 * resting on the exchange; watched: a spot TP/SL leg the desk watches itself (no order rests).
 */
export type OpenOrderKind = 'order' | 'conditional' | 'watched';

export interface OpenOrderView {
  kind: OpenOrderKind;
  /** What /cancel takes: the exchange's order id, or `tp-<vp id>` / `sl-<vp id>` for a watched leg. */
  ref: string;
  order: ExchangeOrder;
  /** The VP of ours it belongs to, when its client order id names one of this account. */
  vp: Pick<VirtualPosition, 'id' | 'name' | 'positionSide'> | undefined;
  /** The TP/SL leg of that VP it is. */
  leg: TpslLeg | undefined;
}

/**
 * Everything of an account that may still trade without the trader: its open orders, its
 * conditional orders and the TP/SL legs the desk watches for it, each with the VP it belongs to.
 * Cancelling a TP/SL leg disarms it on its VP, so the VP's TP/SL setting follows.
 */
export class OpenOrders {
  constructor(
    private readonly deps: {
      db: Db;
      exchanges: ExchangeClients;
      codes: AccountCodes;
      orders: OrderService;
      tracker: OrderTracker;
      tpsl: TpslService;
    },
  ) {}

  async list(accountId: string, symbol?: string): Promise<OpenOrderView[]> {
    const exchange = await this.deps.exchanges.for(accountId);
    const unified = symbol === undefined ? undefined : exchange.resolveSymbol(symbol);
    const [orders, conditional] = await Promise.all([
      exchange.fetchOpenOrders(unified),
      exchange.fetchOpenConditionalOrders(unified),
    ]);
    const vps = await this.vpsOf(accountId, [...orders, ...conditional]);
    const views = [
      ...orders.map((o) => this.view('order', o, vps)),
      ...conditional.map((o) => this.view('conditional', o, vps)),
    ];
    if (exchange.market === 'spot') views.push(...(await this.watchedLegs(accountId, unified)));
    return views;
  }

  /** The open order `ref` names (exchange id, client order id, or a watched leg's ref). */
  async find(accountId: string, ref: string, symbol?: string): Promise<OpenOrderView> {
    const matches = (await this.list(accountId, symbol)).filter(
      (v) =>
        v.ref === ref || v.order.id === ref || (v.order.clientOrderId !== undefined && v.order.clientOrderId === ref),
    );
    const [found, ...more] = matches;
    if (!found) throw new NotFoundError('cancel.not_open', { account: accountId, order: ref });
    // Binance order ids are unique per symbol only: the same id on two markets needs the symbol.
    if (more.length > 0) {
      throw new NotFoundError('cancel.ambiguous', {
        account: accountId,
        order: ref,
        symbols: matches.map((v) => v.order.symbol).join(', '),
      });
    }
    return found;
  }

  /**
   * Cancels it: a regular or foreign conditional order on the exchange (the book records how it
   * ended); a TP/SL leg of ours by disarming it on its VP, which cancels its order if one rests.
   */
  async cancel(accountId: string, view: OpenOrderView): Promise<OpenOrderView> {
    const { orders, tracker, tpsl, exchanges } = this.deps;
    if (view.vp && view.leg) {
      await tpsl.disarm(accountId, view.vp.id, view.leg);
      return { ...view, order: { ...view.order, status: 'canceled' } };
    }
    if (view.kind === 'conditional') {
      const exchange = await exchanges.for(accountId);
      await tracker.cancelConditional(exchange, view.order.symbol, {
        id: view.order.id,
        ...(view.order.clientOrderId ? { clientOrderId: view.order.clientOrderId } : {}),
      });
      return { ...view, order: { ...view.order, status: 'canceled' } };
    }
    const ref = view.order.clientOrderId ? { clientOrderId: view.order.clientOrderId } : { id: view.order.id };
    return { ...view, order: await orders.cancel(accountId, view.order.symbol, ref) };
  }

  private view(kind: OpenOrderKind, order: ExchangeOrder, vps: Map<number, VirtualPosition>): OpenOrderView {
    const decoded = decodeOwnClientOrderId(order.clientOrderId);
    const vp = decoded?.vpId != null ? vps.get(decoded.vpId) : undefined;
    const leg = decoded?.purpose === 'tp' || decoded?.purpose === 'sl' ? decoded.purpose : undefined;
    return { kind, ref: order.id, order, vp, leg: vp ? leg : undefined };
  }

  /** The account's VPs the orders' client ids name (checked against the account's own code). */
  private async vpsOf(accountId: string, orders: ExchangeOrder[]): Promise<Map<number, VirtualPosition>> {
    const code = await this.deps.codes.codeOf(accountId);
    const ids = new Set<number>();
    for (const o of orders) {
      const decoded = decodeOwnClientOrderId(o.clientOrderId);
      if (decoded && decoded.accountCode === code && decoded.vpId !== null) ids.add(decoded.vpId);
    }
    if (ids.size === 0) return new Map();
    const rows = await this.deps.db.virtualPosition.findMany({ where: { id: { in: [...ids] }, accountId } });
    return new Map(rows.map((vp) => [vp.id, vp]));
  }

  /** Spot TP/SL legs: armed on a VP that holds a quantity; the desk sells at market when crossed. */
  private async watchedLegs(accountId: string, symbol: string | undefined): Promise<OpenOrderView[]> {
    const rows = await this.deps.db.virtualPosition.findMany({
      where: {
        accountId,
        ...(symbol ? { symbol } : {}),
        OR: [{ tpPrice: { not: null } }, { slPrice: { not: null } }],
        NOT: { netQty: '0' },
      },
      orderBy: { id: 'asc' },
    });
    return rows.flatMap((vp) => {
      const armed = armedOf(vp);
      return LEGS.flatMap((leg) => {
        const trigger = armed[leg];
        if (!trigger) return [];
        const ref = `${leg}-${vp.id}`;
        const order: ExchangeOrder = {
          id: ref,
          clientOrderId: undefined,
          symbol: vp.symbol,
          side: closingSide(sideOf(vp)),
          type: leg === 'tp' ? 'take_profit' : 'stop',
          status: 'open',
          price: undefined,
          average: undefined,
          amount: armed.netQty,
          filled: new Decimal(0),
          remaining: armed.netQty,
          cost: new Decimal(0),
          positionSide: undefined,
          reduceOnly: true,
          timestamp: vp.updatedAt.getTime(),
          triggerPrice: trigger,
        };
        return [{ kind: 'watched' as const, ref, order, vp, leg }];
      });
    });
  }
}
