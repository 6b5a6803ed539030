/**
 * The embedded default: DynamoDB (dynalite, on its own thread), SES (aws-ses-v2-local, in-process), SQS (the
 * poll and digest job queues, `local-sqs.ts`) and the fake TikTok, each on a free loopback port, plus the
 * environment that points the real Lambda handlers at them.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { POLL_MINUTE_INDEX } from '../adapters/dynamodb/keys.ts';
import type { SourceKind } from '../core/model.ts';
import type { World } from '../core/simulate/world.ts';
import {
  DEFAULT_DIGEST_WORKER_CONCURRENCY,
  DEFAULT_POLL_WORKER_CONCURRENCY,
  DIGEST_BATCH_SIZE,
  DIGEST_PART_BATCH_SIZE,
  DIGEST_PART_CONCURRENCY,
  LOCAL_QUEUE_NAMES,
  MAX_RECEIVE_COUNT,
  POLL_BATCH_SIZE,
} from '../deployment/fan-out.ts';
import { FakeTikTok } from './fake-tiktok/server.ts';
import { type LocalSqs, startLocalSqs } from './local-sqs.ts';

/**
 * aws-ses-v2-local is CommonJS with an `exports.default`; loading it through `require` gives the same function
 * under Node's ESM loader and under vitest, whose default-import interop differ.
 */
const startSesServer: typeof import('aws-ses-v2-local').default = createRequire(import.meta.url)(
  'aws-ses-v2-local',
).default;

/** The table name used locally (in AWS, CDK names the table). */
export const LOCAL_TABLE_NAME = 'likewatch-local';

/** A TikTok the services point the functions at: its address and the app's client credentials. */
export interface RunningTikTok {
  url: string;
  client: { key: string; secret: string };
  close(): Promise<void>;
}

