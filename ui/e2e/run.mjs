// End-to-end runner: checks the server under test, then runs e2e/tests/*.test.mjs with node:test.
//   TOTRACKIT_E2E_BASE_URL=http://127.0.0.1:8080 npm run test:e2e [-- name-filter]
// Optional: TOTRACKIT_E2E_API_KEY (sent as X-API-KEY), CHROMIUM_PATH (default /usr/bin/chromium).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

function fail(message) {
  console.error(`e2e: ${message}`);
  process.exit(2);
}

const base = process.env.TOTRACKIT_E2E_BASE_URL;
if (!base) {
  fail(
    'TOTRACKIT_E2E_BASE_URL is not set. Start a ToTrackIt server that serves the built UI, then run\n' +
      '  TOTRACKIT_E2E_BASE_URL=http://127.0.0.1:8080 npm run test:e2e\n' +
      'or run the suite against the in-memory mock: npm run test:e2e:mock',
  );
}
const url = base.replace(/\/+$/, '');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) fail(`no Chromium at ${chromium}: apt-get install -y chromium, or set CHROMIUM_PATH.`);

async function preflight() {
  let health;
  try {
    health = await fetch(`${url}/health`);
  } catch (err) {
    fail(`cannot reach ${url}/health (${err.cause?.code ?? err.message}). Is the server running?`);
  }
  if (health.status >= 500 && health.status !== 503) fail(`${url}/health answered HTTP ${health.status}.`);
  const page = await fetch(`${url}/`, { headers: { Accept: 'text/html' } });
  const html = await page.text();
  if (!page.ok || !html.includes('id="root"')) {
    fail(`${url}/ does not serve the UI (HTTP ${page.status}). Build it with \`npm run build\` in ui/ and serve ui/dist from the server.`);
  }
}

await preflight();

const filters = process.argv.slice(2);
const dir = join(HERE, 'tests');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
  .map((f) => resolve(dir, f));
if (files.length === 0) fail(`no test file matches ${filters.join(', ')}`);

console.log(`e2e: ${files.length} files against ${url}`);
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: 'inherit', env: process.env });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
