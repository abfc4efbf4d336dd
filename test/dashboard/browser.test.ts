/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real server on
 * SQLite: sign in, every collection's create/edit/search/sort/page/delete, a validation error next to its
 * field, a test message and its explanation, the audit log, sign out, a read-only token, revocation,
 * axe-core on each page, a narrow screen and visible keyboard focus. Screenshots of each page go to
 * test-results/dashboard/ for a person to look at.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenStore } from '../../src/auth/token-store.js';
import { openDatabase } from '../../src/db/database.js';
import { createToken } from '../auth/support.js';
import { request, settingsPath } from '../helpers/http.js';
import { ACCOUNT, startServer, type TestServer } from '../helpers/server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test-results/dashboard');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// The server half of the dashboard (session endpoints, cookie auth) comes with this migration.
const SERVER_SIDE = existsSync(join(ROOT, 'src/db/migrations/0007-dashboard-sessions.ts'));
if (!SERVER_SIDE) console.warn('\n*** test/dashboard/browser.test.ts SKIPPED: the dashboard session endpoints are not in src/ yet. ***\n');

let server: TestServer;
let browser: Browser;
let writer: { secret: string };

async function launch(): Promise<Browser> {
  // Playwright gives a launched browser a fresh, empty profile of its own.
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
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

async function signIn(context: BrowserContext, secret: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(server.origin + '/');
  await page.getByLabel('API token').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // A locator wait, not expect.poll: this also runs from beforeAll, outside any test.
  await page.getByRole('heading', { level: 1, name: 'Allow policies' }).waitFor();
  return page;
}

async function open(page: Page, link: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: link }).waitFor();
}

/** axe-core's serious and critical findings on the page as it is now (none expected). */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations: { id: string; impact: string; nodes: { target: string[] }[] }[] = await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((result) => result.violations)',
  );
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await accessibilityProblems(page), name).toEqual([]);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

function dialog(page: Page) {
  return page.getByRole('dialog');
}

function row(page: Page, text: string) {
  return page.getByRole('row').filter({ hasText: text });
}

