/** Poll worker: consumes batches of poll jobs from the poll queue (SQS event source). */
import type { Context } from 'aws-lambda';
import { PollJob } from '../../core/model.ts';
import { pollAccountJobs, summarizePollJobs } from '../../core/poll-accounts.ts';
import { createPollWorkerDeps } from '../_shared/composition.ts';
import { loadEnv, PollWorkerEnvChecked } from '../_shared/env.ts';
import { logRunSummary, withDefaults } from '../_shared/middleware.ts';
import { batchResponse, deadlineSignal, parseJobBatch } from '../_shared/sqs-batch.ts';

const env = loadEnv(PollWorkerEnvChecked, process.env);
const deps = await createPollWorkerDeps(env);

/**
 * Polls and stores the account of each job. Jobs not started `POLL_DEADLINE_MARGIN_MS` before the timeout,
 * and jobs whose store write failed, are reported back to SQS and delivered again; the slot in the job keys
 * the stored poll, so a redelivery overwrites rather than duplicates.
 */
export const pollWorkerHandler = async (
  event: unknown,
  context?: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Pick<Context, 'awsRequestId'>>,
) => {
  const batch = parseJobBatch(event, PollJob);
  const signal = deadlineSignal(context, env.POLL_DEADLINE_MARGIN_MS);
  const results = await pollAccountJobs(deps, batch.jobs, {
    concurrency: env.POLL_CONCURRENCY,
    ...(signal ? { signal } : {}),
  });
  const response = await batchResponse(batch, results);
  logRunSummary(
    'poll batch finished',
    {
      ...summarizePollJobs(results),
      malformed: batch.malformed.length,
      retried: response.batchItemFailures.length,
    },
    context,
  );
  return response;
};

export const handler = withDefaults(pollWorkerHandler);
