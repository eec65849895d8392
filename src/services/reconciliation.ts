import { randomBytes } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { marketNumbers } from '../domain/display-number.ts';
import { HedgeError, NotFoundError } from '../domain/errors.ts';
import { reconcile, type AcceptedSideQty, type Difference, type ExchangeSideQty } from '../domain/reconciliation.ts';
import { USD_STABLES } from '../domain/valuation.ts';
import { applyFill, assertReducible, type PositionSide } from '../domain/vp-ledger.ts';
import type { ExchangeClients } from '../exchange/clients.ts';
import type { AccountExchange } from '../exchange/types.ts';
import type { VirtualPosition } from '../generated/prisma/client.ts';
import type { Db } from '../infra/db/client.ts';
import type { EventBus } from './events.ts';
import { fromColumn, toColumn } from './orders/decimal-columns.ts';
import type { FillIngestion } from './orders/fill-ingestion.ts';
import { ledgerColumns, ledgerOf, type VirtualPositions } from './orders/virtual-positions.ts';

export class ReconcileRefusedError extends HedgeError {}

/**
 * A spot difference worth less than this (in USDT) is dust: fees charged in the base asset and
 * lot-size rounding leave such remainders, and they are not worth an alarm. Our AccountExchange
 * does not expose each market's minimum quantity, so the bar is a value, the same for every coin.
 */
export const SPOT_DUST_USDT = new Decimal(1);

export interface SideRef {
  accountId: string;
  /** As the trader typed it: BTCUSDT, BTC/USDT. */
  symbol: string;
  side: PositionSide;
}

export interface AssignInput extends SideRef {
  vpName: string;
  qty?: Decimal | undefined;
  price?: Decimal | undefined;
}

export interface AssignPlan {
  accountId: string;
  symbol: string;
  side: PositionSide;
  vpName: string;
  vpExists: boolean;
  /** The VP grows (the exchange holds more) or shrinks (the exchange holds less). */
  adds: boolean;
  qty: Decimal;
  price: Decimal;
  /** The part of qty that recorded external fills explained; that record is used up. */
  consumesExternal: Decimal;
  /** The part of qty taken from what was accepted as held outside the VPs; it moves into the VP. */
  consumesAccepted: Decimal;
  /** Undefined when only accepted quantity is assigned (the side agrees). */
  difference: Difference | undefined;
}

/** One account's standing: its differences, and what was accepted as held outside the VPs. */
export interface ReconcileReport {
  differences: Difference[];
  /** Per (symbol, side), the accepted total; zero totals left out. */
  accepted: AcceptedSideQty[];
}

export interface AcceptInput extends SideRef {
  qty?: Decimal | undefined;
}

export interface AcceptPlan {
  accountId: string;
  symbol: string;
  side: PositionSide;
  /** Signed, as recorded: + grows the side. */
  qty: Decimal;
  price: Decimal | undefined;
  difference: Difference;
}

/**
 * Reconciliation of exchange quantities against virtual positions: per (account, symbol, side),
 * what the exchange holds (futures positions; spot holdings of every non-stable asset, as
 * `ASSET/USDT` LONG) against Σ VP quantities plus Σ accepted quantity, with Σ recorded external
 * quantity to explain the rest. A trader settles a difference by assigning it to a VP (a Fill of
 * kind `adjustment` through the VP ledger) or by accepting it as held outside the VPs (a Fill of
 * kind `accepted`, its quantity in `externalQty`): from then on it is part of what the exchange
 * should hold, no difference.
 */
export class ReconciliationService {
  constructor(
    private readonly deps: {
      db: Db;
      exchanges: ExchangeClients;
      vps: VirtualPositions;
      fills: FillIngestion;
      bus: EventBus;
    },
  ) {}

  /** The differences of one account (one symbol if given), spot dust left out. */
  async differences(accountId: string, symbol?: string): Promise<Difference[]> {
    return (await this.report(accountId, symbol)).differences;
  }

