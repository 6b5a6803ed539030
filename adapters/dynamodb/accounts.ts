/**
 * Watched accounts (`ACCOUNTS` / `ACCOUNT#<id>`, with their poll minute for the `byPollMinute` index), the
 * handles each was seen under, and subscribers' answers about their nights (docs/data-model.md).
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Account, Feedback, type HandleSighting } from '../../core/model.ts';
import { forEachLimited } from '../../core/poll-accounts.ts';
import { pollMinuteOf } from '../../core/poll-schedule.ts';
import { listSightings, recordSighting } from './handles.ts';
import { accountPartition, keys, POLL_MINUTE_INDEX, throughChunksOf } from './keys.ts';
import { type DynamoTable, ignoreConditionFailure, stripKeys } from './table.ts';

/** Queries of the poll-minute index in flight for one tick. */
const MINUTE_QUERY_CONCURRENCY = 8;

/** Reads and writes account items, their handle history and the feedback on their nights. */
export class AccountRecords {
  constructor(private readonly table: DynamoTable) {}

  /**
   * Stores the account, with its poll minute for the index the poll tick reads, and starts its handle history
   * with the handle it was registered under.
   */
  async put(account: Account): Promise<void> {
    await this.table.put({
      ...keys.account(account.id),
      ...account,
      [POLL_MINUTE_INDEX.partitionKey]: pollMinuteOf(account.id),
    });
    await recordSighting(this.table, account.id, account.handle, new Date(account.addedAt));
  }

  async list(): Promise<Account[]> {
    const items = await this.table.query({ pk: 'ACCOUNTS', prefix: 'ACCOUNT#' });
    return items.map((item) => Account.parse(stripKeys(item)));
  }

  /** The accounts of the poll minutes, one query of the poll-minute index per minute (a few at a time). */
  async listInPollMinutes(minutes: readonly number[]): Promise<Account[]> {
    const found: Account[][] = new Array(minutes.length);
    await forEachLimited(
      minutes.map((minute, index) => ({ minute, index })),
      MINUTE_QUERY_CONCURRENCY,
      async ({ minute, index }) => {
        const items = await this.table.queryIndex(POLL_MINUTE_INDEX.name, {
          name: POLL_MINUTE_INDEX.partitionKey,
          value: minute,
        });
        found[index] = items.map((item) => Account.parse(stripKeys(item)));
      },
    );
    return found.flat();
  }

  async setStatus(accountId: string, status: Account['status']): Promise<void> {
    await this.table.send(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.account(accountId),
          UpdateExpression: 'SET #status = :status',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status },
        }),
      ),
    );
  }

  /**
   * Removes the account item and its credentials; its history stays until it expires. False when there was
   * no such account.
   */
  async delete(accountId: string): Promise<boolean> {
    const result = await this.table.send(() =>
      this.table.doc.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: keys.account(accountId),
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    await this.table.send(() =>
      this.table.doc.send(
        new DeleteCommand({ TableName: this.table.name, Key: keys.credentials(accountId) }),
      ),
    );
    return result.Attributes !== undefined;
  }

  /** Records the sighting; the latest one names the account, and an older one arriving late changes nothing. */
  async recordHandle(accountId: string, handle: string, seenAt: Date): Promise<void> {
    await recordSighting(this.table, accountId, handle, seenAt);
    await this.table
      .send(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: keys.account(accountId),
            UpdateExpression: 'SET handle = :handle, handleSeenAt = :seenAt',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(handleSeenAt) OR handleSeenAt <= :seenAt)',
            ExpressionAttributeValues: { ':handle': handle, ':seenAt': seenAt.toISOString() },
          }),
        ),
      )
      .catch(ignoreConditionFailure);
  }

  async listHandles(accountId: string): Promise<HandleSighting[]> {
    return listSightings(this.table, accountId);
  }

  async putFeedback(feedback: Feedback): Promise<void> {
    const valid = Feedback.parse(feedback);
    await this.table.put({
      ...keys.feedback(valid.accountId, valid.night, valid.cause, valid.subscriberId),
      ...valid,
    });
  }

  async listFeedback(accountId: string, fromNight: string, toNight: string): Promise<Feedback[]> {
    const items = await this.table.query({
      pk: accountPartition(accountId),
      between: [`FEEDBACK#${fromNight}`, throughChunksOf(`FEEDBACK#${toNight}`)],
    });
    return items.map((item) => Feedback.parse(stripKeys(item)));
  }
}
