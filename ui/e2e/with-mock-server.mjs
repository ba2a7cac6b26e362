// Runs a script (the e2e runner or the screenshot script) against the in-memory mock server:
//   node e2e/with-mock-server.mjs e2e/run.mjs
// Builds the UI first when dist/ is missing. The real target remains the real server.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMockServer } from './mock-server.mjs';

const UI_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const script = process.argv[2];
if (!script) {
  console.error('usage: node e2e/with-mock-server.mjs <script.mjs> [args...]');
  process.exit(2);
}

if (!existsSync(resolve(UI_DIR, 'dist/index.html'))) {
  console.log('dist/ is missing: building the UI first');
  const build = spawnSync('npm', ['run', 'build'], { cwd: UI_DIR, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const mock = await startMockServer({ distDir: resolve(UI_DIR, 'dist') });
console.log(`mock server on ${mock.url}`);
const child = spawn(process.execPath, [script, ...process.argv.slice(3)], {
  cwd: UI_DIR,
  stdio: 'inherit',
  env: { ...process.env, TOTRACKIT_E2E_BASE_URL: mock.url, TOTRACKIT_E2E_API_KEY: process.env.MOCK_API_KEY ?? '' },
});
child.on('exit', async (code, signal) => {
  await mock.close();
  process.exit(code ?? (signal ? 1 : 0));
});
