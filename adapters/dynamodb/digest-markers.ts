/**
 * Digest markers (`SUBSCRIBER#<id>` / `DIGEST#<local date>`): the claim that makes one run send a subscriber's
 * digest for a local date, the "sent" mark with the report the next morning follows up on, and the release of
 * a claim whose send failed (docs/data-model.md).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../core/errors.ts';
import { DigestReport } from '../../core/model.ts';
import { keys } from './keys.ts';
import { type DynamoTable, type Item, isConditionalCheckFailure } from './table.ts';

/** Claims, marks and reads digest markers. */
export class DigestMarkers {
  constructor(
    private readonly table: DynamoTable,
    /** A claim older than this is abandoned (its run died) and may be taken over. */
    private readonly leaseMs: number,
  ) {}

  async claim(subscriberId: string, localDate: string, claimedAt: Date): Promise<boolean> {
    try {
      await this.table.send(() =>
        this.table.doc.send(
          new PutCommand({
            TableName: this.table.name,
            Item: {
              ...keys.digest(subscriberId, localDate),
              state: 'claimed',
              claimedAt: claimedAt.getTime(),
            },
            // A claim whose run died before sending is taken over once its lease has run out.
            ConditionExpression:
              'attribute_not_exists(pk) OR (#state = :claimed AND claimedAt < :staleBefore)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':claimed': 'claimed',
              ':staleBefore': claimedAt.getTime() - this.leaseMs,
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw new StoreError('could not claim the digest', { cause: error });
    }
  }

  async markSent(
    subscriberId: string,
    localDate: string,
    messageId: string,
    report?: DigestReport,
  ): Promise<void> {
    // The report is kept as JSON text: small (a few accounts and videos) and read back whole.
    const withReport = report === undefined ? '' : ', report = :report';
    await this.table.send(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.digest(subscriberId, localDate),
          UpdateExpression: `SET #state = :sent, messageId = :messageId${withReport}`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':messageId': messageId,
            ...(report === undefined ? {} : { ':report': JSON.stringify(report) }),
          },
        }),
      ),
    );
  }

  /** The report stored with a sent digest (see {@link readReport}). */
  async getReport(subscriberId: string, localDate: string): Promise<DigestReport | undefined> {
    const result = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({ TableName: this.table.name, Key: keys.digest(subscriberId, localDate) }),
      ),
    );
    return result.Item ? readReport(result.Item) : undefined;
  }

  async getReports(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Map<string, DigestReport>> {
    const items = await this.items(digests);
    return new Map(
      items.flatMap(({ name, item }) => {
        const report = readReport(item);
        return report ? [[name, report] as const] : [];
      }),
    );
  }

  async listSent(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Set<string>> {
    const items = await this.items(digests);
    return new Set(items.filter(({ item }) => item.state === 'sent').map(({ name }) => name));
  }

  /** The stored digest items of `digests` (one batch read), each with its `subscriberId/localDate` name. */
  private items(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Array<{ name: string; item: Item }>> {
    return this.table.batchGetNamed(
      digests.map(({ subscriberId, localDate }) => ({
        name: `${subscriberId}/${localDate}`,
        key: keys.digest(subscriberId, localDate),
      })),
    );
  }

  async release(subscriberId: string, localDate: string): Promise<void> {
    await this.table
      .send(() =>
        this.table.doc.send(
          new DeleteCommand({
            TableName: this.table.name,
            Key: keys.digest(subscriberId, localDate),
            ConditionExpression: '#state = :claimed',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':claimed': 'claimed' },
          }),
        ),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailure(error)) throw error;
      });
  }
}

/**
 * The report stored with a sent digest. A missing or unreadable report gives undefined: it only feeds the next
 * digest's follow-ups, which are left out rather than failing the digest.
 */
function readReport(item: Item): DigestReport | undefined {
  const stored = item.report;
  if (typeof stored !== 'string') return undefined;
  try {
    const parsed = DigestReport.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
