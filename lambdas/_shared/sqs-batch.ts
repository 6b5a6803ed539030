/**
 * The SQS side of the workers: parsing a batch of job messages and answering with the messages to deliver
 * again (`batchItemFailures`, with `ReportBatchItemFailures` on the event source), so one failed job does not
 * send the whole batch back.
 */
import { setMaxListeners } from 'node:events';
import type { SQSBatchResponse } from 'aws-lambda';
import { z } from 'zod';
import { logger } from './middleware.ts';

/** The fields of an SQS event the workers read. */
const SqsEvent = z.object({
  Records: z.array(
    z.object({
      messageId: z.string().min(1),
      body: z.string(),
      attributes: z.object({ ApproximateReceiveCount: z.string() }).partial().optional(),
    }),
  ),
});

/** The jobs of a batch, each with its message id, and the ids of messages that are not a valid job. */
export interface JobBatch<Job> {
  jobs: Job[];
  /** `messageIds[i]` carried `jobs[i]`. */
  messageIds: string[];
  malformed: string[];
}

/**
 * Parses each record's body with `schema`. A malformed body is logged and reported failed: after the queue's
 * maxReceiveCount it lands in the dead-letter queue, where it can be inspected, instead of vanishing.
 */
export function parseJobBatch<S extends z.ZodType>(
  event: unknown,
  schema: S,
): JobBatch<z.infer<S>> {
  const batch: JobBatch<z.infer<S>> = { jobs: [], messageIds: [], malformed: [] };
  for (const record of SqsEvent.parse(event).Records) {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const parsed = schema.safeParse(body);
    if (parsed.success) {
      batch.jobs.push(parsed.data);
      batch.messageIds.push(record.messageId);
    } else {
      logger.error('malformed job message', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        problem: parsed.error ? z.prettifyError(parsed.error) : 'not JSON',
      });
      batch.malformed.push(record.messageId);
    }
  }
  return batch;
}

/**
 * The batch response: every malformed message and every job whose result is not done is delivered again.
 * Each failure is logged with its error, so the logs say why a message went back.
 */
export function batchResponse<Job>(
  batch: JobBatch<Job>,
  results: readonly ({ done: true } | { done: false; error: unknown })[],
): SQSBatchResponse {
  const failed = [...batch.malformed];
  results.forEach((result, index) => {
    if (result.done) return;
    const messageId = batch.messageIds[index] as string;
    logger.warn('job failed; it will be delivered again', {
      messageId,
      error: result.error instanceof Error ? result.error : String(result.error),
    });
    failed.push(messageId);
  });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * An AbortSignal that fires `marginMs` before the invocation times out (none without a Lambda context), so a
 * batch stops starting work in time to answer with what it did.
 */
export function deadlineSignal(
  context: { getRemainingTimeInMillis?: () => number } | undefined,
  marginMs: number,
): AbortSignal | undefined {
  const remainingMs = context?.getRemainingTimeInMillis?.();
  if (remainingMs === undefined) return undefined;
  const signal = AbortSignal.timeout(Math.max(0, remainingMs - marginMs));
  // Every request in flight listens to this one signal, so a batch polled in parallel holds more than Node's
  // default ten listeners; that is the design, not a leak.
  setMaxListeners(0, signal);
  return signal;
}
