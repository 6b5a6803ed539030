/** Digest worker: consumes batches of digest jobs from the digest queue (SQS event source). */
import type { Context } from 'aws-lambda';
import { DigestJob } from '../../core/model.ts';
import { sendDigestJobs, summarizeDigestJobs } from '../../core/send-digests.ts';
import { createDigestDeps } from '../_shared/composition.ts';
import { DigestEnvChecked, loadEnv } from '../_shared/env.ts';
import { logRunSummary, withDefaults } from '../_shared/middleware.ts';
import { batchResponse, parseJobBatch } from '../_shared/sqs-batch.ts';

const env = loadEnv(DigestEnvChecked, process.env);
const deps = await createDigestDeps(env);

/**
 * Sends the digest of each job. A job that threw (store trouble) goes back to SQS; one that SES refused in a
 * retryable way has given its claim back and is counted `failed`: the next hourly tick enqueues it again,
 * within the catch-up window.
 */
export const digestWorkerHandler = async (
  event: unknown,
  context?: Partial<Pick<Context, 'awsRequestId'>>,
) => {
  const batch = parseJobBatch(event, DigestJob);
  const results = await sendDigestJobs(deps, batch.jobs, { concurrency: env.DIGEST_CONCURRENCY });
  const response = await batchResponse(batch, results);
  logRunSummary(
    'digest batch finished',
    {
      ...summarizeDigestJobs(results),
      malformed: batch.malformed.length,
    },
    context,
  );
  return response;
};

export const handler = withDefaults(digestWorkerHandler);
