import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { RAW_POLL_RETENTION_DAYS } from '../../adapters/dynamodb/poll-history.ts';
import { VIDEO_PAGE_SIZE } from '../../adapters/tiktok/display-api-schemas.ts';
import { estimateMonthlyCost, type TikTokLoad } from '../../core/cost.ts';
import {
  type CostInput,
  type OperationQuantities,
  PRICES,
  type Region,
} from '../../core/cost-inputs.ts';
import { DEFAULT_HISTORY_DAYS, RAW_HISTORY_DAYS } from '../../core/thinned-history.ts';
import {
  DEFAULT_DIGEST_WORKER_CONCURRENCY,
  DEFAULT_POLL_IN_FLIGHT,
  DEFAULT_POLL_WORKER_CONCURRENCY,
  DEFAULT_SES_MAX_SEND_RATE,
  DEFAULT_TIKTOK_RATE_LIMIT_PER_MINUTE,
  DIGEST_BATCH_SIZE,
  FUNCTION_MEMORY_MB,
  type OptionalParts,
  POLL_BATCH_SIZE,
  POLL_TICK_MINUTES,
  stackFixedParts,
} from '../../deployment/fan-out.ts';
import { type Command, readArgs, UsageError, validateOptions } from '../command.ts';

/**
 * Subscription page requests per subscriber and month, assumed: the monthly share of a sign-up (form and
 * confirmation), a preferences visit and an unsubscribe; the pages are single requests, styles inline.
 */
const DEFAULT_PAGE_REQUESTS_PER_SUBSCRIBER = 3;

const MEASUREMENTS_PATH = new URL('../../docs/measurements.json', import.meta.url);

/** Storage was measured at these video counts (bench/storage.ts). */
const MEASURED_VIDEO_COUNTS = [50, 200, 1000, 5000];
/** The history read was measured for 200 videos polled every 6 hours (bench/storage.ts). */
const HISTORY_MEASURED_AT = { videos: 200, pollsPerDay: 4 };

const Measurements = z.object({
  measuredAt: z.string(),
  measurements: z.record(z.string(), z.number()),
});

const Options = z.object({
  accounts: z.coerce.number().int().positive(),
  videos: z.coerce.number().int().positive(),
  subscribers: z.coerce.number().int().nonnegative(),
  pollsPerDay: z.coerce.number().int().min(1).max(24),
  region: z.enum(Object.keys(PRICES.regions) as [Region, ...Region[]], {
    error: (issue) =>
      `no prices for ${JSON.stringify(issue.input)}: the price table (core/cost.ts) has ${Object.keys(PRICES.regions).join(', ')}; prices differ by region, so add the region's there, with their source, to price it`,
  }),
  retentionDays: z.coerce.number().int().positive(),
  historyDays: z.coerce.number().int().positive(),
  rollupDays: z.coerce.number().int().nonnegative(),
  tiktokLatencyMs: z.coerce.number().nonnegative(),
  tiktokRateLimit: z.coerce.number().int().min(2),
  pollWorkers: z.coerce.number().int().min(2).max(1000),
  sesRate: z.coerce.number().positive(),
  digestWorkers: z.coerce.number().int().min(2).max(1000),
  pageRequests: z.coerce.number().nonnegative(),
  dashboard: z.boolean(),
  detailedAlarms: z.boolean(),
  firewall: z.boolean(),
  customerKey: z.boolean(),
});

/** The options no fleet can be priced without. */
const REQUIRED = ['accounts', 'videos', 'subscribers', 'pollsPerDay'] as const;

/** Each optional fixed cost: its `likewatch cost` flag, its CDK context flag, what it is. */
const OPTIONAL_PARTS: Array<{ part: keyof OptionalParts; flag: string; what: string }> = [
  { part: 'dashboard', flag: '--dashboard', what: 'CloudWatch dashboard and its metrics' },
  { part: 'detailedAlarms', flag: '--detailed-alarms', what: 'an alarm per queue and function' },
  { part: 'firewall', flag: '--firewall', what: 'WAF per-client rate limits on the pages' },
  {
    part: 'customerKey',
    flag: '--customer-key',
    what: "a customer managed KMS key for the credentials' data keys",
  },
];

