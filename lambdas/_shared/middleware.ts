/**
 * The one place that composes middlewares for every function: structured JSON logs with the Lambda context,
 * and errors logged once with context before they propagate (so schedulers and queues retry).
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { currentLogSink } from './log-sink.ts';

/** Powertools' logger, whose lines go to the sink when one is set. */
class FunctionLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    const sink = currentLogSink();
    if (sink === undefined) super.printLog(logLevel, log);
    else sink(log.getAttributes());
  }
}

/**
 * The functions' structured logger: one JSON line per entry on stdout (service name from
 * POWERTOOLS_SERVICE_NAME), as CloudWatch and the metric filters read them.
 */
export const logger: Logger = new FunctionLogger({ serviceName: 'likewatch' });

/** Wraps a raw handler in the shared middleware chain. */
export function withDefaults<Event, Result>(
  handler: (event: Event, context: Context) => Promise<Result>,
) {
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      onError: async (request) => {
        logger.error('invocation failed', request.error as Error);
      },
    });
}

/** The run summaries the functions log: one line per tick or worker batch, read by the metric filters. */
export type RunSummaryMessage =
  | 'poll tick finished'
  | 'poll batch finished'
  | 'digest tick finished'
  | 'digest batch finished';

type RunSummaryListener = (
  message: RunSummaryMessage,
  fields: Record<string, unknown>,
  requestId: string | undefined,
) => void;
const runSummaryListeners = new Set<RunSummaryListener>();

/**
 * Logs a run summary as one structured line (the metric filters in `lib/constructs/operations.ts` turn its
 * numeric fields into metrics) and hands it to in-process listeners, which is how the local runtime reads
 * the same figures CloudWatch gets. The invocation's request id (already in the log line through the logger's
 * context) tells listeners which invocation logged it, since invocations run side by side in one process.
 */
export function logRunSummary(
  message: RunSummaryMessage,
  fields: Record<string, unknown>,
  context?: Partial<Pick<Context, 'awsRequestId'>>,
): void {
  logger.info(message, fields);
  for (const listener of runSummaryListeners) listener(message, fields, context?.awsRequestId);
}

/**
 * Calls `listener` with every run summary logged in this process and the request id of the invocation that
 * logged it; returns the unsubscribe function.
 */
export function onRunSummary(listener: RunSummaryListener): () => void {
  runSummaryListeners.add(listener);
  return () => runSummaryListeners.delete(listener);
}
