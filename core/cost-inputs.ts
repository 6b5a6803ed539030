/**
 * What the monthly bill is computed from: one dated table of AWS list prices, the quantities the benchmarks
 * measured per operation, and the fleet and deployment being priced.
 */
/** AWS list prices in USD. One table, dated, with where each figure was read. */
export const PRICES = {
  asOf: '2026-11-25',
  regions: {
    'us-east-1': {
      lambdaRequestPerMillion: 0.2,
      lambdaArmGbSecond: 0.0000133334,
      // The table is of the Standard-Infrequent Access class.
      dynamoWritePerMillion: 0.78,
      dynamoReadPerMillion: 0.155,
      dynamoStorageGbMonth: 0.1,
      dynamoPitrGbMonth: 0.2,
      sqsPerMillionRequests: 0.4,
      schedulerPerMillionInvocations: 1.0,
      sesPerThousandEmails: 0.1,
      logsIngestPerGb: 0.5,
      logsStoragePerGbMonth: 0.03,
      kmsKeyMonth: 1.0,
      // Symmetric requests, to a customer managed key or through a service to an AWS managed one alike.
      kmsPerTenThousandRequests: 0.03,
      // Standard-resolution alarms are billed per metric they read (an expression's metrics each count).
      alarmMetricMonth: 0.1,
      // Custom metrics, which is what a log metric filter publishes (first 10,000 metrics).
      customMetricMonth: 0.3,
      dashboardMonth: 3.0,
      apiGatewayRestPerMillion: 3.5,
      wafWebAclMonth: 5.0,
      wafRuleMonth: 1.0,
      wafPerMillionRequests: 0.6,
    },
  },
  sources: [
    'https://aws.amazon.com/lambda/pricing/ (Arm duration and requests)',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/ (Standard-IA table class, after the November 2024 on-demand reduction)',
    'https://aws.amazon.com/sqs/pricing/ (standard queue requests)',
    'https://aws.amazon.com/eventbridge/pricing/ (Scheduler invocations)',
    'https://aws.amazon.com/ses/pricing/ (outbound email)',
    'https://aws.amazon.com/cloudwatch/pricing/ (Logs ingestion and storage, custom metrics, standard alarms per metric, dashboards)',
    'https://aws.amazon.com/api-gateway/pricing/ (REST API requests, first 333 million)',
    'https://aws.amazon.com/waf/pricing/ (web ACL, rules, requests)',
    'https://aws.amazon.com/kms/pricing/ (customer managed key, symmetric requests)',
    'https://aws.amazon.com/systems-manager/pricing/ (Parameter Store: standard parameters and standard throughput have no charge)',
  ],
} as const;

export type Region = keyof typeof PRICES.regions;

