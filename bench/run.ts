/** `npm run bench [-- NAME ...]`: every benchmark, or the named ones. */
import { writeFile } from 'node:fs/promises';
import type { Benchmark } from './harness.ts';
import { runBenchmarks } from './harness.ts';

/** Registered benchmarks, loaded lazily so a partial run imports only what it needs. */
const registry: Array<{ name: string; load: () => Promise<Benchmark> }> = [
  { name: 'storage', load: async () => (await import('./storage.ts')).storageBenchmark },
  { name: 'explain', load: async () => (await import('./explain.ts')).explainBenchmark },
  { name: 'digest', load: async () => (await import('./digest.ts')).digestBenchmark },
  { name: 'lambdas', load: async () => (await import('./lambdas.ts')).lambdasBenchmark },
  { name: 'night', load: async () => (await import('./night.ts')).nightBenchmark },
  { name: 'history', load: async () => (await import('./history.ts')).historyBenchmark },
];

const only = process.argv.slice(2);
const unknown = only.filter((name) => !registry.some((entry) => entry.name === name));
if (unknown.length) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; known: ${registry.map((e) => e.name).join(', ')}`,
  );
  process.exit(2);
}
const benchmarks = await Promise.all(
  registry
    .filter((entry) => only.length === 0 || only.includes(entry.name))
    .map((entry) => entry.load()),
);
await runBenchmarks(benchmarks, only, new URL('../docs/BENCHMARKS.md', import.meta.url).pathname);
if (only.length === 0) {
  // The cost document prices fleets from the measurements this run just wrote.
  const { costReport } = await import('./cost-report.ts');
  const path = new URL('../docs/cost.md', import.meta.url).pathname;
  await writeFile(path, await costReport());
  console.log(`Wrote ${path}`);
}
