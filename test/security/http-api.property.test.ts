/**
 * The deployed HTTP API function (lambdas/http-api/handler.ts), driven against the embedded services with
 * API Gateway proxy events whose client-controlled parts (method, path, query string, headers, cookies, body) are
 * arbitrary: never an unhandled exception, never a 5xx for client garbage, always a page that says what went
 * wrong, never a redirect off the site or TikTok's authorize page, and never an email address in the logs.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoWorld } from '../../core/simulate/world.ts';
import { type LocalServices, startLocalServices } from '../../local/services.ts';
import { createLedger } from '../reliability/harness.ts';

const NOW = new Date('2026-11-24T07:00:00Z');
const RUNS = 400;
const BASE_URL = 'https://likewatch.example.com/';
const ledger = createLedger('http-api-fuzz');

const PATHS = [
  '/',
  '/subscribe',
  '/confirm',
  '/preferences',
  '/unsubscribe',
  '/connect',
  '/connect/start',
  '/connect/callback',
  '/feedback',
  '/assets/site.css',
  '/assets/time-zone.js',
];
const FIELDS = [
  'email',
  'handles',
  'account',
  'paused',
  'token',
  'form',
  'state',
  'code',
  'scopes',
];
/** Addresses the fuzzer submits; none may reach the logs. */
const ADDRESSES = ['fuzz.one@example.org', 'Fuzz.Two+tag@example.org', 'x@example.org'];

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    ...ADDRESSES,
    '%',
    '%%2',
    '%E0%A4%A',
    '\r\nSet-Cookie: a=b',
    '<script>x</script>',
  ),
);
const pair = fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), text), text);
/** Form or query text: well-encoded pairs, or raw garbage. */
const encoded = fc.oneof(
  fc
    .array(pair, { maxLength: 6 })
    .map((pairs) =>
      pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
    ),
  fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  fc.string({ maxLength: 200 }),
);

const event = fc.record({
  // Mostly real routes and methods, so the fuzzing reaches the pages rather than the 404 and 405 answers.
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'post') },
    { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'OPTIONS') },
    { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) },
  ),
  path: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...PATHS) },
    { weight: 1, arbitrary: fc.constantFrom(...PATHS).map((path) => `${path}/`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((rest) => `/${rest}`) },
  ),
  query: encoded,
  body: fc.option(encoded, { nil: undefined }),
  base64: fc.boolean(),
  contentType: fc.constantFrom(
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'multipart/form-data',
    'text/plain',
    'application/json',
    '',
  ),
  headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 40 }), {
    maxKeys: 3,
  }),
  cookies: fc.array(
    fc.oneof(
      text,
      text.map((value) => `likewatch_connect=${value}`),
    ),
    {
      maxLength: 3,
    },
  ),
  sourceIp: fc.constantFrom('203.0.113.7', '198.51.100.2', '::1'),
});

/** The API Gateway proxy event (REST API) of a generated request, as API Gateway parses it. */
function toApiEvent(
  input: typeof event extends fc.Arbitrary<infer T> ? T : never,
): APIGatewayProxyEvent {
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries({
    ...input.headers,
    ...(input.contentType ? { 'content-type': input.contentType } : {}),
  })) {
    multiValueHeaders[name] = [value];
  }
  if (input.cookies.length > 0) multiValueHeaders.Cookie = [input.cookies.join('; ')];
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(input.query)) {
    multiValueQueryStringParameters[name] = [
      ...(multiValueQueryStringParameters[name] ?? []),
      value,
    ];
  }
  const body =
    input.body === undefined
      ? { body: null, isBase64Encoded: false }
      : input.base64
        ? { body: Buffer.from(input.body, 'utf8').toString('base64'), isBase64Encoded: true }
        : { body: input.body, isBase64Encoded: false };
  return {
    httpMethod: input.method,
    path: input.path,
    multiValueHeaders,
    multiValueQueryStringParameters,
    ...body,
    requestContext: { identity: { sourceIp: input.sourceIp, userAgent: 'fuzz' } },
  } as unknown as APIGatewayProxyEvent;
}

describe('the HTTP API function on arbitrary requests', () => {
  let services: LocalServices;
  let handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  let logs = '';
  const write = process.stdout.write;

  beforeAll(async () => {
    const demo = createDemoWorld({
      seed: 3,
      start: new Date(NOW.getTime() - 86_400_000),
      end: NOW,
    });
    services = await startLocalServices({
      world: demo.world,
      now: () => NOW,
      publicBaseUrl: BASE_URL,
    });
    // Every level on, so a leak at any level shows.
    services.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    Object.assign(process.env, services.env);
    const module = await import('../../lambdas/http-api/handler.ts');
    const { lambdaContext } = await import('../../local/invoke.ts');
    handler = async (apiEvent) =>
      (await module.handler(apiEvent, lambdaContext('http-api'))) as APIGatewayProxyResult;
  }, 60_000);
  afterAll(async () => {
    process.stdout.write = write;
    await services?.close();
  });

  it('should answer every request with a page and a status below 500, and redirect only to itself or TikTok', async () => {
    let requests = 0;
    let serverErrors = 0;
    const statuses: Record<number, number> = {};
    process.stdout.write = ((chunk: string | Uint8Array) => {
      logs += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    }) as typeof process.stdout.write;
    try {
      await fc.assert(
        fc.asyncProperty(event, async (input) => {
          requests += 1;
          const response = await handler(toApiEvent(input));
          const status = response.statusCode ?? 200;
          if (status >= 500) serverErrors += 1;
          statuses[status] = (statuses[status] ?? 0) + 1;
          expect(status, JSON.stringify(input)).toBeLessThan(500);
          expect(response.headers?.['content-type']).toBeTruthy();
          if (status >= 400 && input.method.toUpperCase() !== 'HEAD') {
            // A clear page: a heading that names the problem, in a whole HTML document.
            expect(response.body).toMatch(/<h1[^>]*>[^<]+<\/h1>/);
          }
          if (status >= 300 && status < 400) {
            const location = new URL(String(response.headers?.location), BASE_URL);
            expect([new URL(BASE_URL).origin, new URL(services.tiktok.url).origin]).toContain(
              location.origin,
            );
          }
        }),
        { numRuns: RUNS, seed: 20261124 },
      );
    } finally {
      process.stdout.write = write;
      ledger.record({
        suite: 'fuzz',
        name: 'pages function: arbitrary API Gateway requests',
        inputsFuzzed: requests,
        duplicates: 0,
        losses: 0,
        details: {
          serverErrors,
          ...Object.fromEntries(Object.entries(statuses).map(([s, n]) => [`status ${s}`, n])),
        },
      });
    }
    expect(logs).toContain('"message":"request"');
    for (const address of ADDRESSES)
      expect(logs.toLowerCase()).not.toContain(address.toLowerCase());
    expect(logs).not.toContain(services.env.LINK_SIGNING_KEY as string);
  }, 120_000);
});
