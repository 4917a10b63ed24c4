/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core against the real
 * server's built `web/dist`. One launch per test file; each context watches for console errors,
 * page errors and CSP violations, and the suite writes screenshots to SCREENSHOTS (not committed).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { WEB_DIST } from '../../src/http/app.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
export const DESKTOP = { width: 1360, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** Every page is shown in this zone, so a test can see that times name theirs. */
export const TIME_ZONE = 'America/New_York';

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(`${WEB_DIST}/index.html`)) throw new Error(`${WEB_DIST}/index.html is missing: run "npm run build" first.`);
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: install it with "apt-get install chromium" (or set CHROMIUM_PATH).`);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** An answer the page is expected to log as a failed resource: a path ending and a status. */
export interface ExpectedFailure {
  path: string;
  status: number;
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far (expected answers left out). */
  problems: string[];
  /** While set, failed loads and the errors they cause are expected (the server is stopped on purpose). */
  outage: { on: boolean };
}

/** A fresh browser context (own cookies) on the dashboard, with the watchers attached. */
export async function openTab(
  browser: Browser,
  baseURL: string,
  opts: { viewport?: { width: number; height: number }; expected?: ExpectedFailure[] } = {},
): Promise<Tab> {
  const context = await browser.newContext({ viewport: opts.viewport ?? DESKTOP, baseURL, timezoneId: TIME_ZONE });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  const problems: string[] = [];
  const outage = { on: false };
  await context.exposeFunction('reportCspViolation', (text: string) => problems.push(`CSP: ${text}`));
  // Runs in the page before its own scripts (the browser's code, as a string: no DOM types here).
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => window.reportCspViolation(e.violatedDirective + ' blocked ' + e.blockedURI));`,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  // Asking /api/me before logging in is how the app learns it is logged out.
  const expected = [{ path: '/api/me', status: 401 }, ...(opts.expected ?? [])];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message} ${err.stack}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && !/Content.Security.Policy/i.test(msg.text())) return;
    if (outage.on) return;
    const url = msg.location().url;
    if (expected.some((e) => new URL(url, baseURL).pathname.endsWith(e.path) && msg.text().includes(`status of ${e.status}`)))
      return;
    problems.push(`console ${msg.type()}: ${msg.text()} (${url})`);
  });
  return { context, page, problems, outage };
}

/** The whole page from the top (sticky parts drawn where a reader sees them), or just the screen (`screen`: an open drawer). */
export async function shot(page: Page, name: string, opts: { screen?: boolean } = {}): Promise<void> {
  if (opts.screen) return void (await page.screenshot({ path: `${SCREENSHOTS}${name}.png` }));
  await page.locator('html').evaluate((root) => root.ownerDocument.defaultView!.scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

export async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** Goes to a page through the main navigation: the sidebar, or on a phone the Menu drawer. */
export async function nav(page: Page, name: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu', exact: true });
  if (await menu.isVisible()) {
    await menu.click();
    await page.getByRole('dialog', { name: 'Menu' }).waitFor();
  }
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

/** Logs in through the login page (already on it) and waits for the first page. */
export async function logIn(page: Page, email: string, password: string, landing = 'Providers'): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: landing }).waitFor();
}

/** How far the page itself scrolls sideways (0: it fits the viewport). */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page
    .locator('html')
    .evaluate((root) => Math.max(root.scrollWidth, root.ownerDocument.body.scrollWidth) - root.clientWidth);
}

/**
 * The page title (h1) as a reader sees it: inside the viewport, not covered, and its contrast
 * ratio (WCAG) against the first opaque background behind it. A background image (a gradient)
 * behind the title makes the ratio unknowable and counts as 0.
 */
export async function titleLegibility(
  page: Page,
): Promise<{ text: string; contrast: number; inView: boolean; covered: boolean }> {
  return page
    .locator('main h1, .auth h1')
    .first()
    .evaluate((h1) => {
      // In the page: the document and window are reached through the element.
      const doc = h1.ownerDocument;
      const win = doc.defaultView!;
      const rgba = (css: string): number[] => (css.match(/[\d.]+/g) ?? []).map(Number);
      const channel = (v: number): number => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      const luminance = ([r = 0, g = 0, b = 0]: number[]): number =>
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      let background = [255, 255, 255];
      let unknowable = false;
      for (let el = h1; el; el = el.parentElement) {
        const style = win.getComputedStyle(el);
        if (style.backgroundImage !== 'none') {
          unknowable = true;
          break;
        }
        const bg = rgba(style.backgroundColor);
        if ((bg[3] ?? 1) > 0.95) {
          background = bg;
          break;
        }
      }
      const fg = luminance(rgba(win.getComputedStyle(h1).color));
      const bgL = luminance(background);
      const contrast = unknowable ? 0 : (Math.max(fg, bgL) + 0.05) / (Math.min(fg, bgL) + 0.05);
      const rect = h1.getBoundingClientRect();
      const hit = doc.elementFromPoint(rect.left + Math.min(rect.width, 40) / 2, rect.top + rect.height / 2);
      return {
        text: h1.textContent ?? '',
        contrast,
        inView: rect.left >= 0 && rect.right <= win.innerWidth && rect.width > 0,
        covered: !(hit && h1.contains(hit)),
      };
    });
}

/** The accessible name of the focused element, roughly as a screen reader says it. */
export async function focusedName(page: Page): Promise<string> {
  const focused = page.locator(':focus');
  if ((await focused.count()) === 0) return '<body>';
  return focused.first().evaluate((el) => {
    const label = el.getAttribute('aria-label');
    if (label) return label;
    if (el.id) {
      const forLabel = el.ownerDocument.querySelector(`label[for="${el.id.replace(/"/g, '\\"')}"]`);
      if (forLabel) return (forLabel.textContent ?? '').trim();
    }
    return (el.textContent ?? '').trim().replace(/\s+/g, ' ');
  });
}

/** Waits until no card shows a loading placeholder. */
export async function loaded(page: Page): Promise<void> {
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' });
}

/** Presses Tab (or Shift+Tab) until the focused element's name matches; fails after `limit` presses. */
export async function tabTo(page: Page, name: string | RegExp, opts: { limit?: number; back?: boolean } = {}): Promise<void> {
  const matches = (n: string): boolean => (typeof name === 'string' ? n === name : name.test(n));
  const seen: string[] = [];
  for (let i = 0; i < (opts.limit ?? 60); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const current = await focusedName(page);
    if (matches(current)) return;
    seen.push(current);
  }
  throw new Error(`Tab never reached ${String(name)}; focus went through: ${seen.join(' | ')}`);
}
