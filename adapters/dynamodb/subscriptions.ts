/**
 * The subscription side of the single table: the address index of subscribers, sign-up requests waiting for
 * their links, the suppression list, abuse counters and single-use records (docs/data-model.md lists the
 * items; their keys are in `keys.ts`).
 */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../core/errors.ts';
import { PendingSignUp, Subscriber } from '../../core/model.ts';
import { keys } from './keys.ts';
import {
  type DynamoTable,
  ignoreConditionFailure,
  isConditionalCheckFailure,
  stripKeys,
} from './table.ts';

/** Reads and writes subscribers and the items above. */
export class SubscriptionRecords {
  constructor(private readonly table: DynamoTable) {}

  /** Stores the subscriber, then points its address at it (sign-up finds subscribers by address). */
  async putSubscriber(subscriber: Subscriber): Promise<void> {
    await this.table.put({ ...keys.subscriber(subscriber.id), ...subscriber });
    await this.indexEmail(subscriber);
  }

  async getSubscriber(subscriberId: string): Promise<Subscriber | undefined> {
    const item = await this.table.get(keys.subscriber(subscriberId), true);
    return item ? Subscriber.parse(stripKeys(item)) : undefined;
  }

  async listSubscribers(): Promise<Subscriber[]> {
    const items = await this.table.query({ pk: 'SUBSCRIBERS', prefix: 'SUBSCRIBER#' });
    return items.map((item) => Subscriber.parse(stripKeys(item)));
  }

  /** Removes a subscriber and its address index; false when there was none. Its digest markers expire. */
  async deleteSubscriber(subscriberId: string): Promise<boolean> {
    const subscriber = await this.getSubscriber(subscriberId);
    if (!subscriber) return false;
    await this.table.send(() =>
      this.table.doc.send(
        new DeleteCommand({ TableName: this.table.name, Key: keys.subscriber(subscriberId) }),
      ),
    );
    await this.unindexEmail(subscriber);
    return true;
  }

  async findSubscriberId(email: string): Promise<string | undefined> {
    const result = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({
          TableName: this.table.name,
          Key: keys.emailIndex(email),
          ConsistentRead: true,
        }),
      ),
    );
    const id = result.Item?.subscriberId;
    return typeof id === 'string' ? id : undefined;
  }

  /**
   * The subscriber id the address is indexed under; `subscriberId` when the address had none (a conditional
   * put, so of two racing claims for a new address one wins and both get its id).
   */
  async claimSubscriberId(email: string, subscriberId: string): Promise<string> {
    const claimed = await this.table.putNew({
      ...keys.emailIndex(email),
      subscriberId,
    });
    if (claimed) return subscriberId;
    const existing = await this.findSubscriberId(email);
    if (existing === undefined)
      throw new StoreError('the address index vanished while it was claimed');
    return existing;
  }

  async putSignUp(request: PendingSignUp, expiresAt: Date): Promise<void> {
    await this.table.put({
      ...keys.signUp(request.nonce),
      ...PendingSignUp.parse(request),
      expiresAt: Math.ceil(expiresAt.getTime() / 1000),
    });
  }

  async getSignUp(nonce: string): Promise<PendingSignUp | undefined> {
    const result = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({
          TableName: this.table.name,
          Key: keys.signUp(nonce),
          ConsistentRead: true,
        }),
      ),
    );
    if (!result.Item) return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...request } = result.Item;
    return PendingSignUp.parse(request);
  }

  async markSignUpConfirmed(nonce: string, at: Date): Promise<void> {
    await this.table.send(() =>
      this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.signUp(nonce),
          UpdateExpression: 'SET confirmedAt = :at',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      ),
    );
  }

  /** Points the address at the subscriber (the last subscriber stored with an address owns it). */
  async indexEmail(subscriber: Subscriber): Promise<void> {
    await this.table.put({
      ...keys.emailIndex(subscriber.email),
      subscriberId: subscriber.id,
    });
  }

  /** Removes the address index of a removed subscriber (if it still points at that subscriber). */
  async unindexEmail(subscriber: Subscriber): Promise<void> {
    await this.table
      .send(() =>
        this.table.doc.send(
          new DeleteCommand({
            TableName: this.table.name,
            Key: keys.emailIndex(subscriber.email),
            ConditionExpression: 'subscriberId = :id',
            ExpressionAttributeValues: { ':id': subscriber.id },
          }),
        ),
      )
      .catch(ignoreConditionFailure);
  }

  async suppress(email: string, reason: 'bounce' | 'complaint', at: Date): Promise<void> {
    await this.table.put({
      ...keys.suppression(email),
      reason,
      suppressedAt: at.toISOString(),
    });
  }

  /** Of `emails`, those suppressed, in batch reads. */
  async listSuppressed(emails: readonly string[]): Promise<Set<string>> {
    const found = await this.table.batchGetNamed(
      emails.map((email) => ({ name: email, key: keys.suppression(email) })),
    );
    return new Set(found.map(({ name }) => name));
  }

  async isSuppressed(email: string): Promise<boolean> {
    const result = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({ TableName: this.table.name, Key: keys.suppression(email) }),
      ),
    );
    return result.Item !== undefined;
  }

  /**
   * One conditional increment: the counter of the window goes up only while it is below the limit, so
   * concurrent requests can never exceed it. The item expires (TTL) a window after its window ends.
   */
  async take(
    scope: string,
    subject: string,
    limit: number,
    windowSeconds: number,
    at: Date,
  ): Promise<boolean> {
    const nowSeconds = Math.floor(at.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % windowSeconds);
    try {
      await this.table.send(() =>
        this.table.doc.send(
          new UpdateCommand({
            TableName: this.table.name,
            Key: keys.counter(scope, subject, windowStart),
            UpdateExpression: 'ADD hits :one SET expiresAt = :expiresAt',
            ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
            ExpressionAttributeValues: {
              ':one': 1,
              ':limit': limit,
              ':expiresAt': windowStart + 2 * windowSeconds,
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  use(id: string, expiresAt: Date): Promise<boolean> {
    return this.table.putNew({
      ...keys.singleUse(id),
      expiresAt: Math.ceil(expiresAt.getTime() / 1000),
    });
  }
}
