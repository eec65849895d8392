import { Decimal } from 'decimal.js';
import { z } from 'zod';
import { NUMERIC_WORD, toPositiveDecimal } from '../../domain/decimal-input.ts';
import { ArgumentError, AuthorizationError } from '../../domain/errors.ts';
import type { RiskLimits } from '../../domain/risk.ts';
import { displayMoney } from '../../domain/display-number.ts';
import type { Translate } from '../../i18n/index.ts';
import type { RiskLimitsInput } from '../../services/orders/risk-service.ts';
import { defineCommand } from '../types.ts';
import { accountOrAllArg, accountsInScope } from './scope.ts';

const LIMIT_NAMES = ['order_notional', 'position_notional', 'open_orders', 'daily_loss'] as const;
type LimitName = (typeof LIMIT_NAMES)[number];

function show(t: Translate, accountId: string, limits: RiskLimits, realizedToday: Decimal): string {
  const off = t('risk.off');
  return t('risk.limits', {
    account: accountId,
    orderNotional: limits.maxOrderNotional ? `${displayMoney(limits.maxOrderNotional)} USDT` : off,
    positionNotional: limits.maxPositionNotional ? `${displayMoney(limits.maxPositionNotional)} USDT` : off,
    openOrders: limits.maxOpenOrders !== null ? String(limits.maxOpenOrders) : off,
    dailyLoss: limits.maxDailyLoss ? `${displayMoney(limits.maxDailyLoss)} USDT` : off,
    realizedToday: displayMoney(realizedToday),
  });
}

function inputFor(limit: LimitName, value: Decimal | null): RiskLimitsInput {
  switch (limit) {
    case 'order_notional':
      return { maxOrderNotional: value };
    case 'position_notional':
      return { maxPositionNotional: value };
    case 'open_orders':
      return { maxOpenOrders: value ? value.toNumber() : null };
    case 'daily_loss':
      return { maxDailyLoss: value };
  }
}

/** The most open orders a limit may allow; more is no limit at all (and would not fit the column). */
const MAX_OPEN_ORDERS_LIMIT = 10_000;

/** `open_orders 2.5` is refused, not quietly read as 2. */
function checkOrderCount(value: Decimal): void {
  if (!value.isInteger()) throw new ArgumentError('errors.arg_whole', { arg: 'value', value: value.toString() });
  if (value.gt(MAX_OPEN_ORDERS_LIMIT)) {
    throw new ArgumentError('errors.arg_at_most', {
      arg: 'value',
      value: value.toString(),
      max: String(MAX_OPEN_ORDERS_LIMIT),
    });
  }
}

/**
 * `/risk [account]` shows the pre-trade limits; `/risk <account> <limit> <value|off>` sets one
 * (owners only). Values are USDT, except open_orders (a count).
 */
export const riskCommand = defineCommand({
  name: 'risk',
  role: 'trader',
  scope: 'visible',
  mutates: ({ limit }) => limit !== undefined,
  args: {
    account: accountOrAllArg,
    limit: {
      schema: z.enum(LIMIT_NAMES).optional(),
      descriptionKey: 'args.risk_limit',
      flexible: true,
      // `/risk sub_a bogus 5`: an unknown word is a limit name to refuse with the list of them.
      resembles: /^[a-z][a-z_]*$/i,
    },
    value: {
      schema: z
        .string()
        .trim()
        .transform((s, ctx) => (s.toLowerCase() === 'off' ? ('off' as const) : toPositiveDecimal(s, ctx)))
        .optional(),
      descriptionKey: 'args.risk_value',
      flexible: true,
      resembles: NUMERIC_WORD,
      example: '5000',
    },
  },
  async run(ctx, { account, limit, value }) {
    const { risk } = ctx.services;
    if (limit) {
      if (ctx.caller.role !== 'owner') {
        throw new AuthorizationError('errors.role_required', {
          command: '/risk … <limit>',
          role: ctx.t('roles.owner'),
        });
      }
      if (!account || account === 'all' || value === undefined) {
        return { text: ctx.t('risk.set_usage'), ephemeral: true };
      }
      if (limit === 'open_orders' && value !== 'off') checkOrderCount(value);
      await ctx.services.accounts.get(account);
      const limits = await risk.setLimits(account, inputFor(limit, value === 'off' ? null : value));
      return { text: show(ctx.t, account, limits, await risk.realizedPnlToday(account)) };
    }
    const accounts = await accountsInScope(ctx, account);
    const blocks = await Promise.all(
      accounts.map(async (a) => show(ctx.t, a.id, await risk.limits(a.id), await risk.realizedPnlToday(a.id))),
    );
    return { text: blocks.join('\n\n') || ctx.t('accounts.none') };
  },
});
