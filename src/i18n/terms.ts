/**
 * Words that name a kind of thing — a side, a market, an order's status, a role — are data in the
 * code (`buy`, `usdm`, `FILLED`, `owner`) and words in a reply. A message placeholder of one of
 * these names is rendered through the catalog group listed for it (`terms.<group>.<value>`; a TP/SL
 * leg: `tpsl.leg.<leg>`; a role: `roles.<role>`) in the reply's language, so a service or an error
 * can pass the raw value and the trader still reads their own language. A value with no term (an
 * already translated word, an id) is shown as given.
 */
export const TERM_PLACEHOLDERS: Readonly<Record<string, readonly string[]>> = {
  side: ['terms.side', 'terms.position_side'],
  positionSide: ['terms.position_side'],
  type: ['terms.order_type'],
  status: ['terms.status'],
  market: ['terms.market'],
  env: ['terms.env'],
  kind: ['terms.account_kind'],
  severity: ['terms.severity'],
  mode: ['terms.mode'],
  platform: ['terms.platform'],
  language: ['terms.language'],
  leg: ['tpsl.leg'],
  role: ['roles'],
  copyRole: ['accounts.copy_role'],
  copyMode: ['terms.copy_mode'],
  category: ['alerts.category'],
  warning: ['web.accounts.key_warning_short'],
  field: ['terms.field'],
};

/** The catalog keys that may hold the term for a placeholder's value (none for other placeholders). */
export function termKeys(placeholder: string, value: string): string[] {
  return (TERM_PLACEHOLDERS[placeholder] ?? []).map((prefix) => `${prefix}.${value}`);
}
