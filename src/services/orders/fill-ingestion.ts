import { Decimal } from 'decimal.js';
import { decodeClientOrderId, type DecodedClientOrderId } from '../../domain/client-order-id.ts';
import { applyFill, isIncrease, type PositionSide } from '../../domain/vp-ledger.ts';
import type { ExchangeClients } from '../../exchange/clients.ts';
import type { ExchangeTrade } from '../../exchange/types.ts';
import type { Db } from '../../infra/db/client.ts';
import type { Logger } from '../../infra/logger.ts';
import type { EventBus } from '../events.ts';
import type { AccountCodes } from './account-codes.ts';
import { toColumn } from './decimal-columns.ts';
import { ledgerColumns, ledgerOf } from './virtual-positions.ts';

export type IngestResult = 'applied' | 'external' | 'duplicate';

/**
 * Applies exchange fills to the books exactly once. A fill is attributed to a virtual position
 * only by decoding its client order id — one we issued, for this very account; anything else
 * is recorded as external for its (account, symbol, side), never guessed into a VP.
 */
export class FillIngestion {
  /** One fill at a time per account: the stream and a REST catch-up may bring the same trade. */
  private readonly lanes = new Map<string, Promise<unknown>>();
  private holds = 0;
  private readonly deferred: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly codes: AccountCodes,
    private readonly exchanges: ExchangeClients,
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  /** Subscribes to the fills every account's stream watcher delivers. */
  listen(): () => void {
    return this.bus.on('fill', (event) => {
      const apply = () =>
        void this.ingest(event.accountId, event.trade).catch((err: unknown) =>
          this.logger.error({ err, account: event.accountId, trade: event.trade.id }, 'fill not applied'),
        );
      if (this.holds > 0) this.deferred.push(apply);
      else apply();
    });
  }

  /**
   * Stream fills that arrive while `work` runs are applied when it ends: a copy fan-out gets its
   * answers first and the books follow a moment later (each follower's fill would otherwise cost
   * an order lookup and several writes in the middle of the fan-out). Nothing is dropped: a held
   * fill waits in memory, and a crash meanwhile is covered by the REST catch-up at start.
   */
  holdWhile(work: Promise<unknown>): void {
    this.holds += 1;
    const release = () => {
      this.holds -= 1;
      if (this.holds > 0) return;
      for (const apply of this.deferred.splice(0)) apply();
    };
    work.then(release, release);
  }

  ingest(accountId: string, trade: ExchangeTrade): Promise<IngestResult> {
    return this.inLane(accountId, () => this.apply(accountId, trade));
  }

