/**
 * Writes `docs/cost.md` from the latest measurements: every bill in it is what `npx likewatch cost` prints for
 * the command line shown, so the document cannot drift from the command. `npm run bench` (a full run) calls it
 * after writing `docs/measurements.json`; `npx tsx bench/cost-report.ts` rewrites it alone.
 */
import { writeFile } from 'node:fs/promises';
import { RAW_POLL_RETENTION_DAYS } from '../adapters/dynamodb/poll-history.ts';
import { loadMeasured, type PricedFleet, parseOptions, priceFleet } from '../cli/commands/cost.ts';
import { PRICES } from '../core/cost-inputs.ts';
import { WHOLE_FLEET_NIGHT_ACCOUNTS } from '../core/send-digests.ts';
import { DEFAULT_HISTORY_DAYS, RAW_HISTORY_DAYS } from '../core/thinned-history.ts';
import { DIGEST_BATCH_SIZE, FUNCTION_MEMORY_MB, POLL_BATCH_SIZE } from '../deployment/fan-out.ts';
import {
  ONE_CLICK_BURST_LIMIT,
  ONE_CLICK_RATE_LIMIT,
  PAGES_BURST_LIMIT,
  PAGES_RATE_LIMIT,
} from '../lib/constructs/subscription-api.ts';
import { fmt } from './harness.ts';

/** The large fleet's target: per 1,000 accounts a month, SES fees aside. */
const TARGET_PER_THOUSAND_USD = 0.6;
/** The small team's target: the whole monthly bill. */
const SMALL_TEAM_TARGET_USD = 1.5;
const FLEET = ['--videos', '50', '--polls-per-day', '4'];

/** The fleets the document prices: the targets', and how each assumption moves them. */
const SCENARIOS: Array<{ name: string; args: string[] }> = [
  {
    name: '100,000 accounts, a year of roll-ups (defaults)',
    args: ['--accounts', '100000', '--subscribers', '100000', ...FLEET],
  },
  {
    name: 'A small team: 10 accounts, 10 subscribers',
    args: ['--accounts', '10', '--subscribers', '10', ...FLEET],
  },
  {
    name: '1,000 accounts, a year of roll-ups',
    args: ['--accounts', '1000', '--subscribers', '1000', ...FLEET],
  },
  {
    name: '100,000 accounts, with the dashboard, detailed alarms and firewall',
    args: [
      ...['--accounts', '100000', '--subscribers', '100000', ...FLEET],
      ...['--dashboard', '--detailed-alarms', '--firewall'],
    ],
  },
  {
    name: '100,000 accounts, first month (30 days of roll-ups)',
    args: ['--accounts', '100000', '--subscribers', '100000', ...FLEET, '--rollup-days', '30'],
  },
  {
    name: '100,000 accounts, two years of roll-ups',
    args: ['--accounts', '100000', '--subscribers', '100000', ...FLEET, '--rollup-days', '730'],
  },
  {
    name: '100,000 accounts, TikTok round trips of 1 s',
    args: [
      ...['--accounts', '100000', '--subscribers', '100000', ...FLEET],
      ...['--tiktok-latency-ms', '1000'],
    ],
  },
  {
    name: '100,000 accounts, SES at 50 emails a second',
    args: [
      ...['--accounts', '100000', '--subscribers', '100000', ...FLEET],
      ...['--ses-rate', '50'],
    ],
  },
];

const usd = (value: number) => `$${value.toFixed(2)}`;
const line = (bill: PricedFleet, service: string) =>
  bill.lines.find((entry) => entry.service === service)?.monthlyUsd ?? 0;
const withoutSes = (bill: PricedFleet) =>
  ((bill.totalUsd - line(bill, 'SES')) / bill.input.accounts) * 1000;

