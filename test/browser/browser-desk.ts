import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { ADMIN_PASSWORD, startWebDesk, type WebDesk } from '../web/web-desk.ts';

/** Debian's Chromium (`apt-get install chromium`); `.ci/run` installs it when it is missing. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Flags that keep Chromium on this machine: without the background-networking ones it calls
 * Google at every start. Playwright adds --headless and a fresh temporary --user-data-dir.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Full-page screenshots of the main pages, rewritten on every run (not committed). */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-results/admin');

/** How long one step (a click and what it brings) may take before the test fails. */
export const STEP_MS = 10_000;

export function requireChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  throw new Error(
    `The browser tests need Chromium at ${CHROMIUM_PATH} and it is not there. Install Debian's Chromium with ` +
      '`sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium` (`npm run setup:chromium` and .ci/run do this), ' +
      'or point CHROMIUM_PATH at a Chromium binary.',
  );
}

/** A marker put on the page; if it is still there later, no full page load happened in between. */
export const MARKER = 'data-still-the-same-page';

/** Runs in every page before its own scripts (plain JS: the project compiles without the DOM types). */
const REPORT_CSP_VIOLATIONS = `
document.addEventListener('securitypolicyviolation', (e) => {
  const what = e.blockedURI || ('inline code' + (e.sample ? ' "' + e.sample + '"' : ''));
  const target = e.target instanceof Element ? ' on <' + e.target.localName + (e.target.id ? '#' + e.target.id : '') + '>' : '';
  window.reportCspViolation(e.violatedDirective + ' blocked ' + what + target + ' on ' + location.pathname + ', from ' + e.sourceFile);
});
`;

/**
 * The admin of a paper desk (the app in paper mode against its emulator), served on 127.0.0.1
 * port 0, and one real headless Chromium tab logged into nothing yet. It watches everything the
 * browser says and receives:
 *
 * - `problems`: console errors, uncaught page errors, CSP violations, requests that tried to leave
 *   the machine (blocked) and unexpected dialogs — a test ends with `expect(problems).toEqual([])`;
 * - every response body the browser received goes into `web.bodies` (the HTTP tests' leak check
 *   reads them), and `html` keeps the page's DOM each time a test looked at it.
 */
export interface BrowserDesk {
  web: WebDesk;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** Every console message, as `type: text` (errors are also in `problems`). */
  console: string[];
  /** page.content() at every `look()` and screenshot. */
  html: string[];
  /**
   * The next response with this status is a refusal the test asks for (a 401, a 409): Chromium's
   * console error about it ("Failed to load resource: … 409") is expected, once.
   */
  expectRefusal(status: number): void;
  /** Resolves once every response body seen so far has been read. */
  settled(): Promise<void>;
  /** Keeps the DOM as it is now for the leak check; returns it. */
  look(): Promise<string>;
  screenshot(name: string): Promise<string>;
  /** Puts the marker on <body>. */
  mark(): Promise<void>;
  marked(): Promise<boolean>;
  close(): Promise<void>;
}

export async function startBrowserDesk(): Promise<BrowserDesk> {
  requireChromium();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const web = await startWebDesk();
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 20_000 });
    return await openTab(web, browser);
  } catch (err) {
    await browser?.close();
    await web.close();
    throw err;
  }
}

async function openTab(web: WebDesk, browser: Browser): Promise<BrowserDesk> {
  const origin = new URL(web.baseUrl).origin;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const problems: string[] = [];
  const consoleLines: string[] = [];
  const html: string[] = [];
  const reads: Promise<void>[] = [];
  const refusals = new Map<number, number>();

  // Belt and braces: whatever Chromium's flags leave, nothing but the admin on 127.0.0.1 is reached.
  await context.route(
    (url) => url.origin !== origin,
    async (route) => {
      problems.push(`request off the admin blocked: ${route.request().url()}`);
      await route.abort('blockedbyclient');
    },
  );

  // Every CSP violation the page meets is reported back here (Chromium also logs it as a console error).
  await context.exposeBinding('reportCspViolation', (_source, text: unknown) => {
    problems.push(`CSP violation: ${String(text)}`);
  });
  await context.addInitScript({ content: REPORT_CSP_VIOLATIONS });

  const page = await context.newPage();
  const onConsole = (message: ConsoleMessage) => {
    const line = `${message.type()}: ${message.text()}`;
    consoleLines.push(line);
    if (message.type() !== 'error') return;
    const status = Number(/the server responded with a status of (\d{3})/.exec(message.text())?.[1]);
    const expected = refusals.get(status) ?? 0;
    if (expected > 0) {
      refusals.set(status, expected - 1);
      return;
    }
    problems.push(`console ${line}`);
  };
  page.on('console', onConsole);
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`unexpected dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('response', (response) => {
    const status = response.status();
    if (status >= 300 && status < 400) return; // a redirect has no body
    reads.push(
      response.text().then(
        (text) => {
          web.bodies.push(text);
        },
        () => undefined, // a body the page dropped before we could read it (a replaced navigation)
      ),
    );
  });

  const look = async () => {
    const content = await page.content();
    html.push(content);
    return content;
  };

  return {
    web,
    browser: context.browser() as Browser,
    context,
    page,
    problems,
    console: consoleLines,
    html,
    expectRefusal: (status) => refusals.set(status, (refusals.get(status) ?? 0) + 1),
    settled: async () => {
      let seen = 0;
      while (seen < reads.length) {
        seen = reads.length;
        await Promise.all(reads);
      }
    },
    look,
    async screenshot(name) {
      await look();
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      // caret 'initial': hiding the caret leaves style="" on every input, which htmx's settle then
      // copies onto the next page's inputs of the same id — a CSP violation of the test's own making.
      await page.screenshot({ path: file, fullPage: true, caret: 'initial' });
      return file;
    },
    async mark() {
      await page.evaluate(`document.body.setAttribute('${MARKER}', 'yes')`);
    },
    async marked() {
      return (await page.locator(`body[${MARKER}]`).count()) === 1;
    },
    async close() {
      await context.close().catch(() => undefined);
      await context.browser()?.close();
      await web.close();
    },
  };
}

/** Logs in through the login form, as the owner does. */
export async function logIn(page: Page, password = ADMIN_PASSWORD): Promise<void> {
  await page.getByLabel('Owner password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export { ADMIN_PASSWORD };
