import type { AlertSubscription, Platform } from '../../generated/prisma/client.ts';
import type { Db } from '../../infra/db/client.ts';
import type { Logger } from '../../infra/logger.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { normalizeLanguage, t, type Language } from '../../i18n/index.ts';
import type { DeskEvent, EventBus } from '../events.ts';
import { alertReaches, type Visibility } from '../../domain/grants.ts';
import { audiencesOf, type AudiencePerson } from './alert-audience.ts';
import { fingerprint, severityAtLeast, takeBatch, type PendingAlert, type Severity } from './alert-batching.ts';

/** Delivers text to one chat of a platform; throws when the platform refuses or is down. */
export interface AlertSender {
  platform: Platform;
  send(destination: string, text: string): Promise<void>;
  /** Least time between two messages to this chat (Telegram: 1 s per chat, 3 s in groups). */
  minIntervalMs(destination: string): number;
}

export interface AlertServiceOptions {
  db: Db;
  bus: EventBus;
  logger: Logger;
  now?: () => number;
  /** Identical alerts within this window are folded into one. */
  dedupeMs?: number;
  /** A burst is gathered this long before its first message goes out. */
  gatherMs?: number;
  /** Pending alerts kept per chat while it cannot be reached; the oldest info ones go first. */
  maxPending?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

interface Destination {
  subscription: AlertSubscription;
  queue: PendingAlert[];
  recent: Map<string, { at: number; alert: PendingAlert }>;
  pumping: boolean;
  lastSentAt: number;
  dropped: number;
}

/** An alert as raised: its content, the account it is about, and params naming other accounts. */
type PublishedAlert = Omit<PendingAlert, 'at' | 'repeats'> & {
  accountId?: string | undefined;
  names?: Record<string, string>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Push alerts: every 'alert' on the bus (and stream health changes) goes to each chat that
 * subscribed to its category and severity, in that chat's language. Delivery never blocks
 * trading: each chat has its own bounded queue and pump, paced to the platform's limits,
 * bursts coalesced into one message, repeats folded, failed sends retried with backoff.
 */
export class AlertService {
  private readonly senders = new Map<Platform, AlertSender>();
  private readonly destinations = new Map<string, Destination>();
  private readonly now: () => number;
  /** Accounts whose stream was reported degraded, so its recovery is reported too. */
  private readonly wasDegraded = new Set<string>();
  private stopped = false;
  /** Alerts are routed in the order they were published, after the people behind the chats are read. */
  private routing: Promise<void> = Promise.resolve();
  private readonly unrouted: { alert: PublishedAlert; wanting: Destination[] }[] = [];

  constructor(private readonly options: AlertServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    for (const subscription of await this.options.db.alertSubscription.findMany()) this.track(subscription);
    this.options.bus.on('alert', (event) => {
      this.publish({
        accountId: event.accountId,
        category: event.category,
        severity: event.severity,
        key: event.key,
        params: event.params,
        ...(event.names ? { names: event.names } : {}),
      });
    });
    this.options.bus.on('stream', (event) => this.onStream(event));
  }

  stop(): void {
    this.stopped = true;
  }

  registerSender(sender: AlertSender): void {
    this.senders.set(sender.platform, sender);
    for (const d of this.destinations.values()) if (d.subscription.platform === sender.platform) void this.pump(d);
  }

  async subscribe(
    platform: Platform,
    destination: string,
    settings: { categories: string[] | '*'; minSeverity: Severity; language: Language; userId?: number | undefined },
  ): Promise<AlertSubscription> {
    const data = {
      categories: settings.categories === '*' ? '*' : settings.categories.join(','),
      minSeverity: settings.minSeverity,
      language: settings.language,
      userId: settings.userId ?? null,
    };
    const subscription = await this.options.db.alertSubscription.upsert({
      where: { platform_destination: { platform, destination } },
      create: { platform, destination, ...data },
      update: data,
    });
    this.track(subscription);
    return subscription;
  }

  async unsubscribe(platform: Platform, destination: string): Promise<boolean> {
    this.destinations.delete(`${platform}:${destination}`);
    const { count } = await this.options.db.alertSubscription.deleteMany({ where: { platform, destination } });
    return count > 0;
  }

  subscription(
    platform: Platform,
    destination: string,
  ): { subscription: AlertSubscription; pending: number } | undefined {
    const d = this.destinations.get(`${platform}:${destination}`);
    return d && { subscription: d.subscription, pending: d.queue.length };
  }

  /**
   * Every destination, oldest first (the admin's list): the alerts still waiting to reach it, the
   * people behind it (whose grants decide which accounts' alerts it gets), and whether its
   * platform runs on this desk at all.
   */
  async listDestinations(): Promise<
    { subscription: AlertSubscription; pending: number; audience: AudiencePerson[]; platformRunning: boolean }[]
  > {
    const rows = await this.options.db.alertSubscription.findMany({ orderBy: { id: 'asc' } });
    const audiences = await audiencesOf(this.options.db, rows);
    return rows.map((subscription) => ({
      subscription,
      pending: this.destinations.get(`${subscription.platform}:${subscription.destination}`)?.queue.length ?? 0,
      audience: audiences.get(subscription.id) ?? [],
      platformRunning: this.platformRunning(subscription.platform),
    }));
  }

  /** Whether alerts to this platform can go out: its chat adapter runs on this desk. */
  platformRunning(platform: Platform): boolean {
    return this.senders.has(platform);
  }

  async destinationById(id: number): Promise<AlertSubscription> {
    const found = await this.options.db.alertSubscription.findUnique({ where: { id } });
    if (!found) throw new NotFoundError('alerts.destination_not_found', { id });
    return found;
  }

  /** Changes what an existing destination receives; the next alert already follows it. */
  async updateDestination(
    id: number,
    settings: { categories: string[] | '*'; minSeverity: Severity; language: Language },
  ): Promise<AlertSubscription> {
    const { platform, destination, userId } = await this.destinationById(id);
    return this.subscribe(platform, destination, { ...settings, userId: userId ?? undefined });
  }

  async removeDestination(id: number): Promise<AlertSubscription> {
    const found = await this.destinationById(id);
    await this.unsubscribe(found.platform, found.destination);
    return found;
  }

  /**
   * Queues an alert for every chat that wants it and whose people may see its account
   * (domain/grants.ts); returns at once. Alerts are routed in the order they were published.
   */
  publish(alert: PublishedAlert): void {
    if (this.stopped) return;
    const wanting = [...this.destinations.values()].filter((d) =>
      wants(d.subscription, alert.category, alert.severity),
    );
    if (wanting.length === 0) return;
    this.unrouted.push({ alert, wanting });
    if (this.unrouted.length > 1) return; // a drain is already on its way
    this.routing = this.routing
      .then(() => this.route())
      .catch((err: unknown) => this.options.logger.error({ err }, 'alert routing failed'));
  }

  /**
   * Routes every alert published since the last pass, in order, with one read of the people
   * behind the chats (a burst of a hundred copy failures is one read, not a hundred).
   */
  private async route(): Promise<void> {
    const batch = this.unrouted.splice(0);
    const needsAudience = batch.filter(
      ({ alert }) => alert.accountId !== undefined || Object.keys(alert.names ?? {}).length > 0,
    );
    const subscriptions = [...new Set(needsAudience.flatMap(({ wanting }) => wanting))].map((d) => d.subscription);
    const audiences = subscriptions.length > 0 ? await audiencesOf(this.options.db, subscriptions) : undefined;
    for (const { alert, wanting } of batch) {
      const { accountId, names, ...content } = alert;
      for (const d of wanting) {
        const seen = (audiences?.get(d.subscription.id) ?? []).map((p) => p.visibility);
        if (accountId !== undefined && !alertReaches(seen, accountId)) {
          this.options.logger.debug(
            { destination: keyOf(d), account: accountId, key: content.key },
            'alert withheld: someone behind this chat may not see the account',
          );
          continue;
        }
        if (this.destinations.get(keyOf(d)) === d) this.enqueue(d, withHiddenNames(content, names, seen, d));
      }
    }
  }

  /** Resolves when every alert published so far is queued (or withheld). */
  routed(): Promise<void> {
    return this.routing;
  }

  private enqueue(d: Destination, alert: Omit<PendingAlert, 'at' | 'repeats'>): void {
    const print = fingerprint(alert);
    const seen = d.recent.get(print);
    if (seen && this.now() - seen.at < (this.options.dedupeMs ?? 60_000)) {
      seen.alert.repeats++;
      return;
    }
    const pending: PendingAlert = { ...alert, at: this.now(), repeats: 1 };
    d.recent.set(print, { at: pending.at, alert: pending });
    d.queue.push(pending);
    this.bound(d);
    void this.pump(d);
  }

  private onStream(event: Extract<DeskEvent, { type: 'stream' }>): void {
    if (event.health === 'polling') {
      this.publish({
        accountId: event.accountId,
        category: 'stream',
        severity: 'warning',
        key: 'alerts.stream_degraded',
        params: { account: event.accountId, reason: event.reason ?? '' },
      });
    } else if (event.health === 'live' && this.wasDegraded.delete(event.accountId)) {
      this.publish({
        accountId: event.accountId,
        category: 'stream',
        severity: 'info',
        key: 'alerts.stream_recovered',
        params: { account: event.accountId },
      });
    }
    if (event.health === 'polling') this.wasDegraded.add(event.accountId);
  }

  private track(subscription: AlertSubscription): void {
    const key = `${subscription.platform}:${subscription.destination}`;
    const existing = this.destinations.get(key);
    if (existing) existing.subscription = subscription;
    else {
      this.destinations.set(key, {
        subscription,
        queue: [],
        recent: new Map(),
        pumping: false,
        lastSentAt: 0,
        dropped: 0,
      });
    }
  }

  /** Keeps a chat's queue bounded: info alerts are dropped first, then the oldest. */
  private bound(d: Destination): void {
    const max = this.options.maxPending ?? 200;
    while (d.queue.length > max) {
      const info = d.queue.findIndex((a) => a.severity === 'info');
      d.queue.splice(info >= 0 ? info : 0, 1);
      d.dropped++;
    }
  }

  private async pump(d: Destination): Promise<void> {
    const sender = this.senders.get(d.subscription.platform);
    if (d.pumping || !sender) return;
    d.pumping = true;
    try {
      await sleep(this.options.gatherMs ?? 500);
      let backoff = this.options.retryInitialMs ?? 1_000;
      while (!this.stopped && d.queue.length > 0 && this.destinations.get(keyOf(d)) === d) {
        const wait = d.lastSentAt + sender.minIntervalMs(d.subscription.destination) - this.now();
        if (wait > 0) await sleep(wait);
        const batch = takeBatch(d.queue);
        const text = this.render(d, batch);
        try {
          await sender.send(d.subscription.destination, text);
          d.lastSentAt = this.now();
          d.dropped = 0;
          backoff = this.options.retryInitialMs ?? 1_000;
        } catch (err) {
          // The platform is down or refused: put the batch back in front and try again later.
          d.queue.unshift(...batch);
          this.bound(d);
          this.options.logger.warn(
            { err: String(err), platform: d.subscription.platform },
            'alert delivery failed; retrying',
          );
          await sleep(backoff);
          backoff = Math.min(backoff * 2, this.options.retryMaxMs ?? 60_000);
        }
      }
    } finally {
      d.pumping = false;
    }
  }

  private render(d: Destination, batch: PendingAlert[]): string {
    const language = normalizeLanguage(d.subscription.language) ?? 'en';
    const line = (a: PendingAlert) => {
      const text = t(language, a.key, a.params);
      return a.repeats > 1 ? `${text} ${t(language, 'alerts.repeated', { count: a.repeats })}` : text;
    };
    const icon = (s: Severity) => (s === 'critical' ? '🔴' : s === 'warning' ? '🟠' : 'ℹ️');
    const dropped = d.dropped > 0 ? `\n${t(language, 'alerts.dropped', { count: d.dropped })}` : '';
    const [first] = batch;
    if (!first) return '';
    if (batch.length === 1) return `${icon(first.severity)} ${line(first)}${dropped}`;
    const seconds = Math.max(1, Math.round((this.now() - first.at) / 1000));
    const worst = batch.reduce<Severity>((w, a) => (severityAtLeast(a.severity, w) ? a.severity : w), 'info');
    const head = t(language, 'alerts.burst', {
      count: batch.length,
      category: t(language, `alerts.category.${first.category}`),
      seconds,
    });
    return [`${icon(worst)} ${head}`, ...batch.map((a) => `• ${line(a)}`)].join('\n') + dropped;
  }
}

/** The alert as one chat may read it: an account its people may not all see is not named. */
function withHiddenNames(
  alert: Omit<PendingAlert, 'at' | 'repeats'>,
  names: Record<string, string> | undefined,
  seen: readonly Visibility[],
  d: Destination,
): Omit<PendingAlert, 'at' | 'repeats'> {
  const hidden = Object.entries(names ?? {}).filter(([, account]) => !alertReaches(seen, account));
  if (hidden.length === 0) return alert;
  const word = t(normalizeLanguage(d.subscription.language) ?? 'en', 'copy.leader_hidden');
  return { ...alert, params: { ...alert.params, ...Object.fromEntries(hidden.map(([param]) => [param, word])) } };
}

function keyOf(d: Destination): string {
  return `${d.subscription.platform}:${d.subscription.destination}`;
}

function wants(subscription: AlertSubscription, category: string, severity: Severity): boolean {
  if (!severityAtLeast(severity, subscription.minSeverity as Severity)) return false;
  return subscription.categories === '*' || subscription.categories.split(',').includes(category);
}
