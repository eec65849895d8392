import { z } from 'zod';
import { VaultError } from '../../domain/errors.ts';
import { registerSecret } from '../../infra/secret-scrubber.ts';
import { keyHint } from '../../domain/mask.ts';
import { envelopeKeyId, masterKeyId, open, seal } from './envelope.ts';
import type { MasterKeys } from './master-key.ts';

export const credentialsSchema = z.object({
  apiKey: z.string().trim().min(8).max(256).regex(/^\S+$/, 'no spaces'),
  secret: z.string().trim().min(8).max(512).regex(/^\S+$/, 'no spaces'),
  passphrase: z.string().trim().min(1).max(128).optional(),
});
export type Credentials = z.infer<typeof credentialsSchema>;

export interface SealedCredentials {
  credentials: string;
  /** The API key's last 4 characters, for `••••abcd`. */
  apiKeyHint: string;
  /** Always null: no part of a secret is kept in clear (this also blanks a hint stored before). */
  secretHint: null;
}

/** Seals and opens exchange credentials; decrypt only at the moment an exchange client is built. */
export class Vault {
  constructor(private readonly keys: MasterKeys) {}

  get currentKeyId(): string {
    return masterKeyId(this.keys.current);
  }

  seal(accountId: string, credentials: Credentials): SealedCredentials {
    const value = credentialsSchema.parse(credentials);
    remember(value);
    return {
      credentials: seal(this.keys.pending ?? this.keys.current, accountId, JSON.stringify(value)),
      apiKeyHint: keyHint(value.apiKey),
      secretHint: null,
    };
  }

  open(accountId: string, envelope: string): Credentials {
    const key = this.keys.byId.get(envelopeKeyId(envelope) ?? '');
    if (!key) throw new VaultError('vault.unknown_key', { account: accountId });
    const parsed = credentialsSchema.safeParse(JSON.parse(open(key, accountId, envelope)));
    if (!parsed.success) throw new VaultError('vault.malformed', { account: accountId });
    remember(parsed.data);
    return parsed.data;
  }

  /** Seals under `newKey` what was sealed under any known key. */
  reseal(accountId: string, envelope: string, newKey: Buffer): string {
    if (envelopeKeyId(envelope) === masterKeyId(newKey)) return envelope;
    return seal(newKey, accountId, JSON.stringify(this.open(accountId, envelope)));
  }
}

function remember({ apiKey, secret, passphrase }: Credentials): void {
  for (const value of [apiKey, secret, passphrase]) registerSecret(value);
}
