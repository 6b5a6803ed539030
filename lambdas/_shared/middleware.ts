/**
 * The one place that composes middlewares for every function: structured JSON logs with the Lambda context,
 * and errors logged once with context before they propagate (so schedulers and queues retry).
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import {
  FAILURE_METRICS,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  RUN_METRICS,
  RUN_METRICS_ENV,
} from '../../deployment/run-metrics.ts';
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
 * POWERTOOLS_SERVICE_NAME), as CloudWatch Logs keeps them.
 */
export const logger: Logger = new FunctionLogger({ serviceName: 'likewatch' });

/** The functions' metrics, written to the log in the embedded metric format (no API call, no extra IAM). */
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });

/** Which run metrics this function publishes (`RUN_METRICS`, set by the stack). */
const publishing = z
  .enum(['failures', 'all'])
  .default('failures')
  .parse(process.env[RUN_METRICS_ENV] || undefined);

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

/** The run summaries the functions log: one line per tick or worker batch, with its metrics. */
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
 * Adds the metrics of a run summary to `into`: the failure metrics when they are not zero, and with `all`
 * every metric of the summary, zeros too. Returns how many it added.
 */
export function addRunMetrics(
  into: Metrics,
  message: RunSummaryMessage,
  fields: Record<string, unknown>,
  which: 'failures' | 'all',
): number {
  let added = 0;
  for (const [field, name] of Object.entries(RUN_METRICS[message])) {
    const value = fields[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (which === 'all' || (FAILURE_METRICS.includes(name) && value > 0)) {
      into.addMetric(name, MetricUnit.Count, value);
      added += 1;
    }
  }
  return added;
}

/**
 * Logs a run summary as one structured line, publishes its metrics ({@link addRunMetrics}, read by the alarms
 * and the dashboard in `lib/constructs/operations.ts`) and hands it to in-process listeners, which is how the
 * local runtime reads the same figures. The invocation's request id (already in the log line through the logger's
 * context) tells listeners which invocation logged it, since invocations run side by side in one process.
 */
export function logRunSummary(
  message: RunSummaryMessage,
  fields: Record<string, unknown>,
  context?: Partial<Pick<Context, 'awsRequestId'>>,
): void {
  logger.info(message, fields);
  if (addRunMetrics(metrics, message, fields, publishing) > 0) metrics.publishStoredMetrics();
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
