/**
 * Runs the real Lambda handlers in this process, exactly as deployed: the handler modules are imported after
 * the environment points their AWS SDK clients at the embedded services, the ticks are called with the events
 * the schedules send, and their jobs reach the workers through the embedded SQS as `SQSEvent` batches, with
 * failed jobs delivered again and dead-lettered after `maxReceiveCount`, as the event source mappings do.
 */
import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';
import type { DigestEvent, PollEvent } from '../core/model.ts';
import type { PollRunSummary } from '../core/poll-accounts.ts';
import { type DigestRunSummary, summarizeDigestRun } from '../core/send-digests.ts';
import { LOCAL_QUEUE_NAMES } from '../deployment/fan-out.ts';
import type { DrainSummary } from './local-sqs.ts';
import type { LocalServices } from './services.ts';

/** A poll round: what the workers stored, and how the queue delivered the jobs. */
export type LocalPollSummary = PollRunSummary & { queue: DrainSummary };

/**
 * A digest tick: what the tick (and the parts of a night it split) found and the workers did, and how the
 * queues delivered the jobs.
 */
export type LocalDigestSummary = DigestRunSummary & {
  queue: DrainSummary;
  partQueue: DrainSummary;
};

/** The deployed handlers, callable locally. */
export interface LocalFunctions {
  /** The poll tick for the event's slot, then the poll workers until the queue is empty. */
  poll(event: PollEvent): Promise<LocalPollSummary>;
  /** The digest tick, then its parts (a night too large for one invocation), then the digest workers. */
  sendDigests(event: DigestEvent): Promise<LocalDigestSummary>;
}

/**
 * Imports the handlers with the services' environment applied to `process.env` (their configuration is read at
 * cold start) and wires them to the embedded queues.
 */
export async function loadLocalFunctions(
  services: Pick<LocalServices, 'env' | 'sqs'>,
): Promise<LocalFunctions> {
  Object.assign(process.env, services.env);
  const pollTick = await import('../lambdas/poll-tick/handler.ts');
  const pollWorker = await import('../lambdas/poll-worker/handler.ts');
  const digestTick = await import('../lambdas/digest-tick/handler.ts');
  const digestParts = await import('../lambdas/digest-parts/handler.ts');
  const digestWorker = await import('../lambdas/digest-worker/handler.ts');
  const { onRunSummary } = await import('../lambdas/_shared/middleware.ts');
  const pollQueue = services.sqs.queue(LOCAL_QUEUE_NAMES.poll);
  const digestQueue = services.sqs.queue(LOCAL_QUEUE_NAMES.digest);
  const digestPartQueue = services.sqs.queue(LOCAL_QUEUE_NAMES.digestParts);

  /**
   * Drains `queue` into `worker`, adding up the numeric fields of the run summaries of the invocations this
   * drain made: runs side by side in this process each count their own batches only.
   */
  const drain = async (
    queue: typeof pollQueue,
    message: 'poll batch finished' | 'digest tick finished' | 'digest batch finished',
    worker: (event: SQSEvent, context: Context) => Promise<unknown>,
    functionName: string,
  ) => {
    const totals: Record<string, number> = {};
    const invocations = new Set<string>();
    const stop = onRunSummary((logged, fields, requestId) => {
      if (logged !== message || requestId === undefined || !invocations.has(requestId)) return;
      for (const [key, value] of Object.entries(fields)) {
        if (typeof value === 'number') totals[key] = (totals[key] ?? 0) + value;
      }
    });
    try {
      const summary = await queue.drain((event) => {
        const context = lambdaContext(functionName);
        invocations.add(context.awsRequestId);
        return worker(event, context) as Promise<undefined>;
      });
      return { totals, summary };
    } finally {
      stop();
    }
  };

  return {
    poll: async (event) => {
      await pollTick.handler(event, lambdaContext('poll-tick'));
      const { totals, summary } = await drain(
        pollQueue,
        'poll batch finished',
        pollWorker.handler,
        'poll-worker',
      );
      // A job delivered again is counted in each batch that had it; what was stored is what counts.
      const stored = (totals.ok ?? 0) + (totals.partial ?? 0) + (totals.failed ?? 0);
      return {
        accounts: stored,
        ok: totals.ok ?? 0,
        partial: totals.partial ?? 0,
        failed: totals.failed ?? 0,
        needsReauthorization: totals.needsReauthorization ?? 0,
        notReached: summary.deadLettered,
        rejectedItems: totals.rejectedItems ?? 0,
        queue: summary,
      };
    },
    sendDigests: async (event) => {
      const tick = await digestTick.handler(event, lambdaContext('digest-tick'));
      // The part planner consumes the part queue; each part's run counts its share of the night.
      const parts = await drain(
        digestPartQueue,
        'digest tick finished',
        digestParts.handler,
        'digest-parts',
      );
      const { totals, summary } = await drain(
        digestQueue,
        'digest batch finished',
        digestWorker.handler,
        'digest-worker',
      );
      const planned = {
        due: tick.due + (parts.totals.due ?? 0),
        losses: tick.losses + (parts.totals.losses ?? 0),
        slowdowns: tick.slowdowns + (parts.totals.slowdowns ?? 0),
      };
      return {
        ...summarizeDigestRun(planned, totals, summary.deadLettered),
        queue: summary,
        partQueue: parts.summary,
      };
    },
  };
}

/** The fields of a Lambda context that the middlewares read. */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `likewatch-local-${functionName}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:likewatch-local-${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/likewatch-local-${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 900_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
