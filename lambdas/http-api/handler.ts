/**
 * Subscription pages: behind the stack's API Gateway REST API (Lambda proxy integration, the payload format
 * 1.0 event), and locally behind the Node server of `local/web-server.ts`, which builds the same events. The
 * adapter (`adapters/api-gateway-http.ts`) maps the event to the pages' request and their answer back; this
 * composes them with the pages (`core/subscriptions/web.ts`).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { HttpApiEvent, toProxyResult, toWebRequest } from '../../adapters/api-gateway-http.ts';
import { handleWebRequest } from '../../core/subscriptions/web.ts';
import { createHttpApiDeps } from '../_shared/composition.ts';
import { HttpApiEnvChecked, loadEnv } from '../_shared/env.ts';
import { logger, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(HttpApiEnvChecked, process.env);
const deps = await createHttpApiDeps(env);

/** Answers one HTTP request. */
export const httpApiHandler = async (event: unknown): Promise<APIGatewayProxyResult> => {
  const request = toWebRequest(HttpApiEvent.parse(event));
  const response = await handleWebRequest(deps, request, (error) =>
    logger.error('request failed', error as Error),
  );
  // Never the query string: it carries tokens.
  logger.info('request', { method: request.method, path: request.path, status: response.status });
  return toProxyResult(request, response);
};

export const handler = withDefaults(httpApiHandler);
