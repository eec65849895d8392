const MASK = '••••';

/**
 * The API key's last four characters, kept for display; shorter keys keep nothing. Never used
 * for a secret or passphrase: of those, nothing is shown, not even a part.
 */
export function keyHint(value: string): string {
  return value.length >= 12 ? value.slice(-4) : '';
}

/** `••••abcd` for a stored key hint, `••••` when no hint (always, for a secret), `—` when nothing is stored. */
export function maskedHint(hint: string | null | undefined, stored: boolean): string {
  if (!stored) return '—';
  return `${MASK}${hint ?? ''}`;
}
