/**
 * When the server goes away the dashboard says so instead of going blank: a banner ("Z-AI cannot
 * be reached — retrying"), navigation kept, pages waiting or an error boundary's message; when the
 * real server is started again on the same port, the banner goes and the page fills in by itself.
 * A session that ends (logged out elsewhere, account disabled by an admin) leads to the login page
 * with a note. Screenshots: test-artifacts/screenshots/outage-*.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import { PHONE, launchBrowser, logIn, nav, openTab, shot, textOf, type Tab } from '../helpers/browser.js';

const EMAIL = 'member@example.com';
const PASSWORD = 'correct horse battery staple';

let zai: Zai;
let fake: FakeServer;
let browser: Browser;
let tab: Tab;
let page: Page;
let admin: ApiClient;
let port = '';
let dataDir = '';

async function stopServer(): Promise<void> {
  tab.outage.on = true;
  await zai.close();
}

async function startServer(): Promise<void> {
  zai = await startZai({ PORT: port }, dataDir);
}

const navLink = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** The banner is gone and "Reconnected" was said: the probes found the server. */
async function recovered(): Promise<void> {
  await page.getByRole('alert').filter({ hasText: 'cannot be reached' }).waitFor({ state: 'detached', timeout: 20_000 });
  // One round trip to the page first: the console errors of requests that failed during the outage
  // reach this process as events, which may still be on their way when the banner goes.
  await page.evaluate(() => undefined);
  tab.outage.on = false;
}

beforeAll(async () => {
  fake = await startFakeServer((req, res) => {
    if (req.path === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] });
    return json(res, 200, openAICompletion({ model: 'gpt-4o-mini' }));
  });
  zai = await startZai();
  port = new URL(zai.url).port;
  dataDir = zai.dataDir;
  admin = new ApiClient(zai.url);
  expect((await admin.signup('admin@example.com')).status).toBe(201);
  const member = new ApiClient(zai.url);
  expect((await member.signup(EMAIL, PASSWORD)).status).toBe(201);
  await member.post('/api/providers', { provider: 'openai', api_key: 'sk-outage-0123456789abcdef', base_url: `${fake.url}/v1` });
  await member.post('/api/keys', { name: 'outage-key' });

  browser = await launchBrowser();
  tab = await openTab(browser, zai.url, {
    expected: [
      // The session ended on purpose: the page's next requests are refused, then a disabled account's log-in.
      { path: '/api/keys', status: 401 },
      { path: '/api/providers', status: 401 },
      { path: '/api/provider-types', status: 401 },
      { path: '/api/auth/login', status: 403 },
    ],
  });
  page = tab.page;
  await page.goto('/');
  await logIn(page, EMAIL, PASSWORD);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zai?.close();
  await fake?.close();
});

