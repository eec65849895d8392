import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { expectNoSecretLeaks } from '../web/secrets.ts';
import { ADMIN_PASSWORD, logIn, startBrowserDesk, type BrowserDesk } from './browser-desk.ts';

/**
 * The web admin in a real headless Chromium, as a trader uses it: the app in paper mode against
 * its exchange emulator (BTC at 60000; accounts main, sub_a, sub_b, lead, f1, f2), served on
 * 127.0.0.1. Every step clicks and types into the real pages — htmx, CSP and all — and checks
 * what the page then shows. The tests run in order and share one logged-in tab.
 */
let desk: BrowserDesk;
let page: Page;
let closeDesk: (() => Promise<void>) | undefined;
/** The UTC day the run started: every audit row of the run is from then on. */
const RUN_DAY = new Date().toISOString().slice(0, 10);
/** Every key, secret and passphrase typed into the admin during the run. */
const typed: string[] = [];

const BINANCE = {
  apiKey: 'brBinanceKey000000000000000000000000000000000000000000000000001',
  secret: 'brBinanceSecret00000000000000000000000000000000000000000000001',
};
const BINANCE_ROTATED = {
  apiKey: 'brBinanceKey000000000000000000000000000000000000000000000000002',
  secret: 'brBinanceSecret00000000000000000000000000000000000000000000002',
};
const BITGET = { apiKey: 'bg_browser_key_000001', secret: 'bgBrowserSecret0000001', passphrase: 'bgBrowserPass1' };
const BAD = {
  apiKey: 'brBadKey00000000000000000000000000000000000000000000000000000001',
  realSecret: 'brTheRealSecret00000000000000000000000000000000000000000000001',
  wrongSecret: 'brAWrongSecret000000000000000000000000000000000000000000000001',
};

const STEP = 30_000;

/** The exchange (the emulator) issues a key for an account, with some spot balance on it. */
function exchangeIssuesKey(
  id: string,
  exchange: 'binance' | 'bitget',
  creds: { apiKey: string; secret: string; passphrase?: string },
) {
  desk.web.desk.emulator.createAccount({ id, exchange, ...creds, spot: { USDT: '1000', BTC: '0.01' } });
  typed.push(...Object.values(creds));
}

const flash = () => page.locator('#flash');
/** The messages above the page, one per flash. */
const flashes = async () => (await flash().locator('.flash').allTextContents()).map((text) => text.trim());
const heading = () => page.locator('main h1');
const row = (id: string) => page.locator(`#account-${id}`);
const statusOf = (id: string) => row(id).locator('td').nth(7).locator('.status');
const nav = (label: string) => page.locator('header nav').getByRole('link', { name: label, exact: true });

async function goTo(label: string, title: string) {
  await nav(label).click();
  await expect.poll(() => heading().textContent()).toBe(title);
  await desk.look();
}

async function openAccount(id: string) {
  await goTo('Accounts', 'Accounts');
  await row(id).getByRole('link', { name: 'Manage' }).click();
  await expect.poll(() => heading().textContent()).toBe(`Account ${id}`);
  await desk.look();
}

/** Fills the add form (reached from the nav in one click) and submits it. */
async function addAccount(form: {
  id: string;
  name: string;
  exchange: 'binance' | 'bitget';
  apiKey: string;
  secret: string;
  passphrase?: string;
}) {
  await page.locator('header').getByRole('link', { name: '+ Add account' }).click();
  await expect.poll(() => heading().textContent()).toBe('Add account');
  await page.getByLabel(/^Id /).fill(form.id);
  await page.getByLabel('Name', { exact: true }).fill(form.name);
  await page.getByLabel('Exchange', { exact: true }).selectOption(form.exchange);
  await page.getByLabel(/^Market /).selectOption('spot');
  await fillCredentials(page.locator('main form'), form);
  await page.getByRole('button', { name: 'Add account' }).click();
}

