/**
 * How the poll, digest and digest part queues deliver to their functions, and the defaults the functions
 * share: one module read by the stack (`lib/`: event source mappings, redrive policies), the handlers
 * (`lambdas/`) and the embedded runtime (`local/`), so all batch and retry alike. Plain constants, no CDK:
 * runtime code never imports from `lib/`.
 *
 * The arithmetic behind the numbers is in docs/scaling.md.
 */

/**
 * Poll jobs per worker invocation. Each account costs 1 + ceil(videos / 20) TikTok requests, all of a batch in
 * flight at once, so an invocation lasts about one account's round trips whatever the batch: the worker is
 * billed mostly for waiting on TikTok, and 25 accounts share that wait where 10 did (a poll worker's
 * GB-seconds per account fell by about half in `likewatch cost`). 25 accounts of a few hundred videos still
 * fit well inside the worker's timeout at its share of the per-endpoint rate.
 */
export const POLL_BATCH_SIZE = 25;

/**
 * How long the poll queue's event source gathers jobs into a batch, seconds. SQS event sources deliver more
 * than ten records only with a batching window; jobs are sent a minute's worth at once, so a batch fills at
 * once in a busy minute, and a small fleet's polls wait at most this long.
 */
export const POLL_BATCHING_WINDOW_SECONDS = 10;

/**
 * The poll schedule's period, minutes: each tick sends the jobs of the accounts due in it (core/poll-schedule.ts),
 * so a round is spread over the cadence and jobs arrive at the fleet's average rate, which keeps the poll
 * workers from waiting (billed) for their share of TikTok's rate limit.
 */
export const POLL_TICK_MINUTES = 1;

/** Digest jobs per worker invocation: ten subscribers, sent at the worker's share of the SES rate. */
export const DIGEST_BATCH_SIZE = 10;

/**
 * Most accounts one digest-tick invocation explains for a night; a night whose subscribers follow more is
 * split by subscriber into parts of about this many accounts, each planned by an invocation of its own from
 * the digest part queue. An account of 50 videos with eight weeks of history costs about 20 ms of the tick's
 * thread (read, decoded, explained, stored; docs/scaling.md): 5,000 take under two minutes, which
 * leaves the 15-minute timeout room for accounts of several hundred videos.
 */
export const DIGEST_ACCOUNTS_PER_INVOCATION = 5_000;

/**
 * How long before its timeout a digest-tick invocation stops explaining and hands the night over in halves
 * (`DigestTickInput.signal`): time to finish the explanation of what it read is not needed, only to send two
 * part jobs and the digest jobs of the nights it did explain and store (storing 5,000 accounts' parts of a
 * night takes about 25 s at the measured 5 ms each).
 */
export const DIGEST_TICK_DEADLINE_MARGIN_MS = 90_000;

/** Part jobs per invocation: one part is minutes of work on its own. */
export const DIGEST_PART_BATCH_SIZE = 1;

/**
 * Most part invocations at once: the least an SQS event source allows. Two parts of 5,000 accounts every
 * two minutes explain 100,000 accounts in under twenty minutes, while the digest workers are
 * already sending the first parts' digests (SES's rate, not explaining, is what a morning of that size waits
 * for).
 */
export const DIGEST_PART_CONCURRENCY = 2;

/**
 * Default maximum concurrency of the poll workers. TikTok's per-endpoint rate limit, not the number of workers,
 * sets how long a round takes, and each worker paces itself to its share of the limit: every extra worker
 * only adds time spent waiting, which Lambda bills. Two is the least an SQS event source allows.
 */
export const DEFAULT_POLL_WORKER_CONCURRENCY = 2;

/** Default maximum concurrency of the digest workers; they share the account's SES send rate. */
export const DEFAULT_DIGEST_WORKER_CONCURRENCY = 2;

/**
 * Every how many hours each account is polled, unless the deployment says otherwise (`pollEveryHours`):
 * four readings a day place an overnight drop within a few hours.
 */
export const DEFAULT_POLL_EVERY_HOURS = 6;

/** TikTok's documented default rate limit per Display API endpoint, requests per minute. */
export const DEFAULT_TIKTOK_RATE_LIMIT_PER_MINUTE = 600;

/** The usual first production SES send rate, messages per second. */
export const DEFAULT_SES_MAX_SEND_RATE = 14;

