/**
 * How the data and operator commands (`export`, `import`, `accounts`, `subscribers`, `ses-event`) reach a
 * store: a local DynamoDB endpoint (`--endpoint`, e.g. the one `likewatch start --serve` prints; the table
 * defaults to the local one) or, without an endpoint, the deployed table of the current AWS account (`--table`
 * required, credentials and region from the usual AWS environment).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoDbStore } from '../adapters/dynamodb-store.ts';
import { LOCAL_TABLE_NAME } from '../local/services.ts';
import { validateOptions } from './command.ts';

/** `parseArgs` definitions of the connection options. */
export const STORE_OPTIONS = {
  endpoint: { type: 'string' },
  table: { type: 'string' },
} as const;

/** Where the descriptions start in most commands' option lists. */
const USAGE_COLUMN = 19;

/** Usage lines of the connection options, their descriptions starting at `column` (as the command's others). */
export function storeUsage(column = USAGE_COLUMN): string[] {
  return [
    ['--endpoint URL', 'a local DynamoDB, e.g. the one `likewatch start --serve` prints'],
    ['--table NAME', `the table (default with --endpoint: ${LOCAL_TABLE_NAME}; required without)`],
  ].map(([flag, text]) => `  ${flag}`.padEnd(column) + text);
}

/** The connection options, validated. */
export const StoreConnection = z
  .object({
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    table: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'a DynamoDB table name (3–255 of A-Z a-z 0-9 _ . -)')
      .optional(),
  })
  .refine((options) => options.endpoint !== undefined || options.table !== undefined, {
    message: 'give --endpoint URL for a local store, or --table NAME for the deployed one',
  });
export type StoreConnection = z.infer<typeof StoreConnection>;

/** Validates the connection options; bad input is a UsageError. */
export function parseStoreConnection(values: Record<string, unknown>): StoreConnection {
  return validateOptions(StoreConnection, { endpoint: values.endpoint, table: values.table });
}

/** The store behind `connection`, and how to release its client. */
export function openStore(connection: StoreConnection): {
  store: DynamoDbStore;
  close: () => void;
} {
  const client = new DynamoDBClient(
    connection.endpoint === undefined
      ? {}
      : {
          endpoint: connection.endpoint,
          region: process.env.AWS_REGION ?? 'us-east-1',
          // A local DynamoDB accepts any credentials; real ones are not needed (nor sent anywhere).
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        },
  );
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const store = new DynamoDbStore(doc, {
    tableName: connection.table ?? LOCAL_TABLE_NAME,
  });
  return { store, close: () => client.destroy() };
}

/** Runs `work` against the store the connection options in `values` name, and releases it. */
export async function withStore<Result>(
  values: Record<string, unknown>,
  work: (store: DynamoDbStore) => Promise<Result>,
): Promise<Result> {
  const { store, close } = openStore(parseStoreConnection(values));
  try {
    return await work(store);
  } finally {
    close();
  }
}
