/**
 * Use case: on each hourly tick, send the morning digest to every subscriber whose delivery hour has come.
 *
 * Primary course:
 * 1. Find the subscribers due: their local delivery hour is this hour, or was at most `catchUpHours` ago
 *    (so a tick that failed or was missed is made up by the next one).
 * 2. Explain each distinct night once for the accounts its subscribers follow (several accounts hit at once
 *    is evidence), and store it.
 * 3. Per subscriber: skip a suppressed address; claim the (subscriber, local date) marker; compose (with
 *    follow-ups on what the previous day's digest reported); send; record the message id and what the digest
 *    reported. The conditional claim makes retries and concurrent runs send one email; a claim whose run died
 *    is taken over after its lease; a send that failed in a retryable way gives the claim back.
 *
 * Subscribers who paused or unsubscribed are never due.
 *
 * The tick is fanned out: `planDigestJobs` (the tick) explains each night once, stores it per account and
 * sends one job per due subscriber to a queue; `sendDigestJobs` (the workers) sends them in batches. A night
 * whose subscribers follow more accounts than one invocation explains in its time is split by subscriber into
 * parts, each planned by an invocation of its own (`DigestPartJob`).
 */
export { digestPartOf, planDigestJobs } from './digest-jobs/plan.ts';
export {
  type DigestPreview,
  type PreviewDigestDeps,
  previewDigest,
} from './digest-jobs/preview.ts';
export { sendDigestJobs, summarizeDigestJobs, summarizeDigestRun } from './digest-jobs/send.ts';
export {
  type DigestBatchSummary,
  type DigestJobResult,
  type DigestOutcome,
  type DigestRunSummary,
  type DigestSplit,
  type DigestTickInput,
  type DigestTickSummary,
  type PlanDigestJobsDeps,
  type SendDigestJobsDeps,
  type SubscriberLinks,
  WHOLE_FLEET_NIGHT_ACCOUNTS,
} from './digest-jobs/types.ts';
