import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRun, finishRun, getRun, goto, nowSeconds, openBrowser, settled, tags, uniqueName } from '../helpers.mjs';

// A time as the UI writes it, ending in the zone: "19 Jul, 14:05 UTC", "... CEST", "... GMT-4".
const WITH_ZONE = /\d{2}:\d{2} (UTC|GMT([+-]\d{1,2}(:\d{2})?)?|[A-Z]{2,5})$/;

describe('failed runs with a deadline, time zones, malformed tag filters', { timeout: 120000 }, () => {
  const name = uniqueName('e2e-failed');
  let browser;

  before(async () => {
    await createRun(name, 'failed-early', { deadline: nowSeconds() + 3600, tags: tags({ channel: 'web' }) });
    await finishRun(name, 'failed-early', 'FAILED');
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  it('the server sends no deadline status for a FAILED run, even with a deadline', async () => {
    const { body } = await getRun(name, 'failed-early');
    assert.equal(body.status, 'FAILED');
    assert.ok(body.deadline);
    assert.equal(body.deadline_status ?? null, null);
  });

  it('the run list shows its deadline, with the zone, and its deadline status', async () => {
    const { page } = browser;
    await goto(page, `?f_name=${name}`);
    const row = page.getByTestId('run-row').first();
    await row.waitFor();
    assert.equal(await row.getByTestId('deadline-status').getAttribute('data-status'), 'FAILED_BEFORE');
    const deadline = (await row.getByTestId('run-deadline').locator('time').innerText()).trim();
    assert.match(deadline, WITH_ZONE);
  });

  it('the run panel shows the same', async () => {
    const { page } = browser;
    await goto(page, `?process=${name}/failed-early`);
    const panel = page.getByTestId('run-detail');
    await panel.getByTestId('run-fields').waitFor();
    assert.equal(await panel.getByTestId('deadline-status').getAttribute('data-status'), 'FAILED_BEFORE');
    assert.match((await panel.getByTestId('detail-deadline-note').innerText()).trim(), /before the deadline/);
    assert.match((await panel.getByTestId('detail-started').locator('time').innerText()).trim(), WITH_ZONE);
  });

  it('a tag filter piece with an empty value is dropped, not sent', async () => {
    const { page } = browser;
    const sent = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/processes/') sent.push(new URL(req.url()).searchParams.get('tags'));
    });
    await goto(page, `?f_name=${name}&tags=channel:`);
    await page.getByTestId('run-row').first().waitFor();
    await settled(page);
    assert.deepEqual(sent, [null]);
  });
});
