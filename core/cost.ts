/**
 * The monthly AWS bill of a likewatch deployment, from the quantities the benchmarks measured per operation
 * (write and read units, durations, log bytes) and one table of prices. Pure: the caller loads the measurements.
 */

import { type CostInput, type CostLine, type OperationQuantities, PRICES } from './cost-inputs.ts';
import { CHART_DAYS } from './digest/likes-chart.ts';
import { countOf } from './format.ts';
import { MINUTES_PER_DAY } from './poll-schedule.ts';
import { WHOLE_FLEET_NIGHT_ACCOUNTS } from './send-digests.ts';
import { DAILY_ROLLUP_GRACE_DAYS } from './thinned-history.ts';

const DAYS_PER_MONTH = 30.4;
const HOURS_PER_MONTH = DAYS_PER_MONTH * 24;
const GB = 1024 ** 3;
/** Lambda gives one full vCPU at 1,769 MB and a proportional share below (Lambda developer guide). */
const FULL_VCPU_GB = 1769 / 1024;
/**
 * An SQS event source with a maximum concurrency keeps five pollers long-polling (20 s) each queue, even
 * idle (Lambda developer guide, "Configuring scaling behavior for SQS event source mappings").
 */
const IDLE_POLLERS_PER_QUEUE = 5;
const RECEIVES_PER_POLLER_MINUTE = 3;
/**
 * With the customer key, the credential cipher seals with one data key for 15 minutes and keeps unwrapped keys for an hour: at most one
 * GenerateDataKey per sealing worker every 15 minutes, and one Decrypt per key in use per worker every hour.
 */
const DATA_KEYS_PER_HOUR = 4;
const UNWRAPS_PER_KEY_HOUR = 1;
/** Access tokens live 24 hours, so every stored credential is sealed again at least once a day. */
const CREDENTIAL_RESEAL_HOURS = 24;
/** Each refresh stores the rotated credentials: one sealed item, well under 1 KB. */
const WRITE_UNITS_PER_TOKEN_REFRESH = 1;
/** Parameters a worker process reads: the poll worker the credentials key and the TikTok secret, the digest
 * worker the link-signing key. */
const PARAMETERS_PER_WORKER = { poll: 2, digest: 1 } as const;
/** Messages one SQS send, receive or delete request carries at most. */
const SQS_MESSAGES_PER_REQUEST = 10;
/** Accounts in a digest: a creator following their own account. */
const ACCOUNTS_PER_DIGEST = 1;
/** An account item as the poll tick reads it from the index (id, handle, source, status, dates), bytes. */
const ACCOUNT_ITEM_BYTES = 300;
/** The round trip of one DynamoDB request from Lambda in the same region, ms (the poll tick's index queries). */
const DYNAMODB_LATENCY_MS = 10;
/** Index queries the poll tick runs at once. */
const TICK_QUERIES_IN_FLIGHT = 8;

/** What TikTok's rate limit makes of the fleet's polling: requests a minute on the busiest endpoint. */
export interface TikTokLoad {
  /** `/v2/video/list/` requests a minute the fleet needs on average (the busiest endpoint). */
  listRequestsPerMinute: number;
  /** The limit per endpoint, if TikTok counts it per app. */
  limitPerMinute: number;
  /** Polls a day per account the limit allows, if it is counted per app. */
  pollsPerDayAllowed: number;
}

/** Linear interpolation over measured points (clamped to the measured range's ends, scaled beyond). */
export function interpolate(points: Array<{ x: number; y: number }>, x: number): number {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (!first || !last) throw new Error('no measured points to interpolate');
  if (x <= first.x) return first.y * (x / first.x);
  if (x >= last.x) return last.y * (x / last.x);
  for (let index = 1; index < sorted.length; index++) {
    const left = sorted[index - 1] as { x: number; y: number };
    const right = sorted[index] as { x: number; y: number };
    if (x <= right.x) return left.y + ((right.y - left.y) * (x - left.x)) / (right.x - left.x);
  }
  return last.y;
}

