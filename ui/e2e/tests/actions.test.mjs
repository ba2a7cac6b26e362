import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRun, getRun, goto, nowSeconds, openBrowser, uniqueName } from '../helpers.mjs';

describe('create, complete, fail and delete through the UI', { timeout: 120000 }, () => {
  const name = uniqueName('e2e-actions');
  let browser;

  before(async () => {
    await createRun(name, 'to-fail', { deadline: nowSeconds() + 3600 });
    await createRun(name, 'to-delete');
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('creates a run with the form, then completes it', async () => {
    const { page } = browser;
    await goto(page, `?name=${name}`);
    await page.getByTestId('name-new-run').click();
    const form = page.getByTestId('create-run');
    assert.equal(await form.getByTestId('create-name').inputValue(), name);
    await form.getByTestId('create-id').fill('ui-created');
    await form.getByTestId('create-deadline-mode').selectOption('in');
    await form.getByTestId('create-deadline-amount').fill('30');
    await form.getByTestId('create-deadline-unit').selectOption('minutes');
    await form.getByTestId('tag-add').click();
    await form.getByTestId('tag-key').fill('country');
    await form.getByTestId('tag-value').fill('DE');
    await form.getByTestId('create-context').fill('{"customerId": "C-1"}');
    const before = nowSeconds();
    await form.getByTestId('create-submit').click();

    await page.waitForURL((u) => u.searchParams.get('process') === `${name}/ui-created`);
    const panel = page.getByTestId('run-detail');
    await panel.getByTestId('run-fields').waitFor();
    assert.equal(await panel.getByTestId('run-status').getAttribute('data-status'), 'ACTIVE');

    const created = await getRun(name, 'ui-created');
    assert.equal(created.status, 200);
    assert.deepEqual(created.body.tags, [{ key: 'country', value: 'DE' }]);
    assert.deepEqual(created.body.context, { customerId: 'C-1' });
    assert.ok(Math.abs(created.body.deadline - (before + 1800)) <= 5, `deadline ${created.body.deadline}`);

    await panel.getByTestId('action-complete').click();
    await page.getByTestId('toast').waitFor();
    await panel.locator('[data-testid="run-status"][data-status="COMPLETED"]').waitFor();
    const done = await getRun(name, 'ui-created');
    assert.equal(done.body.status, 'COMPLETED');
    assert.equal(done.body.deadline_status, 'COMPLETED_ON_TIME');
    await panel.getByTestId('action-complete').waitFor({ state: 'detached' });
  });

  it('shows the server error when the run already exists', async () => {
    const { page } = browser;
    await goto(page, `?name=${name}&new=1`);
    const form = page.getByTestId('create-run');
    await form.getByTestId('create-id').fill('to-delete');
    await form.getByTestId('create-deadline-mode').selectOption('none');
    await form.getByTestId('create-submit').click();
    const error = form.getByTestId('error-state');
    await error.waitFor();
    assert.match(await error.innerText(), /already exists|409/i);
  });

  it('fails a run', async () => {
    const { page } = browser;
    await goto(page, `?process=${name}/to-fail`);
    const panel = page.getByTestId('run-detail');
    await panel.getByTestId('action-fail').click();
    await panel.locator('[data-testid="run-status"][data-status="FAILED"]').waitFor();
    assert.equal((await getRun(name, 'to-fail')).body.status, 'FAILED');
  });

  it('deletes a run after confirmation', async () => {
    const { page } = browser;
    await goto(page, `?name=${name}&process=${name}/to-delete`);
    const panel = page.getByTestId('run-detail');
    await panel.getByTestId('action-delete').click();
    await panel.getByTestId('action-delete-cancel').click();
    assert.equal((await getRun(name, 'to-delete')).status, 200);
    await panel.getByTestId('action-delete').click();
    await panel.getByTestId('action-delete-confirm').click();
    await panel.waitFor({ state: 'detached' });
    assert.equal((await getRun(name, 'to-delete')).status, 404);
    await page.locator('[data-testid="run-row"][data-run-id="to-delete"]').waitFor({ state: 'detached' });
    assert.deepEqual(browser.pageErrors, []);
  });
});
