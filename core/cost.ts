/**
 * The monthly AWS bill of a likewatch deployment, from the quantities the benchmarks measured per operation
 * (write and read units, durations, log bytes) and one table of prices. Pure: the caller loads the measurements.
 */

/** AWS list prices in USD. One table, dated, with where each figure was read. */
export const PRICES = {
  asOf: '2026-11-25',
  regions: {
    'us-east-1': {
      lambdaRequestPerMillion: 0.2,
      lambdaArmGbSecond: 0.0000133334,
      dynamoWritePerMillion: 0.625,
      dynamoReadPerMillion: 0.125,
      dynamoStorageGbMonth: 0.25,
      dynamoPitrGbMonth: 0.2,
      sqsPerMillionRequests: 0.4,
      schedulerPerMillionInvocations: 1.0,
      sesPerThousandEmails: 0.1,
      logsIngestPerGb: 0.5,
      logsStoragePerGbMonth: 0.03,
    },
  },
  sources: [
    'https://aws.amazon.com/lambda/pricing/ (Arm duration and requests)',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/ (after the November 2024 on-demand reduction)',
    'https://aws.amazon.com/sqs/pricing/ (standard queue requests)',
    'https://aws.amazon.com/eventbridge/pricing/ (Scheduler invocations)',
    'https://aws.amazon.com/ses/pricing/ (outbound email)',
    'https://aws.amazon.com/cloudwatch/pricing/ (Logs ingestion and storage)',
  ],
} as const;

export type Region = keyof typeof PRICES.regions;

/** Measured per-operation quantities (from docs/measurements.json). */
export interface OperationQuantities {
  /** DynamoDB write units to store one account-poll, by video count (interpolated between). */
  writeUnitsPerPoll: Array<{ videos: number; units: number }>;
  /** Read units per day of history loaded for one account, at the measured video count and cadence. */
  readUnitsPerHistoryDay: { videos: number; pollsPerDay: number; units: number };
  /** Read units a poll write spends keeping the daily roll-ups current, by video count. */
  readUnitsPerPollWrite: Array<{ videos: number; units: number }>;
  /** Compressed bytes stored per account-poll, by video count. */
  bytesPerPoll: Array<{ videos: number; bytes: number }>;
  /** Function time per account-poll (CPU of parsing, validating and storing), milliseconds. */
  pollMsPerAccount: number;
  /** Function time to explain, render and send one subscriber's digest, milliseconds. */
  digestMsPerSubscriber: number;
  /** Log bytes written per account-poll and per digest. */
  logBytesPerAccountPoll: number;
  logBytesPerDigest: number;
}

/** What is being priced. */
export interface CostInput {
  accounts: number;
  videosPerAccount: number;
  subscribers: number;
  pollsPerDay: number;
  region: Region;
  /** Days raw polls are kept before TTL removes them. */
  retentionDays: number;
  /** Lambda memory of the workers, GB. */
  memoryGb: number;
  /** Days of history the engine reads for a night. */
  historyDays: number;
  /** Account polls handled per worker invocation (SQS batch size). */
  accountsPerInvocation: number;
  /** Waiting on TikTok per account-poll, ms: not measurable offline, so it is an explicit input. */
  tiktokWaitMsPerAccount: number;
}

/** One line of the bill. */
export interface CostLine {
  service: string;
  usage: string;
  monthlyUsd: number;
}

const DAYS_PER_MONTH = 30.4;
const GB = 1024 ** 3;

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

