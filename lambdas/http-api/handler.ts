/**
 * Subscription pages: behind the stack's API Gateway REST API (Lambda proxy integration, the payload format
 * 1.0 event), and locally behind the Node server of `local/web-server.ts`, which builds the same events. Parses
 * the event, hands the request to the pages (`core/subscriptions/web.ts`) and turns the answer back into an API
 * Gateway response.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { handleWebRequest, MAX_BODY_BYTES, type WebRequest } from '../../core/subscriptions/web.ts';
import { createHttpApiDeps } from '../_shared/composition.ts';
import { HttpApiEnvChecked, loadEnv } from '../_shared/env.ts';
import { logger, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(HttpApiEnvChecked, process.env);
const deps = await createHttpApiDeps(env);

/** The parts of an API Gateway proxy event (REST API) the pages use. */
export const HttpApiEvent = z.object({
  httpMethod: z.string().min(1),
  /** The path under the stage (or the custom domain's base path), starting with `/`. */
  path: z.string().startsWith('/'),
  multiValueQueryStringParameters: z.record(z.string(), z.array(z.string())).nullish(),
  multiValueHeaders: z.record(z.string(), z.array(z.string())).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
  requestContext: z.object({ identity: z.object({ sourceIp: z.string().min(1) }) }),
});
export type HttpApiEvent = z.infer<typeof HttpApiEvent>;

/** The request the pages see. A body far over the limit is not even decoded: only its size matters. */
export function toWebRequest(event: HttpApiEvent): WebRequest {
  const raw = event.body ?? '';
  // The decoded size of base64 text, without decoding it: three bytes per four characters, less the padding.
  const bodyBytes = event.isBase64Encoded
    ? (raw.length * 3) / 4 - (raw.endsWith('==') ? 2 : raw.endsWith('=') ? 1 : 0)
    : Buffer.byteLength(raw, 'utf8');
  const body =
    bodyBytes > MAX_BODY_BYTES
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(raw, 'base64').toString('utf8')
        : raw;
  const headers: Record<string, string> = {};
  const cookies: Record<string, string> = {};
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    const lower = name.toLowerCase();
    if (lower !== 'cookie') {
      headers[lower] = values.join(',');
      continue;
    }
    for (const pair of values.flatMap((value) => value.split(';'))) {
      const at = pair.indexOf('=');
      if (at > 0) cookies[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
    }
  }
  const query = new URLSearchParams();
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    for (const value of values) query.append(name, value);
  }
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    query,
    headers,
    body,
    bodyBytes,
    sourceIp: event.requestContext.identity.sourceIp,
    cookies,
  };
}

/** Answers one HTTP request. */
export const httpApiHandler = async (event: unknown): Promise<APIGatewayProxyResult> => {
  const request = toWebRequest(HttpApiEvent.parse(event));
  const response = await handleWebRequest(deps, request, (error) =>
    logger.error('request failed', error as Error),
  );
  // Never the query string: it carries tokens.
  logger.info('request', { method: request.method, path: request.path, status: response.status });
  return {
    statusCode: response.status,
    headers: response.headers,
    ...(response.cookies.length > 0
      ? { multiValueHeaders: { 'set-cookie': response.cookies } }
      : {}),
    body: request.method === 'HEAD' ? '' : response.body,
  };
};

export const handler = withDefaults(httpApiHandler);
