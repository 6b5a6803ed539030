/**
 * The benchmark harness behind `npm run bench`: runs every registered benchmark on this machine, prints each
 * table, and writes them all to docs/BENCHMARKS.md with the machine, versions and date. Each benchmark measures
 * its figure and its reference in the same run, so ratios hold on a noisy machine.
 */
import { writeFile } from 'node:fs/promises';
import { arch, cpus, platform, totalmem } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { forEachLimited } from '../core/poll-accounts.ts';
import { type EmbeddedService, startEmbeddedDynamoDb } from '../local/services.ts';

/** One benchmark's result: a table plus how to read it. */
export interface BenchSection {
  title: string;
  /** What was measured and against what reference. */
  description: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Target lines, e.g. "Target: explain ≤ 2× parse — met (1.4×)". */
  verdicts?: string[];
  /**
   * Per-operation quantities this run measured (e.g. `storage.writeUnitsPerPoll.200`), saved to
   * docs/measurements.json, where `likewatch cost` reads them.
   */
  measurements?: Record<string, number>;
}

/** A benchmark: a name for `npm run bench -- NAME` and a function that measures. */
export interface Benchmark {
  name: string;
  run(): Promise<BenchSection>;
}

/** Formats a number with a fixed number of decimals and thousands separators. */
export function fmt(value: number, decimals = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** Median of a sample (timings are noisy; the median resists outliers). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Runs `operation` for the indexes 0 … `count` − 1, `concurrency` at a time: how many it did a second. */
export async function ratePerSecond(
  count: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
): Promise<number> {
  const started = performance.now();
  await forEachLimited(
    Array.from({ length: count }, (_, index) => index),
    concurrency,
    async (index) => {
      await operation(index);
    },
  );
  return count / ((performance.now() - started) / 1000);
}

/** The local SES's ceiling: plain one-line emails sent a second, `concurrency` at a time. */
export function plainEmailsPerSecond(
  client: SESv2Client,
  count: number,
  concurrency: number,
): Promise<number> {
  return ratePerSecond(count, concurrency, (index) =>
    client.send(
      new SendEmailCommand({
        FromEmailAddress: 'digest@likewatch.test',
        Destination: { ToAddresses: [`ceiling${index}@example.com`] },
        Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
      }),
    ),
  );
}

function markdownTable(section: BenchSection): string {
  const header = `| ${section.columns.join(' | ')} |`;
  const rule = `| ${section.columns.map(() => '---').join(' | ')} |`;
  const rows = section.rows.map((row) => `| ${row.join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}

/** Runs `benchmarks` (all, or those named in `only`) and writes `outputPath`. */
export async function runBenchmarks(
  benchmarks: Benchmark[],
  only: string[],
  outputPath: string,
): Promise<void> {
  const selected = only.length
    ? benchmarks.filter((bench) => only.includes(bench.name))
    : benchmarks;
  const sections: BenchSection[] = [];
  const durations: Array<[string, number]> = [];
  const started = performance.now();
  for (const bench of selected) {
    console.log(`\n▸ ${bench.name}`);
    const benchStarted = performance.now();
    const section = await bench.run();
    durations.push([bench.name, (performance.now() - benchStarted) / 1000]);
    console.log(`${section.title}\n${markdownTable(section)}`);
    for (const verdict of section.verdicts ?? []) console.log(verdict);
    sections.push(section);
  }
  const timings = durations.map(([name, seconds]) => `${name} ${fmt(seconds)} s`).join(', ');
  console.log(`\nTimes: ${timings}`);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const document = [
    '# Benchmarks',
    '',
    `Measured ${new Date().toISOString()} on ${platform()} ${arch()}, ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}.`,
    '',
    `Reproduce with \`npm run bench\` (or \`npm run bench -- ${benchmarks.map((b) => b.name).join(' ')}\` for some).`,
    'Every figure below was measured in that run; ratios compare figures taken in the same run.',
    `The benchmarks took ${fmt((performance.now() - started) / 60_000, 1)} minutes (target for the whole run: under 10 minutes on a 2-core machine): ${timings}.`,
    '',
    ...sections.flatMap((section) => [
      `## ${section.title}`,
      '',
      section.description,
      '',
      markdownTable(section),
      '',
      ...(section.verdicts ?? []).map((verdict) => `- ${verdict}`),
      '',
    ]),
  ].join('\n');
  if (only.length === 0) {
    await writeFile(outputPath, document);
    const measurements = Object.assign(
      {},
      ...sections.map((section) => section.measurements ?? {}),
    );
    const measurementsPath = outputPath.replace(/BENCHMARKS\.md$/, 'measurements.json');
    await writeFile(
      measurementsPath,
      `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, measurements }, null, 2)}\n`,
    );
    console.log(`\nWrote ${outputPath} and ${measurementsPath}`);
  } else {
    console.log('\n(A partial run does not rewrite docs/BENCHMARKS.md.)');
  }
}

/** Whether a DynamoDB command reads, so its consumed capacity counts as read units. */
export function readsCapacity(commandName: string): boolean {
  return /^(Get|BatchGet|Query|Scan)/.test(commandName);
}

/** The capacity units a DynamoDB response reports (`ConsumedCapacity`: one entry, or a batch's list). */
export function consumedUnits(output: unknown): number {
  const consumed = (output as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity;
  return [consumed]
    .flat()
    .reduce(
      (sum: number, entry) =>
        sum + ((entry as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0),
      0,
    );
}

/** An embedded DynamoDB with a client and a document client on it, for the benchmarks that store things. */
export async function benchDynamoDb(): Promise<{
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  close(): Promise<void>;
}> {
  // Node 20 is supported by the SDK versions in use; its notice about future versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dynamo: EmbeddedService = await startEmbeddedDynamoDb();
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    client,
    doc,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}
