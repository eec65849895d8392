import type { MessageParams } from '../../domain/errors.ts';

export type Severity = 'info' | 'warning' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export function severityAtLeast(severity: Severity, minimum: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(minimum);
}

export interface PendingAlert {
  category: string;
  severity: Severity;
  key: string;
  params: MessageParams;
  at: number;
  /** How many identical alerts were folded into this one. */
  repeats: number;
}

/** Identity of an alert for de-duplication: the same message with the same figures. */
export function fingerprint(alert: Pick<PendingAlert, 'key' | 'params'>): string {
  return `${alert.key}|${JSON.stringify(Object.entries(alert.params).sort(([a], [b]) => a.localeCompare(b)))}`;
}

/**
 * What goes out in one message: the oldest alert and every other pending one of its category
 * (a burst of copy failures becomes one message), at most `max` of them.
 */
export function takeBatch(queue: PendingAlert[], max = 10): PendingAlert[] {
  const head = queue[0];
  if (!head) return [];
  const batch: PendingAlert[] = [];
  for (let i = 0; i < queue.length && batch.length < max;) {
    const alert = queue[i];
    if (alert && alert.category === head.category) {
      batch.push(alert);
      queue.splice(i, 1);
    } else {
      i++;
    }
  }
  return batch;
}