async function search(page: Page, text: string): Promise<void> {
  await page.getByLabel('Search', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
}

beforeAll(async () => {
  if (!SERVER_SIDE) return;
  if (!existsSync(join(ROOT, 'dist/web/index.html'))) throw new Error('dist/web is not built: run npm run build');
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await launch();
  writer = await createToken(server, { name: 'dashboard writer', accounts: [ACCOUNT] });
  // 120 blocked senders, so that the list has pages.
  const posts = Array.from({ length: 120 }, (_, index) => ({
    pattern: `seed${String(index).padStart(3, '0')}@bulk.example`,
    pattern_type: 'EMAIL',
    is_regex: false,
  }));
  const seeded = await request(server.origin, 'POST', settingsPath('block_senders', ACCOUNT) + '/batch', {
    body: { deletes: [], patches: [], puts: [], posts },
  });
  expect(seeded.status, seeded.text).toBe(200);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** What each collection's add and edit forms get in the test. */
const CASES = [
  {
    link: 'Allow policies',
    shot: 'allow-policies',
    name: 'partner@example.com',
    fill: { Pattern: 'partner@example.com' },
    edit: ['Notes', 'edited note'],
  },
  {
    link: 'Blocked senders',
    shot: 'blocked-senders',
    name: 'phisher@example.net',
    fill: { Pattern: 'phisher@example.net' },
    edit: ['Notes', 'edited note'],
  },
  {
    link: 'Trusted domains',
    shot: 'trusted-domains',
    name: 'partner.example',
    fill: { Pattern: 'partner.example' },
    edit: ['Notes', 'edited note'],
  },
  {
    link: 'Impersonation registry',
    shot: 'impersonation-registry',
    name: 'Jane Doe',
    fill: { 'Display Name': 'Jane Doe', Email: 'jane@corp.example' },
    edit: ['Email', 'jane.doe@corp.example'],
  },
  { link: 'Domains', shot: 'domains', name: 'corp.example', fill: { Domain: 'corp.example' }, edit: ['Transport', 'smtp.corp.example'] },
  {
    link: 'Sending domain restrictions',
    shot: 'sending-domain-restrictions',
    name: 'mail.corp.example',
    fill: { Domain: 'mail.corp.example' },
    edit: ['Notes', 'edited note'],
  },
] as const;

describe.skipIf(!SERVER_SIDE)('the dashboard in Chromium', { timeout: 90_000 }, () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await signIn(context, writer.secret);
  });
  afterAll(() => context.close());

  it('signs in with an API token into an HttpOnly session cookie, keeping no secret in the page', async () => {
    const cookies = await context.cookies();
    const session = cookies.find((cookie) => cookie.name === 'mailwarden_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toContain(
      writer.secret,
    );
    expect(await page.content()).not.toContain(writer.secret);
    // URL ignore patterns exist in today's API only, which this integer-id server does not serve.
    expect(await page.getByRole('link', { name: 'URL ignore patterns' }).count()).toBe(0);
  });

  for (const item of CASES) {
    it(`${item.link}: add, search, edit and delete with a confirmation`, async () => {
      await open(page, item.link);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      for (const [label, value] of Object.entries(item.fill)) await dialog(page).getByLabel(label, { exact: true }).fill(value);
      await dialog(page).getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Saved/);
      await row(page, item.name).waitFor();

      await search(page, item.name);
      await expect.poll(() => page.getByRole('table').getByRole('row').count()).toBe(2);
      await checkPage(page, item.shot);

      await page.getByRole('button', { name: `Edit ${item.name}` }).click();
      await dialog(page).getByLabel(item.edit[0], { exact: true }).fill(item.edit[1]);
      await dialog(page).getByRole('button', { name: 'Save' }).click();
      await row(page, item.edit[1]).waitFor();

      await page.getByRole('button', { name: `Delete ${item.name}` }).click();
      await checkPage(page, `${item.shot}-confirm-delete`);
      await dialog(page).getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => row(page, item.name).count()).toBe(0);
    });
  }

  it('pages and sorts 120 blocked senders on the server, and deletes selected rows in one batch', async () => {
    await open(page, 'Blocked senders');
    await search(page, 'bulk.example');
    const range = page.getByRole('navigation', { name: 'Pagination' }).locator('p');
    await expect.poll(() => range.textContent()).toContain('1–20 of 120');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => range.textContent()).toContain('21–40 of 120');
    await row(page, 'seed020@bulk.example').waitFor();
    await page.getByRole('button', { name: 'Last' }).click();
    await expect.poll(() => range.textContent()).toContain('101–120 of 120');

    const patternHeader = page.getByRole('columnheader', { name: /Pattern$|Pattern\s/ }).first();
    await page.getByRole('button', { name: /^Pattern/ }).click();
    await expect.poll(() => patternHeader.getAttribute('aria-sort')).toBe('ascending');
    await page.getByRole('button', { name: /^Pattern/ }).click();
    await expect.poll(() => patternHeader.getAttribute('aria-sort')).toBe('descending');
    await expect.poll(() => page.getByRole('row').nth(1).textContent()).toContain('seed119@bulk.example');

    await page.getByRole('checkbox', { name: 'Select seed119@bulk.example' }).check();
    await page.getByRole('checkbox', { name: 'Select seed118@bulk.example' }).check();
    await page.getByRole('button', { name: 'Delete selected (2)' }).click();
    await dialog(page).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => range.textContent()).toContain('of 118');
    const left = await request(server.origin, 'GET', settingsPath('block_senders', ACCOUNT) + '?search=bulk.example');
    expect(left.body.result_info.total_count).toBe(118);
  });

  it('shows the API’s error for a bad pattern next to the Pattern field', async () => {
    await open(page, 'Blocked senders');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog(page).getByLabel('Pattern', { exact: true }).fill('([unclosed');
    await dialog(page).getByLabel('Regex', { exact: true }).check();
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    const pattern = dialog(page).getByLabel('Pattern', { exact: true });
    await expect.poll(() => pattern.getAttribute('aria-invalid')).toBe('true');
    const error = dialog(page)
      .locator('.field', { has: page.getByLabel('Pattern', { exact: true }) })
      .locator('.field-error');
    expect(await error.textContent()).toMatch(/regular expression|regex|RE2/i);
    await checkPage(page, 'validation-error');
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
  });

  it('tests a message and shows the disposition, the matched setting linked to its record, and the explanation', async () => {
    const blocked = await request(server.origin, 'POST', settingsPath('block_senders', ACCOUNT), {
      body: { pattern: 'evil.example', pattern_type: 'DOMAIN', is_regex: false },
    });
    await open(page, 'Test a message');
    await page.getByLabel('From address').fill('boss@evil.example');
    await page.getByLabel('Recipients').fill('ceo@corp.example, ap@corp.example');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    const verdict = page.getByRole('region', { name: 'Verdict' });
    await expect.poll(() => verdict.locator('.disposition').textContent()).toContain('MALICIOUS');
    expect(await verdict.locator('.explanation li').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/blocked sender/i)]),
    );
    const link = verdict.getByRole('link', { name: /Blocked senders .*evil\.example/ });
    expect(await link.getAttribute('href')).toBe(`#/${ACCOUNT}/block_senders/${blocked.body.result.id}`);
    await checkPage(page, 'test-a-message');

    await page.getByLabel('Pasting an .eml').check();
    await page.getByLabel('Message source (.eml)').fill('From: Eve <boss@evil.example>\nTo: ceo@corp.example\nSubject: pay\n\nnow\n');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await expect.poll(() => verdict.locator('.disposition').textContent()).toContain('MALICIOUS');

    await link.click();
    await dialog(page)
      .getByRole('heading', { name: /Edit blocked sender/ })
      .waitFor();
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
  });

  it('reads the audit log with the record before and after, side by side, filtered as the API filters', async () => {
    await open(page, 'Audit log');
    await page.getByLabel('Action').selectOption('update');
    await page.getByLabel('Collection').selectOption('impersonation_registry');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const entry = page.getByRole('article').first();
    await expect.poll(() => entry.getByRole('heading').textContent()).toMatch(/^update registry entry/);
    const email = entry.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^email( \(changed\))?$/ }) });
    expect(await email.locator('td').allTextContents()).toEqual(['jane@corp.example', 'jane.doe@corp.example']);
    expect(await entry.textContent()).toContain('dashboard writer');
    await checkPage(page, 'audit-log');
  });

  it('import / export page, and the account picker', async () => {
    await open(page, 'Import / export');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    const file = await (await download).path();
    expect(JSON.parse(readFileSync(file, 'utf8')).account_id).toBe(ACCOUNT);
    await checkPage(page, 'import-export');
    await page.getByRole('link', { name: 'Change account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    await checkPage(page, 'accounts');
    await page.getByRole('link', { name: ACCOUNT }).click();
    await page.getByRole('heading', { level: 1, name: 'Allow policies' }).waitFor();
  });

  it('shows keyboard focus, and is usable at 375px wide', async () => {
    await open(page, 'Blocked senders');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const outline: { style: string; width: number } = await page.evaluate(
      '(() => { const style = getComputedStyle(document.activeElement); return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) }; })()',
    );
    expect(outline.style).not.toBe('none');
    expect(outline.width).toBeGreaterThanOrEqual(2);

    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    const add = page.getByRole('button', { name: 'Add', exact: true });
    expect(await add.isVisible()).toBe(true);
    await add.click();
    const box = await dialog(page).boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(SHOTS, 'narrow-add-form.png') });
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('signs out: the server ends the session and the cookie stops working', async () => {
    const cookie = (await context.cookies()).find((entry) => entry.name === 'mailwarden_session')!;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    const after = await request(server.origin, 'GET', settingsPath('block_senders', ACCOUNT), {
      anonymous: true,
      headers: { cookie: `mailwarden_session=${cookie.value}`, 'x-mailwarden-dashboard': '1' },
    });
    expect(after.status).toBeGreaterThanOrEqual(400);
  });
});

