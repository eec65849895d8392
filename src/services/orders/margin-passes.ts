import type { PlaceOrderInput } from './order-service.ts';

/** How long a confirmation's margin check stands for the send: a prompt "yes" is not read again. */
export const MARGIN_PASS_FRESH_MS = 5_000;

/**
 * Futures orders whose margin the confirmation found available, by what the trader asked for,
 * until sent or stale. One pass serves one send; an order confirmed later than the bound above
 * has its margin read again, the account may have moved by then.
 */
export class MarginPasses {
  private readonly passed = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  remember(input: PlaceOrderInput): void {
    const now = this.now();
    for (const [key, at] of this.passed) if (now - at > MARGIN_PASS_FRESH_MS) this.passed.delete(key);
    this.passed.set(keyOf(input), now);
  }

  /** Whether a fresh pass covers the order; the pass is used up either way. */
  takeFresh(input: PlaceOrderInput): boolean {
    const key = keyOf(input);
    const at = this.passed.get(key);
    this.passed.delete(key);
    return at !== undefined && this.now() - at <= MARGIN_PASS_FRESH_MS;
  }
}

function keyOf(input: PlaceOrderInput): string {
  return JSON.stringify([
    input.accountId,
    input.symbol,
    input.side,
    input.type,
    input.positionSide ?? '',
    input.amount?.toFixed() ?? '',
    input.price?.toFixed() ?? '',
    input.vpName ?? '',
    input.userId ?? '',
  ]);
}
