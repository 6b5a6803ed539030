/**
 * API Gateway's Lambda proxy integration (REST API, payload format 1.0) in the pages' terms: the event as the
 * request the pages see, and their answer as the proxy result. The local web server builds the same events.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { MAX_BODY_BYTES, type WebRequest, type WebResponse } from '../core/subscriptions/web.ts';

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

/** The pages' answer as the proxy result; a `HEAD` request gets the headers without the body. */
export function toProxyResult(request: WebRequest, response: WebResponse): APIGatewayProxyResult {
  return {
    statusCode: response.status,
    headers: response.headers,
    ...(response.cookies.length > 0
      ? { multiValueHeaders: { 'set-cookie': response.cookies } }
      : {}),
    body: request.method === 'HEAD' ? '' : response.body,
  };
}