async function fillCredentials(
  form: Locator,
  creds: { apiKey: string; secret: string; passphrase?: string | undefined },
): Promise<void> {
  await form.getByLabel('API key', { exact: true }).fill(creds.apiKey);
  await form.getByLabel('Secret', { exact: true }).fill(creds.secret);
  await form.getByLabel(/^Passphrase/).fill(creds.passphrase ?? '');
}

/** The free balance of an asset in a verify result's table. */
async function freeBalance(result: Locator, asset: string): Promise<string> {
  const cells = result.locator('table.balances tr', { has: page.locator('td', { hasText: asset }) }).locator('td');
  return (await cells.nth(1).textContent()) ?? '';
}

/** The rows the audit results show now (columns: time, user, via, action, account, symbol, outcome, what happened). */
async function auditRows(): Promise<
  { user: string; action: string; account: string; outcome: string; detail: string }[]
> {
  const column = async (n: number) =>
    (await page.locator(`#audit-results table.audit tbody tr td:nth-child(${n})`).allTextContents()).map((t) =>
      t.trim(),
    );
  const [user, action, account, outcome, detail] = await Promise.all([2, 4, 5, 7, 8].map(column));
  return (action ?? []).map((a, i) => ({
    user: user?.[i] ?? '',
    action: a,
    account: account?.[i] ?? '',
    outcome: outcome?.[i] ?? '',
    detail: detail?.[i] ?? '',
  }));
}

beforeAll(async () => {
  desk = await startBrowserDesk();
  page = desk.page;
  closeDesk = () => desk.close();
}, 60_000);

afterAll(async () => {
  await closeDesk?.();
});

