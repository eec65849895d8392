/**
 * The last line of defence for logs: every credential the vault opens or seals is remembered
 * here, and each log line is scrubbed of them before it is written — wherever a library put it
 * (a header in an error, a signed URL, a nested request object that path-based redaction misses).
 */
const known = new Set<string>();
const MIN_LENGTH = 6;

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_LENGTH) known.add(value);
}

export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  return out;
}
