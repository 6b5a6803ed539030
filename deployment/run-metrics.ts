/**
 * The metrics the functions publish from their run summaries (CloudWatch embedded metric format, through
 * Powertools Metrics) and the alarms and dashboard read: shared by `lambdas/_shared/middleware.ts` and
 * `lib/constructs/operations.ts`. Plain constants, no CDK.
 *
 * CloudWatch bills a custom metric for each hour it receives data in. The failure metrics are published only
 * when something failed, so a healthy deployment pays nothing for them; the rest are published (zeros too)
 * only for the dashboard, when the stack is deployed with it.
 */

/** The namespace of likewatch's own metrics. */
export const METRIC_NAMESPACE = 'likewatch';

/** The `service` dimension of every likewatch metric: one value for every function, so one metric each. */
export const METRIC_SERVICE = 'likewatch';

/** Which numeric field of which run summary becomes which metric. */
export const RUN_METRICS = {
  'poll tick finished': { enqueued: 'PollJobsEnqueued' },
  'poll batch finished': {
    accounts: 'PollAccounts',
    failed: 'PollFailed',
    partial: 'PollPartial',
    needsReauthorization: 'PollNeedsReauthorization',
    retried: 'PollRetried',
  },
  'digest tick finished': { enqueued: 'DigestJobsEnqueued' },
  'digest batch finished': { sent: 'DigestSent', failed: 'DigestFailed', retried: 'DigestRetried' },
} as const;

/** A metric of {@link RUN_METRICS}. */
export type RunMetricName = {
  [Message in keyof typeof RUN_METRICS]: (typeof RUN_METRICS)[Message][keyof (typeof RUN_METRICS)[Message]];
}[keyof typeof RUN_METRICS];

/** The metrics the failure alarms read, published whenever they are not zero. */
export const FAILURE_METRICS: readonly RunMetricName[] = ['PollFailed', 'DigestFailed'];

/**
 * The functions' environment variable saying which run metrics to publish: `failures` (the default) or `all`
 * (the dashboard's).
 */
export const RUN_METRICS_ENV = 'RUN_METRICS';
