/**
 * Thin access to the single table: every call goes through {@link DynamoTable.send}, which turns SDK failures
 * into `StoreError` (condition failures pass through, callers decide what they mean), and queries are read
 * page by page to the end.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../core/errors.ts';

/** One item as the document client returns it. */
export type Item = Record<string, unknown>;

/** The primary key of an item. */
export type Key = { pk: string; sk: string };

/** Items per BatchWriteItem request (DynamoDB's limit). */
export const BATCH_WRITE_SIZE = 25;
/** Keys per BatchGetItem request (DynamoDB's limit). */
const BATCH_GET_SIZE = 100;

/** A condition on the item a put would replace (a DynamoDB condition expression with its names and values). */
export interface PutCondition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/** A key range inside one partition: a prefix, or an inclusive `between`. */
export type KeyRange = { pk: string; prefix: string } | { pk: string; between: [string, string] };

/** The table name and the document client, with the helpers every part of the store uses. */
export class DynamoTable {
  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  /** Runs one SDK call; failures become StoreError, condition failures pass through for callers. */
  async send<Output>(call: () => Promise<Output>): Promise<Output> {
    try {
      return await call();
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw error;
      throw new StoreError('DynamoDB request failed', { cause: error });
    }
  }

  /** The item under `key`, if any (eventually consistent unless `consistent`). */
  async get(key: Key, consistent = false): Promise<Item | undefined> {
    const result = await this.send(() =>
      this.doc.send(new GetCommand({ TableName: this.name, Key: key, ConsistentRead: consistent })),
    );
    return result.Item;
  }

  /**
   * Reads the items of `requested` (strongly consistent, each key once, see {@link DynamoTable.batchGet}).
   * Each item found comes back with the name it was asked under, in no particular order; keys with no item
   * are left out.
   */
  async batchGetNamed<Name>(
    requested: ReadonlyArray<{ name: Name; key: { pk: string; sk: string } }>,
  ): Promise<Array<{ name: Name; item: Item }>> {
    const byKey = new Map(requested.map((entry) => [`${entry.key.pk}|${entry.key.sk}`, entry]));
    const items = await this.batchGet(requested.map((entry) => entry.key));
    return items.map((item) => {
      const entry = byKey.get(`${item.pk}|${item.sk}`);
      if (!entry) {
        throw new StoreError(`BatchGetItem returned an item that was not asked for (${item.pk})`);
      }
      return { name: entry.name, item };
    });
  }

  /** Puts (overwrites) one item. */
  async put(item: Item): Promise<void> {
    await this.send(() => this.doc.send(new PutCommand({ TableName: this.name, Item: item })));
  }

  /** Puts one item unless an item with its key is stored already; whether it was put. */
  async putNew(item: Item): Promise<boolean> {
    return this.putIf(item, { expression: 'attribute_not_exists(pk)' });
  }

  /** Puts one item when `condition` holds for the item it would replace; whether it was put. */
  async putIf(item: Item, condition: PutCondition): Promise<boolean> {
    try {
      await this.send(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.name,
            Item: item,
            ConditionExpression: condition.expression,
            ...(condition.names && { ExpressionAttributeNames: condition.names }),
            ...(condition.values && { ExpressionAttributeValues: condition.values }),
          }),
        ),
      );
      return true;
    } catch (error) {
      ignoreConditionFailure(error);
      return false;
    }
  }

  /**
   * Puts up to {@link BATCH_WRITE_SIZE} items in one BatchWriteItem, sending again what DynamoDB left
   * unprocessed (throttling) with a growing pause.
   */
  async batchPut(items: readonly Item[]): Promise<void> {
    await untilProcessed(
      'items',
      items.map((Item) => ({ PutRequest: { Item } })),
      async (requests) => {
        const result = await this.send(() =>
          this.doc.send(new BatchWriteCommand({ RequestItems: { [this.name]: requests } })),
        );
        return (result.UnprocessedItems?.[this.name] ?? []) as typeof requests;
      },
    );
  }

  /**
   * The items of `keys` (each key once), {@link BATCH_GET_SIZE} keys a BatchGetItem, retrying the keys
   * DynamoDB left unprocessed with a growing pause; in no particular order, keys without an item left out.
   * Strongly consistent unless `consistent` is false.
   */
  async batchGet(keys: readonly Key[], consistent = true): Promise<Item[]> {
    const unique = [...new Map(keys.map((key) => [`${key.pk}|${key.sk}`, key])).values()];
    const found: Item[] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_SIZE) {
      await untilProcessed<Key>(
        'keys',
        unique.slice(start, start + BATCH_GET_SIZE),
        async (pending) => {
          const result = await this.send(() =>
            this.doc.send(
              new BatchGetCommand({
                RequestItems: { [this.name]: { Keys: pending, ConsistentRead: consistent } },
              }),
            ),
          );
          found.push(...(result.Responses?.[this.name] ?? []));
          return (result.UnprocessedKeys?.[this.name]?.Keys ?? []) as Key[];
        },
      );
    }
    return found;
  }

  /**
   * Reads every page of a query on the primary key. `options` narrows it further (e.g. newest first with a
   * limit, or strongly consistent); with a `Limit` only the first page is read.
   */
  async query(
    range: KeyRange,
    options: Pick<QueryCommandInput, 'ConsistentRead' | 'ScanIndexForward' | 'Limit'> = {},
  ): Promise<Item[]> {
    const input: QueryCommandInput =
      'prefix' in range
        ? {
            TableName: this.name,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': range.pk, ':prefix': range.prefix },
            ...options,
          }
        : {
            TableName: this.name,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': range.pk,
              ':from': range.between[0],
              ':to': range.between[1],
            },
            ...options,
          };
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.send(() =>
        this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })),
      );
      items.push(...(page.Items ?? []));
      startKey = options.Limit === undefined ? page.LastEvaluatedKey : undefined;
    } while (startKey);
    return items;
  }

  /** Every item of a secondary index whose partition key `key.name` is `key.value`, page by page. */
  async queryIndex(
    indexName: string,
    key: { name: string; value: string | number },
  ): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.send(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.name,
            IndexName: indexName,
            KeyConditionExpression: '#key = :value',
            ExpressionAttributeNames: { '#key': key.name },
            ExpressionAttributeValues: { ':value': key.value },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}

/** True for DynamoDB's "the condition expression was false" (from the SDK class or a plain error name). */
export function isConditionalCheckFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

/** The item without its key attributes. */
export function stripKeys(item: Item): Item {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}

/** Rethrows anything but a failed condition: for writes whose condition failing means "nothing to do". */
export function ignoreConditionFailure(error: unknown): void {
  if (!isConditionalCheckFailure(error)) throw error;
}

/**
 * Sends a batch request until DynamoDB has processed every entry: what it leaves unprocessed (throttling, size
 * limits) is sent again with exponential backoff, up to 8 attempts.
 */
async function untilProcessed<Entry>(
  what: string,
  entries: Entry[],
  send: (pending: Entry[]) => Promise<Entry[]>,
): Promise<void> {
  let pending = entries;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= 8) throw new StoreError(`DynamoDB left ${what} unprocessed after 8 attempts`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    pending = await send(pending);
  }
}
