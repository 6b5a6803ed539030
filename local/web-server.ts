/**
 * The subscription pages locally: a small Node HTTP server that turns each request into the API Gateway REST
 * API proxy event (payload format 1.0) the deployed function receives, calls the very same handler
 * (`lambdas/http-api/handler.ts`), and writes its response back. There is no second copy of the page logic.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MAX_BODY_BYTES } from '../core/subscriptions/web.ts';
import { lambdaContext } from './invoke.ts';

/** The deployed handler's signature, as the server calls it. */
export type HttpApiFunction = (event: APIGatewayProxyEvent) => Promise<unknown>;

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
  const result = (await handler(await toEvent(request))) as APIGatewayProxyResult;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name] = values.map(String);
  }
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(result.body ?? '');
}

/**
 * The API Gateway proxy event (REST API, payload format 1.0) for a Node request; a body past the limit is cut
 * just after it (size is all that counts).
 */
async function toEvent(request: IncomingMessage): Promise<APIGatewayProxyEvent> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
    size += buffer.length;
  }
  const body = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1);
  const url = new URL(request.url ?? '/', 'http://local');
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) multiValueHeaders[name] = Array.isArray(value) ? value : [value];
  }
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
  }
  const single = <T>(multi: Record<string, T[]>) =>
    Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values.at(-1) as T]));
  const method = request.method ?? 'GET';
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  const hasQuery = url.searchParams.size > 0;
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: method,
    headers: single(multiValueHeaders),
    multiValueHeaders,
    queryStringParameters: hasQuery ? single(multiValueQuery) : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: { proxy: url.pathname.slice(1) },
    stageVariables: null,
    body: body.length > 0 ? body.toString('base64') : null,
    isBase64Encoded: body.length > 0,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: { sourceIp, userAgent: multiValueHeaders['user-agent']?.[0] ?? null },
      path: url.pathname,
      stage: 'local',
      requestId: `local-${Date.now()}`,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: '/{proxy+}',
    },
  } as unknown as APIGatewayProxyEvent;
}
