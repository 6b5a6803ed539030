/**
 * Digest parts: consumes the digest part queue (SQS event source). A night too large for one digest-tick
 * invocation comes back as part jobs, each planned the way the tick plans a night, for its share of the
 * night's subscribers.
 */
import type { Context } from 'aws-lambda';
import { DigestPartJob } from '../../core/model.ts';
import { DIGEST_TICK_DEADLINE_MARGIN_MS } from '../../deployment/fan-out.ts';
import { planNight } from '../_shared/digest-planning.ts';
import { logRunSummary, withDefaults } from '../_shared/middleware.ts';
import { batchResponse, deadlineSignal, parseJobBatch } from '../_shared/sqs-batch.ts';

/**
 * Plans each part job of the batch. A part that threw (store or queue trouble) is delivered again: what it
 * stored is kept, and the claims keep its subscribers from getting two emails.
 */
export const digestPartsHandler = async (
  event: unknown,
  context?: Partial<Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>>,
) => {
  const batch = parseJobBatch(event, DigestPartJob);
  const signal = deadlineSignal(context, DIGEST_TICK_DEADLINE_MARGIN_MS);
  const results: Array<{ done: true } | { done: false; error: unknown }> = [];
  for (const job of batch.jobs) {
    try {
      const summary = await planNight(job.scheduledTime, signal, job);
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
};

export const handler = withDefaults(digestPartsHandler);
