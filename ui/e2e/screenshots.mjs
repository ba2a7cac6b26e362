// Saves PNG screenshots of the main pages. Creates its own demo data through the API first.
//   TOTRACKIT_E2E_BASE_URL=http://127.0.0.1:8080 SCREENSHOT_DIR=../docs/images npm run screenshots

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { baseUrl, goto, openBrowser, settled } from './helpers.mjs';
import { seedDemo } from './seed.mjs';

if (!process.env.TOTRACKIT_E2E_BASE_URL) {
  console.error('screenshots: set TOTRACKIT_E2E_BASE_URL to a running ToTrackIt server, e.g. http://127.0.0.1:8080');
  process.exit(2);
}

const outDir = resolve(process.env.SCREENSHOT_DIR ?? '../docs/images');
mkdirSync(outDir, { recursive: true });

const demo = await seedDemo();
const shots = [
  ['dashboard', '', 'run-table'],
  ['name-page', `?name=${demo.activation}`, 'latency'],
  ['run-detail', `?process=${demo.detail.name}/${demo.detail.id}`, 'run-fields'],
  ['names', '?page=names', 'names-table'],
  ['tags', '?page=tags', 'tag-impact-table'],
  ['metrics', '?page=metrics', 'chart-names-bars'],
];

const browser = await openBrowser({ width: 1440, height: 900 });
let failed = false;
try {
  for (const [file, search, marker] of shots) {
    await goto(browser.page, search);
    await browser.page.getByTestId(marker).first().waitFor();
    await settled(browser.page);
    const path = resolve(outDir, `${file}.png`);
    await browser.page.screenshot({ path, fullPage: file !== 'run-detail' });
    console.log(`saved ${path}`);
  }
  if (browser.pageErrors.length) {
    failed = true;
    console.error('page errors:', browser.pageErrors.map(String).join('\n'));
  }
} finally {
  await browser.close();
}
console.log(`screenshots of ${baseUrl()} in ${outDir}`);
process.exit(failed ? 1 : 0);
