import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

/**
 * The Audit page over HTTP: 120 seeded rows (more than two pages of 50) plus whatever the test's
 * own web actions and chat commands add; filters, pagination that keeps them, htmx swaps.
 */
let web: WebDesk;
let owner: WebClient;
let traderId = 0;
const base = Date.parse('2026-02-01T00:00:00Z');
const minute = 60_000;

const detailsOf = (html: string) => [...html.matchAll(/<td class="what">[^<]*?(seed \d+)<\/td>/g)].map((m) => m[1]);
const htmx = { 'hx-request': 'true', 'hx-target': 'audit-results' };

beforeAll(async () => {
  web = await startWebDesk();
  owner = await web.owner();
  const { db, people } = web.desk.app.services;
  traderId = (await people.create({ name: 'Tess Trader', role: 'trader' })).id;
  await db.auditLog.createMany({
    data: Array.from({ length: 120 }, (_, i) => ({
      at: new Date(base + i * minute),
      userId: i % 2 === 0 ? traderId : null,
      platform: 'telegram' as const,
      externalId: String(1000 + (i % 2)),
      command: i % 3 === 0 ? 'order' : 'vp close',
      accountId: i % 4 === 0 ? 'sub_a' : 'main',
      symbol: 'BTC/USDT',
      outcome: i % 10 === 0 ? 'refused' : 'ok',
      detail: `seed ${i}`,
    })),
  });
});
afterAll(async () => {
  await web.close();
});

describe('audit page', () => {
  it('shows the newest entries first, 50 a page, with the total', async () => {
    const page = await owner.get('/audit?from=2026-02-01&to=2026-02-01');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Audit log</h1>');
    expect(page.text).toContain('120 entries · page 1 of 3');
    const details = detailsOf(page.text);
    expect(details).toHaveLength(50);
    expect(details.slice(0, 2)).toEqual(['seed 119', 'seed 118']);
    expect(page.text).toContain('Tess Trader');
  });

  it('page links keep the filters; htmx swaps only the results', async () => {
    const first = await owner.get('/audit?account=sub_a&outcome=ok');
    expect(first.text).toContain('24 entries · page 1 of 1');
    const all = await owner.get('/audit?account=main');
    expect(all.text).toContain('90 entries · page 1 of 2');
    const next = /<a href="\/audit\?([^"]+)"[^>]*rel="next">/.exec(all.text)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(Object.fromEntries(new URLSearchParams(next))).toEqual({ account: 'main', page: '2' });

    const second = await owner.get(`/audit?${next}`, htmx);
    expect(second.status).toBe(200);
    expect(second.text.startsWith('<div id="audit-results"')).toBe(true);
    expect(second.text).not.toContain('<html');
    const details = detailsOf(second.text);
    expect(details).toHaveLength(40);
    expect(details.at(-1)).toBe('seed 1');
    expect(second.text).toMatch(/rel="prev"/);
    expect(second.text).not.toMatch(/rel="next"/);
  });

  it('filters by user, action (a command includes its subcommands), outcome and time', async () => {
    const byUser = await owner.get(`/audit?user=${traderId}&command=order`);
    expect(byUser.text).toContain('20 entries');
    expect(detailsOf(byUser.text).every((d) => Number(d?.slice(5)) % 6 === 0)).toBe(true);

    const vp = await owner.get('/audit?command=vp');
    expect(vp.text).toContain('80 entries');
    const refused = await owner.get('/audit?outcome=refused&command=vp+close');
    expect(detailsOf(refused.text)).toEqual([
      'seed 110',
      'seed 100',
      'seed 80',
      'seed 70',
      'seed 50',
      'seed 40',
      'seed 20',
      'seed 10',
    ]);

    const window = await owner.get('/audit?from=2026-02-01T00:10&to=2026-02-01T00:14');
    expect(detailsOf(window.text)).toEqual(['seed 14', 'seed 13', 'seed 12', 'seed 11', 'seed 10']);
  });

  it('a bad filter is explained in words and lists nothing', async () => {
    const res = await owner.get('/audit?from=yesterday&outcome=maybe&account=Not+An+Id!');
    expect(res.status).toBe(422);
    expect(res.text).toContain('From: a date like 2026-01-31');
    expect(res.text).toContain('Outcome: one of: ok, unchanged, refused, invalid, cancelled, failed');
    expect(res.text).toContain('Account: a short id');
    expect(detailsOf(res.text)).toEqual([]);
    expect(res.text).toContain('value="yesterday"');
    const reversed = await owner.get('/audit?from=2026-02-02&to=2026-02-01');
    expect(reversed.text).toContain('To: the end is before the start');
  });

  it('shows web admin actions and chat commands alike', async () => {
    await owner.post('/people', { name: 'Audited Person', role: 'viewer' });
    await web.desk.say('/accounts');
    const webRows = await owner.get('/audit?command=people.add');
    expect(webRows.text).toContain('1 entry · page 1 of 1');
    expect(webRows.text).toContain('web admin');
    expect(webRows.text).toContain('<small>web admin</small>');
    expect(webRows.text).toMatch(/<code>Add person<\/code>[\s\S]*Done\. Audited Person \(#\d+\) added as viewer\./);
    const login = await owner.get('/audit?command=admin.login&outcome=ok');
    expect(login.text).toContain('<code>Log in</code>');
  });
});