describe('the web admin in a real browser', () => {
  it('refuses a wrong password in words, then the right one lands on Accounts', { timeout: STEP }, async () => {
    // A failed login is a 401 page: Chromium notes it in the console; that one is expected.
    desk.expectRefusal(401);
    await page.goto(`${desk.web.baseUrl}/accounts`);
    await page.waitForURL(/\/login/);
    expect(await heading().textContent()).toBe('Log in');
    await desk.screenshot('login');

    await logIn(page, 'not the password');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong password.');
    expect(await page.getByLabel('Owner password').inputValue()).toBe('');
    await desk.screenshot('login-refused');

    await logIn(page, ADMIN_PASSWORD);
    await page.waitForURL(/\/accounts$/);
    expect(await heading().textContent()).toBe('Accounts');
    expect(await nav('Accounts').getAttribute('aria-current')).toBe('page');
    expect(await row('lead').locator('td').nth(6).textContent()).toBe('leader');
    await desk.screenshot('accounts');
  });

  it('the watchdog catches a CSP violation (so a clean run means something)', { timeout: STEP }, async () => {
    const before = desk.problems.length;
    await page.evaluate(`{
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.inline = "ran"';
      document.body.append(script);
    }`);
    await expect.poll(() => desk.problems.slice(before).join('\n')).toMatch(/CSP violation: script-src/);
    expect(await page.locator('body[data-inline]').count()).toBe(0);
    desk.problems.splice(before); // this violation was ours, on purpose
  });

  it('a trader adds a Binance spot key from the nav; the exchange accepts it', { timeout: STEP }, async () => {
    exchangeIssuesKey('bn1', 'binance', BINANCE);
    await addAccount({ id: 'bn1', name: 'Binance one', exchange: 'binance', ...BINANCE });
    await page.waitForURL(/\/accounts\/bn1$/);
    await desk.look();
    expect(await heading().textContent()).toBe('Account bn1');
    expect(await flashes()).toEqual(['Account bn1 added.', 'The exchange accepted the key.']);
    const summary = page.locator('dl.summary');
    expect(await summary.innerText()).toContain(`••••${BINANCE.apiKey.slice(-4)}`);
    expect(await summary.innerText()).toContain('ACTIVE');
  });

  it(
    'a trader adds a Bitget key: without the passphrase it is refused in words, with it it is added',
    { timeout: STEP },
    async () => {
      exchangeIssuesKey('bg1', 'bitget', BITGET);
      desk.expectRefusal(422);
      await addAccount({
        id: 'bg1',
        name: 'Bitget one',
        exchange: 'bitget',
        apiKey: BITGET.apiKey,
        secret: BITGET.secret,
      });
      await expect
        .poll(() => page.locator('.field-error').allTextContents())
        .toEqual(['Bitget keys need their passphrase.']);
      expect(await page.getByLabel(/^Id /).inputValue()).toBe('bg1');
      expect(await page.getByLabel('Exchange', { exact: true }).inputValue()).toBe('bitget');
      expect(await page.getByLabel('Secret', { exact: true }).inputValue()).toBe(''); // never sent back
      await desk.screenshot('add-account-form');

      await fillCredentials(page.locator('main form'), BITGET);
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.waitForURL(/\/accounts\/bg1$/);
      await desk.look();
      expect(await flashes()).toEqual(['Account bg1 added.', 'The exchange accepted the key.']);
      expect(await page.locator('dl.summary').innerText()).toContain('bitget spot (paper)');
    },
  );

  it('Verify shows the free balances in place, without reloading the page', { timeout: STEP }, async () => {
    await goTo('Accounts', 'Accounts');
    await desk.mark();
    const url = page.url();
    await row('bn1').getByRole('button', { name: 'Verify' }).click();
    const result = page.locator('#verify-bn1 .verify-result.ok');
    await result.waitFor();
    expect(await result.locator('p').first().textContent()).toMatch(
      /^Key accepted at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/,
    );
    expect(await result.locator('p.permissions').textContent()).toMatch(
      /^Key permissions: spot trading: yes · futures trading: yes · withdrawals: no · IP restriction: yes \(read /,
    );
    expect(await freeBalance(result, 'USDT')).toBe('1000');
    expect(await freeBalance(result, 'BTC')).toBe('0.01');
    expect(await desk.marked()).toBe(true);
    expect(page.url()).toBe(url);

    await openAccount('bg1');
    await desk.mark();
    await page.getByRole('button', { name: 'Verify: read the free balances' }).click();
    const bitget = page.locator('#verify-bg1 .verify-result.ok');
    await bitget.waitFor();
    expect(await freeBalance(bitget, 'USDT')).toBe('1000');
    expect(await desk.marked()).toBe(true);
    await desk.screenshot('account-verified');
  });

  it(
    'a wrong secret is refused on add, in words, and nothing is created; a key refused later shows on verify',
    { timeout: STEP },
    async () => {
      exchangeIssuesKey('bn_bad', 'binance', { apiKey: BAD.apiKey, secret: BAD.realSecret });
      typed.push(BAD.wrongSecret);
      desk.expectRefusal(422);
      await addAccount({
        id: 'bn_bad',
        name: 'Bad key',
        exchange: 'binance',
        apiKey: BAD.apiKey,
        secret: BAD.wrongSecret,
      });
      const refusal = page.locator('main .flash.error[role="alert"]');
      await refusal.waitFor();
      expect(await refusal.textContent()).toBe(
        'The account was not added: Binance rejected this key (-1022): check the API key, the secret (and the passphrase), and that the key is still active on the exchange.',
      );
      expect(await heading().textContent()).toBe('Add account');
      expect(await page.getByLabel(/^Id /).inputValue()).toBe('bn_bad');
      expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Bad key');
      await desk.look();
      await desk.screenshot('account-wrong-secret');

      // With the right secret it is added; then the exchange stops taking the key.
      await fillCredentials(page.locator('main form'), { apiKey: BAD.apiKey, secret: BAD.realSecret });
      await page.getByRole('button', { name: 'Add account' }).click();
      await page.waitForURL(/\/accounts\/bn_bad$/);
      await expect.poll(() => desk.web.desk.app.services.streams.status('bn_bad')?.health).toBe('live');
      exchangeIssuesKey('bn_bad', 'binance', { apiKey: BAD.apiKey, secret: BAD.wrongSecret });

      await desk.mark();
      await page.getByRole('button', { name: 'Verify: read the free balances' }).click();
      const result = page.locator('#verify-bn_bad .verify-result.error');
      await result.waitFor();
      expect(await result.textContent()).toBe(
        'Account bn_bad: API key rejected by Binance (-1022). The account is now disabled; fix the key in the admin.',
      );
      expect(await desk.marked()).toBe(true);
      const text = await page.locator('main').innerText();
      expect(text).not.toMatch(/HedgeError|Error:|at .+\.ts:\d+|undefined|\[object/);
    },
  );

  it('disable with a reason, then enable: the status column follows', { timeout: STEP }, async () => {
    await openAccount('bn1');
    await page.getByLabel('Reason', { exact: true }).fill('key under review');
    await page.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(flashes).toEqual(['Account bn1 is disabled: nothing is sent to the exchange for it.']);
    expect(await page.locator('dl.summary').innerText()).toContain('DISABLED — key under review');

    await goTo('Accounts', 'Accounts');
    expect(await statusOf('bn1').textContent()).toBe('DISABLED');
    expect(await row('bn1').locator('td').nth(7).innerText()).toContain('key under review');

    await row('bn1').getByRole('link', { name: 'Manage' }).click();
    await page.getByRole('button', { name: 'Enable' }).click();
    await expect
      .poll(flashes)
      .toEqual(['Account bn1 is enabled: orders, copies and its stream run again.', 'The exchange accepted the key.']);

    await goTo('Accounts', 'Accounts');
    expect(await statusOf('bn1').textContent()).toBe('ACTIVE');
  });

  it('rotates the key: the new key is in use and Verify reads balances with it', { timeout: STEP }, async () => {
    // The trader takes the account out of service, replaces the key at the exchange (the old one
    // is gone at once), pastes the new one into the admin and puts the account back.
    await openAccount('bn1');
    await page.getByLabel('Reason', { exact: true }).fill('rotating the key');
    await page.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => page.locator('dl.summary').innerText()).toContain('DISABLED — rotating the key');
    exchangeIssuesKey('bn1', 'binance', BINANCE_ROTATED);

    const rotate = page.locator('form[action="/accounts/bn1/rotate"]');
    await fillCredentials(rotate, BINANCE_ROTATED);
    await rotate.getByRole('button', { name: 'Replace the key' }).click();
    await expect
      .poll(flashes)
      .toEqual([
        'Account bn1 has a new key.',
        'The exchange accepted the key.',
        'The new key of bn1 was checked and stored; the account stays DISABLED until you enable it.',
      ]);
    expect(await page.locator('dl.summary').innerText()).toContain(`••••${BINANCE_ROTATED.apiKey.slice(-4)}`);
    await desk.look();

    await page.getByRole('button', { name: 'Enable' }).click();
    await expect
      .poll(flashes)
      .toEqual(['Account bn1 is enabled: orders, copies and its stream run again.', 'The exchange accepted the key.']);
    expect(await page.locator('dl.summary').innerText()).toContain('ACTIVE');

    await page.getByRole('button', { name: 'Verify: read the free balances' }).click();
    const result = page.locator('#verify-bn1 .verify-result.ok');
    await result.waitFor();
    expect(await freeBalance(result, 'USDT')).toBe('1000');
    expect(await freeBalance(result, 'BTC')).toBe('0.01');
  });

  it(
    'delete is refused while an order is open, with the reason; forced with the id typed, it is deleted',
    { timeout: STEP },
    async () => {
      // A resting limit order on bg1, placed from chat (the console) as a trader would.
      await desk.web.desk.confirmed('/order bg1 BTCUSDT buy 0.001 30000');
      await openAccount('bg1');
      expect(await page.locator('main .flash.warning').textContent()).toContain('Open orders: 1');

      desk.expectRefusal(409);
      await page.getByRole('button', { name: 'Delete account bg1' }).click();
      const refused = page.locator('main .flash.error[role="alert"]');
      await refused.waitFor();
      expect(await refused.textContent()).toBe(
        'Account bg1 was not deleted: it has 1 open orders, 0 open virtual positions, active leader: no. Close them first, or force the delete by typing the account id.',
      );
      expect(await heading().textContent()).toBe('Account bg1');
      await desk.screenshot('account-delete-refused');

      await page.getByLabel('Force, although something is still open').check();
      await page.getByLabel('To force, type the account id').fill('bg1');
      await page.getByRole('button', { name: 'Delete account bg1' }).click();
      await page.waitForURL(/\/accounts$/);
      await expect.poll(flashes).toEqual(['Account bg1 deleted, with its key.']);
      expect(await row('bg1').count()).toBe(0);
      expect(await row('bn1').count()).toBe(1);
    },
  );

  it('the Audit page shows all of it, and its filters work', { timeout: STEP }, async () => {
    await goTo('Audit', 'Audit log');
    await desk.screenshot('audit');
    const all = await auditRows();
    const actions = new Set(all.map((r) => `${r.action} ${r.outcome}`));
    for (const expected of [
      'Log in refused',
      'Log in ok',
      'Add account ok',
      'Add account invalid',
      'Add account refused',
      'Check key ok',
      'Check key failed',
      'Disable account ok',
      'Enable account ok',
      'Replace key ok',
      'Delete account refused',
      'Delete account ok',
    ])
      expect(actions, expected).toContain(expected);

    // Filter by account: bn1's life, newest first, in place (the marker stays; the URL follows).
    await desk.mark();
    const filters = page.locator('form.filters');
    await filters.getByLabel('Account').selectOption('bn1');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\/audit\?.*account=bn1/);
    await expect.poll(async () => (await auditRows()).every((r) => r.account === 'bn1')).toBe(true);
    expect((await auditRows()).map((r) => r.action).reverse()).toEqual([
      'Add account',
      'Check key',
      'Disable account',
      'Enable account',
      'Disable account',
      'Replace key',
      'Enable account',
      'Check key',
    ]);
    expect(await desk.marked()).toBe(true);

    // Filter by action (typed as the log names it) and account: the refused delete and the forced one of bg1.
    await filters.getByLabel('Account').selectOption('bg1');
    await filters.getByLabel('Action').fill('accounts.delete');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/command=accounts.delete/);
    await expect.poll(async () => (await auditRows()).map((r) => r.outcome)).toEqual(['ok', 'refused']);
    const [forced, refused] = await auditRows();
    expect(forced?.detail).toBe('Done. Deleted by force, confirmed by typing the account id.');
    expect(refused?.detail).toContain('it has 1 open orders');

    // Filter by user: everything the web admin did, and nothing from chat (bg1's order came from the console).
    await page.locator('form.filters a', { hasText: 'Clear' }).click();
    await page.waitForURL(/\/audit$/);
    expect(await page.locator('header.top').count()).toBe(1); // the whole page, not a page inside the results
    await filters.getByLabel('User').selectOption({ label: 'web admin' });
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/user=\d+/);
    const byAdmin = await auditRows();
    expect(byAdmin.length).toBeGreaterThan(10);
    expect(byAdmin.filter((r) => r.action.startsWith('/'))).toEqual([]);
    expect(new Set(byAdmin.map((r) => r.user))).toEqual(new Set(['web admin']));

    // Filter by time: nothing happened before 2020; everything happened since the run started.
    await filters.getByLabel('To', { exact: true }).fill('2020-01-01');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('#audit-results').innerText()).toBe('No entries match these filters.');
    await filters.getByLabel('To', { exact: true }).fill('');
    await filters.getByLabel('From').fill(RUN_DAY);
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(async () => (await auditRows()).length).toBe(byAdmin.length);

    // Filter by outcome: the wrong password is there, with where it came from.
    await page.locator('form.filters a', { hasText: 'Clear' }).click();
    await page.waitForURL(/\/audit$/);
    await filters.getByLabel('Outcome').selectOption('refused');
    await filters.getByLabel('Action').fill('admin.login');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(async () => (await auditRows()).map((r) => `${r.action} ${r.detail}`))
      .toEqual(['Log in Refused: wrong password from 127.0.0.1']);

    // A bad date is explained next to the filters, not a crash.
    desk.expectRefusal(422);
    await filters.getByLabel('From').fill('yesterday');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect
      .poll(() => page.locator('#audit-results [role="alert"]').textContent())
      .toContain('From: a date like 2026-01-31');
    expect(await desk.marked()).toBe(true);
  });

  it('People: a new person is added, then their role is changed in place', { timeout: STEP }, async () => {
    await goTo('People', 'People');
    await page.getByLabel('Name', { exact: true }).fill('Dana Trader');
    await page.getByLabel('Role', { exact: true }).selectOption('viewer');
    await page.getByRole('button', { name: 'Add person' }).click();
    await expect
      .poll(flashes)
      .toEqual(['Dana Trader added as viewer. Link their Telegram or Discord id so the bot knows them.']);

    await desk.mark();
    const role = page.getByLabel('Role of Dana Trader');
    expect(await role.inputValue()).toBe('viewer');
    await role.selectOption('trader');
    await page.locator('tr', { has: role }).getByRole('button', { name: 'Save' }).first().click();
    await expect.poll(() => page.locator('#people-table .flash').textContent()).toBe('Dana Trader is now trader.');
    expect(await page.getByLabel('Role of Dana Trader').inputValue()).toBe('trader');
    expect(await desk.marked()).toBe(true);
    await desk.screenshot('people');
  });

  it('Alerts: a Telegram group is added as a destination', { timeout: STEP }, async () => {
    await goTo('Alerts', 'Alerts');
    expect(await page.locator('#alerts-table').innerText()).toContain('No chat receives alerts yet.');
    await page.getByLabel('Platform', { exact: true }).selectOption('telegram');
    await page.getByLabel('Chat or channel id').fill('-1009876543210');
    await page.getByLabel('From severity').selectOption('warning');
    await page.getByRole('button', { name: 'Add destination' }).click();
    // No Telegram bot runs on this desk: the page says so at once, and beside the destination.
    await expect
      .poll(flashes)
      .toEqual([
        'Alerts now go to telegram -1009876543210. Telegram does not run on this desk (its bot token is not set): these alerts wait until it does.',
      ]);
    const destination = page.locator('#alerts-table tbody tr', { hasText: '-1009876543210' });
    expect(await destination.innerText()).toContain('Alerts about: every account');
    expect(await destination.locator('select[name="minSeverity"]').inputValue()).toBe('warning');
    expect(desk.web.desk.app.services.alerts.subscription('telegram', '-1009876543210')).toBeDefined();
    await desk.screenshot('alerts');
  });

  it('Copy: a follower is paused and resumed in place', { timeout: STEP }, async () => {
    await goTo('Copy', 'Copy trading');
    expect(await page.locator('dl.summary').innerText()).toContain('lead');
    await desk.mark();
    const f1 = () => page.locator('#follower-f1');
    expect(await f1().locator('.status').textContent()).toBe('ACTIVE');
    await f1().getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => f1().locator('.status').textContent()).toBe('PAUSED');
    expect(await page.locator('#copy-followers .flash').textContent()).toBe('Follower f1 is paused.');
    expect((await desk.web.desk.app.services.accounts.get('f1')).status).toBe('PAUSED');
    await desk.screenshot('copy');

    await f1().getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => f1().locator('.status').textContent()).toBe('ACTIVE');
    expect(await desk.marked()).toBe(true);
  });

  it(
    'the browser saw no error, no CSP violation, no off-machine request and no secret',
    { timeout: STEP },
    async () => {
      await desk.settled();
      await desk.look();
      expect(desk.problems).toEqual([]);
      expect(desk.html.length).toBeGreaterThan(10);
      // No htmx swap ever put a whole page inside a part of a page.
      for (const html of desk.html) expect(html.match(/<header class="top\b/g)).toHaveLength(1);
      for (const secret of typed) {
        const inPage = desk.html.findIndex((html) => html.includes(secret));
        expect(inPage, `a secret appeared in page snapshot #${inPage}`).toBe(-1);
      }
      // Every body the browser received, plus every log line, against every secret of the run.
      await expectNoSecretLeaks(desk.web, typed);
    },
  );
});