  /** Runs `work` in the account's fill lane: reconciliation adjustments never race a fill on the same ledger. */
  inLane<T>(accountId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.lanes.get(accountId) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.lanes.set(
      accountId,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Reads an order's trades over REST and applies those not applied yet. */
  async catchUpOrder(accountId: string, symbol: string, exchangeOrderId: string, since: number): Promise<void> {
    const exchange = await this.exchanges.for(accountId);
    const trades = await exchange.fetchTrades(symbol, { since: since - 60_000 });
    for (const trade of trades.filter((t) => t.orderId === exchangeOrderId)) await this.ingest(accountId, trade);
  }

  private async apply(accountId: string, trade: ExchangeTrade): Promise<IngestResult> {
    const seen = await this.db.fill.findUnique({
      where: { accountId_symbol_tradeId: { accountId, symbol: trade.symbol, tradeId: trade.id } },
      select: { id: true },
    });
    if (seen) return 'duplicate';

    const clientOrderId = await this.clientOrderIdOf(accountId, trade);
    const decoded = clientOrderId ? decodeOwnClientOrderId(clientOrderId) : undefined;
    const ours = decoded ? (await this.codes.accountOf(decoded.accountCode)) === accountId : false;
    const positionSide: PositionSide = trade.positionSide ?? 'LONG';
    const { qty, fee: charged } = netOfFee(trade);
    // A maker rebate (negative fee) is not booked against the VP: its fees only ever grow.
    const fee = charged.isNegative() ? new Decimal(0) : charged;
    const signed = isIncrease(positionSide, trade.side) ? qty : qty.neg();

    const vp =
      ours && decoded?.vpId != null ? await this.db.virtualPosition.findUnique({ where: { id: decoded.vpId } }) : null;
    // The VP must be this account's, for this market and side: a mismatch is never applied.
    const target =
      vp && vp.accountId === accountId && vp.symbol === trade.symbol && vp.positionSide === positionSide ? vp : null;

    const base = {
      accountId,
      symbol: trade.symbol,
      tradeId: trade.id,
      exchangeOrderId: trade.orderId,
      clientOrderId: clientOrderId ?? null,
      side: trade.side,
      positionSide,
      qty: toColumn(qty),
      price: toColumn(trade.price),
      fee: toColumn(fee),
      at: new Date(trade.timestamp || Date.now()),
    };
    if (!target) {
      await this.db.fill.create({ data: { ...base, externalQty: toColumn(signed) } });
      this.bus.emit({ type: 'external_fill', accountId, symbol: trade.symbol, positionSide, qty: signed });
      return 'external';
    }
    const before = ledgerOf(target);
    const { ledger, excessQty } = applyFill(before, { side: trade.side, qty, price: trade.price, fee });
    const excessSigned = signed.isNegative() ? excessQty.neg() : excessQty;
    const [fill] = await this.db.$transaction([
      this.db.fill.create({
        data: {
          ...base,
          vpId: target.id,
          externalQty: toColumn(excessSigned),
          realizedPnl: toColumn(ledger.realizedPnl.minus(before.realizedPnl)),
        },
      }),
      this.db.virtualPosition.update({ where: { id: target.id }, data: ledgerColumns(ledger) }),
    ]);
    this.bus.emit({ type: 'vp_changed', accountId, vpId: target.id, fillId: fill.id });
    return 'applied';
  }

  /** The trade's own client id, else the one of our order row, else the exchange's order record. */
  private async clientOrderIdOf(accountId: string, trade: ExchangeTrade): Promise<string | undefined> {
    if (trade.clientOrderId) return trade.clientOrderId;
    const order = await this.db.order.findFirst({
      where: { accountId, exchangeOrderId: trade.orderId },
      select: { clientOrderId: true },
    });
    if (order) return order.clientOrderId;
    try {
      const exchange = await this.exchanges.for(accountId);
      return (await exchange.fetchOrder(trade.symbol, { id: trade.orderId }))?.clientOrderId;
    } catch (err) {
      this.logger.warn(
        { err: String(err), account: accountId, order: trade.orderId },
        'could not read the order of a fill',
      );
      return undefined;
    }
  }
}

/**
 * Our id, also as Binance names the market order a triggered conditional order places when the
 * conditional order's id is already taken: `<clientAlgoId>-<algoId>`.
 */
export function decodeOwnClientOrderId(id: string): DecodedClientOrderId | undefined {
  const suffixed = /^(.+)-\d+$/.exec(id);
  return decodeClientOrderId(id) ?? (suffixed?.[1] ? decodeClientOrderId(suffixed[1]) : undefined);
}

/**
 * The quantity the position really changed by and the fee in quote currency. A spot buy whose
 * fee is charged in the base asset delivers less than it bought.
 */
function netOfFee(trade: ExchangeTrade): { qty: Decimal; fee: Decimal } {
  const [baseAsset, rest = ''] = trade.symbol.split('/');
  const quoteAsset = rest.split(':')[0];
  const fee = trade.fee;
  if (!fee || fee.cost.isZero()) return { qty: trade.amount, fee: new Decimal(0) };
  if (fee.currency === baseAsset && !trade.symbol.includes(':')) {
    return {
      qty: trade.side === 'buy' ? trade.amount.minus(fee.cost) : trade.amount,
      fee: fee.cost.times(trade.price),
    };
  }
  if (fee.currency === quoteAsset) return { qty: trade.amount, fee: fee.cost };
  // A fee in a third asset (BNB): the quantity is whole; the fee has no quote value here.
  return { qty: trade.amount, fee: new Decimal(0) };
}
