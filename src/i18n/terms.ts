/**
 * Words that name a kind of thing — a side, a market, an order's status — are data in the code
 * (`buy`, `usdm`, `FILLED`) and words in a reply. A message placeholder of one of these names is
 * rendered through `terms.<group>.<value>` of the reply's language, so a service or an error can
 * pass the raw value and the trader still reads their own language. A value with no term (an
 * already translated word, an id) is shown as given.
 */
export const TERM_PLACEHOLDERS: Readonly<Record<string, readonly string[]>> = {
  side: ['side', 'position_side'],
  positionSide: ['position_side'],
  type: ['order_type'],
  status: ['status'],
  market: ['market'],
  env: ['env'],
  kind: ['account_kind'],
  severity: ['severity'],
  mode: ['mode'],
  platform: ['platform'],
};

/** The catalog keys that may hold the term for a placeholder's value (none for other placeholders). */
export function termKeys(placeholder: string, value: string): string[] {
  return (TERM_PLACEHOLDERS[placeholder] ?? []).map((group) => `terms.${group}.${value}`);
}