  /** The differences (spot dust left out) and the accepted quantities of one account. */
  async report(accountId: string, symbol?: string): Promise<ReconcileReport> {
    const exchange = await this.deps.exchanges.for(accountId);
    const only = symbol ? exchange.resolveSymbol(symbol) : undefined;
    const { differences, accepted } = await this.compare(exchange, only);
    if (exchange.market !== 'spot' || differences.length === 0) return { differences, accepted };
    const prices = await exchange.fetchUsdtPrices([...new Set(differences.map((d) => baseOf(d.symbol)))]);
    const worthMentioning = differences.filter((d) => {
      const price = prices.get(baseOf(d.symbol));
      return !price || d.diff.abs().times(price).greaterThanOrEqualTo(SPOT_DUST_USDT);
    });
    return { differences: worthMentioning, accepted };
  }

  /**
   * What assigning to a VP would do. The exchange holding more goes into the VP: the difference
   * first, then — when the quantity asks for more, or there is no difference — what was accepted
   * as held outside the VPs (coins from before the desk a trader now wants managed in a VP). The
   * exchange holding less comes out of the VP.
   */
  async planAssign(input: AssignInput): Promise<AssignPlan> {
    const { exchange, symbol, difference, accepted } = await this.differenceOf(input);
    const params = { account: input.accountId, symbol, side: input.side };
    const adds = difference === undefined || difference.diff.greaterThan(0);
    const surplus = adds && difference ? difference.diff : new Decimal(0);
    const acceptable = adds && accepted.greaterThan(0) ? accepted : new Decimal(0);
    if (!difference && acceptable.isZero()) throw new ReconcileRefusedError('reconcile.nothing_to_assign', params);
    const available = adds ? surplus.plus(acceptable) : difference.diff.abs();
    // By default the difference itself, or what was accepted when the side agrees.
    const qty = input.qty ?? (adds && surplus.isZero() ? acceptable : adds ? surplus : available);
    if (qty.greaterThan(available)) {
      throw new ReconcileRefusedError('reconcile.too_much', {
        ...params,
        qty: qty.toFixed(),
        available: marketNumbers(input.symbol).holding(available),
      });
    }
    const vp = await this.deps.vps.find({
      accountId: input.accountId,
      symbol,
      positionSide: input.side,
      name: input.vpName,
    });
    if (!adds) {
      if (!vp) throw new NotFoundError('vp.not_found', { account: input.accountId, vp: input.vpName });
      assertReducible(ledgerOf(vp), qty, vp.name);
    }
    const price = input.price ?? (await lastPrice(exchange, symbol));
    if (!price) throw new ReconcileRefusedError('reconcile.no_price', params);
    const explained = difference?.explainedByExternal.abs() ?? new Decimal(0);
    return {
      accountId: input.accountId,
      symbol,
      side: input.side,
      vpName: input.vpName,
      vpExists: vp !== null,
      adds,
      qty,
      price,
      consumesExternal: qty.lessThan(explained) ? qty : explained,
      consumesAccepted: adds ? Decimal.max(qty.minus(surplus), 0) : new Decimal(0),
      difference,
    };
  }

  /** Moves (part of) a difference into a VP, in the account's fill lane so no fill races the ledger. */
  assign(input: AssignInput): Promise<{ plan: AssignPlan; vp: VirtualPosition }> {
    const { db, vps, fills, bus } = this.deps;
    return fills.inLane(input.accountId, async () => {
      const plan = await this.planAssign(input);
      const vp = await vps.open({
        accountId: plan.accountId,
        symbol: plan.symbol,
        positionSide: plan.side,
        name: plan.vpName,
      });
      const before = ledgerOf(vp);
      const side = plan.adds === (plan.side === 'LONG') ? 'buy' : 'sell';
      const { ledger } = applyFill(before, { side, qty: plan.qty, price: plan.price, fee: new Decimal(0) });
      const [fill, updated] = await db.$transaction([
        db.fill.create({
          data: {
            ...bookEntry(plan, 'adjustment', side),
            price: toColumn(plan.price),
            vpId: vp.id,
            externalQty: toColumn(plan.adds ? plan.consumesExternal.neg() : plan.consumesExternal),
            realizedPnl: toColumn(ledger.realizedPnl.minus(before.realizedPnl)),
          },
        }),
        db.virtualPosition.update({ where: { id: vp.id }, data: ledgerColumns(ledger) }),
        // What was accepted as held outside the VPs and now moves in: the acceptance shrinks by it.
        ...(plan.consumesAccepted.greaterThan(0)
          ? [
              db.fill.create({
                data: {
                  ...bookEntry(
                    { ...plan, qty: plan.consumesAccepted },
                    'accepted',
                    plan.side === 'LONG' ? 'sell' : 'buy',
                  ),
                  price: toColumn(plan.price),
                  externalQty: toColumn(plan.consumesAccepted.neg()),
                },
              }),
            ]
          : []),
      ]);
      bus.emit({ type: 'vp_changed', accountId: plan.accountId, vpId: vp.id, fillId: fill.id });
      return { plan, vp: updated };
    });
  }

