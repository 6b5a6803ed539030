/**
 * The subscription side of the single table: the address index of subscribers, sign-up requests waiting for
 * their links, the suppression list, abuse counters and single-use records (docs/data-model.md lists the
 * items). Addresses and IP addresses are keyed by
 * a SHA-256 hash, so no key, and no counter, shows an address.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StoreError } from '../../core/errors.ts';
import { PendingSignUp, type Subscriber } from '../../core/model.ts';
import { type DynamoTable, ignoreConditionFailure, isConditionalCheckFailure } from './table.ts';

/** The form an address is compared in: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Hex SHA-256 of a string (addresses, IP addresses) used in keys instead of the string. */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export const subscriptionKeys = {
  /** Which subscriber has this address. */
  emailIndex: (email: string) => ({
    pk: `EMAIL#${digest(normalizeEmail(email))}`,
    sk: 'SUBSCRIBER',
  }),
  /** The address bounced for good or complained. */
  suppression: (email: string) => ({
    pk: `EMAIL#${digest(normalizeEmail(email))}`,
    sk: 'SUPPRESSED',
  }),
  /** One fixed window of one abuse counter. */
  counter: (scope: string, subject: string, windowStart: number) => ({
    pk: `LIMIT#${scope}#${digest(subject)}`,
    sk: `WINDOW#${windowStart}`,
  }),
  /** A value that may be used once (an OAuth state nonce). */
  singleUse: (id: string) => ({ pk: `ONCE#${id}`, sk: 'USED' }),
  /** One sign-up request waiting for its confirmation link. */
  signUp: (nonce: string) => ({ pk: `SIGNUP#${nonce}`, sk: 'REQUEST' }),
};

/** Reads and writes the items above. */
export class SubscriptionRecords {
  constructor(private readonly table: DynamoTable) {}

  async findSubscriberId(email: string): Promise<string | undefined> {
    const result = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({
          TableName: this.table.name,
          Key: subscriptionKeys.emailIndex(email),
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
      ...subscriptionKeys.emailIndex(email),
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
      ...subscriptionKeys.signUp(request.nonce),
      ...PendingSignUp.parse(request),
      expiresAt: Math.ceil(expiresAt.getTime() / 1000),
    });
  }

  async getSignUp(nonce: string): Promise<PendingSignUp | undefined> {
    const result = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({
          TableName: this.table.name,
          Key: subscriptionKeys.signUp(nonce),
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
          Key: subscriptionKeys.signUp(nonce),
          UpdateExpression: 'SET confirmedAt = :at',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      ),
    );
  }

  /** Points the address at the subscriber (the last subscriber stored with an address owns it). */
  async indexEmail(subscriber: Subscriber): Promise<void> {
    await this.table.put({
      ...subscriptionKeys.emailIndex(subscriber.email),
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
            Key: subscriptionKeys.emailIndex(subscriber.email),
            ConditionExpression: 'subscriberId = :id',
            ExpressionAttributeValues: { ':id': subscriber.id },
          }),
        ),
      )
      .catch(ignoreConditionFailure);
  }

  async suppress(email: string, reason: 'bounce' | 'complaint', at: Date): Promise<void> {
    await this.table.put({
      ...subscriptionKeys.suppression(email),
      reason,
      suppressedAt: at.toISOString(),
    });
  }

  async isSuppressed(email: string): Promise<boolean> {
    const result = await this.table.send(() =>
      this.table.doc.send(
        new GetCommand({ TableName: this.table.name, Key: subscriptionKeys.suppression(email) }),
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
            Key: subscriptionKeys.counter(scope, subject, windowStart),
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
      ...subscriptionKeys.singleUse(id),
      expiresAt: Math.ceil(expiresAt.getTime() / 1000),
    });
  }
}