/**
 * Accounts of a poll batch polled at once by one worker (`POLL_CONCURRENCY`): the whole batch, so an invocation
 * lasts one account's round trips rather than two, and its polls are stored together at the end.
 */
export const DEFAULT_POLL_IN_FLIGHT = POLL_BATCH_SIZE;

/**
 * Memory of each function, MB. Lambda gives CPU in proportion to memory (a full vCPU at 1,769 MB), so for
 * CPU-bound work more memory costs about the same; the poll worker mostly waits on TikTok's rate limit, so it
 * gets little.
 */
export const FUNCTION_MEMORY_MB = {
  pollTick: 512,
  pollWorker: 256,
  // It holds the fleet's history for the night being explained: memory is what bounds the fleet size.
  digestTick: 2048,
  // Composing is about 10 ms a digest on a full core; the rest is pacing to the SES rate, billed by memory.
  // At 256 MB (a seventh of a core) a batch of ten composes in under a second, while its share of the
  // default SES rate (14 a second, two workers) takes 1.4 s: more memory would be billed waiting.
  digestWorker: 256,
} as const;

/**
 * Deliveries of a job before it goes to its dead-letter queue. A job fails as a whole only on store trouble or a
 * deadline, both passing; three tries over three visibility timeouts ride out a short outage.
 */
export const MAX_RECEIVE_COUNT = 3;

/** SQS queue names of the embedded runtime (in AWS, CloudFormation names the queues). */
export const LOCAL_QUEUE_NAMES = {
  poll: 'likewatch-poll-jobs',
  digest: 'likewatch-digest-jobs',
  digestParts: 'likewatch-digest-parts',
};

/**
 * The stack's optional fixed costs, each on when the CDK context flag of the same name is `true` (all off by
 * default; docs/deploy.md prices them).
 */
export interface OptionalParts {
  /** The CloudWatch dashboard, with the run-summary metrics it graphs. */
  dashboard: boolean;
  /** An alarm per dead-letter queue and per function, the poll backlog and the SES reputation alarms. */
  detailedAlarms: boolean;
  /** The WAF web ACL with per-client rate limits in front of the pages. */
  firewall: boolean;
  /** A customer managed KMS key wrapping the credentials' data keys (else a key in Parameter Store). */
  customerKey: boolean;
}

/** What a deployment has when no flag is set. */
export const DEFAULT_OPTIONAL_PARTS: OptionalParts = {
  dashboard: false,
  detailedAlarms: false,
  firewall: false,
  customerKey: false,
};

/**
 * Metrics the failure alarm reads (CloudWatch bills alarms per metric): the ticks' and the jobs' dead-letter
 * queues, failed polls, the poll jobs done and failed digests.
 */
const FAILURE_ALARM_METRICS = 5;
/** Two dead-letter queues, seven functions' errors, the poll backlog, SES bounces and complaints. */
const DETAILED_ALARM_METRICS = 12;
/**
 * Run-summary metrics the dashboard graphs, published every run when it is deployed (`deployment/run-metrics.ts`).
 * Without it only the two failure metrics are published, and only in hours with failures, which are the hours
 * CloudWatch bills a metric for: nothing a month when nothing fails, so they are not a fixed cost.
 */
const DASHBOARD_CUSTOM_METRICS = 10;
/** The web ACL's rate-based rules: one-click unsubscribes per client, other pages per client. */
const FIREWALL_RULES = 2;

/**
 * Fixed parts of the stack that cost money whatever the fleet: the customer managed key, the queues Lambda
 * polls, alarm metrics, custom metrics, dashboards and the web ACL (the secrets are standard parameters, which
 * have no fee). `test/infra` checks them against the synthesized template.
 */
export function stackFixedParts(parts: OptionalParts) {
  return {
    customerKeys: parts.customerKey ? 1 : 0,
    polledQueues: 3,
    alarmMetrics: FAILURE_ALARM_METRICS + (parts.detailedAlarms ? DETAILED_ALARM_METRICS : 0),
    customMetrics: parts.dashboard ? DASHBOARD_CUSTOM_METRICS : 0,
    dashboards: parts.dashboard ? 1 : 0,
    webAcls: parts.firewall ? 1 : 0,
    webAclRules: parts.firewall ? FIREWALL_RULES : 0,
  };
}

/** The fixed parts of {@link stackFixedParts}. */
export type StackFixedParts = ReturnType<typeof stackFixedParts>;
