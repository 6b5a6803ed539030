/**
 * Subscription pages: behind the stack's API Gateway HTTP API (payload format 2.0), and locally behind the
 * Node server of `local/web-server.ts`, which builds the same events. Parses the event, hands the request to
 * the pages (`core/subscriptions/web.ts`) and turns the answer back into an API Gateway response.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { handleWebRequest, MAX_BODY_BYTES, type WebRequest } from '../../core/subscriptions/web.ts';
import { createHttpApiDeps } from '../_shared/composition.ts';
import { HttpApiEnvChecked, loadEnv } from '../_shared/env.ts';
import { logger, withDefaults } from '../_shared/middleware.ts';

const env = loadEnv(HttpApiEnvChecked, process.env);
const deps = await createHttpApiDeps(env);

/** The parts of an API Gateway v2 event the pages use. */
export const HttpApiEvent = z.object({
  rawPath: z.string().startsWith('/'),
  rawQueryString: z.string().default(''),
  headers: z.record(z.string(), z.string()).default({}),
  cookies: z.array(z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({
    http: z.object({ method: z.string().min(1), sourceIp: z.string().min(1) }),
  }),
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
  const cookies: Record<string, string> = {};
  for (const pair of event.cookies ?? []) {
    const at = pair.indexOf('=');
    if (at > 0) cookies[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString),
    headers: Object.fromEntries(
      Object.entries(event.headers).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    body,
    bodyBytes,
    sourceIp: event.requestContext.http.sourceIp,
    cookies,
  };
}

/** Answers one HTTP request. */
export const httpApiHandler = async (event: unknown): Promise<APIGatewayProxyResultV2> => {
  const request = toWebRequest(HttpApiEvent.parse(event));
  const response = await handleWebRequest(deps, request, (error) =>
    logger.error('request failed', error as Error),
  );
  // Never the query string: it carries tokens.
  logger.info('request', { method: request.method, path: request.path, status: response.status });
  return {
    statusCode: response.status,
    headers: response.headers,
    body: request.method === 'HEAD' ? '' : response.body,
    ...(response.cookies.length > 0 ? { cookies: response.cookies } : {}),
  };
};

export const handler = withDefaults(httpApiHandler);
