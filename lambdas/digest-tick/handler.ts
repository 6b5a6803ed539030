/**
 * Digest tick: invoked every hour with `{ kind: 'digest', scheduledTime }`; fans the due digests out. The same
 * function consumes the digest part queue: a night too large for one invocation comes back as part jobs, each
 * planned the same way for its share of the night's subscribers.
 */
import type { Context } from 'aws-lambda';
import { DigestEvent, DigestPartJob } from '../../core/model.ts';
import { planDigestJobs } from '../../core/send-digests.ts';
import { DIGEST_TICK_DEADLINE_MARGIN_MS } from '../../deployment/fan-out.ts';
import { createDigestTickDeps } from '../_shared/composition.ts';
import { DigestTickEnv, loadEnv } from '../_shared/env.ts';
import { logRunSummary, withDefaults } from '../_shared/middleware.ts';
import { batchResponse, deadlineSignal, parseJobBatch } from '../_shared/sqs-batch.ts';

const env = loadEnv(DigestTickEnv, process.env);
const deps = createDigestTickDeps(env);

type Invocation = Partial<Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>>;

/**
 * Explains and stores each due night once, then sends one digest job per due subscriber to the queue; a
 * night too large for one invocation goes to the part queue instead. Given an SQS event, plans its parts.
 */
export const digestTickHandler = async (event: unknown, context?: Invocation) => {
  if (typeof event === 'object' && event !== null && 'Records' in event) {
    return digestPartsHandler(event, context);
  }
  const { scheduledTime } = DigestEvent.parse(event);
  const summary = await plan(
    scheduledTime,
    deadlineSignal(context, DIGEST_TICK_DEADLINE_MARGIN_MS),
  );
  logRunSummary('digest tick finished', { scheduledTime, ...summary }, context);
  return summary;
};

/** Plans the digests of the tick of `scheduledTime`, or of one part of a night, stopping in time. */
function plan(scheduledTime: string, signal: AbortSignal | undefined, part?: DigestPartJob) {
  return planDigestJobs(deps, {
    scheduledTime: new Date(scheduledTime),
    historyDays: env.HISTORY_DAYS,
    ...(part ? { part } : {}),
    ...(signal ? { signal } : {}),
  });
}

/**
 * Plans each part job of the batch. A part that threw (store or queue trouble) is delivered again: what it
 * stored is kept, and the claims keep its subscribers from getting two emails.
 */
async function digestPartsHandler(event: unknown, context?: Invocation) {
  const batch = parseJobBatch(event, DigestPartJob);
  const signal = deadlineSignal(context, DIGEST_TICK_DEADLINE_MARGIN_MS);
  const results: Array<{ done: true } | { done: false; error: unknown }> = [];
  for (const job of batch.jobs) {
    try {
      const summary = await plan(job.scheduledTime, signal, job);
      // The tick's own summary message, so the enqueued-jobs metric counts the parts' jobs too.
      logRunSummary(
        'digest tick finished',
        { scheduledTime: job.scheduledTime, part: `${job.part + 1} of ${job.parts}`, ...summary },
        context,
      );
      results.push({ done: true });
    } catch (error) {
      results.push({ done: false, error });
    }
  }
  return batchResponse(batch, results);
}

export const handler = withDefaults(digestTickHandler);
