/**
 * The SQS side of the workers: parsing a batch of job messages and answering with the messages to deliver
 * again (`batchItemFailures`, with `ReportBatchItemFailures` on the event source), so one failed job does not
 * send the whole batch back. The answer is built by Powertools' batch processor; the jobs themselves are run
 * by the use case as one batch first (a worker stores its batch's polls in one write), and the processor is
 * then told which records failed.
 */
import { setMaxListeners } from 'node:events';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
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
  /** Every record of the event, valid or not, for the batch response. */
  records: Array<z.infer<typeof SqsEvent>['Records'][number]>;
}

/**
 * Parses each record's body with `schema`. A malformed body is logged and reported failed: after the queue's
 * maxReceiveCount it lands in the dead-letter queue, where it can be inspected, instead of vanishing.
 */
export function parseJobBatch<S extends z.ZodType>(
  event: unknown,
  schema: S,
): JobBatch<z.infer<S>> {
  const { Records: records } = SqsEvent.parse(event);
  const batch: JobBatch<z.infer<S>> = { jobs: [], messageIds: [], malformed: [], records };
  for (const record of records) {
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

/** Why a message goes back: not a valid job. */
class MalformedJobError extends Error {
  constructor() {
    super('malformed job message');
  }
}

/**
 * The batch response: every malformed message and every job whose result is not done is delivered again.
 * Each job failure is logged with its error, so the logs say why a message went back. A batch in which every
 * message failed is answered the same way, not thrown: the messages that failed are named either way.
 */
export async function batchResponse<Job>(
  batch: JobBatch<Job>,
  results: readonly ({ done: true } | { done: false; error: unknown })[],
): Promise<SQSBatchResponse> {
  const failures = new Map<string, unknown>(
    batch.malformed.map((messageId) => [messageId, new MalformedJobError()]),
  );
  results.forEach((result, index) => {
    if (result.done) return;
    const messageId = batch.messageIds[index] as string;
    logger.warn('job failed; it will be delivered again', {
      messageId,
      error: result.error instanceof Error ? result.error : String(result.error),
    });
    failures.set(messageId, result.error);
  });
  // Only the records' message ids are read, so the records as parsed stand in for the full SQS records.
  const event = { Records: batch.records as SQSRecord[] } satisfies SQSEvent;
  return processPartialResponse(
    event,
    async (record: SQSRecord) => {
      if (!failures.has(record.messageId)) return;
      const failure = failures.get(record.messageId);
      throw failure instanceof Error ? failure : new Error(String(failure));
    },
    new BatchProcessor(EventType.SQS),
    { throwOnFullBatchFailure: false },
  );
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
