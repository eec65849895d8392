import { Decimal } from 'decimal.js';
import { decodeOwnClientOrderId, ownClientOrderId } from '../../domain/client-order-id.ts';
import { HedgeError, NotFoundError, reasonParams } from '../../domain/errors.ts';
import { marketNumbers, type MarketNumbers } from '../../domain/display-number.ts';
import type { PositionSide } from '../../domain/vp-ledger.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import type { AccountExchange } from '../../exchange/types.ts';
import type { VirtualPosition } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { KeyedLanes } from '../../infra/keyed-lanes.ts';
import type { Logger } from '../../infra/logger.ts';
import type { EventBus } from '../events.ts';
import type { AccountCodes } from '../orders/account-codes.ts';
import { fromColumn } from '../orders/decimal-columns.ts';
import type { OrderService } from '../orders/order-service.ts';
import type { OrderTracker } from '../orders/order-tracker.ts';
import { LIVE_STATES } from '../../domain/order-state.ts';
import { ledgerOf, type VirtualPositions } from '../orders/virtual-positions.ts';
import { armedOf, ConditionalLegs, PRICE_COLUMN, sideOf, type TpslOutcome } from './conditional-legs.ts';
import { checkTriggers, closingSide, crossedLeg, type TpslLeg } from './rules.ts';

export type { TpslOutcome };

export class TpslRefusedError extends HedgeError {}

export interface TpslRequest {
  accountId: string;
  vpName: string;
  /** In any form the account's exchange knows (BTCUSDT, BTC/USDT); needed only when several VPs share the name. */
  symbol?: string | undefined;
  /** Needed only when the name is used on both sides. */
  positionSide?: PositionSide | undefined;
  tp?: Decimal | undefined;
  sl?: Decimal | undefined;
  /** Removes both legs. */
  off?: boolean | undefined;
}

/** A checked request: what the confirmation shows. A leg not given keeps its current price. */
export interface TpslPlan {
  vp: VirtualPosition;
  market: 'spot' | 'usdm';
  tp: Decimal | null;
  sl: Decimal | null;
  qty: Decimal;
  mark: Decimal | undefined;
}

/** How often the desk checks prices for spot TP/SL (see SpotTpslWatcher). */
export const SPOT_TPSL_POLL_MS = 3_000;

const NOTHING_DONE: Omit<TpslOutcome, 'vp'> = { placed: {}, failed: {} };

/**
 * Take-profit and stop-loss per virtual position.
 *
 * Futures: conditional reduce orders for exactly the VP's quantity (see ConditionalLegs), replaced
 * whenever that quantity changes. Work on one VP is serialized, so replacements never overlap.
 *
 * Spot: watch-and-send. Binance spot's stop-limit can rest unfilled when the price gaps through its
 * limit, and Bitget spot has no algo-order API here; a watcher that sends a market sell through the
 * OMS behaves the same on both and always exits. The price is that it acts only while the desk runs.
 */
export class TpslService {
  private readonly legs: ConditionalLegs;
  /** One piece of TP/SL work at a time per VP. */
  private readonly lanes = new KeyedLanes<number>();
  /**
   * VPs given TP/SL while this process runs: a fill booked as they were being armed may say its VP
   * had none (it read the VP first), and their legs must follow it all the same.
   */
  private readonly armed = new Set<number>();

  constructor(
    private readonly deps: {
      db: Db;
      exchanges: ExchangeClients;
      codes: AccountCodes;
      vps: VirtualPositions;
      orders: OrderService;
      tracker: OrderTracker;
      bus: EventBus;
      logger: Logger;
    },
  ) {
    this.legs = new ConditionalLegs({
      db: deps.db,
      codes: deps.codes,
      tracker: deps.tracker,
      alert: (...args) => this.alert(...args),
    });
  }

