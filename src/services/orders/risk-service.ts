import { Decimal } from 'decimal.js';
import { HedgeError } from '../../domain/errors.ts';
import { checkOrderRisk, NO_LIMITS, type RiskLimits } from '../../domain/risk.ts';
import type { RiskLimit } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import { readNow, statement } from '../../infra/db/connection.ts';
import type { EventBus } from '../events.ts';
import { fromColumn, optionalColumn } from './decimal-columns.ts';
import type { OrderPlan } from './order-service.ts';
import { LIVE_STATES } from '../../domain/order-state.ts';

export class RiskBlockedError extends HedgeError {}

export interface RiskLimitsInput {
  maxOrderNotional?: Decimal | null;
  maxPositionNotional?: Decimal | null;
  maxOpenOrders?: number | null;
  maxDailyLoss?: Decimal | null;
}

const LIMITED_SQL = `SELECT "accountId", "maxOrderNotional", "maxPositionNotional", "maxOpenOrders", "maxDailyLoss"
  FROM "RiskLimit" WHERE "accountId" IN (SELECT "value" FROM json_each(?))`;

function hasAnyLimit(limits: RiskLimits): boolean {
  return (
    limits.maxOrderNotional !== null ||
    limits.maxPositionNotional !== null ||
    limits.maxOpenOrders !== null ||
    limits.maxDailyLoss !== null
  );
}

function limitsOf(row: RiskLimit | null): RiskLimits {
  if (!row) return NO_LIMITS;
  return {
    maxOrderNotional: row.maxOrderNotional ? fromColumn(row.maxOrderNotional) : null,
    maxPositionNotional: row.maxPositionNotional ? fromColumn(row.maxPositionNotional) : null,
    maxOpenOrders: row.maxOpenOrders,
    maxDailyLoss: row.maxDailyLoss ? fromColumn(row.maxDailyLoss) : null,
  };
}

function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/**
 * Pre-trade limits per account (seed 004). The figures an order is judged on are read only for
 * the limits that are set; a blocked order is refused with the limit and the figures before
 * anything is sent, and raises an alert.
 */
export class RiskService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async limits(accountId: string): Promise<RiskLimits> {
    return limitsOf(await this.db.riskLimit.findUnique({ where: { accountId } }));
  }

  /** Which of these accounts have any limit set (one query for a whole fan-out). */
  async limited(accountIds: string[]): Promise<Set<string>> {
    // On the connection: this is read for every leader event, before the first copy goes out.
    const rows = await readNow(
      this.db,
      (connection) => statement(connection, LIMITED_SQL).all(JSON.stringify(accountIds)) as RiskLimit[],
    );
    return new Set(rows.filter((row) => hasAnyLimit(limitsOf(row))).map((row) => row.accountId));
  }

  async setLimits(accountId: string, input: RiskLimitsInput): Promise<RiskLimits> {
    const data = {
      ...(input.maxOrderNotional !== undefined
        ? { maxOrderNotional: optionalColumn(input.maxOrderNotional ?? undefined) }
        : {}),
      ...(input.maxPositionNotional !== undefined
        ? { maxPositionNotional: optionalColumn(input.maxPositionNotional ?? undefined) }
        : {}),
      ...(input.maxOpenOrders !== undefined ? { maxOpenOrders: input.maxOpenOrders } : {}),
      ...(input.maxDailyLoss !== undefined ? { maxDailyLoss: optionalColumn(input.maxDailyLoss ?? undefined) } : {}),
    };
    return limitsOf(
      await this.db.riskLimit.upsert({ where: { accountId }, create: { accountId, ...data }, update: data }),
    );
  }

  async realizedPnlToday(accountId: string): Promise<Decimal> {
    const fills = await this.db.fill.findMany({
      where: { accountId, at: { gte: startOfUtcDay(this.now()) } },
      select: { realizedPnl: true, fee: true, vpId: true },
    });
    return fills.reduce(
      (sum, f) => sum.plus(fromColumn(f.realizedPnl)).minus(f.vpId ? fromColumn(f.fee) : 0),
      new Decimal(0),
    );
  }

  async assertAllowed(plan: OrderPlan): Promise<void> {
    const limits = await this.limits(plan.accountId);
    if (!hasAnyLimit(limits)) return;
    // Planning read the last price already when the market's filters needed one: not read twice.
    const price = plan.price ?? plan.referencePrice ?? (await this.lastPrice(plan));
    const qty = plan.amount ?? (plan.cost ? plan.cost.div(price) : new Decimal(0));
    const orderNotional = plan.cost ?? qty.times(price);
    const held = limits.maxPositionNotional !== null ? await this.heldQty(plan) : new Decimal(0);
    const verdict = checkOrderRisk(limits, {
      orderNotional,
      positionNotionalAfter: (plan.increases ? held.plus(qty) : held).times(price),
      increasesExposure: plan.increases,
      openOrders: limits.maxOpenOrders !== null ? await this.liveOrders(plan.accountId) : 0,
      realizedPnlToday: limits.maxDailyLoss !== null ? await this.realizedPnlToday(plan.accountId) : new Decimal(0),
      isLimitOrder: plan.type === 'limit',
    });
    if (verdict.ok) return;
    const params = { account: plan.accountId, symbol: plan.symbol, ...verdict.params };
    this.bus.emit({
      type: 'alert',
      accountId: plan.accountId,
      category: 'risk_limit',
      severity: 'warning',
      key: verdict.key,
      params,
    });
    throw new RiskBlockedError(verdict.key, params);
  }

  private liveOrders(accountId: string): Promise<number> {
    return this.db.order.count({ where: { accountId, status: { in: [...LIVE_STATES] } } });
  }

  private async lastPrice(plan: OrderPlan): Promise<Decimal> {
    const base = plan.symbol.split('/')[0] ?? '';
    const price = (await plan.exchange.fetchUsdtPrices([base])).get(base);
    if (!price) throw new RiskBlockedError('risk.no_price', { account: plan.accountId, symbol: plan.symbol });
    return price;
  }

  /** What the account holds on this side right now, as the exchange reports it. */
  private async heldQty(plan: OrderPlan): Promise<Decimal> {
    if (plan.exchange.market === 'usdm') {
      const position = (await plan.exchange.fetchPositions()).find(
        (p) => p.symbol === plan.symbol && p.side === plan.positionSide,
      );
      return position?.contracts ?? new Decimal(0);
    }
    const base = plan.symbol.split('/')[0];
    return (await plan.exchange.fetchBalance()).find((l) => l.asset === base)?.total ?? new Decimal(0);
  }
}