/** Running embedded services. */
export interface LocalServices<TikTok extends RunningTikTok = FakeTikTok> {
  dynamodbEndpoint: string;
  /** How busy the embedded DynamoDB's thread has been. */
  dynamodbBusy?: ThreadBusy;
  sesEndpoint: string;
  /** The poll, digest and digest part queues, drained into the functions by `local/invoke.ts`. */
  sqs: LocalSqs;
  tiktok: TikTok;
  /** Environment for the handlers: endpoints, table, sender, signing key. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Options of the embedded services. */
export interface LocalServicesOptions {
  world: World;
  /** The simulated instant the fake TikTok shows. */
  now: () => Date;
  /** Base URL used in email links. @default http://127.0.0.1 (the pages are served by `--serve`) */
  publicBaseUrl?: string;
  /** Stats sources the poll function enables (all served by the fake TikTok). @default ['display_api'] */
  sources?: readonly SourceKind[];
}

/** The options with a TikTok already running elsewhere (e.g. `FakeTikTokThread`), used instead of one here. */
export type LocalServicesWith<TikTok extends RunningTikTok> = Omit<
  LocalServicesOptions,
  'now' | 'world'
> & {
  tiktok: TikTok;
};

/**
 * How busy a thread's event loop has been, overall or since an earlier reading
 * (`Worker.performance.eventLoopUtilization`).
 */
export type ThreadBusy = (since?: EventLoopUtilization) => EventLoopUtilization;

/** A running embedded service: its endpoint and how to stop it. */
export interface EmbeddedService {
  endpoint: string;
  /** How busy the service's own thread has been, when it runs on one. */
  busy?: ThreadBusy;
  close(): Promise<void>;
}

/**
 * Starts dynalite in memory on a free port, on a thread of its own (`dynalite-thread.mjs`), with the likewatch
 * table created.
 */
export async function startEmbeddedDynamoDb(): Promise<EmbeddedService> {
  const thread = new Worker(new URL('./dynalite-thread.mjs', import.meta.url));
  const port = await new Promise<number>((resolve, reject) => {
    thread.once('message', (message: { port: number }) => resolve(message.port));
    thread.once('error', reject);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await createLocalTable(endpoint);
  return {
    endpoint,
    busy: (since) => thread.performance.eventLoopUtilization(since),
    close: async () => {
      const closed = new Promise((resolve) => thread.once('message', resolve));
      thread.postMessage('close');
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      await thread.terminate();
    },
  };
}

/** Starts the local SES API (aws-ses-v2-local) on a free port. */
export async function startEmbeddedSes(): Promise<EmbeddedService> {
  const server = await startSesServer({ host: '127.0.0.1', port: 0 });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, close: () => closeServer(server) };
}

/** Starts dynalite, the local SES and the fake TikTok (unless one is given), and creates the table. */
export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices>;
export async function startLocalServices<TikTok extends RunningTikTok>(
  options: LocalServicesWith<TikTok>,
): Promise<LocalServices<TikTok>>;
export async function startLocalServices(
  options: LocalServicesOptions | LocalServicesWith<RunningTikTok>,
): Promise<LocalServices<RunningTikTok>> {
  const dynamo = await startEmbeddedDynamoDb();
  const dynamodbEndpoint = dynamo.endpoint;
  const ses = await startEmbeddedSes();
  const sesEndpoint = ses.endpoint;

  // Batched and redriven as the stack's event source mappings and dead-letter queues do (deployment/fan-out.ts).
  const sqs = await startLocalSqs({
    [LOCAL_QUEUE_NAMES.poll]: {
      batchSize: POLL_BATCH_SIZE,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      concurrency: DEFAULT_POLL_WORKER_CONCURRENCY,
    },
    [LOCAL_QUEUE_NAMES.digest]: {
      batchSize: DIGEST_BATCH_SIZE,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      concurrency: DEFAULT_DIGEST_WORKER_CONCURRENCY,
    },
    [LOCAL_QUEUE_NAMES.digestParts]: {
      batchSize: DIGEST_PART_BATCH_SIZE,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      concurrency: DIGEST_PART_CONCURRENCY,
    },
  });

  const tiktok =
    'tiktok' in options
      ? options.tiktok
      : await FakeTikTok.start({ world: options.world, now: options.now });

  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    AWS_ENDPOINT_URL_SESV2: sesEndpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    POLL_QUEUE_URL: sqs.queue(LOCAL_QUEUE_NAMES.poll).url,
    DIGEST_QUEUE_URL: sqs.queue(LOCAL_QUEUE_NAMES.digest).url,
    DIGEST_PART_QUEUE_URL: sqs.queue(LOCAL_QUEUE_NAMES.digestParts).url,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: LOCAL_TABLE_NAME,
    TIKTOK_API_BASE_URL: tiktok.url,
    // The fake serves the web pages too, and plays the TikTok app whose client key and secret these are.
    TIKTOK_WEB_BASE_URL: tiktok.url,
    TIKTOK_CLIENT_KEY: tiktok.client.key,
    TIKTOK_CLIENT_SECRET: tiktok.client.secret,
    ENABLED_SOURCES: (options.sources ?? ['display_api']).join(','),
    // Two simulated weeks are replayed in seconds of wall-clock time, far faster than TikTok's 600 requests
    // per minute; the fake does not limit the rate, so neither does the poller locally.
    TIKTOK_RATE_LIMIT_PER_MINUTE: '1000000',
    SENDER_ADDRESS: 'likewatch <digest@likewatch.local>',
    PUBLIC_BASE_URL: options.publicBaseUrl ?? 'http://127.0.0.1/',
    LINK_SIGNING_KEY: randomBytes(32).toString('base64url'),
    // Source credentials are sealed at rest locally too, under a key that lives as long as the run.
    CREDENTIALS_LOCAL_KEY: randomBytes(32).toString('base64'),
    // The functions log JSON for CloudWatch; locally only warnings and errors are worth showing.
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    // Metrics are CloudWatch's; locally the run summaries are read in process (`onRunSummary`).
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  return {
    dynamodbEndpoint,
    ...(dynamo.busy ? { dynamodbBusy: dynamo.busy } : {}),
    sesEndpoint,
    sqs,
    tiktok,
    env,
    close: async () => {
      await tiktok.close();
      await sqs.close();
      await ses.close();
      await dynamo.close();
    },
  };
}

/**
 * Creates the likewatch table at `endpoint` with the same key schema and index as the CDK table
 * (lib/likewatch-stack.ts).
 */
export async function createLocalTable(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: LOCAL_TABLE_NAME,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: POLL_MINUTE_INDEX.partitionKey, AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: POLL_MINUTE_INDEX.name,
          KeySchema: [
            { AttributeName: POLL_MINUTE_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  client.destroy();
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