describe.skipIf(!SERVER_SIDE)('tokens behind dashboard sessions', { timeout: 60_000 }, () => {
  it('a read-only token sees no write controls', async () => {
    const reader = await createToken(server, { name: 'dashboard reader', accounts: [ACCOUNT], readOnly: true });
    const context = await browser.newContext();
    try {
      const page = await signIn(context, reader.secret);
      await open(page, 'Blocked senders');
      await row(page, 'bulk.example').first().waitFor();
      expect(await page.getByRole('button', { name: /^(Add|Delete|Edit)/ }).count()).toBe(0);
      expect(await page.getByRole('checkbox').count()).toBe(0);
      expect(await page.getByRole('button', { name: /^View / }).count()).toBeGreaterThan(0);
      await checkPage(page, 'read-only');
      await open(page, 'Import / export');
      expect(await page.getByRole('button', { name: 'Import' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('the session cookie stops working once its token is revoked', async () => {
    const doomed = await createToken(server, { name: 'soon revoked', accounts: [ACCOUNT] });
    const context = await browser.newContext();
    try {
      const page = await signIn(context, doomed.secret);
      const database = await openDatabase(server.databaseUrl);
      await createTokenStore(database.db).revoke(doomed.token.id);
      await database.close();
      const answer = await page.evaluate(
        async (path) => {
          const response = await fetch(path, { headers: { 'X-Mailwarden-Dashboard': '1' }, credentials: 'same-origin' });
          return response.status;
        },
        settingsPath('block_senders', ACCOUNT),
      );
      expect(answer).toBeGreaterThanOrEqual(400);
      await open(page, 'Trusted domains').catch(() => undefined);
      await page.getByLabel('API token').waitFor();
      expect(await page.getByText('Your session has ended').count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});

describe.skipIf(!SERVER_SIDE)('the dashboard over a server with MAILWARDEN_API_IDS=uuid', { timeout: 90_000 }, () => {
  let uuidServer: TestServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    uuidServer = await startServer({ apiIds: 'uuid' });
    const token = await createToken(uuidServer, { name: 'uuid writer', accounts: [ACCOUNT] });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(uuidServer.origin + '/');
    await page.getByLabel('API token').fill(token.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Allow policies' }).waitFor();
  });
  afterAll(async () => {
    await context?.close();
    await uuidServer?.close();
  });

  it('adds, opens by its uuid route, edits and deletes a blocked sender', async () => {
    await open(page, 'Blocked senders');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog(page).getByLabel('Pattern', { exact: true }).fill('uuid-sender@example.net');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await row(page, 'uuid-sender@example.net').waitFor();
    const listed = await request(uuidServer.origin, 'GET', settingsPath('block_senders', ACCOUNT) + '?search=uuid-sender');
    const id: string = listed.body.result[0].id;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    await page.goto(`${uuidServer.origin}/#/${ACCOUNT}/block_senders/${id}`);
    await dialog(page)
      .getByRole('heading', { name: /Edit blocked sender/ })
      .waitFor();
    await dialog(page).getByLabel('Notes', { exact: true }).fill('seen by uuid');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await row(page, 'seen by uuid').waitFor();

    await page.getByRole('button', { name: 'Delete uuid-sender@example.net' }).click();
    await dialog(page).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => row(page, 'uuid-sender@example.net').count()).toBe(0);
    const left = await request(uuidServer.origin, 'GET', settingsPath('block_senders', ACCOUNT) + '?search=uuid-sender');
    expect(left.body.result_info.total_count).toBe(0);
  });

  it('keeps URL ignore patterns: add, and a bad regular expression shown next to its field', async () => {
    await open(page, 'URL ignore patterns');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await dialog(page).getByLabel('Pattern', { exact: true }).fill('([unclosed');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    const pattern = dialog(page).getByLabel('Pattern', { exact: true });
    await expect.poll(() => pattern.getAttribute('aria-invalid')).toBe('true');
    await pattern.fill('^https://safe\\.example/');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await row(page, '^https://safe\\.example/').waitFor();
    const stored = await request(uuidServer.origin, 'GET', settingsPath('url_ignore_patterns', ACCOUNT));
    expect(stored.body.result.map((record: { pattern: string }) => record.pattern)).toEqual(['^https://safe\\.example/']);
    await checkPage(page, 'url-ignore-patterns');
  });
});
