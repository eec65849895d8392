import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Translate } from '../../i18n/index.ts';
import { LEGS } from '../../services/tpsl/rules.ts';
import {
  SPOT_TPSL_POLL_MS,
  type TpslOutcome,
  type TpslPlan,
  type TpslRequest,
} from '../../services/tpsl/tpsl-service.ts';
import { fromColumn } from '../../services/orders/decimal-columns.ts';
import { ledgerOf } from '../../services/orders/virtual-positions.ts';
import { accountNumbers, numbersOn, type MarketNumbers } from '../format/numbers.ts';
import { defineCommand, type CommandContext } from '../types.ts';
import { accountArg } from './scope.ts';
import { decimalSchema } from './trading-args.ts';
import { flexibleSymbolArg } from './trading-symbol.ts';
import {
  commandLine,
  explainingAmbiguity,
  positionSideOf,
  vpNameArg,
  vpSideArg,
  type VpAddress,
} from './vp-address.ts';

interface TpslArgs extends VpAddress {
  tp?: TpslRequest['tp'];
  sl?: TpslRequest['sl'];
  off?: 'off' | undefined;
}

function requestOf(args: TpslArgs): TpslRequest {
  return {
    accountId: args.account,
    vpName: args.name,
    symbol: args.symbol,
    positionSide: positionSideOf(args.side),
    tp: args.tp,
    sl: args.sl,
    off: args.off === 'off',
  };
}

/** The trader's own `/vp tpsl …` line with the words that pick one VP of several. */
function retryOf(args: TpslArgs): (added: readonly string[]) => string {
  const words = [
    args.account,
    args.name,
    args.tp ? `tp=${args.tp.toFixed()}` : undefined,
    args.sl ? `sl=${args.sl.toFixed()}` : undefined,
    args.off,
    args.symbol,
    args.side,
  ];
  return (added) => commandLine('vp tpsl', [...words, ...added]);
}

function priceOrNone(t: Translate, numbers: MarketNumbers, price: Decimal | string | null | undefined): string {
  if (price === null || price === undefined) return t('tpsl.none');
  return numbers.price(typeof price === 'string' ? fromColumn(price) : price);
}

function describeTpsl(t: Translate, plan: TpslPlan, numbers: MarketNumbers): string {
  const { vp } = plan;
  const head = { account: vp.accountId, vp: vp.name, symbol: vp.symbol, side: vp.positionSide };
  if (!plan.tp && !plan.sl) return t('tpsl.plan_off', head);
  const ledger = ledgerOf(vp);
  const lines = [
    t('tpsl.plan', {
      ...head,
      qty: numbers.holding(plan.qty),
      entry: numbers.price(ledger.avgEntry),
      mark: plan.mark ? numbers.price(plan.mark) : '—',
      tp: priceOrNone(t, numbers, plan.tp),
      sl: priceOrNone(t, numbers, plan.sl),
    }),
  ];
  lines.push(
    plan.market === 'usdm'
      ? t('tpsl.plan_futures', { side: vp.positionSide === 'SHORT' ? 'buy' : 'sell', qty: numbers.quantity(plan.qty) })
      : t('tpsl.spot_watch', { seconds: String(SPOT_TPSL_POLL_MS / 1000) }),
  );
  return lines.join('\n');
}

function describeOutcome(
  ctx: CommandContext,
  market: TpslPlan['market'],
  outcome: TpslOutcome,
  numbers: MarketNumbers,
): string {
  const { t } = ctx;
  const { vp } = outcome;
  const head = { account: vp.accountId, vp: vp.name, symbol: vp.symbol, side: vp.positionSide };
  if (!vp.tpPrice && !vp.slPrice && Object.keys(outcome.failed).length === 0) return t('tpsl.removed', head);
  const lines = [
    t('tpsl.set', { ...head, tp: priceOrNone(t, numbers, vp.tpPrice), sl: priceOrNone(t, numbers, vp.slPrice) }),
  ];
  for (const leg of LEGS) {
    const placed = outcome.placed[leg];
    const failed = outcome.failed[leg];
    if (placed) lines.push(t('tpsl.leg_placed', { leg: t(`tpsl.leg.${leg}`), clientId: placed }));
    if (failed) lines.push(t('tpsl.leg_failed', { leg: t(`tpsl.leg.${leg}`), reason: ctx.describeError(failed) }));
  }
  if (market === 'spot') lines.push(t('tpsl.spot_watch', { seconds: String(SPOT_TPSL_POLL_MS / 1000) }));
  return lines.join('\n');
}

/**
 * `/vp tpsl <account> <vp> [tp=<price>] [sl=<price>] [off] [symbol] [long|short]`: a leg not named
 * keeps its price.
 */
export const tpslCommand = defineCommand({
  name: 'tpsl',
  role: 'trader',
  scope: 'account',
  mutates: true,
  confirm: true,
  args: {
    account: accountArg,
    name: vpNameArg,
    tp: {
      schema: decimalSchema.optional(),
      descriptionKey: 'args.tp',
      example: '65000',
      placeholder: 'tp=<price>',
      flexible: true,
    },
    sl: {
      schema: decimalSchema.optional(),
      descriptionKey: 'args.sl',
      example: '55000',
      placeholder: 'sl=<price>',
      flexible: true,
    },
    off: { schema: z.literal('off').optional(), descriptionKey: 'args.tpsl_off', flexible: true },
    symbol: flexibleSymbolArg,
    side: vpSideArg,
  },
  async describe(ctx, args) {
    const plan = await explainingAmbiguity(retryOf(args), () => ctx.services.tpsl.plan(requestOf(args)));
    return describeTpsl(ctx.t, plan, await accountNumbers(ctx.services, plan.vp.accountId, plan.vp.symbol));
  },
  async run(ctx, args) {
    const request = requestOf(args);
    const exchange = await ctx.services.exchanges.for(request.accountId);
    const outcome = await explainingAmbiguity(retryOf(args), () => ctx.services.tpsl.set(request));
    return { text: describeOutcome(ctx, exchange.market, outcome, numbersOn(exchange, outcome.vp.symbol)) };
  },
});