/** Measured per-operation quantities (from docs/measurements.json). */
export interface OperationQuantities {
  /** DynamoDB write units to store one account-poll, by video count (interpolated between). */
  writeUnitsPerPoll: Array<{ videos: number; units: number }>;
  /** Read units per day of history loaded for one account, at the measured video count and cadence. */
  readUnitsPerHistoryDay: { videos: number; pollsPerDay: number; units: number };
  /** Read units per day of history read one poll a day (a daily roll-up), at the measured video count. */
  readUnitsPerRollupDay: { videos: number; units: number };
  /** Read units a poll write spends keeping the daily roll-ups current, by video count. */
  readUnitsPerPollWrite: Array<{ videos: number; units: number }>;
  /** Bytes DynamoDB bills as stored per raw poll (item overhead included), by video count. */
  bytesPerPoll: Array<{ videos: number; bytes: number }>;
  /** Bytes stored per daily roll-up (item overhead included), by video count. */
  bytesPerRollup: Array<{ videos: number; bytes: number }>;
  /** What a day takes once its finished month is one record, as a share of its daily roll-up's bytes. */
  rollupMonthShare: number;
  /** Compute to read and decode raw polls, per poll and video (one full core), ms. */
  historyMsPerPollVideo: number;
  /**
   * Compute to read and decode the thinned history the digest tick explains (the last week raw, the days
   * before from the roll-ups), per poll and video (one full core), ms.
   */
  thinnedHistoryMsPerPollVideo: number;
  /** Compute to explain a night, per poll and video of the history explained (one full core), ms. */
  explainMsPerPollVideo: number;
  /** Read units per account-poll of the poll worker's credentials batch read. */
  credentialReadUnitsPerPoll: number;
  /**
   * DynamoDB units per digest beyond the history reads (the tick's stored night and sent-digest check, the
   * worker's night parts, suppression check, claim, sent marker and report), measured by the local night.
   */
  readUnitsPerDigest: number;
  writeUnitsPerDigest: number;
  /** Write units per account and night of the stored night (the account's part of it, and the head). */
  writeUnitsPerAccountNight: number;
  /** Compute per account-poll on one full core (requests, validating, encoding, storing), ms. */
  pollMsPerAccount: number;
  /** Compute of the poll tick per job it sends (finding the accounts due, sending the jobs), ms. */
  pollTickMsPerJob: number;
  /**
   * Compute of the digest tick per account it explains, as the night measured it (with that night's short
   * history: the steady history's reading and explaining is added from the storage and explain benchmarks), ms.
   */
  digestTickMsPerAccount: number;
  /** Compute of a digest worker per digest (reads, composing, sending), besides the chart history, ms. */
  digestWorkerMsPerDigest: number;
  /** Log bytes written per account-poll and per digest. */
  logBytesPerAccountPoll: number;
  logBytesPerDigest: number;
}

/** How a queue's worker function is deployed. */
export interface WorkerShape {
  memoryGb: number;
  /** Jobs per invocation (the event source's batch size). */
  batchSize: number;
  /** At most this many invocations at once (the event source's maximum concurrency). */
  concurrency: number;
}

/** What is being priced, and how it is deployed. */
export interface CostInput {
  accounts: number;
  videosPerAccount: number;
  subscribers: number;
  pollsPerDay: number;
  region: Region;
  /** Days a raw poll is kept before TTL removes it. */
  retentionDays: number;
  /** Days of daily roll-ups stored: roll-ups are kept for ever, so this is the deployment's age. */
  rollupDays: number;
  /** Days of history the engine reads for a night. */
  historyDays: number;
  /** Of those, the latest days read poll by poll; the others one poll a day (from the roll-ups). */
  rawHistoryDays: number;
  pollTick: {
    memoryGb: number;
    /** Minutes between ticks: each sends the accounts due in its minutes. */
    everyMinutes: number;
  };
  digestTick: { memoryGb: number };
  pollWorker: WorkerShape & {
    /** Accounts of a batch polled at once. */
    inFlight: number;
    /** TikTok's rate limit per endpoint, requests per minute, shared by the poll workers. */
    tiktokRequestsPerMinute: number;
  };
  digestWorker: WorkerShape & {
    /** The SES account's send rate, messages per second, shared by the digest workers. */
    sesSendsPerSecond: number;
  };
  tiktok: {
    /** Round-trip time of one TikTok request, ms: not measurable offline, so it is an explicit input. */
    latencyMsPerRequest: number;
    /** Videos per `/v2/video/list/` page. */
    videosPerListPage: number;
  };
  /** Requests to the subscription pages per subscriber and month (sign-up, preferences, unsubscribes). */
  pageRequestsPerSubscriber: number;
  /** Fixed parts of the stack, as deployed with its optional parts on or off. */
  stack: FixedParts;
}

/**
 * What the stack has whatever the fleet: customer managed keys, queues an event source polls, metrics alarms
 * read, custom metrics, dashboards, web ACLs and their rules.
 */
export interface FixedParts {
  customerKeys: number;
  polledQueues: number;
  alarmMetrics: number;
  customMetrics: number;
  dashboards: number;
  webAcls: number;
  webAclRules: number;
}

/** One line of the bill: `fixed` lines cost the same whatever the fleet, the others grow with it. */
export interface CostLine {
  service: string;
  usage: string;
  monthlyUsd: number;
  fixed: boolean;
}
