/**
 * Why an account is paused or disabled, as the account row keeps it: plain English, so the admin,
 * the logs and /healthz read it as is. The desk writes its own reasons only through these
 * functions, and `reasonMessage` reads them back as a message of the catalog, so a chat reply
 * shows them in the reader's language. A reason someone typed in the admin stays as typed.
 */
export const pausedBy = (who: string) => `paused by ${who}`;
export const PAUSED_IN_ADMIN = 'paused in the web admin';
export const DISABLED_IN_ADMIN = 'disabled in the admin';
export const keyRejected = (exchange: string, codeRef: string) => `API key rejected by ${exchange}${codeRef}`;
export const keyCannotTrade = (market: 'spot' | 'usdm', exchange: string) =>
  `API key cannot trade ${market === 'usdm' ? 'USDT-M futures' : 'spot'} on ${exchange}`;

const READ_BACK: readonly { form: RegExp; key: string; names: readonly string[] }[] = [
  { form: /^paused in the web admin$/, key: 'reasons.paused_in_admin', names: [] },
  { form: /^disabled in the admin$/, key: 'reasons.disabled_in_admin', names: [] },
  { form: /^paused by (.+)$/, key: 'reasons.paused_by', names: ['who'] },
  { form: /^API key rejected by (\w+)(.*)$/, key: 'reasons.key_rejected', names: ['exchange', 'codeRef'] },
  { form: /^API key cannot trade spot on (\w+)$/, key: 'reasons.key_cannot_trade.spot', names: ['exchange'] },
  { form: /^API key cannot trade USDT-M futures on (\w+)$/, key: 'reasons.key_cannot_trade.usdm', names: ['exchange'] },
];

/** The catalog message behind one of the desk's own reasons; undefined for any other text. */
export function reasonMessage(reason: string): { key: string; params: Record<string, string> } | undefined {
  for (const { form, key, names } of READ_BACK) {
    const m = form.exec(reason);
    if (!m) continue;
    return { key, params: Object.fromEntries(names.map((name, i) => [name, m[i + 1] ?? ''])) };
  }
  return undefined;
}
