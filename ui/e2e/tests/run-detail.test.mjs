import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRun, goto, nowSeconds, openBrowser, tags, uniqueName } from '../helpers.mjs';

describe('run detail and deep links', { timeout: 120000 }, () => {
  const name = uniqueName('e2e-detail');
  let browser;

  before(async () => {
    await createRun(name, 'plain-run', { deadline: nowSeconds() + 1800, tags: tags({ country: 'DE' }), context: { customerId: 'C-77' } });
    await createRun(name, 'order 42', { tags: tags({ channel: 'web' }) });
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('opens the run detail from /?process=NAME/ID', async () => {
    const { page } = browser;
    await goto(page, `?process=${name}/plain-run`);
    const panel = page.getByTestId('run-detail');
    await panel.getByTestId('run-fields').waitFor();
    assert.equal(await panel.getByTestId('detail-id').innerText(), 'plain-run');
    assert.equal(await panel.getByTestId('run-status').getAttribute('data-status'), 'ACTIVE');
    assert.equal(await panel.getByTestId('deadline-status').getAttribute('data-status'), 'ON_TRACK');
    assert.match(await panel.getByTestId('detail-deadline').innerText(), /in (29|30)m/);
    assert.match(await panel.getByTestId('detail-context').innerText(), /"customerId": "C-77"/);
    assert.match(await panel.getByTestId('detail-tags').innerText(), /country=\s*DE/);
  });

  it('decodes + as a space in the id, as webhook links encode it', async () => {
    const { page } = browser;
    await goto(page, `?process=${name}/order+42`);
    const panel = page.getByTestId('run-detail');
    await panel.getByTestId('run-fields').waitFor();
    assert.equal(await panel.getByTestId('detail-id').innerText(), 'order 42');
    await goto(page, `?process=${name}/order%2042`);
    await panel.getByTestId('run-fields').waitFor();
    assert.equal(await panel.getByTestId('detail-id').innerText(), 'order 42');
  });

  it('shows the API error for a run that does not exist', async () => {
    const { page } = browser;
    await goto(page, `?process=${name}/no-such-run`);
    const error = page.getByTestId('run-detail').getByTestId('error-state');
    await error.waitFor();
    assert.match(await error.innerText(), /not found|404/i);
  });

  it('opens from the run list and closes with the back button', async () => {
    const { page } = browser;
    await goto(page, `?name=${name}`);
    await page.locator('[data-testid="run-row"][data-run-id="plain-run"]').click();
    await page.waitForURL((u) => u.searchParams.get('process') === `${name}/plain-run` && u.searchParams.get('name') === name);
    await page.getByTestId('run-detail').getByTestId('run-fields').waitFor();
    await page.goBack();
    await page.getByTestId('run-detail').waitFor({ state: 'detached' });
    assert.equal(new URL(page.url()).searchParams.get('name'), name);
    await page.getByTestId('page-name').waitFor();
    assert.deepEqual(browser.pageErrors, []);
  });
});