  async planAccept(input: AcceptInput): Promise<AcceptPlan> {
    const { exchange, symbol, difference } = await this.differenceOf(input);
    const params = { account: input.accountId, symbol, side: input.side };
    if (!difference || difference.unexplained.isZero()) {
      throw new ReconcileRefusedError('reconcile.nothing_to_accept', params);
    }
    const available = difference.unexplained.abs();
    const qty = input.qty ?? available;
    if (qty.greaterThan(available)) {
      throw new ReconcileRefusedError('reconcile.too_much', {
        ...params,
        qty: qty.toFixed(),
        available: marketNumbers(input.symbol).holding(available),
      });
    }
    return {
      accountId: input.accountId,
      symbol,
      side: input.side,
      qty: difference.unexplained.isNegative() ? qty.neg() : qty,
      price: await lastPrice(exchange, symbol).catch(() => undefined),
      difference,
    };
  }

  /** Records (part of) a difference as accepted: it stays on the exchange, outside every VP, and no longer differs. */
  accept(input: AcceptInput): Promise<AcceptPlan> {
    const { db, fills } = this.deps;
    return fills.inLane(input.accountId, async () => {
      const plan = await this.planAccept(input);
      const grows = plan.qty.greaterThan(0);
      await db.fill.create({
        data: {
          ...bookEntry({ ...plan, qty: plan.qty.abs() }, 'accepted', grows === (plan.side === 'LONG') ? 'buy' : 'sell'),
          price: toColumn(plan.price ?? new Decimal(0)),
          externalQty: toColumn(plan.qty),
        },
      });
      return plan;
    });
  }

  /** One (symbol, side) without the dust filter: a trader may settle any difference. */
  private async differenceOf(ref: SideRef): Promise<{
    exchange: AccountExchange;
    symbol: string;
    difference: Difference | undefined;
    /** What was accepted as held outside the VPs on this side. */
    accepted: Decimal;
  }> {
    const exchange = await this.deps.exchanges.for(ref.accountId);
    const symbol = exchange.resolveSymbol(ref.symbol);
    if (exchange.market === 'spot' && ref.side === 'SHORT') {
      throw new ReconcileRefusedError('orders.no_short_on_spot', { account: ref.accountId });
    }
    const { differences, accepted } = await this.compare(exchange, symbol);
    const difference = differences.find((d) => d.side === ref.side);
    return { exchange, symbol, difference, accepted: accepted.find((a) => a.side === ref.side)?.qty ?? new Decimal(0) };
  }

  private async compare(exchange: AccountExchange, symbol: string | undefined): Promise<ReconcileReport> {
    const { db } = this.deps;
    const accountId = exchange.accountId;
    const where = { accountId, ...(symbol ? { symbol } : {}) };
    const [held, vps, outside] = await Promise.all([
      exchangeQuantities(exchange),
      db.virtualPosition.findMany({ where, select: { symbol: true, positionSide: true, name: true, netQty: true } }),
      db.fill.findMany({
        where: { ...where, externalQty: { not: '0' } },
        select: { symbol: true, positionSide: true, externalQty: true, kind: true },
      }),
    ]);
    const sideQty = (f: (typeof outside)[number]) => ({
      symbol: f.symbol,
      side: sideOf(f.positionSide),
      qty: fromColumn(f.externalQty),
    });
    const accepted = outside.filter((f) => f.kind === 'accepted').map(sideQty);
    const differences = reconcile(
      held.filter((h) => !symbol || h.symbol === symbol),
      vps.map((vp) => ({
        symbol: vp.symbol,
        side: sideOf(vp.positionSide),
        vpName: vp.name,
        qty: fromColumn(vp.netQty),
      })),
      outside.filter((f) => f.kind !== 'accepted').map(sideQty),
      { accepted },
    );
    return { differences, accepted: totalsBySide(accepted) };
  }
}