/** Seconds a function with `memoryGb` takes for `fullCoreSeconds` of compute measured on a full core. */
function computeSeconds(fullCoreSeconds: number, memoryGb: number): number {
  return fullCoreSeconds * Math.max(1, FULL_VCPU_GB / memoryGb);
}

/** Video-list pages of one account-poll. */
function listPages(input: CostInput): number {
  return Math.max(1, Math.ceil(input.videosPerAccount / input.tiktok.videosPerListPage));
}

/** The TikTok requests a minute the fleet needs, and what the limit allows if counted per app. */
export function tiktokLoad(input: CostInput): TikTokLoad {
  const pages = listPages(input);
  const listRequestsPerMinute = (input.accounts * input.pollsPerDay * pages) / MINUTES_PER_DAY;
  const limitPerMinute = input.pollWorker.tiktokRequestsPerMinute;
  return {
    listRequestsPerMinute,
    limitPerMinute,
    pollsPerDayAllowed: (limitPerMinute * MINUTES_PER_DAY) / (input.accounts * pages),
  };
}

/**
 * Billed seconds of one poll worker invocation: its accounts' TikTok round trips (the batch's accounts at once,
 * `inFlight` at a time; each account's profile and first video page together, then the other pages, and a
 * token refresh, which a batch nearly always has one of), plus the compute at the function's CPU share.
 * Jobs arrive spread over the cadence (a tick a minute), so a worker does not wait for its share of TikTok's
 * limit while the fleet's rate is within it (see {@link tiktokLoad}).
 */
export function pollInvocationSeconds(input: CostInput, msPerAccount: number): number {
  const { pollWorker, tiktok } = input;
  const waves = Math.ceil(
    pollWorker.batchSize / Math.min(pollWorker.inFlight, pollWorker.batchSize),
  );
  const roundTrips = listPages(input) + 1;
  const latency = (waves * roundTrips * tiktok.latencyMsPerRequest) / 1000;
  const compute = computeSeconds((pollWorker.batchSize * msPerAccount) / 1000, pollWorker.memoryGb);
  return latency + compute;
}

/** Billed seconds of one digest worker invocation: compute, or its share of the SES rate if slower. */
export function digestInvocationSeconds(input: CostInput, msPerDigest: number): number {
  const { digestWorker } = input;
  const compute = computeSeconds(
    (digestWorker.batchSize * msPerDigest) / 1000,
    digestWorker.memoryGb,
  );
  const paced =
    digestWorker.batchSize / (digestWorker.sesSendsPerSecond / digestWorker.concurrency);
  return Math.max(compute, paced);
}