/** `likewatch cost`: the monthly AWS bill from the benchmark's measurements. */
export const costCommand: Command = {
  name: 'cost',
  summary: 'Estimate the monthly AWS bill from measured per-operation costs',
  usage: [
    'likewatch cost --accounts N --videos M --subscribers S --polls-per-day P [--region R]',
    '               [--dashboard] [--detailed-alarms] [--firewall] [--customer-key] [--page-requests 3]',
    `               [--retention-days ${RAW_POLL_RETENTION_DAYS}] [--rollup-days 365] [--history-days ${DEFAULT_HISTORY_DAYS}] [--tiktok-latency-ms 300]`,
    `               [--tiktok-rate-limit ${DEFAULT_TIKTOK_RATE_LIMIT_PER_MINUTE}] [--poll-workers ${DEFAULT_POLL_WORKER_CONCURRENCY}] [--ses-rate ${DEFAULT_SES_MAX_SEND_RATE}] [--digest-workers ${DEFAULT_DIGEST_WORKER_CONCURRENCY}]`,
    '',
    `Prices: ${Object.keys(PRICES.regions).join(', ')} list prices as of ${PRICES.asOf}; free tiers are ignored.`,
    'Per-operation quantities come from docs/measurements.json, written by `npm run bench`; function memory,',
    "batch sizes and concurrency are the stack's (deployment/fan-out.ts). --rollup-days is the deployment's age (daily",
    'roll-ups are kept for ever); --tiktok-latency-ms is the round trip of one TikTok request, which cannot be',
    'measured offline. --dashboard, --detailed-alarms, --firewall and --customer-key price the optional parts',
    'that the CDK context flags of the same names (`-c dashboard=true`, `-c detailedAlarms=true`, `-c firewall=true`,',
    '`-c customerKey=true`) deploy; --page-requests is the subscription page requests per subscriber and month.',
  ].join('\n'),
  async run(args) {
    const options = parseOptions(args);
    const bill = priceFleet(options, await loadMeasured());
    for (const line of bill.text) console.log(line);
    return 0;
  },
};

/** A priced fleet: the bill, and the lines the command prints for it. */
export interface PricedFleet {
  input: CostInput;
  totalUsd: number;
  fixedUsd: number;
  perThousandAccountsUsd: number;
  lines: ReturnType<typeof estimateMonthlyCost>['lines'];
  tiktok: TikTokLoad;
  text: string[];
}

/**
 * What TikTok's limit means for the fleet. The bill assumes every poll happens: when the fleet needs more
 * than the limit allows per app, it says so, since rounds would then overrun the cadence.
 */
function tiktokNote(load: TikTokLoad): string {
  const need = `The fleet needs ${fmt(Math.ceil(load.listRequestsPerMinute))} /v2/video/list/ requests a minute`;
  if (load.listRequestsPerMinute <= load.limitPerMinute) {
    return `${need}: within TikTok's ${fmt(load.limitPerMinute)} a minute per endpoint, even if counted per app.`;
  }
  return (
    `Warning: ${need}, over TikTok's ${fmt(load.limitPerMinute)} a minute per endpoint. If TikTok counts the ` +
    `limit per app, it allows ${load.pollsPerDayAllowed.toFixed(1)} polls a day per account and rounds overrun ` +
    `the cadence; ask TikTok for at least ${fmt(Math.ceil(load.listRequestsPerMinute))} a minute ` +
    '(--tiktok-rate-limit) or poll less often. Per creator, the limit is far off. The bill assumes every poll happens.'
  );
}

