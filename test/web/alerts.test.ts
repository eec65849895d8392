import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSentence, startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

/** The Alerts page: the same subscriptions chat `/alerts` keeps, managed by the owner over HTTP. */
let web: WebDesk;
let owner: WebClient;

const alerts = () => web.desk.app.services.alerts;
const htmx = { 'hx-request': 'true', 'hx-target': 'alerts-table' };
const lastAudit = (command: string) =>
  web.desk.app.services.db.auditLog.findFirst({ where: { command }, orderBy: { id: 'desc' } });

/** A form with repeated fields (checkboxes), posted like a browser does. */
function postForm(path: string, fields: [string, string][], headers: Record<string, string> = {}) {
  return owner.request('POST', path, {
    body: new URLSearchParams([['_csrf', owner.csrf], ...fields]).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

beforeAll(async () => {
  web = await startWebDesk();
  owner = await web.owner();
});
afterAll(async () => {
  await web.close();
});

describe('alerts page', () => {
  it('shows a chat that subscribed with /alerts on, with its categories, severity and language', async () => {
    await alerts().subscribe('telegram', '-1001', {
      categories: ['copy', 'tpsl'],
      minSeverity: 'warning',
      language: 'zh',
    });
    const page = await owner.get('/alerts');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Alerts</h1>');
    const row = page.text.slice(page.text.indexOf('<code>-1001</code>'));
    expect(row).toContain('value="copy" checked');
    expect(row).toContain('value="tpsl" checked');
    expect(row).not.toContain('value="stream" checked');
    expect(row).toContain('<option value="warning" selected>');
    expect(row).toContain('<option value="zh" selected>');
  });

  it('adds a Discord channel without JavaScript; chat /alerts status would see it', async () => {
    const res = await postForm('/alerts', [
      ['platform', 'discord'],
      ['destination', '123456789012345678'],
      ['categories', 'copy'],
      ['categories', 'account'],
      ['minSeverity', 'critical'],
      ['language', 'en'],
    ]);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/alerts');
    const page = (await owner.get('/alerts')).text;
    expect(page).toContain('Alerts now go to discord 123456789012345678.');
    // No Discord bot runs on this desk: said at once, and beside the destination until it does.
    expect(page).toContain('Discord does not run on this desk (its bot token is not set)');
    const row = page.slice(page.indexOf('<code>123456789012345678</code>'));
    expect(row).toContain('Discord does not run on this desk: these alerts wait until it does.');
    expect(row).toContain('Alerts about: every account');
    expect(alerts().subscription('discord', '123456789012345678')?.subscription).toMatchObject({
      categories: 'copy,account',
      minSeverity: 'critical',
      language: 'en',
    });
    const added = await lastAudit('alerts.add');
    expect(added).toMatchObject({ platform: 'web', outcome: 'ok' });
    expect(auditSentence(added)).toBe(
      'Done. discord 123456789012345678 gets copy, account alerts from critical up, in en.',
    );
    expect(auditSentence(added, 'zh')).toBe(
      '已完成。Discord 123456789012345678 接收跟单、账户提醒，级别 严重 及以上，语言：英文。',
    );
  });

  it('refuses a bad destination, no category and an unknown category, in words, changing nothing', async () => {
    const before = await alerts().listDestinations();
    const bad = await postForm('/alerts', [
      ['platform', 'telegram'],
      ['destination', 'my group'],
      ['minSeverity', 'info'],
      ['language', 'en'],
    ]);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('a Telegram chat id is a number, negative for groups');
    expect(bad.text).toContain('tick at least one category, or all');
    const unknown = await postForm('/alerts', [
      ['platform', 'telegram'],
      ['destination', '-1002'],
      ['categories', 'gossip'],
      ['minSeverity', 'loud'],
      ['language', 'en'],
    ]);
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('all, or a comma-separated list of: copy, account');
    expect(await alerts().listDestinations()).toEqual(before);
    expect(await lastAudit('alerts.add')).toMatchObject({ outcome: 'invalid' });
  });

  it('changes what a destination receives in place (htmx), then removes it', async () => {
    const id = alerts().subscription('telegram', '-1001')?.subscription.id ?? 0;
    const res = await postForm(
      `/alerts/${id}`,
      [
        ['categories', 'all'],
        ['categories', 'copy'],
        ['minSeverity', 'info'],
        ['language', 'en'],
      ],
      htmx,
    );
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<html');
    expect(res.text).toContain('Alerts to telegram -1001 changed.');
    expect(alerts().subscription('telegram', '-1001')?.subscription).toMatchObject({
      categories: '*',
      minSeverity: 'info',
      language: 'en',
    });
    expect(auditSentence(await lastAudit('alerts.update'))).toBe(
      'Done. telegram -1001 gets alerts of all categories from info up, in en.',
    );

    const removed = await postForm(`/alerts/${id}/remove`, [], htmx);
    expect(removed.text).toContain('No more alerts to telegram -1001.');
    expect(alerts().subscription('telegram', '-1001')).toBeUndefined();
    const gone = await lastAudit('alerts.remove');
    expect(gone?.outcome).toBe('ok');
    expect(auditSentence(gone)).toBe('Done. telegram -1001 gets no more alerts.');

    const again = await postForm(`/alerts/${id}/remove`, [], htmx);
    expect(again.status).toBe(404);
    expect(again.text).toContain(`There is no alert destination #${id}`);
  });
});
