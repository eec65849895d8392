/**
 * Errors a user can act on. Each carries an i18n key and its parameters; adapters turn it into
 * words in the caller's language at the boundary. Anything else that escapes is a bug and is
 * shown as a generic failure with a reference, never as a stack trace.
 */
export type MessageParams = Record<string, string | number>;

export class HedgeError extends Error {
  constructor(
    readonly key: string,
    readonly params: MessageParams = {},
    message?: string,
  ) {
    super(message ?? key);
    this.name = new.target.name;
  }
}

/**
 * A failure as an alert's `reason`: its message key, with its values beside it, so the alert
 * renders it whole in each chat's language. Anything else is a bug: its text, shortened.
 */
export function reasonParams(err: unknown): Record<string, string> {
  if (!(err instanceof HedgeError)) return { reason: String(err).slice(0, 200) };
  return { ...Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, String(v)])), reason: err.key };
}

/** A command argument or form field that does not fit its schema. */
export class ArgumentError extends HedgeError {}

/** The caller's role or account grants do not allow the action. */
export class AuthorizationError extends HedgeError {}

/** A named thing (account, user, command) does not exist. */
export class NotFoundError extends HedgeError {}

/** The vault cannot decrypt a record: wrong master key or tampered data. */
export class VaultError extends HedgeError {}

/** Bad configuration: the message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
