/**
 * The one place that composes middlewares for every function: structured JSON logs with the Lambda context,
 * and errors logged once with context before they propagate (so schedulers and queues retry).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/** The functions' structured logger (JSON; service name from POWERTOOLS_SERVICE_NAME). */
export const logger = new Logger({ serviceName: 'likewatch' });

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