/** Futures: every open position by side. Spot: every non-stable holding that has a USDT market. */
async function exchangeQuantities(exchange: AccountExchange): Promise<ExchangeSideQty[]> {
  if (exchange.market === 'usdm') {
    return (await exchange.fetchPositions()).map((p) => ({ symbol: p.symbol, side: p.side, qty: p.contracts.abs() }));
  }
  const rows: ExchangeSideQty[] = [];
  for (const line of await exchange.fetchBalance()) {
    if (USD_STABLES.has(line.asset) || !line.total.greaterThan(0)) continue;
    const symbol = usdtMarketOf(exchange, line.asset);
    if (symbol) rows.push({ symbol, side: 'LONG', qty: line.total });
  }
  return rows;
}

function usdtMarketOf(exchange: AccountExchange, asset: string): string | undefined {
  try {
    return exchange.resolveSymbol(`${asset}/USDT`);
  } catch {
    // A coin without a USDT market cannot be traded into a VP here: nothing to reconcile.
    return undefined;
  }
}

/**
 * The holdings an account starts with on the desk, recorded as accepted: a fresh account does not
 * report what it already held as a difference. Spot holdings only (futures start flat), each as its
 * `ASSET/USDT` LONG side, the way reconciliation reads them.
 */
export function acceptedBaseline(accountId: string, spot: Record<string, string>, at = new Date()) {
  return Object.entries(spot)
    .filter(([asset, qty]) => !USD_STABLES.has(asset) && new Decimal(qty).greaterThan(0))
    .map(([asset, qty]) => ({
      accountId,
      symbol: `${asset}/USDT`,
      tradeId: `baseline-${asset}`,
      exchangeOrderId: 'baseline',
      side: 'buy',
      positionSide: 'LONG',
      qty: toColumn(new Decimal(qty)),
      price: '0',
      fee: '0',
      externalQty: toColumn(new Decimal(qty)),
      kind: 'accepted',
      at,
    }));
}

function totalsBySide(rows: AcceptedSideQty[]): AcceptedSideQty[] {
  const totals = new Map<string, AcceptedSideQty>();
  for (const row of rows) {
    const key = `${row.symbol}\u0000${row.side}`;
    const total = totals.get(key);
    totals.set(key, total ? { ...total, qty: total.qty.plus(row.qty) } : row);
  }
  return [...totals.values()]
    .filter((r) => !r.qty.isZero())
    .sort((a, b) => (a.symbol === b.symbol ? a.side.localeCompare(b.side) : a.symbol < b.symbol ? -1 : 1));
}

function bookEntry(
  plan: { accountId: string; symbol: string; side: PositionSide; qty: Decimal },
  kind: 'adjustment' | 'accepted',
  side: 'buy' | 'sell',
) {
  return {
    accountId: plan.accountId,
    symbol: plan.symbol,
    // Not an exchange trade: a unique id of our own, in the trade-id column's uniqueness.
    tradeId: `${kind}-${Date.now()}-${randomBytes(4).toString('hex')}`,
    exchangeOrderId: 'reconcile',
    side,
    positionSide: plan.side,
    qty: toColumn(plan.qty),
    fee: '0',
    kind,
    at: new Date(),
  };
}

function sideOf(value: string): PositionSide {
  return value === 'SHORT' ? 'SHORT' : 'LONG';
}

function baseOf(symbol: string): string {
  return symbol.split('/')[0] ?? '';
}

async function lastPrice(exchange: AccountExchange, symbol: string): Promise<Decimal | undefined> {
  const base = baseOf(symbol);
  return (await exchange.fetchUsdtPrices([base])).get(base);
}