  /** Follows every VP's quantity (fills, reconciliation adjustments). */
  listen(): () => void {
    return this.deps.bus.on('vp_changed', (event) =>
      event.tpsl === false && !this.armed.has(event.vpId) ? undefined : this.follow(event.vpId, event.fillId),
    );
  }

  /** Checks a request without changing anything. */
  async plan(req: TpslRequest): Promise<TpslPlan> {
    const { exchanges, vps } = this.deps;
    const exchange = await exchanges.for(req.accountId);
    const symbol = req.symbol ? exchange.resolveSymbol(req.symbol) : undefined;
    const vp = await vps.byName(req.accountId, req.vpName, { symbol, positionSide: req.positionSide });
    const params = { account: vp.accountId, vp: vp.name };
    if (req.off && (req.tp || req.sl)) throw new TpslRefusedError('tpsl.off_with_prices', params);
    if (!req.off && !req.tp && !req.sl) throw new TpslRefusedError('tpsl.nothing', params);
    const ledger = ledgerOf(vp);
    const base = { vp, market: exchange.market, qty: ledger.netQty };
    if (req.off) return { ...base, tp: null, sl: null, mark: undefined };
    if (ledger.netQty.isZero()) throw new NotFoundError('vp.empty', params);
    const mark = await lastPrice(exchange, vp.symbol);
    if (!mark) throw new TpslRefusedError('tpsl.no_price', { ...params, symbol: vp.symbol });
    const problem = checkTriggers(ledger.side, { tp: req.tp, sl: req.sl }, { mark, entry: ledger.avgEntry });
    if (problem) {
      const { price } = marketNumbers(vp.symbol, exchange.precisionOf(vp.symbol));
      const shown = { mark: price(mark), entry: price(ledger.avgEntry) };
      throw new TpslRefusedError(problem.key, { ...params, ...problem.params, ...shown });
    }
    const current = armedOf(vp);
    return { ...base, tp: req.tp ?? current.tp, sl: req.sl ?? current.sl, mark };
  }

  /** Sets (or removes) the legs and brings the exchange in line at once. */
  async set(req: TpslRequest): Promise<TpslOutcome> {
    const plan = await this.plan(req);
    this.armed.add(plan.vp.id);
    return this.lanes.run(plan.vp.id, async () => {
      await this.deps.db.virtualPosition.update({
        where: { id: plan.vp.id },
        data: { tpPrice: plan.tp?.toFixed() ?? null, slPrice: plan.sl?.toFixed() ?? null },
      });
      return this.sync(plan.vp.id, undefined);
    });
  }

  /**
   * Takes one leg off a VP (a trader cancelling its TP/SL order): the leg is disarmed and the
   * exchange brought in line, which cancels its conditional order on futures.
   */
  async disarm(accountId: string, vpId: number, leg: TpslLeg): Promise<TpslOutcome> {
    return this.lanes.run(vpId, async () => {
      const vp = await this.deps.db.virtualPosition.findUnique({ where: { id: vpId } });
      if (!vp || vp.accountId !== accountId)
        throw new NotFoundError('vp.not_found', { account: accountId, vp: String(vpId) });
      await this.deps.db.virtualPosition.update({ where: { id: vp.id }, data: { [PRICE_COLUMN[leg]]: null } });
      return this.sync(vp.id, undefined);
    });
  }

  /** After a restart: every VP with TP/SL state is checked against the exchange's open orders. */
  async resyncAll(): Promise<void> {
    const rows = await this.deps.db.virtualPosition.findMany({
      where: {
        OR: [
          { tpPrice: { not: null } },
          { slPrice: { not: null } },
          { tpClientId: { not: null } },
          { slClientId: { not: null } },
        ],
      },
      select: { id: true },
    });
    for (const r of rows) this.armed.add(r.id);
    await Promise.all(rows.map((r) => this.follow(r.id, undefined)));
  }