/** Prices the fleet the options describe, deployed as the stack deploys it (deployment/fan-out.ts). */
export function priceFleet(
  options: CostOptions,
  measurements: { measuredAt: string; measured: OperationQuantities },
): PricedFleet {
  const parts: OptionalParts = {
    dashboard: options.dashboard,
    detailedAlarms: options.detailedAlarms,
    firewall: options.firewall,
    customerKey: options.customerKey,
  };
  const input = costInput(options, parts);
  const { lines, totalUsd, fixedUsd, perThousandAccountsUsd, tiktok } = estimateMonthlyCost(
    input,
    measurements.measured,
  );
  // What each optional part adds or saves: the same fleet priced with its flag the other way.
  const optional = OPTIONAL_PARTS.map(({ part, flag, what }) => {
    const other = estimateMonthlyCost(
      costInput(options, { ...parts, [part]: !parts[part] }),
      measurements.measured,
    );
    const delta = Math.abs(other.totalUsd - totalUsd);
    const context = `-c ${part}=${parts[part] ? 'false' : 'true'}`;
    return parts[part]
      ? `- ${flag.slice(2)} on (${what}): ${usd(delta)} of it; deploy with ${context} to save it`
      : `- ${flag.slice(2)} off (${what}): ${context} (${flag} here) adds ${usd(delta)}`;
  });
  const fleetUsd = totalUsd - fixedUsd;
  const width = Math.max(...lines.map((line) => line.service.length), 'Per 1,000 accounts'.length);
  const row = (label: string, amount: number, usage = '') =>
    `  ${label.padEnd(width)}  ${usd(amount).padStart(10)}  ${usage}`.trimEnd();
  const text = [
    `Monthly AWS cost for ${fmt(options.accounts)} accounts × ${fmt(options.videos)} videos, ${fmt(options.subscribers)} subscribers, ${options.pollsPerDay} polls a day, ${fmt(options.rollupDays)} days of roll-ups (${options.region}, prices of ${PRICES.asOf}, measurements of ${measurements.measuredAt})`,
    'Per account (grows with the fleet):',
    ...lines
      .filter((line) => !line.fixed)
      .map((line) => row(line.service, line.monthlyUsd, line.usage)),
    row(
      'Per account, all',
      fleetUsd,
      `${usd((fleetUsd / options.accounts) * 1000)} per 1,000 accounts`,
    ),
    'Fixed (whatever the fleet):',
    ...lines
      .filter((line) => line.fixed)
      .map((line) => row(line.service, line.monthlyUsd, line.usage)),
    row('Fixed, all', fixedUsd),
    row('Total', totalUsd),
    row('Per 1,000 accounts', perThousandAccountsUsd),
    'Optional fixed parts (CDK context flags, all off by default):',
    ...optional,
    tiktokNote(tiktok),
  ];
  return { input, totalUsd, fixedUsd, perThousandAccountsUsd, lines, text, tiktok };
}

/** The cost model's input for the fleet the options describe, with the stack's optional parts as given. */
function costInput(options: CostOptions, parts: OptionalParts): CostInput {
  return {
    accounts: options.accounts,
    videosPerAccount: options.videos,
    subscribers: options.subscribers,
    pollsPerDay: options.pollsPerDay,
    region: options.region,
    retentionDays: options.retentionDays,
    rollupDays: options.rollupDays,
    historyDays: options.historyDays,
    rawHistoryDays: RAW_HISTORY_DAYS,
    pollTick: { memoryGb: FUNCTION_MEMORY_MB.pollTick / 1024, everyMinutes: POLL_TICK_MINUTES },
    digestTick: { memoryGb: FUNCTION_MEMORY_MB.digestTick / 1024 },
    pollWorker: {
      memoryGb: FUNCTION_MEMORY_MB.pollWorker / 1024,
      batchSize: POLL_BATCH_SIZE,
      concurrency: options.pollWorkers,
      inFlight: DEFAULT_POLL_IN_FLIGHT,
      tiktokRequestsPerMinute: options.tiktokRateLimit,
    },
    digestWorker: {
      memoryGb: FUNCTION_MEMORY_MB.digestWorker / 1024,
      batchSize: DIGEST_BATCH_SIZE,
      concurrency: options.digestWorkers,
      sesSendsPerSecond: options.sesRate,
    },
    tiktok: { latencyMsPerRequest: options.tiktokLatencyMs, videosPerListPage: VIDEO_PAGE_SIZE },
    pageRequestsPerSubscriber: options.pageRequests,
    stack: stackFixedParts(parts),
  };
}

/** Validated `likewatch cost` options. */
export type CostOptions = z.infer<typeof Options>;

