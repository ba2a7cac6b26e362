import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRun, finishRun, goto, nowSeconds, openBrowser, settled, tags, uniqueName } from '../helpers.mjs';

describe('dashboard', { timeout: 120000 }, () => {
  const name = uniqueName('e2e-dash');
  let browser;

  before(async () => {
    const now = nowSeconds();
    await createRun(name, 'dash-1', { deadline: now + 3600, tags: tags({ country: 'DE', channel: 'web' }) });
    await createRun(name, 'dash-2', { deadline: now + 3600, tags: tags({ country: 'FR', channel: 'web' }) });
    await createRun(name, 'dash-3', { tags: tags({ country: 'DE', channel: 'app' }) });
    await createRun(name, 'dash-4', { deadline: now - 20, tags: tags({ country: 'ES' }) });
    await finishRun(name, 'dash-3');
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  const rowIds = async (page) => {
    await settled(page);
    return (await page.getByTestId('run-row').evaluateAll((rows) => rows.map((r) => r.dataset.runId))).sort();
  };

  it('shows headline counts, the impacted tags panel and the newest runs', async () => {
    const { page } = browser;
    await goto(page, '');
    await page.getByTestId('summary').waitFor();
    await page.getByTestId('impacted-tags').waitFor();
    const total = Number((await page.getByTestId('summary-total').getByTestId('stat-value').innerText()).replace(/,/g, ''));
    assert.ok(total >= 4, `all runs ${total}`);
    await page.getByTestId('run-row').first().waitFor();
    assert.notEqual(await page.getByTestId('health-status').getAttribute('data-state'), 'unreachable');
  });

  it('filters narrow the list (name, status, deadline status, tags)', async () => {
    const { page } = browser;
    await goto(page, '');
    await page.getByTestId('filter-name').fill(name);
    await page.getByTestId('filter-apply').click();
    await page.waitForURL((u) => u.searchParams.get('f_name') === name);
    assert.deepEqual(await rowIds(page), ['dash-1', 'dash-2', 'dash-3', 'dash-4']);

    await page.getByTestId('filter-status').selectOption('COMPLETED');
    await page.waitForURL((u) => u.searchParams.get('status') === 'COMPLETED');
    assert.deepEqual(await rowIds(page), ['dash-3']);

    await page.getByTestId('filter-status').selectOption('');
    await page.getByTestId('filter-deadline-status').selectOption('MISSED');
    await page.waitForURL((u) => u.searchParams.get('deadlineStatus') === 'MISSED');
    assert.deepEqual(await rowIds(page), ['dash-4']);

    await page.getByTestId('filter-deadline-status').selectOption('');
    await page.getByTestId('filter-tags').fill('country:DE');
    await page.getByTestId('filter-apply').click();
    await page.waitForURL((u) => u.searchParams.get('tags') === 'country:DE' && !u.searchParams.has('deadlineStatus'));
    assert.deepEqual(await rowIds(page), ['dash-1', 'dash-3']);

    await page.getByTestId('filter-tags').fill('country:DE,channel:web');
    await page.getByTestId('filter-apply').click();
    await page.waitForURL((u) => u.searchParams.get('tags') === 'country:DE,channel:web');
    assert.deepEqual(await rowIds(page), ['dash-1']);
    assert.equal(await page.getByTestId('run-total').innerText(), '1 run');

    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('tags') === 'country:DE');
    assert.deepEqual(await rowIds(page), ['dash-1', 'dash-3']);

    await page.getByTestId('filter-clear').click();
    await page.waitForURL((u) => u.search === '');
    assert.deepEqual(browser.pageErrors, []);
  });

  it('sorts on the server when a column header is clicked', async () => {
    const { page } = browser;
    await goto(page, `?f_name=${name}`);
    await settled(page);
    await page.getByTestId('sort-started_at').click();
    await page.waitForURL((u) => u.searchParams.get('sort') === 'started_at:asc');
    await settled(page);
    const ids = await page.getByTestId('run-row').evaluateAll((rows) => rows.map((r) => r.dataset.runId));
    assert.deepEqual(ids, ['dash-1', 'dash-2', 'dash-3', 'dash-4']);
    await page.getByTestId('sort-started_at').click();
    await page.waitForURL((u) => u.searchParams.get('sort') === 'started_at:desc');
    await settled(page);
    const desc = await page.getByTestId('run-row').evaluateAll((rows) => rows.map((r) => r.dataset.runId));
    assert.deepEqual(desc, ['dash-4', 'dash-3', 'dash-2', 'dash-1']);
  });

  it('clicking a tag in a row adds it to the filter', async () => {
    const { page } = browser;
    await goto(page, `?f_name=${name}`);
    await page.locator('[data-testid="run-row"][data-run-id="dash-2"] [data-testid="tag-chip"]').first().click();
    await page.waitForURL((u) => u.searchParams.get('tags') === 'country:FR');
    assert.deepEqual(await rowIds(page), ['dash-2']);
  });
});
