/**
 * The dashboard with the keyboard alone, in a real browser against the real server: sign up,
 * connect a provider, create a key and chat in the Playground without a single click. Along the
 * way: the skip link, dialogs that keep Tab inside and give focus back to the control that opened
 * them, focus on the new page's title after navigating, and row actions named with their row.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, openAIStreamEvents, startFakeServer, writeSse, type FakeServer } from '../helpers/fake-upstream.js';
import { startZai, type Zai } from '../helpers/harness.js';
import { focusedName, launchBrowser, openTab, shot, tabTo, textOf, type Tab } from '../helpers/browser.js';

const PROVIDER_KEY = 'sk-keyboard-0123456789abcdef';

let zai: Zai;
let fake: FakeServer;
let browser: Browser;
let tab: Tab;
let page: Page;

async function type(text: string): Promise<void> {
  await page.keyboard.type(text);
}

async function press(key: string): Promise<void> {
  await page.keyboard.press(key);
}

/** Whether focus is inside the element (a dialog). */
async function holdsFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el.contains(el.ownerDocument.activeElement));
}

/** Tabs round a dialog more than once in each direction; focus must never leave it. */
async function expectFocusTrapped(dialog: Locator): Promise<void> {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < 14; i++) {
      await press(key);
      expect(await holdsFocus(dialog), `${key} #${i + 1} left the dialog (focus on ${await focusedName(page)})`).toBe(true);
    }
  }
}

beforeAll(async () => {
  fake = await startFakeServer((req, res) => {
    if (req.path === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] });
    return writeSse(res, openAIStreamEvents(['Typed ', 'without ', 'a ', 'mouse.']));
  });
  zai = await startZai();
  browser = await launchBrowser();
  tab = await openTab(browser, zai.url);
  page = tab.page;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zai?.close();
  await fake?.close();
});

describe('keyboard only', () => {
  it('signs up', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Log in to Z-AI' }).waitFor();
    await tabTo(page, 'Sign up');
    await press('Enter');
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await tabTo(page, 'Email');
    await type('keys-only@example.com');
    await press('Tab');
    expect(await focusedName(page)).toBe('Password');
    await type('correct horse battery staple');
    await press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
  });

  it('skips to the content with the first Tab', async () => {
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
    await press('Tab');
    expect(await focusedName(page)).toBe('Skip to content');
    expect(await page.getByRole('link', { name: 'Skip to content' }).isVisible()).toBe(true);
    await shot(page, 'keyboard-01-skip-link');
    await press('Enter');
    expect(await page.locator('main:focus').count()).toBe(1);
    // The next Tab is inside the page, past the navigation.
    await press('Tab');
    expect(await page.locator('main :focus').count()).toBe(1);
  });

  it('connects a provider, and saving tests it', async () => {
    await tabTo(page, 'Connect OpenAI');
    await press('Enter');
    const openai = page.getByRole('region', { name: 'OpenAI' });
    await tabTo(page, 'API key');
    await type(PROVIDER_KEY);
    await press('Tab');
    expect(await focusedName(page)).toBe('Base URL (optional)');
    await type(`${fake.url}/v1`);
    await tabTo(page, 'Save');
    await press('Enter');
    await openai.getByText('Working', { exact: true }).first().waitFor();
  });

  it('creates a key in a dialog that keeps focus inside and gives it back', async () => {
    await tabTo(page, 'Keys', { back: true });
    await press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    // Focus moved to the new page's title, so the next Tab starts on this page.
    await expect.poll(() => focusedName(page)).toBe('Keys');
    await press('Tab');
    expect(await focusedName(page)).toBe('Create key');
    await press('Enter');

    const dialog = page.getByRole('dialog', { name: 'Create a key' });
    await dialog.waitFor();
    expect(await focusedName(page)).toBe('Name');
    await type('kb-key');
    await tabTo(page, /^Allowed models/);
    await type('openai/*');
    await press('Enter');
    await dialog.getByText('openai/*', { exact: true }).waitFor();
    await tabTo(page, /^Spend cap/);
    await type('5');
    await expectFocusTrapped(dialog);
    await shot(page, 'keyboard-02-key-form');

    await tabTo(page, 'Create key');
    await press('Enter');
    const reveal = page.getByRole('dialog', { name: 'Your new key' });
    await reveal.waitFor();
    await expectFocusTrapped(reveal);
    await tabTo(page, 'Done');
    await press('Enter');
    await reveal.waitFor({ state: 'detached' });
    // Back on the button that started it all.
    await expect.poll(() => focusedName(page)).toBe('Create key');
  });

  it('names each row action after its key, and Escape returns focus to it', async () => {
    await tabTo(page, 'Edit key kb-key');
    await press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Edit “kb-key”' });
    await dialog.waitFor();
    await press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => focusedName(page)).toBe('Edit key kb-key');
    await press('Tab');
    expect(await focusedName(page)).toBe('Revoke key kb-key');
    await press('Shift+Tab');
    await press('Shift+Tab');
    expect(await focusedName(page)).toBe('Playground with key kb-key');
  });

  it('chats in the Playground', async () => {
    await tabTo(page, 'Playground', { back: true });
    await press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
    await expect.poll(async () => textOf(page.getByLabel('Key', { exact: true }))).toContain('kb-key');
    await tabTo(page, 'Message');
    await type('Say something.');
    await press('Enter');
    const answer = page.getByTestId('assistant-message');
    await answer.getByText('Typed without a mouse.').waitFor();
    await page.locator('dl.run-stats').waitFor();
    await shot(page, 'keyboard-03-playground');
  });

  it('revokes the key from a confirmation that traps focus; focus then lands on the page title, not the document', async () => {
    await tabTo(page, 'Keys', { back: true });
    await press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
    await tabTo(page, 'Revoke key kb-key');
    await press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Revoke “kb-key”?' });
    await confirm.waitFor();
    await expectFocusTrapped(confirm);
    await tabTo(page, 'Revoke key');
    await press('Enter');
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'kb-key' }).getByText('Revoked', { exact: true }).first().waitFor();
    // The Revoke button went with the revoke; focus goes to the title rather than to <body>.
    await expect.poll(() => focusedName(page)).toBe('Keys');
  });

  it('saw no console errors or CSP violations', () => {
    expect(tab.problems).toEqual([]);
  });
});
