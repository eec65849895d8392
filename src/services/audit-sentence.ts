import { Decimal } from 'decimal.js';
import { marketNumbers, type MarketNumbers, type MarketPrecision } from '../domain/display-number.ts';
import type { MessageParams } from '../domain/errors.ts';
import type { AuditLog as AuditRow } from '../generated/prisma/client.ts';
import { hasMessage, type Translate } from '../i18n/index.ts';
import { auditFactsOf, type AuditMessage, type AuditOrder } from './audit.ts';

/**
 * An audit row in the reader's words. Rows keep catalog keys and exact values, never text in the
 * language of whoever ran the command, so the same row reads in English to one owner and in
 * Chinese to another.
 */
export interface AuditText {
  /** What was asked: the command as it could be typed again, or the admin action's name. */
  action: string;
  /** How it ended, and why, and the orders it moved. */
  sentence: string;
  outcome: string;
}

/** The tick and step of an account's market, for an order's figures; {} when not known. */
export type PrecisionLookup = (accountId: string | null, symbol: string) => MarketPrecision;

export function describeAuditRow(t: Translate, row: AuditRow, precision: PrecisionLookup = () => ({})): AuditText {
  const facts = auditFactsOf(row);
  const reason = facts.reason ? message(t, facts.reason) : legacyDetail(t, row);
  const outcome = row.outcome;
  const head =
    reason === undefined ? t(`audit.sentence.${outcome}`) : t(`audit.sentence.${outcome}_because`, { reason });
  const orders = (facts.orders ?? []).map((order) =>
    describeOrder(t, order, marketNumbers(order.symbol, precision(row.accountId, order.symbol))),
  );
  return {
    action: facts.line ?? (row.platform === 'web' ? row.command : `/${row.command}`),
    sentence: [head, ...orders].join(t('audit.separator')),
    outcome: t(`audit.outcome.${outcome}`),
  };
}

/** Parameters that name one of our own terms are words of the reader's language too. */
function localParams(t: Translate, params: MessageParams | undefined): MessageParams {
  const out: MessageParams = { ...params };
  const role = out['role'];
  if (typeof role === 'string' && hasMessage(`roles.${role}`)) out['role'] = t(`roles.${role}`);
  return out;
}

function message(t: Translate, m: AuditMessage): string {
  if (!hasMessage(m.key)) return m.key;
  return unfilled(t(m.key, localParams(t, m.params)));
}

/** A placeholder nothing filled (a row written before its parameters were kept) shows as "…". */
function unfilled(text: string): string {
  return text.replace(/\{\{\s*\w+\s*\}\}/g, '…');
}

/**
 * Rows from before the facts were kept carry a message key or a few words in `detail`; the web
 * admin's own rows still say what changed there. A key is read with what the row still knows.
 */
function legacyDetail(t: Translate, row: AuditRow): string | undefined {
  const detail = row.detail?.trim();
  if (!detail) return undefined;
  if (!hasMessage(detail)) return detail;
  const known = row.accountId ?? '…';
  return unfilled(t(detail, { account: known, follower: known, symbol: row.symbol ?? '…' }));
}

/** A stored figure by the display rule; a value that is no number is shown as stored. */
function shown(value: string | null, display: (d: Decimal) => string): string | undefined {
  if (value === null || value === '') return undefined;
  try {
    return display(new Decimal(value));
  } catch {
    return value;
  }
}

function describeOrder(t: Translate, order: AuditOrder, numbers: MarketNumbers): string {
  const filled = shown(order.filledQty, numbers.quantity) ?? '0';
  const avg = shown(order.avgPrice, numbers.price);
  const cost = shown(order.cost, numbers.money);
  const price = shown(order.price, numbers.price);
  const size = cost ? t('audit.order.cost', { cost }) : (shown(order.amount, numbers.quantity) ?? '—');
  const position = order.positionSide ? ` ${t(`audit.order.position.${order.positionSide}`)}` : '';
  // An order the exchange never acknowledged has only our client id.
  return t(order.exchangeOrderId ? 'audit.order.line' : 'audit.order.line_no_id', {
    id: order.exchangeOrderId ?? '',
    clientId: order.clientOrderId,
    side: t(`audit.order.side.${order.side}`),
    size,
    symbol: order.symbol,
    position,
    price: price ? t('audit.order.at_price', { price }) : t('audit.order.at_market'),
    status: hasMessage(`audit.order.status.${order.status}`) ? t(`audit.order.status.${order.status}`) : order.status,
    fill:
      new Decimal(order.filledQty || '0').isZero() || !avg
        ? t('audit.order.nothing_filled')
        : t('audit.order.filled', { filled, avg }),
  });
}