/** The document, from the measurements in `docs/measurements.json`. */
export async function costReport(): Promise<string> {
  const measurements = await loadMeasured();
  const bills = SCENARIOS.map((scenario) => ({
    ...scenario,
    bill: priceFleet(parseOptions(scenario.args), measurements),
  }));
  const [main, small] = bills;
  if (!main || !small) throw new Error('the cost report needs its first two scenarios');
  const target = withoutSes(main.bill);
  const met = target <= TARGET_PER_THOUSAND_USD;
  const smallMet = small.bill.totalUsd <= SMALL_TEAM_TARGET_USD;
  const fixedLines = small.bill.lines
    .filter((entry) => entry.fixed && entry.monthlyUsd >= 0.005)
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
    .map((entry) => `${entry.service} ${usd(entry.monthlyUsd)}`)
    .join(', ');
  const largest = [...main.bill.lines]
    .filter((entry) => entry.service !== 'SES')
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd)
    .slice(0, 4)
    .map((entry) => `${entry.service} ${usd(entry.monthlyUsd)}`)
    .join(', ');
  const commandBlock = (bill: PricedFleet, args: string[]) => [
    '```console',
    `$ npx likewatch cost ${args.join(' ')}`,
    ...bill.text,
    '```',
  ];
  const { measured } = measurements;
  const price = PRICES.regions['us-east-1'];
  const idleLine = small.bill.lines.find((entry) => entry.service === 'SQS idle long polls');
  const idlePerQueue = (idleLine?.monthlyUsd ?? 0) / small.bill.input.stack.polledQueues;
  return [
    '# What it costs',
    '',
    'The monthly AWS bill of a deployment, from `npx likewatch cost`: per-operation quantities measured by one',
    '`npm run bench` run (`docs/measurements.json`, tables in [`BENCHMARKS.md`](BENCHMARKS.md)) times a dated price',
    'table (`core/cost-inputs.ts`), for the stack as deployed (function memory, batch sizes and worker concurrency from',
    '`deployment/fan-out.ts`). Free tiers are ignored; taxes and data transfer are not included. This document is written',
    'by `npm run bench` from the same measurements, so every bill below is what the command prints.',
    '',
    `## ${main.name.replace(' (defaults)', '')}`,
    '',
    ...commandBlock(main.bill, main.args),
    '',
    `## ${small.name}`,
    '',
    ...commandBlock(small.bill, small.args),
    '',
    '## The targets',
    '',
    `- A small team (10 accounts, 10 subscribers, 50 videos, 4 polls a day): at most ${usd(SMALL_TEAM_TARGET_USD)} a month all-in.`,
    `  **${smallMet ? 'Met' : 'NOT met'}**: ${usd(small.bill.totalUsd)}, of which ${usd(small.bill.fixedUsd)} is fixed (${fixedLines}).`,
    `- 100,000 accounts and subscribers, a year of roll-ups: at most ${usd(TARGET_PER_THOUSAND_USD)} per 1,000 accounts a month, SES`,
    `  fees aside. **${met ? 'Met' : 'NOT met'}**: ${usd(target)}. The largest lines without SES: ${largest}.`,
    '',
    'At 4 polls a day and 50 videos per account, with one subscriber per account:',
    '',
    '| Fleet | Total | Fixed | SES | Per 1,000 accounts − SES |',
    '| --- | --- | --- | --- | --- |',
    ...bills.map(
      ({ name, bill }) =>
        `| ${name} | ${usd(bill.totalUsd)} | ${usd(bill.fixedUsd)} | ${usd(line(bill, 'SES'))} | **${usd(withoutSes(bill))}** |`,
    ),
    '',
    "Storage grows with the deployment's age, because daily roll-ups are kept for ever. The fixed part is most of",
    "a small fleet's bill; above a few thousand accounts the lines that grow with the fleet are.",
    '',
    '## What each saving traded',
    '',
    'Each is the default now; the flag or constant that undoes it is named.',
    '',
    `- **Dashboard** (\`-c dashboard=true\`, ${usd(price.dashboardMonth)} a month plus its metrics at ${usd(price.customMetricMonth)} each): off by default. The`,
    '  functions publish their run metrics (embedded metric format, Powertools Metrics) only for the dashboard;',
    '  without it the run summaries are still in the logs, and the Logs Insights queries of `deploy.md` read them.',
    "- **Alarms**: one by default, a metric-math alarm reading every way polls or digests fail (the ticks' and",
    "  the jobs' dead-letter queues, failed polls against poll jobs done, digests SES refused): five metrics, and",
    `  CloudWatch bills an alarm per metric it reads, ${usd(price.alarmMetricMonth)} each. The three job queues share one dead-letter`,
    '  queue, so one metric watches them all, and a redrive still sends each job back to its own queue. The',
    '  failure metrics are published only when something failed, and CloudWatch bills a metric only for hours it',
    '  receives data, so a healthy month pays nothing for them. What the one alarm does not say, the detailed ones',
    '  (`-c detailedAlarms=true`) do: which dead-letter queue, which function threw, a poll backlog older than the',
    "  cadence, SES's bounce and complaint rates.",
    `- **WAF** (\`-c firewall=true\`, ${usd(price.wafWebAclMonth)} a web ACL, ${usd(price.wafRuleMonth)} a rule, ${usd(price.wafPerMillionRequests)} per million requests): off by default. Without it`,
    `  the pages keep API Gateway's stage throttle (${PAGES_RATE_LIMIT} requests a second, burst ${PAGES_BURST_LIMIT}) and a throttle of its own for`,
    `  the one-click unsubscribe (${ONE_CLICK_RATE_LIMIT}, burst ${ONE_CLICK_BURST_LIMIT}), and the app its own per-address limits (sign-ups per address an`,
    '  hour, emails per address a day, TikTok connections per address an hour); what is lost is the per-client',
    '  rate limit in front of the function, so one client can use up the shared stage throttle for a while.',
    `- **Raw polls are kept ${RAW_POLL_RETENTION_DAYS} days**, not 90: only the last ${RAW_HISTORY_DAYS} days are read poll by poll (the night's`,
    '  explanation, the charts); a second week lets a late poll or a failed roll-up still be rolled up. Older',
    '  history, exports included, is one poll a day from the roll-ups, which are kept for ever.',
    `- **The digest worker has ${FUNCTION_MEMORY_MB.digestWorker} MB**: it waits on its share of the SES rate far longer than it composes,`,
    '  and the wait is billed by memory.',
    '- **Secrets are standard SecureString parameters** (no fee; a Secrets Manager secret is $0.40 a month):',
    '  the TikTok client secret, which the operator puts, and the link-signing key, which the first function that',
    '  signs makes. What was traded: Secrets Manager could generate the key in the stack and rotate secrets on a',
    '  schedule; neither was used.',
    `- **No customer managed key by default** (\`-c customerKey=true\`, ${usd(price.kmsKeyMonth)} a month and its requests): the master key`,
    "  that wraps the credentials' data keys is a SecureString parameter made on first use, readable only by the",
    '  poll worker and the pages function, so whoever reads the table still cannot open a token. What was traded:',
    '  CloudTrail records each read of the parameter (a process reads it once), not each unwrap; revoking every',
    '  stored token at once means overwriting the parameter, not disabling a key; and the AWS managed key of',
    '  Parameter Store lets any principal of the account decrypt through the service, so `ssm:GetParameter` on',
    '  that one parameter is the only gate.',
    `- **Poll batches of ${POLL_BATCH_SIZE}** (\`POLL_BATCH_SIZE\` in \`deployment/fan-out.ts\`), not 10: a poll worker is billed mostly for`,
    "  waiting on TikTok's round trips, which a whole batch waits together. What was traded: SQS delivers more than",
    "  ten records only with a batching window, so a small fleet's poll waits up to 10 s before it starts.",
    "- **A day's later polls refer to its first** for their videos' ids and posting times (docs/data-model.md):",
    '  at 50 videos a poll without titles takes one write unit instead of two. What was traded: a batch read of',
    "  the day's first polls before each worker batch writes (the reads above), every poll a conditional write of",
    "  its own (a slot's first `ok` poll is never replaced), and a later poll expires with its day's first, up to a",
    '  cadence sooner.',
    `- **Not changed**: the three queues Lambda polls stay three; the idle long polls are ${usd(idlePerQueue)} a queue.`,
    '',
    '## Line by line',
    '',
    `- **Lambda**: invocations (a poll tick a minute, a digest tick an hour, a worker invocation per ${POLL_BATCH_SIZE} poll jobs or ${DIGEST_BATCH_SIZE} digest`,
    `  jobs) and GB-seconds. A poll worker invocation (${FUNCTION_MEMORY_MB.pollWorker} MB) is billed for its accounts' TikTok round trips (all`,
    '  at once; the profile with the first video page, the other pages, and a token refresh) plus the measured',
    '  compute per account-poll, stretched by the CPU share the memory buys (a full vCPU at 1,769 MB). Jobs arrive',
    "  spread over the cadence, so no worker waits for its share of TikTok's limit while the fleet's rate is",
    `  within it (the command says when it is not). A digest worker invocation (${FUNCTION_MEMORY_MB.digestWorker} MB) is billed for the`,
    '  slower of its compute (with decoding its accounts’ week of charts) and its share of the SES send rate. The',
    `  digest tick (${FUNCTION_MEMORY_MB.digestTick} MB) for reading and explaining each account's history once a night, scaled from the`,
    '  storage and explain benchmarks to the history read, and its other work per subscriber; the poll tick for',
    '  its index queries and its work per job.',
    "- **DynamoDB writes and reads**: write units per account-poll at the fleet's video count, roll-ups included,",
    `  and a token refresh a day per account; the history a night's explanation reads (${DEFAULT_HISTORY_DAYS} days: the last ${RAW_HISTORY_DAYS} poll`,
    "  by poll, the others from the daily roll-ups) and each digest's charts read (7 days); the reads that keep",
    "  roll-ups current and the poll worker's credentials read; the",
    '  other units of a digest (stored night, claim, sent marker, report) as the local night measured them; the',
    "  poll tick's index reads; Standard-IA prices.",
    "- **DynamoDB storage and backups**: raw polls for the retention period and daily roll-ups for the deployment's",
    '  age, at the bytes DynamoDB bills (attributes plus 100 bytes per item), priced for storage and point-in-time',
    '  recovery.',
    '- **SQS jobs**: ten jobs per `SendMessageBatch`, receive and `DeleteMessageBatch`.',
    '- **KMS requests**: the decrypt of each parameter a worker process reads (counted as a fresh process every',
    '  hour); with the customer key also a data key per poll worker every 15 minutes, and at most one unwrap per',
    '  key in use per worker every hour.',
    '- **SES**: one email per subscriber a day.',
    '- **CloudWatch Logs**: log bytes per account-poll and per digest at INFO, ingested and stored.',
    '- **API Gateway**: the subscription pages’ requests (`--page-requests` a subscriber a month), with WAF’s',
    '  per-request price when the firewall is on.',
    '- Fixed: **EventBridge Scheduler** (the poll schedule every minute, the hourly digest tick); **SQS idle long',
    '  polls** (the event sources poll each of their queues even when it is empty); **KMS customer managed key** (when on);',
    '  **CloudWatch metrics and alarms** (alarm metrics, and with the dashboard its metrics and itself); **WAF**',
    '  (its web ACL and rules, when on).',
    '- The last line says how many `/v2/video/list/` requests a minute the fleet needs against TikTok’s limit.',
    '',
    '## Measured and assumed',
    '',
    'Measured (one `npm run bench` run; see `BENCHMARKS.md` for the machine):',
    '',
    '- DynamoDB write units per account-poll, read units per poll write, and stored bytes per raw poll and per',
    '  daily roll-up at 50, 200, 1,000 and 5,000 videos; read units per day of history and the time to read and',
    `  decode it (${fmt(measured.historyMsPerPollVideo * 1000, 2)} µs per poll and video; the digest tick's thinned history ${fmt(measured.thinnedHistoryMsPerPollVideo * 1000, 2)} µs) (\`storage\`: capacity reported by the embedded`,
    '  DynamoDB, which sizes items as DynamoDB does).',
    `- The time to explain history (${fmt(measured.explainMsPerPollVideo * 1000, 3)} µs per poll and video, \`explain\`).`,
    `- This thread's busy time per account-poll (${fmt(measured.pollMsPerAccount, 2)} ms), per poll job sent by the tick`,
    `  (${fmt(measured.pollTickMsPerJob, 3)} ms), per account the digest tick explains (${fmt(measured.digestTickMsPerAccount, 2)} ms) and per digest in the workers`,
    `  (${fmt(measured.digestWorkerMsPerDigest, 2)} ms), and log bytes per account-poll (${fmt(measured.logBytesPerAccountPoll)}) and per digest (${fmt(measured.logBytesPerDigest)}) at`,
    '  `POWERTOOLS_LOG_LEVEL=INFO` (`night`: 10,000 accounts through the real handlers, taken as a full Lambda',
    "  vCPU). The embedded SQS and SES answer on the same thread, so these overstate the functions' own compute.",
    `- The credentials batch read per account-poll (${fmt(measured.credentialReadUnitsPerPoll, 2)} read units), a digest's other DynamoDB units`,
    `  (${fmt(measured.readUnitsPerDigest, 2)} read, ${fmt(measured.writeUnitsPerDigest, 2)} write) and the stored night's per account (${fmt(measured.writeUnitsPerAccountNight, 2)} write), consumed`,
    '  capacity as the same night reported it.',
    '',
    'Assumed (inputs with defaults; change them on the command line):',
    '',
    '- `--tiktok-latency-ms 300`: the round trip of one TikTok request; it cannot be measured offline.',
    '- `--tiktok-rate-limit 600` requests a minute per endpoint, shared by `--poll-workers 2`: only used to say',
    '  whether the fleet fits, if TikTok counts it per app (undocumented).',
    '- A token refresh a day per account (TikTok access tokens last 24 hours), storing one sealed item of under',
    '  1 KB; one account per digest (a creator following their own account); account items of 300 bytes and',
    '  DynamoDB round trips of 10 ms (the poll tick).',
    `- Each account explained once a night; a fleet of up to ${fmt(WHOLE_FLEET_NIGHT_ACCOUNTS)} accounts, which the digest tick explains whole for`,
    '  every delivery hour with subscribers due, as many times as there are subscribers, up to 24 (each in an hour',
    '  of their own).',
    "- `--ses-rate 14` emails a second shared by `--digest-workers 2`; `--rollup-days 365` (the deployment's age);",
    `  \`--retention-days ${RAW_POLL_RETENTION_DAYS}\` of raw polls; \`--page-requests 3\` a subscriber a month; \`--history-days ${DEFAULT_HISTORY_DAYS}\` read per night (the last ${RAW_HISTORY_DAYS} poll by poll, the`,
    '  rest a poll a day); 30.4 days a month; one email per subscriber a day; Lambda on Arm at the deployed',
    '  memory.',
    "- Five idle long-pollers per queue (Lambda's documented floor for an event source with a maximum",
    '  concurrency), three receives a minute each.',
    '',
    '## Prices',
    '',
    `US East (N. Virginia) list prices as of **${PRICES.asOf}**, from \`PRICES\` in \`core/cost-inputs.ts\`:`,
    '',
    ...PRICES.sources.map((source) => `- ${source}`),
    '',
    'Free tiers (Lambda, SQS, CloudWatch, KMS requests, the SES allowance) are ignored, so small fleets cost less',
    'than shown.',
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL('../docs/cost.md', import.meta.url).pathname;
  await writeFile(path, await costReport());
  console.log(`Wrote ${path}`);
}
