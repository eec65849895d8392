import { Decimal } from 'decimal.js';
import { marketNumbers, type MarketNumbers, type MarketPrecision } from '../domain/display-number.ts';
import type { MessageParams } from '../domain/errors.ts';
import type { AuditLog as AuditRow } from '../generated/prisma/client.ts';
import { hasMessage, placeholderTerm, type Translate } from '../i18n/index.ts';
import { auditFactsOf, type AuditMessage, type AuditOrder, type AuditParam } from './audit.ts';

/**
 * An audit row in the reader's words. Rows keep catalog keys and exact values, never text in the
 * language of whoever ran the command, so the same row reads in English to one owner and in
 * Chinese to another.
 */
export interface AuditText {
  /** What was asked: the command as it could be typed again, or the admin action's name. */
  action: string;
  /** How it ended, and why; what it changed, and the orders it moved. */
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
  const changes = (facts.change ?? []).map((m) => message(t, m));
  const orders = (facts.orders ?? []).map((order) =>
    describeOrder(t, order, marketNumbers(order.symbol, precision(row.accountId, order.symbol))),
  );
  return {
    action: facts.line ?? actionOf(t, row),
    sentence: [head, ...changes, ...orders].join(t('audit.separator')),
    outcome: t(`audit.outcome.${outcome}`),
  };
}

/** A chat command as typed; an admin action by its name, or as logged when it has none (yet). */
function actionOf(t: Translate, row: AuditRow): string {
  return row.platform === 'web' ? (webActionName(t, row.command) ?? row.command) : `/${row.command}`;
}

/** An admin action's name in the reader's words (`accounts.add` → "Add account"), if it has one. */
export function webActionName(t: Translate, command: string): string | undefined {
  const key = `audit.action.${command}`;
  return hasMessage(key) ? t(key) : undefined;
}

/**
 * Parameters in the reader's words. The catalog renders a placeholder that names one of our terms
 * (a role, a status, a market: src/i18n/terms.ts) by itself; what is left to do here: a list reads
 * as its items, each the term of the name the list is the plural of (`fields` of `field`), joined
 * the reader's way; `from` and `to` are values of the field that `field` names; an empty one of
 * either is "none".
 */
function localParams(t: Translate, params: Readonly<Record<string, AuditParam>> | undefined): MessageParams {
  const out: MessageParams = {};
  const field = params?.['field'];
  for (const [name, value] of Object.entries(params ?? {})) {
    if (typeof value === 'number') out[name] = value;
    else if (typeof value !== 'string') out[name] = listText(t, singular(name), value);
    else if ((name === 'from' || name === 'to') && typeof field === 'string') {
      out[name] = value === '' ? t('audit.none') : placeholderTerm(t, field, value);
    } else out[name] = value;
  }
  return out;
}

function listText(t: Translate, item: string, values: readonly string[]): string {
  if (values.length === 0) return t('audit.none');
  return values.map((v) => placeholderTerm(t, item, v)).join(t('audit.list_separator'));
}

function singular(plural: string): string {
  return plural.endsWith('ies') ? `${plural.slice(0, -3)}y` : plural.replace(/s$/, '');
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
 * Rows from before the facts were kept carry a message key or a few words in `detail` (the web
 * admin's said what changed there, in English): a key is read with what the row still knows, words
 * are shown as they are.
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
    side: order.side,
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
