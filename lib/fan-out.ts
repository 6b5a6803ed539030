/**
 * How the poll and digest queues deliver to their workers: shared by the stack (event source mappings, redrive
 * policies) and the embedded runtime (`local/`), so both batch and retry alike. Plain constants, no CDK.
 *
 * The arithmetic behind the numbers is in docs/scaling.md.
 */

/**
 * Poll jobs per worker invocation. Each account costs 1 + ceil(videos / 20) TikTok requests; ten accounts of a
 * few hundred videos fit well inside the worker's timeout at its share of the per-endpoint rate.
 */
export const POLL_BATCH_SIZE = 10;

/** Digest jobs per worker invocation: ten subscribers, sent at the worker's share of the SES rate. */
export const DIGEST_BATCH_SIZE = 10;

/**
 * Deliveries of a job before it goes to its dead-letter queue. A job fails as a whole only on store trouble or a
 * deadline, both passing; three tries over three visibility timeouts ride out a short outage.
 */
export const MAX_RECEIVE_COUNT = 3;

/** SQS queue names of the embedded runtime (in AWS, CloudFormation names the queues). */
export const LOCAL_QUEUE_NAMES = { poll: 'likewatch-poll-jobs', digest: 'likewatch-digest-jobs' };
