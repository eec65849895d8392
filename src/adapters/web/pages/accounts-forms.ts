import { z } from 'zod';
import { COPY_ROLES, ENVS, EXCHANGES, KINDS, MARKETS, newAccountSchema } from '../../../domain/account.ts';
import {
  keyWarnings,
  storedKeyPermissions,
  type KeyPermissions,
  type KeyWarning,
} from '../../../domain/key-permissions.ts';
import { maskedHint } from '../../../domain/mask.ts';
import type { Translate } from '../../../i18n/index.ts';
import type { AccountView } from '../../../services/accounts.ts';
import type { StreamStatus } from '../../../services/streams/supervisor.ts';
import { credentialsSchema } from '../../../services/vault/vault.ts';

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** Key, secret and (Bitget) passphrase as typed into a form: the vault's own rules. */
export const credentialsFormSchema = z.object({
  apiKey: credentialsSchema.shape.apiKey,
  secret: credentialsSchema.shape.secret,
  passphrase: z.preprocess(emptyToUndefined, credentialsSchema.shape.passphrase),
});

export const editFormSchema = z.object({
  name: newAccountSchema.shape.name,
  kind: z.enum(KINDS),
  copyRole: z.enum(COPY_ROLES),
});

export const disableFormSchema = z.object({
  reason: z.preprocess(emptyToUndefined, z.string().trim().max(200).optional()),
});

export const deleteFormSchema = z.object({
  force: z.preprocess((v) => v === 'on' || v === 'true' || v === '1', z.boolean()),
  confirm: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(64)),
});

/** A cancel button of the open-orders table: the order's reference as /orders shows it. */
export const cancelOrderFormSchema = z.object({
  ref: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[\w-]+$/, 'an order id'),
});

/** The choices of the add form's selects, from the domain's own lists. */
export const CHOICES = { exchanges: EXCHANGES, markets: MARKETS, envs: ENVS, kinds: KINDS, copyRoles: COPY_ROLES };

export interface AccountRow {
  id: string;
  name: string;
  exchange: string;
  env: string;
  market: string;
  kind: string;
  copyRole: string;
  copyRoleLabel: string;
  status: string;
  statusReason: string | null;
  stream: string;
  streamHealth: string;
  key: string;
  secret: string;
  passphrase: boolean;
  lastVerified: string;
  /** What the key may do as last read, in words; or why that is not known. */
  keyPermissions: string;
  /** Short words for what is risky about the key ("can withdraw"), from the last reading. */
  keyWarnings: string[];
}

export function formatTime(at: Date | null | undefined): string {
  return at ? `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '';
}

/** What the page shows of an account: the key's last 4 characters, nothing of the secret. */
export function accountRow(t: Translate, a: AccountView, stream: StreamStatus | undefined): AccountRow {
  return {
    id: a.id,
    name: a.name,
    exchange: a.exchange,
    env: a.env,
    market: a.market,
    kind: a.kind,
    copyRole: a.copyRole,
    copyRoleLabel: t(`accounts.copy_role.${a.copyRole}`),
    status: a.status,
    statusReason: a.statusReason,
    stream: stream ? t(`accounts.stream.${stream.health}`) : t('accounts.stream.off'),
    streamHealth: stream?.health ?? 'off',
    key: maskedHint(a.apiKeyHint, a.hasCredentials),
    // None of the secret, not even its last characters.
    secret: maskedHint(null, a.hasCredentials),
    passphrase: a.exchange === 'bitget',
    lastVerified: formatTime(a.lastVerifiedAt),
    ...keyColumns(t, a.keyPermissions),
  };
}

/** The stored permission reading as the pages show it: one line, and the short warnings. */
function keyColumns(t: Translate, stored: string | null): { keyPermissions: string; keyWarnings: string[] } {
  const reading = storedKeyPermissions(stored);
  if (!reading) return { keyPermissions: t('web.accounts.permissions_unknown'), keyWarnings: [] };
  return {
    keyPermissions: describePermissions(t, reading, formatTime(new Date(reading.readAt))),
    keyWarnings: keyWarnings(reading).map((w) => t(`web.accounts.key_warning_short.${w}`)),
  };
}

/** "spot trading: yes · futures trading: no · …" */
export function describePermissions(t: Translate, p: KeyPermissions, at: string): string {
  const yesNo = (value: boolean) => t(value ? 'web.accounts.yes' : 'web.accounts.no');
  return t('web.accounts.permissions', {
    spot: yesNo(p.canTradeSpot),
    futures: yesNo(p.canTradeFutures),
    withdrawals: yesNo(p.canWithdraw),
    ip: yesNo(p.ipRestricted),
    at,
  });
}

/** The long explanation of each warning, for a flash or the verify result. */
export function warningTexts(t: Translate, warnings: readonly KeyWarning[]): string[] {
  return warnings.map((w) => t(`web.accounts.key_warning.${w}`));
}
