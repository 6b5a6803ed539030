/**
 * A digest tick and the workers it feeds, in one call and one process: `planDigestJobs` queues its jobs in
 * memory and `sendDigestJobs` sends them as one batch. For tests of the digest use cases without a queue;
 * the deployed handlers and the local runtime go through SQS.
 */
import type { DigestJob, Explanation, Fleet, FleetAccount } from '../../core/model.ts';
import type { ExplainFn } from '../../core/ports.ts';
import {
  type DigestRunSummary,
  type DigestTickInput,
  planDigestJobs,
  type SendDigestJobsDeps,
  sendDigestJobs,
  summarizeDigestJobs,
  summarizeDigestRun,
} from '../../core/send-digests.ts';

/** What a tick and its workers need together. */
export type DigestRunDeps = SendDigestJobsDeps & { explain: ExplainFn };

/**
 * Runs the digest tick at `input.scheduledTime`, then sends the jobs it queued. A job the workers left for
 * redelivery is counted `failed`: there is no queue to deliver it again.
 */
export async function runDigestTick(
  deps: DigestRunDeps,
  input: DigestTickInput,
): Promise<DigestRunSummary> {
  const queued: DigestJob[] = [];
  const tick = await planDigestJobs(
    { ...deps, queue: { send: async (jobs) => void queued.push(...jobs) } },
    input,
  );
  const batch = summarizeDigestJobs(await sendDigestJobs(deps, queued));
  return summarizeDigestRun(tick, batch, batch.retried);
}

/**
 * An engine for tests: collects the night's accounts and answers with `explain` of them all, so a test can
 * script the explanation of a whole fleet.
 */
export function scriptedEngine(explain: (fleet: Fleet, asOf: Date) => Explanation): ExplainFn {
  return (asOf) => {
    const accounts: FleetAccount[] = [];
    return {
      add: (account) => void accounts.push(account),
      finish: () => explain({ format: 'likewatch.fleet/v1', accounts }, asOf),
    };
  };
}