/** The monthly bill by service, its total, and what TikTok's limit makes of the fleet. */
export function estimateMonthlyCost(
  input: CostInput,
  measured: OperationQuantities,
): {
  lines: CostLine[];
  totalUsd: number;
  fixedUsd: number;
  perThousandAccountsUsd: number;
  tiktok: TikTokLoad;
} {
  const price = PRICES.regions[input.region];
  const accountPolls = input.accounts * input.pollsPerDay * DAYS_PER_MONTH;
  const digests = input.subscribers * DAYS_PER_MONTH;
  const accountNights = input.accounts * DAYS_PER_MONTH;
  // Each account's night is explained once a day; a small fleet is explained whole for every delivery hour
  // with subscribers due, at most one an hour (every subscriber in an hour of their own).
  const explainedAccountNights =
    accountNights *
    (input.accounts <= WHOLE_FLEET_NIGHT_ACCOUNTS
      ? Math.min(24, Math.max(1, input.subscribers))
      : 1);
  const atVideos = (points: Array<{ videos: number; value: number }>) =>
    interpolate(
      points.map((point) => ({ x: point.videos, y: point.value })),
      input.videosPerAccount,
    );

  // The history a night's explanation reads (each account's, once a night: the latest days poll by poll, the
  // rest a poll a day) and each digest's charts read (poll by poll).
  const rawDays = Math.min(input.rawHistoryDays, input.historyDays);
  const dailyDays = input.historyDays - rawDays;
  const historyPollVideos = (rawDays * input.pollsPerDay + dailyDays) * input.videosPerAccount;
  const chartPollVideos = CHART_DAYS * input.pollsPerDay * input.videosPerAccount;
  const history = measured.readUnitsPerHistoryDay;
  const historyDayUnits =
    history.units *
    (input.pollsPerDay / history.pollsPerDay) *
    (input.videosPerAccount / history.videos);
  const rollupDayUnits =
    measured.readUnitsPerRollupDay.units *
    (input.videosPerAccount / measured.readUnitsPerRollupDay.videos);

  // Daily roll-ups stand for this month and, until the grace ends, the last; finished months are one record.
  const rollupBytes = atVideos(measured.bytesPerRollup.map((p) => ({ ...p, value: p.bytes })));
  const dailyRollupDays = Math.min(input.rollupDays, DAYS_PER_MONTH / 2 + DAILY_ROLLUP_GRACE_DAYS);
  const rollupsGb =
    (input.accounts *
      rollupBytes *
      (dailyRollupDays + (input.rollupDays - dailyRollupDays) * measured.rollupMonthShare)) /
    GB;
  // Rolling a month into one record: its days read back, the record written.
  const monthRecordUnits = Math.ceil(
    (DAYS_PER_MONTH * rollupBytes * measured.rollupMonthShare) / 1024,
  );
  const monthReadUnits = (DAYS_PER_MONTH * rollupBytes * 0.5) / 4096;
  const writeUnits =
    accountPolls * atVideos(measured.writeUnitsPerPoll.map((p) => ({ ...p, value: p.units }))) +
    accountNights * (24 / CREDENTIAL_RESEAL_HOURS) * WRITE_UNITS_PER_TOKEN_REFRESH +
    input.accounts * monthRecordUnits +
    explainedAccountNights * measured.writeUnitsPerAccountNight +
    digests * measured.writeUnitsPerDigest;
  // The poll tick reads its minute's accounts from the index: half a unit per 4 KB, at least one per query.
  const pollTicks = (MINUTES_PER_DAY / input.pollTick.everyMinutes) * DAYS_PER_MONTH;
  // A tick reads each due minute of the day: `pollsPerDay` of them for each minute it covers.
  const queriesPerTick = Math.min(
    MINUTES_PER_DAY,
    Math.ceil(input.pollsPerDay * input.pollTick.everyMinutes),
  );
  const tickReadUnits =
    pollTicks * queriesPerTick * 0.5 + (accountPolls * ACCOUNT_ITEM_BYTES * 0.5) / 4096;
  const readUnits =
    explainedAccountNights * (rawDays * historyDayUnits + dailyDays * rollupDayUnits) +
    digests * ACCOUNTS_PER_DIGEST * CHART_DAYS * historyDayUnits +
    accountPolls *
      (atVideos(measured.readUnitsPerPollWrite.map((p) => ({ ...p, value: p.units }))) +
        measured.credentialReadUnitsPerPoll) +
    digests * measured.readUnitsPerDigest +
    input.accounts * monthReadUnits +
    tickReadUnits;
  const pollsGb =
    (input.accounts *
      input.pollsPerDay *
      input.retentionDays *
      atVideos(measured.bytesPerPoll.map((p) => ({ ...p, value: p.bytes })))) /
    GB;
  const storedGb = pollsGb + rollupsGb;

  // Lambda. Workers: a batch per invocation. Ticks: the poll tick every few minutes, the digest tick hourly,
  // which explains each account's nights (the history read and explained, scaled from the benchmarks).
  const pollInvocations = accountPolls / input.pollWorker.batchSize;
  const digestInvocations = digests / input.digestWorker.batchSize;
  const digestTicks = 24 * DAYS_PER_MONTH;
  const pollGbSeconds =
    pollInvocations *
    pollInvocationSeconds(input, measured.pollMsPerAccount) *
    input.pollWorker.memoryGb;
  const chartMs = ACCOUNTS_PER_DIGEST * chartPollVideos * measured.historyMsPerPollVideo;
  const digestGbSeconds =
    digestInvocations *
    digestInvocationSeconds(input, measured.digestWorkerMsPerDigest + chartMs) *
    input.digestWorker.memoryGb;
  const pollTickSeconds =
    pollTicks * Math.ceil(queriesPerTick / TICK_QUERIES_IN_FLIGHT) * (DYNAMODB_LATENCY_MS / 1000) +
    computeSeconds((accountPolls * measured.pollTickMsPerJob) / 1000, input.pollTick.memoryGb);
  const explainMsPerNight =
    historyPollVideos * (measured.thinnedHistoryMsPerPollVideo + measured.explainMsPerPollVideo);
  const digestTickSeconds = computeSeconds(
    (explainedAccountNights * (explainMsPerNight + measured.digestTickMsPerAccount)) / 1000,
    input.digestTick.memoryGb,
  );
  const tickGbSeconds =
    pollTickSeconds * input.pollTick.memoryGb + digestTickSeconds * input.digestTick.memoryGb;
  const gbSeconds = pollGbSeconds + digestGbSeconds + tickGbSeconds;
  const invocations = pollInvocations + digestInvocations + pollTicks + digestTicks;

  // Jobs travel at most ten to a request, whatever a worker's batch: SendMessageBatch, the event source's
  // ReceiveMessage, DeleteMessageBatch.
  const perRequest = (batchSize: number) => Math.min(SQS_MESSAGES_PER_REQUEST, batchSize);
  const jobRequests =
    Math.ceil(accountPolls / perRequest(input.pollWorker.batchSize)) * 3 +
    Math.ceil(digests / perRequest(input.digestWorker.batchSize)) * 3;
  const idleReceives =
    input.stack.polledQueues *
    IDLE_POLLERS_PER_QUEUE *
    RECEIVES_PER_POLLER_MINUTE *
    60 *
    HOURS_PER_MONTH;
  const logGb =
    (accountPolls * measured.logBytesPerAccountPoll + digests * measured.logBytesPerDigest) / GB;

  const { stack } = input;
  const workerHours = input.pollWorker.concurrency * HOURS_PER_MONTH;
  // Secrets read from Parameter Store: each worker process reads its parameters once, and KMS decrypts each
  // read; counted as a fresh process every hour.
  const parameterReads =
    (input.pollWorker.concurrency * PARAMETERS_PER_WORKER.poll +
      input.digestWorker.concurrency * PARAMETERS_PER_WORKER.digest) *
    HOURS_PER_MONTH;
  // With the customer key, data keys: one per poll worker every 15 minutes. Unwraps: per worker and hour, each
  // key it meets, which is at most every key sealed in the last day and at most one per account it polls.
  // Without it, the data keys are wrapped in the process, by the master key read from its parameter.
  const keysInUse = input.pollWorker.concurrency * DATA_KEYS_PER_HOUR * CREDENTIAL_RESEAL_HOURS;
  const dataKeyRequests =
    stack.customerKeys > 0
      ? workerHours * DATA_KEYS_PER_HOUR +
        workerHours *
          UNWRAPS_PER_KEY_HOUR *
          Math.min(keysInUse, Math.ceil(accountPolls / workerHours))
      : 0;
  const kmsRequests = parameterReads + dataKeyRequests;
  const pageRequests = input.subscribers * input.pageRequestsPerSubscriber;

  const lines: CostLine[] = [
    {
      service: 'Lambda',
      usage: `${round(invocations)} invocations, ${round(gbSeconds)} GB-s (poll workers ${round(pollGbSeconds)}, digest workers ${round(digestGbSeconds)}, ticks ${round(tickGbSeconds)})`,
      monthlyUsd:
        (invocations / 1e6) * price.lambdaRequestPerMillion + gbSeconds * price.lambdaArmGbSecond,
      fixed: false,
    },
    {
      service: 'DynamoDB writes',
      usage: `${round(writeUnits)} write units`,
      monthlyUsd: (writeUnits / 1e6) * price.dynamoWritePerMillion,
      fixed: false,
    },
    {
      service: 'DynamoDB reads',
      usage: `${round(readUnits)} read units`,
      monthlyUsd: (readUnits / 1e6) * price.dynamoReadPerMillion,
      fixed: false,
    },
    {
      service: 'DynamoDB storage and backups',
      usage: `${storedGb.toFixed(2)} GB (raw polls ${pollsGb.toFixed(2)}, roll-ups ${rollupsGb.toFixed(2)})`,
      monthlyUsd: storedGb * (price.dynamoStorageGbMonth + price.dynamoPitrGbMonth),
      fixed: false,
    },
    {
      service: 'SQS jobs',
      usage: `${round(jobRequests)} requests`,
      monthlyUsd: (jobRequests / 1e6) * price.sqsPerMillionRequests,
      fixed: false,
    },
    {
      service: 'KMS requests',
      usage: `${round(kmsRequests)} requests`,
      monthlyUsd: (kmsRequests / 10_000) * price.kmsPerTenThousandRequests,
      fixed: false,
    },
    {
      service: 'SES',
      usage: `${round(digests)} emails`,
      monthlyUsd: (digests / 1000) * price.sesPerThousandEmails,
      fixed: false,
    },
    {
      service: 'CloudWatch Logs',
      usage: `${logGb.toFixed(2)} GB`,
      monthlyUsd: logGb * (price.logsIngestPerGb + price.logsStoragePerGbMonth),
      fixed: false,
    },
    {
      service: 'API Gateway',
      usage: `${round(pageRequests)} page requests`,
      monthlyUsd:
        (pageRequests / 1e6) *
        (price.apiGatewayRestPerMillion + (stack.webAcls > 0 ? price.wafPerMillionRequests : 0)),
      fixed: false,
    },
    {
      service: 'EventBridge Scheduler',
      usage: `${round(pollTicks + digestTicks)} invocations`,
      monthlyUsd: ((pollTicks + digestTicks) / 1e6) * price.schedulerPerMillionInvocations,
      fixed: true,
    },
    {
      service: 'SQS idle long polls',
      usage: `${stack.polledQueues} queues, ${round(idleReceives)} receives`,
      monthlyUsd: (idleReceives / 1e6) * price.sqsPerMillionRequests,
      fixed: true,
    },
    {
      service: 'KMS customer managed key',
      usage: `${countOf(stack.customerKeys, 'key')} (secrets: standard parameters, no fee)`,
      monthlyUsd: stack.customerKeys * price.kmsKeyMonth,
      fixed: true,
    },
    {
      service: 'CloudWatch metrics and alarms',
      // Metrics published only in hours with failures are billed only then: not a fixed cost.
      usage: `${stack.alarmMetrics} alarm metrics, ${stack.customMetrics} custom metrics published every hour, ${stack.dashboards} dashboards`,
      monthlyUsd:
        stack.customMetrics * price.customMetricMonth +
        stack.alarmMetrics * price.alarmMetricMonth +
        stack.dashboards * price.dashboardMonth,
      fixed: true,
    },
    {
      service: 'WAF',
      usage: `${stack.webAcls} web ACLs, ${stack.webAclRules} rules`,
      monthlyUsd: stack.webAcls * price.wafWebAclMonth + stack.webAclRules * price.wafRuleMonth,
      fixed: true,
    },
  ];
  const totalUsd = lines.reduce((sum, line) => sum + line.monthlyUsd, 0);
  return {
    lines,
    totalUsd,
    fixedUsd: lines.reduce((sum, line) => sum + (line.fixed ? line.monthlyUsd : 0), 0),
    perThousandAccountsUsd: (totalUsd / input.accounts) * 1000,
    tiktok: tiktokLoad(input),
  };
}

function round(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
