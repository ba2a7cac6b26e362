import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiKey, createRun, finishRun, goto, nowSeconds, openBrowser, settled, sleep, tags, uniqueName } from '../helpers.mjs';

describe('names, tags and metrics pages, navigation and failure states', { timeout: 120000 }, () => {
  const name = uniqueName('e2e-pages');
  const marker = uniqueName('m');
  let browser;

  before(async () => {
    const now = nowSeconds();
    await createRun(name, 'pg-1', { deadline: now - 20, tags: tags({ e2e: marker }) });
    await createRun(name, 'pg-2', { deadline: now + 600, tags: tags({ e2e: marker }) });
    await sleep(1100);
    await finishRun(name, 'pg-2');
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('names page lists the process with its counts and links to it', async () => {
    const { page } = browser;
    // Busiest names come first; ours is small, so look it up across pages if needed.
    await goto(page, '?page=names');
    await page.getByTestId('names-table').waitFor();
    let row = page.locator(`[data-testid="names-row"][data-name="${name}"]`);
    while ((await row.count()) === 0 && !(await page.getByTestId('page-next').isDisabled())) {
      await page.getByTestId('page-next').click();
      await settled(page);
      row = page.locator(`[data-testid="names-row"][data-name="${name}"]`);
    }
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[1], '2'); // runs
    assert.equal(cells[3], '1'); // overdue
    await row.getByTestId('names-link').click();
    await page.waitForURL((u) => u.searchParams.get('name') === name);
    await page.getByTestId('page-name').waitFor();
  });

  it('tags page shows the tag with its problems, filtered by name', async () => {
    const { page } = browser;
    await goto(page, `?page=tags&f_name=${name}`);
    const row = page.locator(`[data-testid="tag-impact-row"][data-tag="e2e:${marker}"]`);
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[1], '2');
    assert.equal(cells[2], '1'); // overdue
    assert.match(await page.getByTestId('tags-overall').innerText(), /1 problems of 2 runs/);
    await row.getByTestId('tag-chip').click();
    await page.waitForURL((u) => u.searchParams.get('tags') === `e2e:${marker}`);
    await settled(page);
    assert.equal(await page.getByTestId('run-row').count(), 2);
  });

  it('metrics page draws its charts', async () => {
    const { page } = browser;
    await goto(page, '?page=metrics');
    for (const id of ['chart-status', 'chart-deadlines', 'chart-24h', 'chart-names-bars', 'chart-tag-problems']) {
      await page.getByTestId(id).waitFor();
    }
    assert.ok((await page.locator('[data-testid="chart-names-bars"] [data-testid="chart-row"]').count()) >= 1);
  });

  it('header navigation and the back button move between pages', async () => {
    const { page } = browser;
    await goto(page, '');
    await page.getByTestId('page-dashboard').waitFor();
    for (const [tab, testId] of [['nav-names', 'page-names'], ['nav-tags', 'page-tags'], ['nav-metrics', 'page-metrics']]) {
      await page.getByTestId(tab).click();
      await page.getByTestId(testId).waitFor();
    }
    await page.goBack();
    await page.getByTestId('page-tags').waitFor();
    await page.goBack();
    await page.getByTestId('page-names').waitFor();
    await page.goForward();
    await page.getByTestId('page-tags').waitFor();
    assert.equal(new URL(page.url()).search, '?page=tags');
  });

  it('explains an unreachable API and asks for a key on 401', async () => {
    const { page } = browser;
    await page.route((u) => u.pathname === '/analytics/summary', (route) => route.abort('connectionrefused'));
    await page.route((u) => u.pathname === '/processes/', (route) =>
      route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: 'UNAUTHORIZED', message: 'Missing or invalid X-API-KEY header', path: '/processes/' }) }),
    );
    try {
      await goto(page, '');
      await page.locator('[data-testid="error-state"][data-error-kind="network"]').waitFor();
      assert.match(await page.locator('[data-error-kind="network"]').innerText(), /Cannot reach the server/);
      await page.getByTestId('api-key-dialog').waitFor();
      await page.locator('[data-testid="error-state"][data-error-kind="unauthorized"]').waitFor();
    } finally {
      await page.unrouteAll();
    }
    assert.deepEqual(browser.pageErrors, []);
  });

  it('asks for the API key of a protected server and works once it is entered', { skip: !apiKey() && 'the server under test has no API key (set TOTRACKIT_E2E_API_KEY)' }, async () => {
    const fresh = await openBrowser({ withKey: false });
    try {
      const { page } = fresh;
      await goto(page, `?f_name=${name}`);
      const dialog = page.getByTestId('api-key-dialog');
      await dialog.waitFor();
      await dialog.getByTestId('api-key-input').fill(apiKey());
      await dialog.getByTestId('api-key-save').click();
      await dialog.waitFor({ state: 'detached' });
      await settled(page);
      assert.equal(await page.getByTestId('run-row').count(), 2);
      assert.equal(await page.locator('[data-error-kind="unauthorized"]').count(), 0);
      assert.deepEqual(fresh.pageErrors, []);
    } finally {
      await fresh.close();
    }
  });
});