/** The options of a `likewatch cost` command line, with their defaults. */
export function parseOptions(args: string[]): CostOptions {
  const { values } = readArgs(args, {
    accounts: { type: 'string' },
    videos: { type: 'string' },
    subscribers: { type: 'string' },
    'polls-per-day': { type: 'string' },
    region: { type: 'string', default: 'us-east-1' },
    'retention-days': { type: 'string', default: String(RAW_POLL_RETENTION_DAYS) },
    'history-days': { type: 'string', default: String(DEFAULT_HISTORY_DAYS) },
    'rollup-days': { type: 'string', default: '365' },
    'tiktok-latency-ms': { type: 'string', default: '300' },
    'tiktok-rate-limit': { type: 'string', default: String(DEFAULT_TIKTOK_RATE_LIMIT_PER_MINUTE) },
    'poll-workers': { type: 'string', default: String(DEFAULT_POLL_WORKER_CONCURRENCY) },
    'ses-rate': { type: 'string', default: String(DEFAULT_SES_MAX_SEND_RATE) },
    'digest-workers': { type: 'string', default: String(DEFAULT_DIGEST_WORKER_CONCURRENCY) },
    'page-requests': { type: 'string', default: String(DEFAULT_PAGE_REQUESTS_PER_SUBSCRIBER) },
    dashboard: { type: 'boolean', default: false },
    'detailed-alarms': { type: 'boolean', default: false },
    firewall: { type: 'boolean', default: false },
    'customer-key': { type: 'boolean', default: false },
  });
  // Without the fleet there is nothing to price: say how to describe one rather than list four NaNs.
  if (REQUIRED.every((name) => values[name] === undefined)) {
    throw new UsageError(`describe the fleet to price\nUsage: ${costCommand.usage}`);
  }
  return validateOptions(Options, values);
}

/** The measured quantities, or a clear error naming what is missing and how to measure it. */
export async function loadMeasured(): Promise<{
  measuredAt: string;
  measured: OperationQuantities;
}> {
  let file: z.infer<typeof Measurements>;
  try {
    file = Measurements.parse(JSON.parse(await readFile(MEASUREMENTS_PATH, 'utf8')));
  } catch (error) {
    throw new UsageError(
      `cannot read docs/measurements.json (${(error as Error).message}); run \`npm run bench\` first`,
    );
  }
  const values = file.measurements;
  const missing: string[] = [];
  const get = (key: string): number => {
    const value = values[key];
    if (value === undefined) missing.push(key);
    return value ?? Number.NaN;
  };
  const measured: OperationQuantities = {
    writeUnitsPerPoll: MEASURED_VIDEO_COUNTS.map((videos) => ({
      videos,
      units: get(`storage.writeUnitsPerPoll.${videos}`),
    })),
    readUnitsPerPollWrite: MEASURED_VIDEO_COUNTS.map((videos) => ({
      videos,
      units: get(`storage.readUnitsPerPollWrite.${videos}`),
    })),
    bytesPerPoll: MEASURED_VIDEO_COUNTS.map((videos) => ({
      videos,
      bytes: get(`storage.bytesPerPoll.${videos}`),
    })),
    bytesPerRollup: MEASURED_VIDEO_COUNTS.map((videos) => ({
      videos,
      bytes: get(`storage.bytesPerRollup.${videos}`),
    })),
    rollupMonthShare: get('storage.rollupMonthShare'),
    readUnitsPerHistoryDay: {
      ...HISTORY_MEASURED_AT,
      units: get('storage.readUnitsPerHistoryDay'),
    },
    readUnitsPerRollupDay: {
      videos: HISTORY_MEASURED_AT.videos,
      units: get('storage.readUnitsPerRollupDay'),
    },
    historyMsPerPollVideo: get('storage.historyMsPerPollVideo'),
    thinnedHistoryMsPerPollVideo: get('storage.thinnedHistoryMsPerPollVideo'),
    explainMsPerPollVideo: get('explain.msPerPollVideo'),
    credentialReadUnitsPerPoll: get('night.credentialReadUnitsPerAccountPoll'),
    readUnitsPerDigest: get('night.readUnitsPerDigest'),
    writeUnitsPerDigest: get('night.writeUnitsPerDigest'),
    pollMsPerAccount: get('night.pollBusyMsPerAccount'),
    pollTickMsPerJob: get('night.pollTickMsPerJob'),
    digestTickMsPerAccount: get('night.digestTickMsPerAccount'),
    writeUnitsPerAccountNight: get('night.writeUnitsPerAccountNight'),
    digestWorkerMsPerDigest: get('night.digestWorkerMsPerDigest'),
    logBytesPerAccountPoll: get('night.logBytesPerAccountPoll'),
    logBytesPerDigest: get('night.logBytesPerDigest'),
  };
  if (missing.length) {
    throw new UsageError(
      `docs/measurements.json lacks ${missing.join(', ')}; run \`npm run bench\` (all benchmarks) to measure them`,
    );
  }
  return { measuredAt: file.measuredAt, measured };
}

function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

function fmt(value: number): string {
  return value.toLocaleString('en-US');
}
