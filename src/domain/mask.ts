const MASK = '••••';

/** The last four characters kept for display; shorter values keep nothing. */
export function secretHint(value: string): string {
  return value.length >= 12 ? value.slice(-4) : '';
}

/** `••••abcd` for a stored hint, `••••` when no hint, `—` when nothing is stored. */
export function maskedHint(hint: string | null | undefined, stored: boolean): string {
  if (!stored) return '—';
  return `${MASK}${hint ?? ''}`;
}