describe('an outage', () => {
  it('is said in a banner while the page waits, and the page fills in when the server is back', async () => {
    await nav(page, 'Providers');
    await stopServer();

    await nav(page, 'Keys');
    const banner = page.getByRole('alert').filter({ hasText: 'Z-AI cannot be reached — retrying' });
    await banner.waitFor();
    expect(await textOf(page.locator('.conn-banner'))).toMatch(/Next try in \d+ s|Trying now/);
    // No error in every card: the list waits for the server (a loading placeholder), the navigation stays.
    await page.getByRole('row').filter({ hasText: 'Loading keys' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').count()).toBe(5);
    await shot(page, 'outage-01-keys-waiting');

    await startServer();
    await recovered();
    // The keys arrive without a click, and the return is said.
    await page.getByRole('row').filter({ hasText: 'outage-key' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Reconnected' }).waitFor();
    await shot(page, 'outage-02-keys-recovered');
  });

  it('never leaves the Usage page blank, and fills it in when the server is back', async () => {
    await stopServer();
    await navLink('Usage').click();
    await page.getByRole('alert').filter({ hasText: 'cannot be reached' }).waitFor();
    // A title (the page's, or the error boundary's) and the navigation: never an empty screen.
    await page.locator('main h1').waitFor();
    expect((await textOf(page.locator('main'))).trim().length).toBeGreaterThan(40);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
    await shot(page, 'outage-03-usage');

    await startServer();
    await recovered();
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor({ timeout: 15_000 });
    await shot(page, 'outage-04-usage-recovered');
  });

  it('shows the error boundary’s message for a page whose code cannot be downloaded, and loads it when the server is back', async () => {
    // The Admin page is downloaded only when an admin opens it.
    const adminTab = await openTab(browser, zai.url);
    await adminTab.page.goto('/');
    await logIn(adminTab.page, 'admin@example.com', 'correct horse battery');
    adminTab.outage.on = true;
    // The first tab is still on the Usage page, whose charts and rows may still be loading: it sees
    // this outage too.
    await stopServer();
    await adminTab.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin', exact: true }).click();
    await adminTab.page.getByRole('heading', { level: 1, name: 'This page could not be loaded' }).waitFor();
    expect(await textOf(adminTab.page.locator('.crash'))).toContain('It loads by itself as soon as the server answers again.');
    expect(await adminTab.page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
    await adminTab.page.getByRole('alert').filter({ hasText: 'cannot be reached' }).waitFor();
    await shot(adminTab.page, 'outage-05-boundary');

    await startServer();
    await adminTab.page
      .getByRole('region', { name: 'Accounts' })
      .getByRole('row')
      .filter({ hasText: EMAIL })
      .waitFor({ timeout: 20_000 });
    expect(await adminTab.page.getByRole('heading', { level: 1 }).textContent()).toBe('Admin');
    await adminTab.context.close();
    await recovered();
  });

  it('is said behind a reverse proxy too, which answers 502 while Z-AI is down', async () => {
    // Like nginx in deploy/: forwards everything to Z-AI, or answers its own 502 page when Z-AI is down.
    let down = false;
    const target = new URL(zai.url);
    const proxy = http.createServer((req, res) => {
      if (down) return void res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxied = await openTab(browser, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    try {
      await proxied.page.goto('/');
      await logIn(proxied.page, EMAIL, PASSWORD);
      await nav(proxied.page, 'Keys');
      await proxied.page.getByRole('row').filter({ hasText: 'outage-key' }).waitFor();
      proxied.outage.on = true;
      down = true;
      await nav(proxied.page, 'Providers');
      await proxied.page.getByRole('alert').filter({ hasText: 'Z-AI cannot be reached — retrying' }).waitFor();
      // Not an error in every card: they wait.
      expect(await proxied.page.locator('.inline-error').count()).toBe(0);
      down = false;
      await proxied.page
        .getByRole('alert')
        .filter({ hasText: 'cannot be reached' })
        .waitFor({ state: 'detached', timeout: 20_000 });
      await proxied.page.getByRole('region', { name: 'OpenAI' }).getByText('sk-…cdef').waitFor();
    } finally {
      await proxied.context.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('says the same on a phone, where the banner sits under the header', async () => {
    const phone = await openTab(browser, zai.url, { viewport: PHONE });
    await phone.context.addCookies(await tab.context.cookies());
    await phone.page.goto('/keys');
    await phone.page.getByRole('row').filter({ hasText: 'outage-key' }).waitFor();
    phone.outage.on = true;
    await stopServer();
    await nav(phone.page, 'Providers');
    await phone.page.getByRole('alert').filter({ hasText: 'cannot be reached' }).waitFor();
    // Each card waits as a loading placeholder of its own.
    expect(await phone.page.locator('.provider-grid .skeleton-card').count()).toBe(8);
    const header = await phone.page.locator('.topbar').boundingBox();
    const banner = await phone.page.locator('.conn-banner').boundingBox();
    expect(banner!.y).toBeGreaterThanOrEqual(header!.y + header!.height - 1);
    await shot(phone.page, 'outage-07-phone');
    await startServer();
    await phone.page.getByRole('alert').filter({ hasText: 'cannot be reached' }).waitFor({ state: 'detached', timeout: 20_000 });
    await phone.page.getByRole('region', { name: 'OpenAI' }).getByText('sk-…cdef').waitFor();
    await phone.context.close();
    await recovered();
  });
});

describe('a session that ends', () => {
  it('leads to the login page with a note, and back to the same page after logging in', async () => {
    await page.goto('/keys');
    await page.getByRole('row').filter({ hasText: 'outage-key' }).waitFor();
    // Logged out elsewhere: the server forgets the session.
    const elsewhere = new ApiClient(zai.url);
    const session = (await tab.context.cookies()).find((c) => c.name === 'zai_session');
    Object.assign(elsewhere, { cookie: `zai_session=${session!.value}` });
    expect((await elsewhere.post('/api/auth/logout')).status).toBe(204);

    await navLink('Providers').click();
    await page.getByRole('heading', { name: 'Log in to Z-AI' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Your session has ended. Log in again' }).waitFor();
    await shot(page, 'outage-08-session-ended');
    await logIn(page, EMAIL, PASSWORD, 'Providers');
    expect(new URL(page.url()).pathname).toBe('/providers');
    expect(await page.getByRole('status').filter({ hasText: 'session has ended' }).count()).toBe(0);
  });

  it('when an admin disables the account: to the login page, which then says the account is disabled', async () => {
    await nav(page, 'Keys');
    const accounts = await admin.get<{ data: Array<{ id: string; email: string }> }>('/api/admin/accounts');
    const me = accounts.body.data.find((a) => a.email === EMAIL)!;
    expect((await admin.patch(`/api/admin/accounts/${me.id}`, { disabled: true })).status).toBe(200);

    await navLink('Providers').click();
    await page.getByRole('heading', { name: 'Log in to Z-AI' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await textOf(page.getByRole('alert'))).toContain('This account is disabled. Ask an admin');
    await shot(page, 'outage-09-disabled');

    expect((await admin.patch(`/api/admin/accounts/${me.id}`, { disabled: false })).status).toBe(200);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
  });

  it('saw no console errors or CSP violations but the expected ones', () => {
    expect(tab.problems).toEqual([]);
  });
});