  /** Spot watch-and-send: one pass over every armed spot VP; the watcher calls it every few seconds. */
  async checkSpotPrices(): Promise<void> {
    const armed = await this.deps.db.virtualPosition.findMany({
      where: { OR: [{ tpPrice: { not: null } }, { slPrice: { not: null } }], NOT: { netQty: '0' } },
    });
    const byAccount = new Map<string, VirtualPosition[]>();
    for (const vp of armed) byAccount.set(vp.accountId, [...(byAccount.get(vp.accountId) ?? []), vp]);
    await Promise.all(
      [...byAccount].map(async ([accountId, vps]) => {
        try {
          const exchange = await this.deps.exchanges.for(accountId);
          if (exchange.market !== 'spot') return;
          const prices = await exchange.fetchUsdtPrices([...new Set(vps.map((vp) => baseOf(vp.symbol)))]);
          for (const vp of vps) {
            const price = prices.get(baseOf(vp.symbol));
            const leg = price ? crossedLeg(armedOf(vp), price) : undefined;
            if (leg) await this.lanes.run(vp.id, () => this.sendSpotLeg(vp.id, leg));
          }
        } catch (err) {
          this.deps.logger.warn({ err: String(err), account: accountId }, 'spot TP/SL prices not checked');
        }
      }),
    );
  }

  private follow(vpId: number, fillId: number | undefined): Promise<void> {
    return this.lanes
      .run(vpId, () => this.sync(vpId, fillId))
      .then(
        () => undefined,
        (err: unknown) => this.reportSyncFailure(vpId, err),
      );
  }

  /** Brings one VP's TP/SL in line with its quantity; runs in the VP's lane. */
  private async sync(vpId: number, fillId: number | undefined): Promise<TpslOutcome> {
    const { db, exchanges } = this.deps;
    let vp = await db.virtualPosition.findUnique({ where: { id: vpId } });
    if (!vp) throw new NotFoundError('vp.not_found', { account: '', vp: String(vpId) });
    if (fillId !== undefined) vp = await this.noticeTrigger(vp, fillId);
    if (!vp.tpPrice && !vp.slPrice && !vp.tpClientId && !vp.slClientId) return { vp, ...NOTHING_DONE };
    if (fromColumn(vp.netQty).isZero() && (vp.tpPrice || vp.slPrice)) {
      vp = await db.virtualPosition.update({ where: { id: vp.id }, data: { tpPrice: null, slPrice: null } });
    }
    const exchange = await exchanges.for(vp.accountId);
    // Spot legs rest nowhere: the watcher compares prices and sends the exit itself.
    if (exchange.market !== 'usdm') return { vp, ...NOTHING_DONE };
    return this.legs.align(vp, exchange);
  }

  /**
   * A fill of one of this VP's legs: the leg fired. The trader is told (leg, price, realized PnL)
   * and both legs are disarmed; the sync that follows cancels the other leg's order.
   */
  private async noticeTrigger(vp: VirtualPosition, fillId: number): Promise<VirtualPosition> {
    const { db } = this.deps;
    const fill = await db.fill.findUnique({ where: { id: fillId } });
    const decoded = decodeOwnClientOrderId(fill?.clientOrderId ?? undefined);
    if (!fill?.clientOrderId || decoded?.vpId !== vp.id) return vp;
    const leg = decoded.purpose;
    if (leg !== 'tp' && leg !== 'sl') return vp;
    const fills = await db.fill.findMany({
      where: { accountId: vp.accountId, clientOrderId: fill.clientOrderId },
      orderBy: { id: 'asc' },
    });
    // The first fill of the fired order reports, whatever order the others arrive and sync in.
    if (fills[0]?.id !== fill.id) return vp;
    const qty = fills.reduce((sum, f) => sum.plus(fromColumn(f.qty)), new Decimal(0));
    const notional = fills.reduce((sum, f) => sum.plus(fromColumn(f.qty).times(fromColumn(f.price))), new Decimal(0));
    const realized = fills.reduce((sum, f) => sum.plus(fromColumn(f.realizedPnl)), new Decimal(0));
    const price = qty.isZero() ? fromColumn(fill.price) : notional.div(qty);
    const orderId = ownClientOrderId(fill.clientOrderId) ?? fill.clientOrderId;
    // The leg's order fired: the book records it filled by what its fills say.
    await this.deps.tracker.apply(
      { accountId: vp.accountId, clientOrderId: orderId },
      { kind: 'reported', source: 'stream', status: 'closed', filled: qty, average: price },
    );
    const numbers = await this.numbersOf(vp);
    this.alert(vp, 'info', `alerts.${leg}_triggered`, {
      price: numbers.price(price),
      qty: numbers.quantity(qty),
      realized: numbers.money(realized),
      remaining: numbers.holding(fromColumn(vp.netQty)),
    });
    return db.virtualPosition.update({ where: { id: vp.id }, data: { tpPrice: null, slPrice: null } });
  }

