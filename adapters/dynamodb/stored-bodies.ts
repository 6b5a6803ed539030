/**
 * How the poll history writes what it stores: records (a key, head attributes and an encoded body, chunked when
 * large) and plain items, batched where DynamoDB allows, with the failure of a write charged to the polls it
 * was for; and what a poll may replace under its slot.
 */
import type { Poll } from '../../core/model.ts';
import type { ChunkedRecords } from './chunked-records.ts';
import { BATCH_WRITE_SIZE, type DynamoTable, type Item, type PutCondition } from './table.ts';

/** A record to store: key, head attributes, body, and what it may replace (anything, when absent). */
export interface StoredBody {
  key: { pk: string; sk: string };
  attributes: Item;
  body: Uint8Array;
  condition?: PutCondition | undefined;
}

/** Stores the record unless an `ok` poll is stored under its key. */
export const NOT_OVER_OK: PutCondition = {
  expression: 'attribute_not_exists(pk) OR #status <> :ok',
  names: { '#status': 'status' },
  values: { ':ok': 'ok' },
};

/**
 * What a poll of each status may replace under its slot. Polls rank ok, partial, failed: a later delivery of
 * the same job heals a failed poll (a timeout on a busy worker), and a worse poll never shadows a better one,
 * whichever write lands last. A slot's first ok poll stays: later polls of its day may refer to it (see
 * `poll-bases.ts`), so a retried job that finds its slot stored ok leaves it. Partial and failed polls of
 * equal rank replace each other, as a retried run always did.
 */
export const REPLACES: Record<Poll['status'], PutCondition> = {
  ok: NOT_OVER_OK,
  partial: NOT_OVER_OK,
  failed: {
    expression: 'attribute_not_exists(pk) OR #status = :failed',
    names: { '#status': 'status' },
    values: { ':failed': 'failed' },
  },
};

/** `error` as an Error, for a poll's error slot. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Writes records (chunked when large, see ChunkedRecords) and plain items: what fits in one item in
 * BatchWriteItem requests of 25, the rest one by one. A failed write fails its owners.
 */
export async function writeAll(
  table: DynamoTable,
  records: ChunkedRecords,
  writes: ReadonlyArray<{ owners: readonly number[] } & ({ record: StoredBody } | { item: Item })>,
  fail: (owners: readonly number[]) => (error: unknown) => void,
): Promise<void> {
  const single: Array<{ item: Item; owners: readonly number[] }> = [];
  await Promise.all(
    writes.map(async (write) => {
      if ('item' in write) {
        single.push(write);
        return;
      }
      const { key, attributes, body, condition } = write.record;
      const item = records.singleItem(key, attributes, body);
      // A conditional write goes alone: BatchWriteItem takes no conditions. A refused one (a better poll is
      // stored for the slot) is not a failure: the slot has its poll.
      if (item && !condition) single.push({ item, owners: write.owners });
      else if (item && condition) {
        await table.putIf(item, condition).catch(fail(write.owners));
      } else await records.write(key, attributes, body, condition).catch(fail(write.owners));
    }),
  );
  for (let start = 0; start < single.length; start += BATCH_WRITE_SIZE) {
    const group = single.slice(start, start + BATCH_WRITE_SIZE);
    await table
      .batchPut(group.map(({ item }) => item))
      .catch(fail(group.flatMap(({ owners }) => owners)));
  }
}
