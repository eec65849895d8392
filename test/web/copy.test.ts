import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSentence, startWebDesk, type WebClient, type WebDesk } from './web-desk.ts';

/**
 * The Copy page: the same actions as chat `/copy`, `/followers`, `/pause` and `/resume`, through
 * the same copy engine. The paper desk: leader `lead`, followers f1 (Binance) and f2 (Bitget),
 * sub_b a spot account that could follow, main a futures account that cannot.
 */
let web: WebDesk;
let owner: WebClient;

const services = () => web.desk.app.services;
const htmx = { 'hx-request': 'true', 'hx-target': 'copy-followers' };
const account = (id: string) => services().accounts.get(id);
const lastAudit = (command: string) =>
  services().db.auditLog.findFirst({ where: { command }, orderBy: { id: 'desc' } });

beforeAll(async () => {
  web = await startWebDesk();
  owner = await web.owner();
});
afterAll(async () => {
  await web.close();
});

describe('copy page', () => {
  it('shows the running flag, the leader and its symbol, the followers and who could follow', async () => {
    const page = await owner.get('/copy');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Copy trading</h1>');
    expect(page.text).toContain('STOPPED');
    expect(page.text).toContain('action="/copy/start"');
    expect(page.text).toContain('<a href="/accounts/lead">lead</a>');
    expect(page.text).toContain('value="BTC/USDT"');
    expect(page.text).toContain('id="follower-f1"');
    expect(page.text).toContain('id="follower-f2"');
    expect(page.text).toContain('<th class="num">Free USDT</th>');
    expect(page.text).toContain('<option value="sub_b">');
    expect(page.text).not.toContain('<option value="main">');
  });

  it('starts and stops copying like /copy start and /copy stop', async () => {
    const start = await owner.post('/copy/start');
    expect(start.status).toBe(303);
    expect(await services().copy.isRunning()).toBe(true);
    expect((await owner.get('/copy')).text).toContain('Copying is running.');
    expect((await web.desk.say('/copy status')).split('\n')[0]).toBe('Copying: running.');
    const started = await lastAudit('copy.start');
    expect(started).toMatchObject({ platform: 'web', outcome: 'ok' });
    expect(auditSentence(started)).toBe('Done. Copying is running.');

    await owner.post('/copy/stop');
    expect(await services().copy.isRunning()).toBe(false);
    expect(await lastAudit('copy.stop')).toMatchObject({ outcome: 'ok' });
    // Stopping what is stopped changes nothing, and the log says so.
    await owner.post('/copy/stop');
    const again = await lastAudit('copy.stop');
    expect(again?.outcome).toBe('unchanged');
    expect(auditSentence(again)).toBe(
      'Nothing changed: Copying is already stopped; nothing changed. Leader orders are recorded, not copied.',
    );
  });

  it('pause makes a follower PAUSED exactly as /pause does; chat and web resume either', async () => {
    const res = await owner.post('/copy/followers/f1/pause', {}, htmx);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<html');
    expect(res.text).toContain('Follower f1 is paused.');
    expect(res.text).toContain('action="/copy/followers/f1/resume"');
    const { done } = await web.desk.confirmed('/pause f2');
    expect(done).toContain('Follower f2 is paused.');

    const [f1, f2] = await Promise.all([account('f1'), account('f2')]);
    expect(f1.status).toBe('PAUSED');
    expect(f2.status).toBe(f1.status);
    expect(f1.copyRole).toBe(f2.copyRole);
    const roster = await services().copy.refreshRoster();
    expect(roster.filter((a) => a.status === 'PAUSED').map((a) => a.id)).toEqual(['f1', 'f2']);
    expect(await lastAudit('copy.pause')).toMatchObject({ accountId: 'f1', outcome: 'ok' });

    expect((await web.desk.confirmed('/resume f1')).done).toContain('Follower f1 copies again.');
    const resumed = await owner.post('/copy/followers/f2/resume');
    expect(resumed.status).toBe(303);
    expect((await account('f1')).status).toBe('ACTIVE');
    expect((await account('f2')).status).toBe('ACTIVE');
    expect(await lastAudit('copy.resume')).toMatchObject({ accountId: 'f2', outcome: 'ok' });
  });

  it('sets mode, ratio and cap like /followers set; bad values are explained and change nothing', async () => {
    const res = await owner.post('/copy/followers/f1/settings', { mode: 'ratio', ratio: '0.5', cap: '200' }, htmx);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Follower f1 copies the leader&#39;s amount × 0.5; cap per trade: 200 USDT.');
    const policy = (await services().copy.settings.policies(['f1'])).get('f1');
    expect(policy?.mode).toBe('ratio');
    expect(policy?.ratio?.toFixed()).toBe('0.5');
    expect(policy?.maxPerTrade?.toFixed()).toBe('200');
    const set = await lastAudit('copy.set');
    expect(set).toMatchObject({ accountId: 'f1', outcome: 'ok' });
    expect(auditSentence(set)).toBe(
      'Done. Changed copy mode: share → ratio. Changed ratio: none → 0.5. Changed cap per trade (USDT): none → 200.',
    );

    const noRatio = await owner.post('/copy/followers/f1/settings', { mode: 'ratio', ratio: '', cap: '' }, htmx);
    expect(noRatio.status).toBe(422);
    expect(noRatio.text).toContain('ratio mode needs a ratio');
    const badCap = await owner.post('/copy/followers/f1/settings', { mode: 'share', cap: 'lots' });
    expect(badCap.status).toBe(422);
    expect(badCap.text).toContain('a number of USDT, or off');
    const negative = await owner.post('/copy/followers/f1/settings', { mode: 'ratio', ratio: '-1', cap: '' });
    expect(negative.text).toContain('a positive number such as 0.01');
    expect((await services().copy.settings.policies(['f1'])).get('f1')?.ratio?.toFixed()).toBe('0.5');
    expect(await lastAudit('copy.set')).toMatchObject({ outcome: 'invalid' });

    // Back to share mode: a ratio left in the box is not used, an empty cap is no cap.
    await owner.post('/copy/followers/f1/settings', { mode: 'share', ratio: '0.5', cap: '' });
    const share = (await services().copy.settings.policies(['f1'])).get('f1');
    expect([share?.mode, share?.ratio, share?.maxPerTrade]).toEqual(['share', null, null]);
  });

  it('adds and removes a follower like /followers add and remove; a futures account is refused in words', async () => {
    const added = await owner.post('/copy/followers', { account: 'sub_b' });
    expect(added.status).toBe(303);
    expect((await account('sub_b')).copyRole).toBe('FOLLOWER');
    expect((await owner.get('/copy')).text).toContain('sub_b is a follower; it copies from the next leader event.');
    expect(await lastAudit('copy.add')).toMatchObject({ accountId: 'sub_b', outcome: 'ok' });

    const futures = await owner.post('/copy/followers', { account: 'main' });
    expect(futures.status).toBe(409);
    expect(futures.text).toContain('Account main is not a spot account; followers copy on spot.');
    expect((await account('main')).copyRole).toBe('NONE');
    expect(await lastAudit('copy.add')).toMatchObject({ accountId: 'main', outcome: 'refused' });

    const removed = await owner.post('/copy/followers/sub_b/remove', {}, htmx);
    expect(removed.text).toContain('sub_b is no longer a follower.');
    expect((await account('sub_b')).copyRole).toBe('NONE');
    const notFollower = await owner.post('/copy/followers/sub_b/pause', {}, htmx);
    expect(notFollower.status).toBe(409);
    expect(notFollower.text).toContain('Account sub_b is not a follower.');
  });

  it('sets the leader symbol like /copy symbol, in the exchange’s spelling', async () => {
    const res = await owner.post('/copy/symbol', { symbol: 'ethusdt' });
    expect(res.status).toBe(303);
    expect(await services().copy.settings.leaderSymbol('lead')).toBe('ETH/USDT');
    expect(auditSentence(await lastAudit('copy.symbol'))).toBe('Done. Leader lead is copied on ETH/USDT.');
    const bad = await owner.post('/copy/symbol', { symbol: 'BTC-USDT!' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('a spot symbol such as BTC/USDT');
    expect(await services().copy.settings.leaderSymbol('lead')).toBe('ETH/USDT');
    await services().copy.setLeaderSymbol('BTC/USDT');
  });

  it('lists recent leader events with filled, failed and skipped counts', async () => {
    const { db } = services();
    await db.copyEvent.create({
      data: {
        leaderId: 'lead',
        leaderOrderId: 'web-test-1',
        leaderKey: 'o:BTC/USDT:web-test-1',
        symbol: 'BTC/USDT',
        side: 'buy',
        fraction: '0.25',
        quoteFilled: '250',
        baseFilled: '0.005',
        freeBefore: '1000',
        filledAt: new Date(),
        status: 'DISPATCHED',
        intents: {
          create: [
            { followerId: 'f1', clientOrderId: 'web-test-f1', mode: 'share', amount: '100', status: 'FILLED' },
            {
              followerId: 'f2',
              clientOrderId: 'web-test-f2',
              mode: 'share',
              status: 'SKIPPED',
              reason: 'copy.skip.below_minimum',
            },
          ],
        },
      },
    });
    const page = await owner.get('/copy');
    const row = page.text.slice(page.text.indexOf('<tbody>', page.text.indexOf('Recent leader events')));
    expect(row).toContain('buy BTC/USDT 25%');
    // filled, failed, skipped, pending
    expect(row).toMatch(
      /<td class="num">1<\/td>\s*<td class="num">0<\/td>\s*<td class="num">1<\/td>\s*<td class="num">0<\/td>/,
    );
    expect(row).toContain('<code>f1</code>: buy 100 USDT → filled');
    expect(page.text).toMatch(/id="follower-f1"[\s\S]*?#\d+ buy 100 USDT → filled/);
  });
});