/** The monthly bill by service, and its total. */
export function estimateMonthlyCost(
  input: CostInput,
  measured: OperationQuantities,
): { lines: CostLine[]; totalUsd: number; perThousandAccountsUsd: number } {
  const price = PRICES.regions[input.region];
  const accountPolls = input.accounts * input.pollsPerDay * DAYS_PER_MONTH;
  const digests = input.subscribers * DAYS_PER_MONTH;
  const accountNights = input.accounts * DAYS_PER_MONTH;

  const writeUnits =
    accountPolls *
    interpolate(
      measured.writeUnitsPerPoll.map((p) => ({ x: p.videos, y: p.units })),
      input.videosPerAccount,
    );
  // Reading history scales with the data read: the days, the polls a day and the videos per poll.
  const history = measured.readUnitsPerHistoryDay;
  const readUnits =
    accountNights *
      input.historyDays *
      history.units *
      (input.pollsPerDay / history.pollsPerDay) *
      (input.videosPerAccount / history.videos) +
    accountPolls *
      interpolate(
        measured.readUnitsPerPollWrite.map((p) => ({ x: p.videos, y: p.units })),
        input.videosPerAccount,
      );
  const storedGb =
    (input.accounts *
      input.pollsPerDay *
      input.retentionDays *
      interpolate(
        measured.bytesPerPoll.map((p) => ({ x: p.videos, y: p.bytes })),
        input.videosPerAccount,
      )) /
    GB;

  const pollInvocations = accountPolls / input.accountsPerInvocation;
  const pollSeconds =
    (accountPolls * (measured.pollMsPerAccount + input.tiktokWaitMsPerAccount)) / 1000;
  const digestSeconds = (digests * measured.digestMsPerSubscriber) / 1000;
  const gbSeconds = (pollSeconds + digestSeconds) * input.memoryGb;
  const invocations = pollInvocations + digests / input.accountsPerInvocation + 24 * DAYS_PER_MONTH;

  // One send, one receive and one delete per message: a message per account-poll and per digest.
  const sqsRequests = 3 * (accountPolls + digests);
  const schedulerInvocations = (input.pollsPerDay + 24) * DAYS_PER_MONTH;
  const logGb =
    (accountPolls * measured.logBytesPerAccountPoll + digests * measured.logBytesPerDigest) / GB;

  const lines: CostLine[] = [
    {
      service: 'Lambda',
      usage: `${round(invocations)} invocations, ${round(gbSeconds)} GB-s`,
      monthlyUsd:
        (invocations / 1e6) * price.lambdaRequestPerMillion + gbSeconds * price.lambdaArmGbSecond,
    },
    {
      service: 'DynamoDB writes',
      usage: `${round(writeUnits)} write units`,
      monthlyUsd: (writeUnits / 1e6) * price.dynamoWritePerMillion,
    },
    {
      service: 'DynamoDB reads',
      usage: `${round(readUnits)} read units`,
      monthlyUsd: (readUnits / 1e6) * price.dynamoReadPerMillion,
    },
    {
      service: 'DynamoDB storage and backups',
      usage: `${storedGb.toFixed(2)} GB`,
      monthlyUsd: storedGb * (price.dynamoStorageGbMonth + price.dynamoPitrGbMonth),
    },
    {
      service: 'SQS',
      usage: `${round(sqsRequests)} requests`,
      monthlyUsd: (sqsRequests / 1e6) * price.sqsPerMillionRequests,
    },
    {
      service: 'EventBridge Scheduler',
      usage: `${round(schedulerInvocations)} invocations`,
      monthlyUsd: (schedulerInvocations / 1e6) * price.schedulerPerMillionInvocations,
    },
    {
      service: 'SES',
      usage: `${round(digests)} emails`,
      monthlyUsd: (digests / 1000) * price.sesPerThousandEmails,
    },
    {
      service: 'CloudWatch Logs',
      usage: `${logGb.toFixed(2)} GB ingested`,
      monthlyUsd: logGb * (price.logsIngestPerGb + price.logsStoragePerGbMonth),
    },
  ];
  const totalUsd = lines.reduce((sum, line) => sum + line.monthlyUsd, 0);
  return { lines, totalUsd, perThousandAccountsUsd: (totalUsd / input.accounts) * 1000 };
}

function round(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
