/**
 * Turns the figures the reliability and security suites recorded under `out/reliability/` (see
 * `test/reliability/harness.ts`) into `docs/RELIABILITY.md`. Run the suites first:
 *
 *   npx vitest run test/reliability test/security && npx tsx scripts/reliability-report.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEntry } from '../test/reliability/harness.ts';

const dir = join(process.cwd(), 'out', 'reliability');
const files = readdirSync(dir).filter((name) => name.endsWith('.json'));
const runs = files.map(
  (name) =>
    JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
      measuredAt: string;
      cores?: number;
      loadAverages?: number[];
      entries: LedgerEntry[];
    },
);
const entries = runs.flatMap((run) => run.entries);
const measuredAt = runs.map((run) => run.measuredAt).sort();
const loads = runs.flatMap((run) => run.loadAverages ?? []).sort((a, b) => a - b);
const cores = Math.max(...runs.map((run) => run.cores ?? 0));
const load =
  loads.length > 0
    ? `\nThe machine's 1-minute load average was ${loads[0]} to ${loads.at(-1)} on ${cores} cores while they ran: the
suites depend on no wall-clock deadline, so they hold on a busy machine.\n`
    : '';
const sum = (pick: (entry: LedgerEntry) => number | undefined) =>
  entries.reduce((total, entry) => total + (pick(entry) ?? 0), 0);

const row = (entry: LedgerEntry) =>
  `| ${entry.suite} | ${entry.name} | ${entry.faultsInjected ?? '–'} | ${entry.inputsFuzzed ?? '–'} | ${entry.duplicates} | ${entry.losses} | ${Object.entries(
    entry.details ?? {},
  )
    .map(([key, value]) => `${key} ${value}`)
    .join(', ')} |`;

const markdown = `# Reliability and abuse figures

Measured by the reliability and security suites (\`test/reliability/\`, \`test/security/\`), which run in
\`npm test\`; this page is generated from what they recorded (${measuredAt[0]} to ${measuredAt.at(-1)}).
${load}
Reproduce:

\`\`\`sh
npx vitest run test/reliability test/security && npx tsx scripts/reliability-report.ts
\`\`\`

## Totals

- Faults injected and survived: **${sum((entry) => entry.faultsInjected)}** (fake TikTok fault switches, DynamoDB
  and SES requests cut or answered with an error by the wire proxies, jobs cut by a worker deadline, runs killed).
- Inputs fuzzed: **${sum((entry) => entry.inputsFuzzed)}** generated requests, notifications and hostile strings.
- Duplicates found: **${sum((entry) => entry.duplicates)}** (polls beyond one per account and slot, emails beyond one per
  subscriber and morning).
- Losses found: **${sum((entry) => entry.losses)}** (an account and slot with neither a poll nor a recorded failure, a
  loss reported in a world that lost no like, a subscriber left without the morning's email, an address
  suppressed by an event that did not call for it, a hostile string that ran as script, a probe of the pages that
  got through).

## Per scenario

| Suite | Scenario | Faults injected | Inputs fuzzed | Duplicates | Losses | Measured |
| --- | --- | --- | --- | --- | --- | --- |
${entries.map(row).join('\n')}

What each scenario asserts, and the threats the security tests cover: [\`SECURITY.md\`](SECURITY.md).
`;

writeFileSync(join(process.cwd(), 'docs', 'RELIABILITY.md'), markdown);
console.log(`docs/RELIABILITY.md: ${entries.length} scenarios from ${files.length} files`);
