/**
 * The subscription pages locally: a small Node HTTP server that turns each request into the API Gateway HTTP
 * API event (payload format 2.0) the deployed function receives, calls the very same handler
 * (`lambdas/http-api/handler.ts`), and writes its response back. There is no second copy of the page logic.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../core/subscriptions/web.ts';
import { lambdaContext } from './invoke.ts';

/** The deployed handler's signature, as the server calls it. */
export type HttpApiFunction = (event: APIGatewayProxyEventV2) => Promise<unknown>;

/** A running local web server. */
export interface LocalWebServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/` (what PUBLIC_BASE_URL must be set to). */
  url: string;
  /** Starts answering with `handler` (requests before that get 503). */
  serve(handler: HttpApiFunction): void;
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port first, so the URL is known before the handler is loaded: the handler reads
 * PUBLIC_BASE_URL at cold start.
 */
export async function startLocalWebServer(port = 0): Promise<LocalWebServer> {
  let handler: HttpApiFunction | undefined;
  const server: Server = createServer((request, response) => {
    if (!handler) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('starting');
      return;
    }
    answer(handler, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`internal error: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    serve: (next) => {
      handler = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Imports the HTTP API handler with `env` applied (its configuration is read at cold start). */
export async function loadHttpApiFunction(env: Record<string, string>): Promise<HttpApiFunction> {
  Object.assign(process.env, env);
  const module = await import('../lambdas/http-api/handler.ts');
  return (event) => module.handler(event, lambdaContext('http-api'));
}

async function answer(
  handler: HttpApiFunction,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const result = (await handler(await toEvent(request))) as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.body ?? '');
}

/** The API Gateway v2 event for a Node request; a body past the limit is cut just after it (size is all that counts). */
async function toEvent(request: IncomingMessage): Promise<APIGatewayProxyEventV2> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
    size += buffer.length;
  }
  const body = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1);
  const url = new URL(request.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') {
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  const cookies = (request.headers.cookie ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter(Boolean);
  const method = request.method ?? 'GET';
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    ...(body.length > 0
      ? { body: body.toString('base64'), isBase64Encoded: true }
      : { isBase64Encoded: false }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${Date.now()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}