  /** The VP's market figures for an alert; the asset defaults when its exchange is out of reach. */
  private async numbersOf(vp: VirtualPosition): Promise<MarketNumbers> {
    try {
      const exchange = await this.deps.exchanges.for(vp.accountId);
      return marketNumbers(vp.symbol, exchange.precisionOf(vp.symbol));
    } catch {
      return marketNumbers(vp.symbol);
    }
  }

  /** Spot: the price crossed a leg; sell the VP at market through the OMS, once. */
  private async sendSpotLeg(vpId: number, leg: TpslLeg): Promise<void> {
    const { db, orders } = this.deps;
    const vp = await db.virtualPosition.findUnique({ where: { id: vpId } });
    const qty = vp ? fromColumn(vp.netQty) : new Decimal(0);
    if (!vp?.[PRICE_COLUMN[leg]] || !qty.greaterThan(0)) return;
    const inFlight = await db.order.count({
      where: { vpId, purpose: { in: ['tp', 'sl'] }, status: { in: [...LIVE_STATES] } },
    });
    if (inFlight > 0) return;
    try {
      await orders.place({
        accountId: vp.accountId,
        symbol: vp.symbol,
        side: closingSide(sideOf(vp)),
        type: 'market',
        amount: qty,
        vpName: vp.name,
        positionSide: sideOf(vp),
        reduce: true,
        purpose: leg,
      });
    } catch (err) {
      // Not retried every few seconds against a refusal: disarmed, and the trader is told.
      await db.virtualPosition.update({ where: { id: vp.id }, data: { tpPrice: null, slPrice: null } });
      this.alert(vp, 'critical', 'alerts.tpsl_failed', { ...reasonParams(err), leg });
    }
  }

  private async reportSyncFailure(vpId: number, err: unknown): Promise<void> {
    this.deps.logger.error({ err, vp: vpId }, 'TP/SL not brought in line with the VP');
    const vp = await this.deps.db.virtualPosition.findUnique({ where: { id: vpId } }).catch(() => null);
    if (vp) {
      this.alert(vp, 'critical', 'alerts.tpsl_sync_failed', reasonParams(err));
    }
  }

  private alert(
    vp: VirtualPosition,
    severity: 'info' | 'warning' | 'critical',
    key: string,
    params: Record<string, string>,
  ): void {
    this.deps.bus.emit({
      type: 'alert',
      accountId: vp.accountId,
      category: 'tpsl',
      severity,
      key,
      params: { ...params, account: vp.accountId, vp: vp.name, symbol: vp.symbol, side: vp.positionSide },
    });
  }
}

function baseOf(symbol: string): string {
  return symbol.split('/')[0] ?? '';
}

async function lastPrice(exchange: AccountExchange, symbol: string): Promise<Decimal | undefined> {
  const base = baseOf(symbol);
  return (await exchange.fetchUsdtPrices([base])).get(base);
}
