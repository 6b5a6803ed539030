/**
 * Records whose body may outgrow one DynamoDB item (400 KB), stored as a head item plus chunk items, and
 * only ever read back complete.
 *
 * Write: the chunks go first, under keys that carry a fresh write id (`<key>#<writeId>#<n>`), then the head
 * (`<key>`, holding the first part, the write id and the chunk count) replaces any earlier head in one put.
 * The chunks of the head it replaced are deleted afterwards. A reader assembles a head only with chunks of
 * its own write id, so a retried or concurrent write of the same key can never mix two versions: whichever
 * head lands last wins whole, and a write that died before its head leaves only unreferenced chunks (polls
 * carry the TTL attribute, so those expire with them). No transactions are needed, which keeps the embedded
 * store (dynalite, which has none) on the deployed code path.
 */
import { randomBytes } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type DynamoTable,
  type Item,
  ignoreConditionFailure,
  type KeyRange,
  type PutCondition,
} from './table.ts';

/**
 * Largest body part per item. DynamoDB's limit is 400 KB for the whole item (names, keys and other
 * attributes included); this leaves ample room for them.
 */
export const MAX_PART_BYTES = 350_000;

/** A record read back whole: its head's attributes and the reassembled body. */
export interface StoredRecord {
  head: Item;
  body: Uint8Array;
}

/** Writes and reads chunked records in one table. */
export class ChunkedRecords {
  constructor(
    private readonly table: DynamoTable,
    private readonly maxPartBytes = MAX_PART_BYTES,
  ) {}

  /**
   * Stores `body` under `key` with `attributes` on the head (and `expiresAt`, if given, on every item),
   * replacing whatever was stored under `key` before, if `condition` holds for it. Whether it was stored: when
   * the condition fails, the chunks just written are deleted and the stored record stays as it was.
   */
  async write(
    key: { pk: string; sk: string },
    attributes: Item,
    body: Uint8Array,
    condition?: PutCondition,
  ): Promise<boolean> {
    const writeId = newWriteId();
    const parts = split(body, this.maxPartBytes);
    const expiry = attributes.expiresAt === undefined ? {} : { expiresAt: attributes.expiresAt };
    await Promise.all(
      parts
        .slice(1)
        .map((part, index) =>
          this.table.put({ pk: key.pk, sk: chunkKey(key.sk, writeId, index + 1), part, ...expiry }),
        ),
    );
    let replaced: Item | undefined;
    try {
      const result = await this.table.send(() =>
        this.table.doc.send(
          new PutCommand({
            TableName: this.table.name,
            Item: { ...key, ...attributes, writeId, chunks: parts.length, part: parts[0] },
            ReturnValues: 'ALL_OLD',
            ...(condition && {
              ConditionExpression: condition.expression,
              ...(condition.names && { ExpressionAttributeNames: condition.names }),
              ...(condition.values && { ExpressionAttributeValues: condition.values }),
            }),
          }),
        ),
      );
      replaced = result.Attributes;
    } catch (error) {
      ignoreConditionFailure(error);
      await this.deleteChunks(key, writeId, parts.length);
      return false;
    }
    if (replaced && replaced.writeId !== writeId && Number(replaced.chunks) > 1) {
      await this.deleteChunks(key, String(replaced.writeId), Number(replaced.chunks));
    }
    return true;
  }

  /** Deletes the chunks (parts after the first) of the write `writeId` of `key`. */
  private async deleteChunks(
    key: { pk: string; sk: string },
    writeId: string,
    count: number,
  ): Promise<void> {
    await Promise.all(
      Array.from({ length: count - 1 }, (_, index) =>
        this.table.send(() =>
          this.table.doc.send(
            new DeleteCommand({
              TableName: this.table.name,
              Key: { pk: key.pk, sk: chunkKey(key.sk, writeId, index + 1) },
            }),
          ),
        ),
      ),
    );
  }

  /**
   * `body` under `key` as one item ready for a batch write, when it fits in one part; undefined when it must be
   * chunked through {@link ChunkedRecords.write}. A batch write cannot return the item it replaced, so the
   * chunks of a chunked record it overwrites are left behind: invisible to readers (their write id is not the
   * head's), and gone with the TTL where the record has one.
   */
  singleItem(
    key: { pk: string; sk: string },
    attributes: Item,
    body: Uint8Array,
  ): Item | undefined {
    if (body.length > this.maxPartBytes) return undefined;
    return { ...key, ...attributes, writeId: newWriteId(), chunks: 1, part: body };
  }

  /**
   * The complete records in `range` (the range must reach past the last head's chunks, see
   * `throughChunksOf`), in key order. A head whose chunks are not all visible yet (an eventually consistent
   * read racing a write) is read again consistently; one still incomplete is left out, never returned cut.
   */
  async read(range: KeyRange): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    for (const group of groupByHead(await this.table.query(range))) {
      const record =
        assemble(group) ??
        assemble(
          groupByHead(
            await this.table.query(
              { pk: String(group.head.pk), prefix: String(group.head.sk) },
              { ConsistentRead: true },
            ),
          ).find((candidate) => candidate.head.sk === group.head.sk),
        );
      if (record) records.push(record);
    }
    return records;
  }
}

function newWriteId(): string {
  return randomBytes(6).toString('base64url');
}

function chunkKey(recordKey: string, writeId: string, index: number): string {
  return `${recordKey}#${writeId}#${index}`;
}

function split(body: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < body.length || parts.length === 0; offset += size) {
    parts.push(body.subarray(offset, offset + size));
  }
  return parts;
}

interface HeadGroup {
  head: Item;
  chunks: Item[];
}

/** Heads with the chunk items that follow them in key order (chunks of other write ids included). */
function groupByHead(items: Item[]): HeadGroup[] {
  const groups: HeadGroup[] = [];
  for (const item of items) {
    const current = groups.at(-1);
    if (item.chunks !== undefined) groups.push({ head: item, chunks: [] });
    else if (current && String(item.sk).startsWith(`${current.head.sk}#`))
      current.chunks.push(item);
    // Anything else is a chunk without a head in range: an unfinished write, invisible by design.
  }
  return groups;
}

function assemble(group: HeadGroup | undefined): StoredRecord | undefined {
  if (!group) return undefined;
  const { head } = group;
  const count = Number(head.chunks);
  const parts: Uint8Array[] = [head.part as Uint8Array];
  for (let index = 1; index < count; index += 1) {
    const key = chunkKey(String(head.sk), String(head.writeId), index);
    const chunk = group.chunks.find((candidate) => candidate.sk === key);
    if (!chunk) return undefined;
    parts.push(chunk.part as Uint8Array);
  }
  const { part: _part, chunks: _chunks, writeId: _writeId, ...attributes } = head;
  return { head: attributes, body: Buffer.concat(parts) };
}
