/**
 * The single-table DynamoDB store (see docs/data-model.md for keys and access patterns).
 *
 * Polls are stored one item per account and poll slot, the whole poll gzip-compressed in one binary attribute:
 * one write per account-poll whatever the number of videos, and a retried poll of the same slot overwrites the
 * same item instead of adding a second one.
 */

import { gunzipSync, gzipSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../core/errors.ts';
import { Account, Poll, Subscriber } from '../core/model.ts';
import type { CredentialVault, SourceCredentials, Store } from '../core/ports.ts';

const DAY_SECONDS = 86_400;

/** Options of the DynamoDB store. */
export interface DynamoDbStoreOptions {
  tableName: string;
  /** Raw polls expire (DynamoDB TTL) this many days after they were taken. @default 90 */
  pollRetentionDays?: number;
  /** A digest claim older than this is considered abandoned (the run died) and may be taken over. @default 15 */
  claimLeaseMinutes?: number;
}

type Item = Record<string, unknown>;

const keys = {
  account: (id: string) => ({ pk: 'ACCOUNTS', sk: `ACCOUNT#${id}` }),
  subscriber: (id: string) => ({ pk: 'SUBSCRIBERS', sk: `SUBSCRIBER#${id}` }),
  credentials: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'CREDENTIALS' }),
  poll: (accountId: string, slot: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `POLL#${slot}` }),
  digest: (subscriberId: string, localDate: string) => ({
    pk: `SUBSCRIBER#${subscriberId}`,
    sk: `DIGEST#${localDate}`,
  }),
};

/** Implements the core's Store and CredentialVault ports on one DynamoDB table. */
export class DynamoDbStore implements Store, CredentialVault {
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly leaseMs: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    options: DynamoDbStoreOptions,
  ) {
    this.tableName = options.tableName;
    this.retentionSeconds = (options.pollRetentionDays ?? 90) * DAY_SECONDS;
    this.leaseMs = (options.claimLeaseMinutes ?? 15) * 60_000;
  }

  async putAccount(account: Account): Promise<void> {
    await this.put({ ...keys.account(account.id), ...account });
  }

  async listAccounts(): Promise<Account[]> {
    const items = await this.queryAll({ pk: 'ACCOUNTS', prefix: 'ACCOUNT#' });
    return items.map((item) => Account.parse(stripKeys(item)));
  }

  async setAccountStatus(accountId: string, status: Account['status']): Promise<void> {
    await this.guard(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'SET #status = :status',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status },
        }),
      ),
    );
  }

  async putSubscriber(subscriber: Subscriber): Promise<void> {
    await this.put({ ...keys.subscriber(subscriber.id), ...subscriber });
  }

  async listSubscribers(): Promise<Subscriber[]> {
    const items = await this.queryAll({ pk: 'SUBSCRIBERS', prefix: 'SUBSCRIBER#' });
    return items.map((item) => Subscriber.parse(stripKeys(item)));
  }

  async putPoll(accountId: string, slot: string, poll: Poll): Promise<void> {
    const takenAt = Math.floor(Date.parse(poll.at) / 1000);
    await this.put({
      ...keys.poll(accountId, slot),
      at: poll.at,
      status: poll.status,
      payload: gzipSync(JSON.stringify(poll)),
      expiresAt: takenAt + this.retentionSeconds,
    });
  }

  async listPolls(accountId: string, from: Date, to: Date): Promise<Poll[]> {
    const items = await this.queryAll({
      pk: `ACCOUNT#${accountId}`,
      between: [`POLL#${from.toISOString()}`, `POLL#${to.toISOString()}`],
    });
    return items
      .map((item) =>
        Poll.parse(JSON.parse(gunzipSync(item.payload as Uint8Array).toString('utf8'))),
      )
      .filter((poll) => {
        const at = Date.parse(poll.at);
        return at >= from.getTime() && at <= to.getTime();
      });
  }

  async claimDigest(subscriberId: string, localDate: string, claimedAt: Date): Promise<boolean> {
    try {
      await this.guard(() =>
        this.doc.send(
          new PutCommand({
            TableName: this.tableName,
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

  async markDigestSent(subscriberId: string, localDate: string, messageId: string): Promise<void> {
    await this.guard(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.digest(subscriberId, localDate),
          UpdateExpression: 'SET #state = :sent, messageId = :messageId',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sent': 'sent', ':messageId': messageId },
        }),
      ),
    );
  }

  async releaseDigest(subscriberId: string, localDate: string): Promise<void> {
    await this.guard(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.digest(subscriberId, localDate),
          ConditionExpression: '#state = :claimed',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      ),
    ).catch((error: unknown) => {
      if (!isConditionalCheckFailure(error)) throw error;
    });
  }

  async getCredentials(accountId: string): Promise<SourceCredentials | undefined> {
    const result = await this.guard(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: keys.credentials(accountId),
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item ? (stripKeys(result.Item) as unknown as SourceCredentials) : undefined;
  }

  async putCredentials(accountId: string, credentials: SourceCredentials): Promise<void> {
    await this.put({ ...keys.credentials(accountId), ...credentials });
  }

  private async put(item: Item): Promise<void> {
    await this.guard(() =>
      this.doc.send(new PutCommand({ TableName: this.tableName, Item: item })),
    );
  }

  /** Reads every page of a query on the table's primary key. */
  private async queryAll(
    query: { pk: string; prefix: string } | { pk: string; between: [string, string] },
  ): Promise<Item[]> {
    const input: QueryCommandInput =
      'prefix' in query
        ? {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': query.pk, ':prefix': query.prefix },
          }
        : {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': query.pk,
              ':from': query.between[0],
              ':to': query.between[1],
            },
          };
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.guard(() =>
        this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Runs one SDK call; failures become StoreError, condition failures pass through for callers. */
  private async guard<Output>(call: () => Promise<Output>): Promise<Output> {
    try {
      return await call();
    } catch (error) {
      if (isConditionalCheckFailure(error)) throw error;
      throw new StoreError('DynamoDB request failed', { cause: error });
    }
  }
}

function isConditionalCheckFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

function stripKeys(item: Item): Item {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest;
}
