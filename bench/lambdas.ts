/**
 * Lambda bundles: each deployed function's bundle size and its cold import time in a fresh Node process (module
 * evaluation, client construction, configuration checks), against the import of an empty module measured in the
 * same run as the floor of starting a process.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { synthesizeBundles } from '../lib/synthesize-bundles.ts';
import { type Benchmark, type BenchSection, fmt, median } from './harness.ts';

const run = promisify(execFile);
const IMPORT_RUNS = 7;

/** Configuration a handler validates at cold start; values point nowhere, since nothing is invoked. */
const COLD_START_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  TABLE_NAME: 'likewatch-bench',
  POLL_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/likewatch-bench-poll',
  DIGEST_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/likewatch-bench-digest',
  DIGEST_PART_QUEUE_URL:
    'https://sqs.us-east-1.amazonaws.com/000000000000/likewatch-bench-digest-parts',
  SENDER_ADDRESS: 'likewatch <digest@example.com>',
  PUBLIC_BASE_URL: 'https://likewatch.example.com/',
  LINK_SIGNING_KEY: randomBytes(32).toString('base64url'),
  CREDENTIALS_LOCAL_KEY: randomBytes(32).toString('base64'),
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

/** Milliseconds to import `file` in a fresh process, measured inside it. */
async function coldImportMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run('node', ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...COLD_START_ENV },
  });
  return Number(stdout);
}

export const lambdasBenchmark: Benchmark = {
  name: 'lambdas',
  async run(): Promise<BenchSection> {
    const outdir = mkdtempSync(join(tmpdir(), 'likewatch-bench-bundles-'));
    try {
      const bundles = synthesizeBundles(outdir);
      const empty = join(outdir, 'empty.mjs');
      writeFileSync(empty, 'export {};\n');
      const floor = median(
        await Promise.all(Array.from({ length: IMPORT_RUNS }, () => coldImportMs(empty))),
      );
      const rows: Array<Array<string | number>> = [];
      const measurements: Record<string, number> = {};
      for (const bundle of bundles) {
        const times: number[] = [];
        // Sequential: parallel processes would compete for the two cores and inflate each other.
        for (let index = 0; index < IMPORT_RUNS; index += 1)
          times.push(await coldImportMs(bundle.path));
        const kb = statSync(bundle.path).size / 1024;
        const ms = median(times);
        rows.push([bundle.description, fmt(kb, 0), fmt(ms, 0), fmt(ms - floor, 0)]);
        measurements[`lambda.${bundle.logicalId}.bundleKb`] = kb;
        measurements[`lambda.${bundle.logicalId}.coldImportMs`] = ms;
      }
      return {
        title: 'Lambda bundles: size and cold import',
        description: `Each function's minified ESM bundle as synthesized for deployment (AWS SDK left to the runtime), and the median of ${IMPORT_RUNS} imports in a fresh Node ${process.version} process with its configuration set. An empty module imports in ${fmt(floor, 1)} ms in the same run.`,
        columns: ['Function', 'Bundle (KB)', 'Cold import (ms)', 'Above an empty module (ms)'],
        rows,
        measurements,
      };
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  },
};
