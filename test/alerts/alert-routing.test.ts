import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertSender } from '../../src/services/alerts/alert-service.ts';
import type { CallerRef } from '../../src/services/identity.ts';
import { grantUser, startTestApp, type TestApp } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Alerts × destinations: an alert about an account reaches a chat only when everyone behind it
 * may see that account (domain/grants.ts). Chats subscribe as people do — `/alerts on` in the
 * chat — and alerts are raised on the bus as the services raise them.
 */

class RecordingSender implements AlertSender {
  readonly platform = 'telegram' as const;
  readonly sent: { destination: string; text: string }[] = [];
  send(destination: string, text: string): Promise<void> {
    this.sent.push({ destination, text });
    return Promise.resolve();
  }
  minIntervalMs(): number {
    return 0;
  }
}

let t: TestApp;
const sender = new RecordingSender();

const person = (id: string, chat: string, group: boolean): CallerRef => ({
  platform: 'telegram',
  externalId: id,
  displayName: `tg ${id}`,
  chat: { id: chat, group },
});

/** The chats of the matrix, and who is behind each. */
const CHATS = {
  ownerDm: '7001',
  traderDm: '7002',
  sharedGroup: '-1007003',
  strangerGroup: '-1007004',
  adminAdded: '-1007005',
  viewerOfFollower: '7006',
} as const;

beforeAll(async () => {
  t = await startTestApp();
  const { dispatcher } = t.app;
  const { alerts } = t.app.services;
  alerts.registerSender(sender);
  const owner = person('7001', CHATS.ownerDm, false);
  const trader = person('7002', CHATS.traderDm, false);
  await grantUser(t.app, owner, 'owner');
  await grantUser(t.app, trader, 'trader', ['sub_a']);
  const on = async (ref: CallerRef) =>
    expect((await dispatcher.handleLine(ref, '/alerts on'))?.text).toMatch(/receives alerts/);
  await on(owner);
  await on(trader);
  // A group subscribed by the trader (sub_a), where a viewer granted sub_a and sub_b speaks too.
  const inShared = person('7002', CHATS.sharedGroup, true);
  const viewerInShared = person('7010', CHATS.sharedGroup, true);
  await grantUser(t.app, viewerInShared, 'viewer', ['sub_a', 'sub_b']);
  await on(inShared);
  await dispatcher.handleLine(viewerInShared, '/whoami');
  // A group subscribed by the owner, where someone nobody linked has spoken.
  await on(person('7001', CHATS.strangerGroup, true));
  await dispatcher.handleLine(person('7099', CHATS.strangerGroup, true), '/whoami');
  // A chat the admin added for no one in particular: the owner's own.
  await alerts.subscribe('telegram', CHATS.adminAdded, { categories: '*', minSeverity: 'info', language: 'en' });
  const followerViewer = person('7006', CHATS.viewerOfFollower, false);
  await grantUser(t.app, followerViewer, 'trader', ['f1']);
  await on(followerViewer);
});
afterAll(async () => t.close());

/** Which chats an alert about `account` is queued for. */
async function reached(account: string | undefined, key: string): Promise<string[]> {
  const { bus, alerts } = t.app.services;
  const before = new Map(Object.values(CHATS).map((c) => [c, alerts.subscription('telegram', c)?.pending ?? 0]));
  bus.emit({
    type: 'alert',
    accountId: account,
    category: 'order_failed',
    severity: 'warning',
    key: 'alerts.order_failed',
    params: { account: account ?? '-', clientOrderId: key, reason: 'exchange.insufficient_funds' },
  });
  await alerts.routed();
  return Object.values(CHATS).filter((c) => (alerts.subscription('telegram', c)?.pending ?? 0) > (before.get(c) ?? 0));
}

describe('alerts keep to the grants of the people behind each chat', () => {
  const cases: [string | undefined, string[]][] = [
    ['sub_a', [CHATS.ownerDm, CHATS.traderDm, CHATS.sharedGroup, CHATS.adminAdded]],
    ['sub_b', [CHATS.ownerDm, CHATS.adminAdded]],
    ['f1', [CHATS.ownerDm, CHATS.adminAdded, CHATS.viewerOfFollower]],
    ['main', [CHATS.ownerDm, CHATS.adminAdded]],
    [undefined, Object.values(CHATS)],
  ];
  for (const [account, chats] of cases) {
    it(`an alert about ${account ?? 'the desk itself'} reaches ${chats.join(', ')} and nothing else`, async () => {
      expect((await reached(account, `hs-${account ?? 'desk'}`)).sort()).toEqual([...chats].sort());
    });
  }

  it('the alert that is withheld is never sent; the one that is allowed is', async () => {
    sender.sent.length = 0;
    await reached('sub_b', 'hs-sent-sub_b');
    await waitFor(() => sender.sent.some((s) => s.destination === CHATS.ownerDm && s.text.includes('hs-sent-sub_b')));
    expect(sender.sent.filter((s) => s.text.includes('hs-sent-sub_b')).map((s) => s.destination)).not.toContain(
      CHATS.traderDm,
    );
  });

  it('a copy alert about a follower names the leader only where everyone may see it', async () => {
    sender.sent.length = 0;
    t.app.services.bus.emit({
      type: 'alert',
      accountId: 'f1',
      category: 'copy',
      severity: 'warning',
      key: 'alerts.copy_failed',
      params: { follower: 'f1', event: '77', leader: 'lead', side: 'buy', reason: 'x', detail: 'hs-named' },
      names: { leader: 'lead' },
    });
    await t.app.services.alerts.routed();
    await waitFor(() => sender.sent.filter((s) => s.text.includes('hs-named')).length === 3);
    const text = (chat: string) => sender.sent.find((s) => s.destination === chat && s.text.includes('hs-named'))?.text;
    expect(text(CHATS.viewerOfFollower)).toContain('Copy of leader event #77 (the leader buy) to follower f1 failed');
    expect(text(CHATS.viewerOfFollower)).not.toMatch(/\blead\b/);
    expect(text(CHATS.ownerDm)).toContain('(lead buy)');
    expect(text(CHATS.adminAdded)).toContain('(lead buy)');
  });

  it('a grant taken away stops the next alert at once', async () => {
    const { db } = t.app.services;
    const trader = await db.user.findFirstOrThrow({ where: { name: 'trader 7002' } });
    await db.accountGrant.deleteMany({ where: { userId: trader.id, accountId: 'sub_a' } });
    expect(await reached('sub_a', 'hs-revoked')).not.toContain(CHATS.traderDm);
    await db.accountGrant.create({ data: { userId: trader.id, accountId: 'sub_a' } });
  });

  it('the admin page says what each chat gets and who is behind it', async () => {
    const rows = await t.app.services.alerts.listDestinations();
    const shared = rows.find((r) => r.subscription.destination === CHATS.sharedGroup);
    expect(shared?.audience.map((p) => p.name).sort()).toEqual(['trader 7002', 'viewer 7010']);
    const stranger = rows.find((r) => r.subscription.destination === CHATS.strangerGroup);
    expect(stranger?.audience.some((p) => !p.linked)).toBe(true);
    expect(rows.every((r) => r.platformRunning)).toBe(true);
  });
});
