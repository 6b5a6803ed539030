#!/usr/bin/env node
// `npm test`: lint and format check, type check, then every vitest suite; ends with the line
// `N passed, N failed` (the two static checks count as one test each).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureChromium } from './ensure-chromium.mjs';

const env = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
};
const run = (label, command, args) => {
  console.log(`\n▸ ${label}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  return result.status === 0;
};

let passed = 0;
let failed = 0;
for (const [label, args] of [
  ['Biome (lint and format)', ['biome', 'ci', '--colors=off', '.']],
  ['TypeScript (tsc --noEmit)', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
]) {
  if (run(label, 'npx', ['--no-install', ...args])) passed += 1;
  else failed += 1;
}

ensureChromium();

const dir = mkdtempSync(join(tmpdir(), 'likewatch-test-'));
const report = join(dir, 'vitest.json');
run('Vitest', 'npx', [
  '--no-install',
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  // A suite that crashed before running its tests has no failed test to count; count it once.
  failed += results.testResults.filter(
    (suite) =>
      suite.status === 'failed' && suite.assertionResults.every((t) => t.status !== 'failed'),
  ).length;
} catch {
  console.error('vitest wrote no report: counting the test run as failed');
  failed += 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
