import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRun, finishRun, goto, nowSeconds, openBrowser, settled, sleep, tags, uniqueName } from '../helpers.mjs';

const DURATION = /^(\d+d )?(\d+h )?(\d+m )?\d+[smhd]$|^\d+[smhd]$/;

describe('per-name page', { timeout: 120000 }, () => {
  const name = uniqueName('e2e-name');
  const paged = uniqueName('e2e-paged');
  let browser;

  before(async () => {
    const now = nowSeconds();
    for (let i = 0; i < 4; i += 1) {
      await createRun(name, `lat-${i}`, { deadline: now + 3600, tags: tags({ country: i % 2 ? 'FR' : 'DE' }) });
    }
    await createRun(name, 'lat-late', { deadline: now - 20, tags: tags({ country: 'DE' }) });
    await sleep(1200);
    for (const id of ['lat-0', 'lat-1', 'lat-2', 'lat-late']) await finishRun(name, id);
    for (let i = 0; i < 22; i += 1) await createRun(paged, `p-${String(i).padStart(2, '0')}`);
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('shows totals and latency p50/p90/p99 for /?name=NAME', async () => {
    const { page } = browser;
    await goto(page, `?name=${name}`);
    assert.equal(await page.getByTestId('name-title').innerText(), name);
    await page.getByTestId('latency').waitFor();
    for (const p of ['p50', 'p90', 'p99']) {
      const text = (await page.getByTestId(`latency-${p}`).locator('.latency__value').innerText()).trim();
      assert.match(text, DURATION, `${p} = ${text}`);
    }
    assert.equal(await page.getByTestId('name-total').innerText(), '5');
    assert.equal(await page.getByTestId('name-problems').innerText(), '1');
    assert.equal(await page.getByTestId('name-completed').innerText(), '4');
  });

  it('shows the per-tag impact and latency table', async () => {
    const { page } = browser;
    await goto(page, `?name=${name}`);
    const de = page.locator('[data-testid="tag-impact-row"][data-tag="country:DE"]');
    await de.waitFor();
    const cells = await de.locator('td').allInnerTexts();
    assert.equal(cells[1], '3'); // runs with country=DE
    assert.equal(cells[3], '1'); // completed late
    assert.match((await de.getByTestId('tag-p90').innerText()).trim(), DURATION);
    await page.locator('[data-testid="tag-impact-row"][data-tag="country:FR"]').waitFor();
  });

  it('switches the period with the picker and the back button', async () => {
    const { page } = browser;
    await goto(page, `?name=${name}`);
    await page.getByTestId('latency').waitFor();
    await page.getByTestId('period-168').click();
    await page.waitForURL((u) => u.searchParams.get('window') === '168');
    assert.equal(await page.getByTestId('period-168').getAttribute('aria-pressed'), 'true');
    await settled(page);
    await page.getByTestId('latency-p50').waitFor();
    await page.getByTestId('period-1').click();
    await page.waitForURL((u) => u.searchParams.get('window') === '1');
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('window') === '168');
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has('window'));
    assert.equal(await page.getByTestId('period-24').getAttribute('aria-pressed'), 'true');
  });

  it('pages through recent runs on the server', async () => {
    const { page } = browser;
    await goto(page, `?name=${paged}`);
    const info = page.getByTestId('page-info');
    await info.waitFor();
    assert.equal(await info.innerText(), '1–20 of 22');
    assert.equal(await page.getByTestId('run-row').count(), 20);
    await page.getByTestId('page-next').click();
    await page.waitForURL((u) => u.searchParams.get('offset') === '20');
    await page.waitForFunction(() => document.querySelector('[data-testid="page-info"]')?.textContent === '21–22 of 22');
    const ids = await page.getByTestId('run-row').evaluateAll((rows) => rows.map((r) => r.dataset.runId));
    assert.deepEqual(ids, ['p-01', 'p-00']);
    assert.equal(await page.getByTestId('page-next').isDisabled(), true);
    assert.deepEqual(browser.pageErrors, []);
  });
});
