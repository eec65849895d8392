/**
 * What the audit log keeps of the accounts page's actions: catalog messages with the desk's own
 * values, read back in each reader's language.
 */
import type { VerifyResult } from '../../../services/admin/account-admin.ts';
import { auditMessageOf, withReason, type AuditMessage } from '../../../services/audit.ts';
import type { OpenOrderView } from '../../../services/open-orders.ts';

/** What the audit keeps of a key check: accepted (with its warnings), or the exchange's refusal. */
export function keyOutcome(verify: VerifyResult): AuditMessage[] {
  if (!verify.ok) return [withReason('web.accounts.key_refused', auditMessageOf(verify.error))];
  const { warnings } = verify.key;
  return [
    { key: 'web.accounts.key_accepted' },
    ...(warnings.length > 0 ? [{ key: 'audit.web.key_warnings', params: { warnings } }] : []),
  ];
}

/** An order the desk does not track (placed elsewhere) or a leg it watches, as cancelled. */
export function cancelledMessage({ order, vp, leg }: OpenOrderView): AuditMessage {
  if (vp && leg) return { key: 'audit.web.leg_disarmed', params: { leg, vp: vp.name, symbol: order.symbol } };
  const params = { order: order.id, symbol: order.symbol, side: order.side, amount: order.amount.toFixed() };
  return { key: 'audit.web.order_cancelled', params };
}
