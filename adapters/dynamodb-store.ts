/**
 * The single-table DynamoDB store (see docs/data-model.md for keys and access patterns).
 *
 * Each kind of item has its module in `dynamodb/`: poll history (compact raw polls and daily roll-ups), sealed
 * source credentials, handle sightings, explained nights, digest markers, and the subscription side (address
 * index, sign-up requests, suppressions, counters). This class is the one the rest of the code uses: it
 * implements every storage port on one table, over those modules.
 */

import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  Account,
  type DigestReport,
  Feedback,
  type HandleSighting,
  type PendingSignUp,
  type Poll,
  Subscriber,
} from '../core/model.ts';
import { forEachLimited } from '../core/poll-accounts.ts';
import { pollMinuteOf } from '../core/poll-schedule.ts';
import type {
  CredentialVault,
  FeedbackStore,
  HandleHistory,
  NightAccount,
  NightStore,
  PollToStore,
  SourceCredentials,
  Store,
  StoredNight,
  SuppressionList,
} from '../core/ports.ts';
import type {
  RateLimiter,
  SignUpRequests,
  SingleUse,
  SubscriberDirectory,
  SuppressionRecorder,
} from '../core/subscriptions/ports.ts';
import type { CredentialCipher } from './credential-cipher.ts';
import { CredentialRecords, credentialsKey } from './dynamodb/credentials.ts';
import type { DailyRollup } from './dynamodb/daily-rollups.ts';
import { DigestMarkers } from './dynamodb/digest-markers.ts';
import { listSightings, recordSighting } from './dynamodb/handles.ts';
import {
  accountPartition,
  keys as historyKeys,
  POLL_MINUTE_INDEX,
  throughChunksOf,
} from './dynamodb/keys.ts';
import { NightRecords } from './dynamodb/nights.ts';
import { PollHistory, RAW_POLL_RETENTION_DAYS } from './dynamodb/poll-history.ts';
import { SubscriptionRecords, subscriptionKeys } from './dynamodb/subscriptions.ts';
import {
  DynamoTable,
  type Item,
  ignoreConditionFailure,
  type KeyRange,
  stripKeys,
} from './dynamodb/table.ts';

/** Options of the DynamoDB store. */
export interface DynamoDbStoreOptions {
  tableName: string;
  /**
   * Raw polls expire (DynamoDB TTL) this many days after they were taken, or imported if later; daily
   * roll-ups are kept. @default RAW_POLL_RETENTION_DAYS (14)
   */
  pollRetentionDays?: number;
  /**
   * The poll cadence, in hours (the poll worker's `POLL_EVERY_HOURS`): with it, each video's title is stored
   * in the account's first poll of the UTC day, not in every poll. Unset (imports, one-off runs): every poll
   * keeps its titles.
   */
  pollCadenceHours?: number;
  /** A digest claim older than this is considered abandoned (the run died) and may be taken over. @default 15 */
  claimLeaseMinutes?: number;
  /**
   * Seals source credentials at rest. Without one, reading or writing credentials fails (functions that
   * never touch credentials, such as the digest, need none).
   */
  credentialCipher?: CredentialCipher;
  /** The current instant, for poll expiry. @default the system clock */
  now?: () => Date;
  /**
   * Explained nights expire this many days after the night ended: digests read them within hours, the rest is
   * for looking into what a digest said. @default 8
   */
  nightRetentionDays?: number;
}

/** Queries of the poll-minute index in flight for one tick. */
const MINUTE_QUERY_CONCURRENCY = 8;
const keys = {
  account: (id: string) => ({ pk: 'ACCOUNTS', sk: `ACCOUNT#${id}` }),
  subscriber: (id: string) => ({ pk: 'SUBSCRIBERS', sk: `SUBSCRIBER#${id}` }),
};

/** Implements the core's storage ports on one DynamoDB table. */
export class DynamoDbStore
  implements
    Store,
    CredentialVault,
    HandleHistory,
    FeedbackStore,
    NightStore,
    SubscriberDirectory,
    SignUpRequests,
    SuppressionList,
    SuppressionRecorder,
    RateLimiter,
    SingleUse
{
  private readonly tableName: string;
  private readonly table: DynamoTable;
  private readonly history: PollHistory;
  private readonly subscriptions: SubscriptionRecords;
  private readonly markers: DigestMarkers;
  private readonly credentials: CredentialRecords;
  private readonly nights: NightRecords;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    options: DynamoDbStoreOptions,
  ) {
    this.tableName = options.tableName;
    this.table = new DynamoTable(doc, options.tableName);
    this.markers = new DigestMarkers(this.table, (options.claimLeaseMinutes ?? 15) * 60_000);
    this.credentials = new CredentialRecords(this.table, options.credentialCipher);
    this.nights = new NightRecords(this.table, (options.nightRetentionDays ?? 8) * 86_400_000);
    this.history = new PollHistory(this.table, {
      retentionDays: options.pollRetentionDays ?? RAW_POLL_RETENTION_DAYS,
      ...(options.pollCadenceHours === undefined ? {} : { cadenceHours: options.pollCadenceHours }),
      now: options.now ?? (() => new Date()),
    });
    this.subscriptions = new SubscriptionRecords(this.table);
  }

  /**
   * Stores the account, with its poll minute for the index the poll tick reads, and starts its handle history
   * with the handle it was registered under.
   */
  async putAccount(account: Account): Promise<void> {
    await this.put({
      ...keys.account(account.id),
      ...account,
      [POLL_MINUTE_INDEX.partitionKey]: pollMinuteOf(account.id),
    });
    await recordSighting(this.table, account.id, account.handle, new Date(account.addedAt));
  }

  async listAccounts(): Promise<Account[]> {
    const items = await this.queryAll({ pk: 'ACCOUNTS', prefix: 'ACCOUNT#' });
    return items.map((item) => Account.parse(stripKeys(item)));
  }

  /** The accounts of the poll minutes, one query of the poll-minute index per minute (a few at a time). */
  async listAccountsInPollMinutes(minutes: readonly number[]): Promise<Account[]> {
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

  /** Stores the subscriber, then points its address at it (sign-up finds subscribers by address). */
  async putSubscriber(subscriber: Subscriber): Promise<void> {
    await this.put({ ...keys.subscriber(subscriber.id), ...subscriber });
    await this.subscriptions.indexEmail(subscriber);
  }

  async getSubscriber(subscriberId: string): Promise<Subscriber | undefined> {
    const result = await this.guard(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: keys.subscriber(subscriberId),
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item ? Subscriber.parse(stripKeys(result.Item)) : undefined;
  }

  async findSubscriberId(email: string): Promise<string | undefined> {
    return this.subscriptions.findSubscriberId(email);
  }

  async claimSubscriberId(email: string, subscriberId: string): Promise<string> {
    return this.subscriptions.claimSubscriberId(email, subscriberId);
  }

  async putSignUp(request: PendingSignUp, expiresAt: Date): Promise<void> {
    await this.subscriptions.putSignUp(request, expiresAt);
  }

  async getSignUp(nonce: string): Promise<PendingSignUp | undefined> {
    return this.subscriptions.getSignUp(nonce);
  }

  async markSignUpConfirmed(nonce: string, at: Date): Promise<void> {
    await this.subscriptions.markSignUpConfirmed(nonce, at);
  }

  /** Removes a subscriber (operator CLI); false when there was none. Its digest markers expire on their own. */
  async deleteSubscriber(subscriberId: string): Promise<boolean> {
    const subscriber = await this.getSubscriber(subscriberId);
    if (!subscriber) return false;
    await this.guard(() =>
      this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: keys.subscriber(subscriberId) }),
      ),
    );
    await this.subscriptions.unindexEmail(subscriber);
    return true;
  }

  /**
   * Stops watching an account (operator CLI): removes the account item and its credentials; its history stays
   * until it expires, and subscriptions naming it simply leave it out. False when there was no such account.
   */
  async deleteAccount(accountId: string): Promise<boolean> {
    const result = await this.guard(() =>
      this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.account(accountId),
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    await this.guard(() =>
      this.doc.send(
        new DeleteCommand({ TableName: this.tableName, Key: credentialsKey(accountId) }),
      ),
    );
    return result.Attributes !== undefined;
  }

  async isSuppressed(email: string): Promise<boolean> {
    return this.subscriptions.isSuppressed(email);
  }

  async listSuppressed(emails: readonly string[]): Promise<Set<string>> {
    const found = await this.table.batchGetNamed(
      emails.map((email) => ({ name: email, key: subscriptionKeys.suppression(email) })),
    );
    return new Set(found.map(({ name }) => name));
  }

  async suppress(email: string, reason: 'bounce' | 'complaint', at: Date): Promise<void> {
    await this.subscriptions.suppress(email, reason, at);
  }

  async take(
    scope: string,
    subject: string,
    limit: number,
    windowSeconds: number,
    at: Date,
  ): Promise<boolean> {
    return this.subscriptions.take(scope, subject, limit, windowSeconds, at);
  }

  async use(id: string, expiresAt: Date): Promise<boolean> {
    return this.subscriptions.use(id, expiresAt);
  }

  async listSubscribers(): Promise<Subscriber[]> {
    const items = await this.queryAll({ pk: 'SUBSCRIBERS', prefix: 'SUBSCRIBER#' });
    return items.map((item) => Subscriber.parse(stripKeys(item)));
  }

  /** Stores a poll under its slot, compact and chunked when large; see `dynamodb/poll-history.ts`. */
  async putPoll(accountId: string, slot: string, poll: Poll): Promise<void> {
    await this.history.putPoll(accountId, slot, poll);
  }

  /** Stores a worker batch's polls together; see `dynamodb/poll-history.ts`. */
  async putPolls(polls: readonly PollToStore[]): Promise<Array<Error | undefined>> {
    return this.history.putPolls(polls);
  }

  /** Rolls up the account's days through `day` and the months they finish (after an import). */
  async rollUpThrough(accountId: string, day: string): Promise<void> {
    await this.history.rollUpThrough(accountId, day);
  }

  /** Raw polls of the range, and one poll a day from the roll-ups where raw polls have expired. */
  async listPolls(accountId: string, from: Date, to: Date, thinBefore?: Date): Promise<Poll[]> {
    return this.history.listPolls(accountId, from, to, thinBefore);
  }

  /** The daily roll-ups of the UTC days `fromDay`..`toDay` (`YYYY-MM-DD`, inclusive), oldest first. */
  async listDailyRollups(
    accountId: string,
    fromDay: string,
    toDay: string,
  ): Promise<DailyRollup[]> {
    return this.history.listDailyRollups(accountId, fromDay, toDay);
  }

  async recordHandle(accountId: string, handle: string, seenAt: Date): Promise<void> {
    await recordSighting(this.table, accountId, handle, seenAt);
    // The latest sighting names the account; an older one arriving late changes nothing.
    await this.guard(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'SET handle = :handle, handleSeenAt = :seenAt',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(handleSeenAt) OR handleSeenAt <= :seenAt)',
          ExpressionAttributeValues: { ':handle': handle, ':seenAt': seenAt.toISOString() },
        }),
      ),
    ).catch(ignoreConditionFailure);
  }

  async listHandles(accountId: string): Promise<HandleSighting[]> {
    return listSightings(this.table, accountId);
  }

  async putFeedback(feedback: Feedback): Promise<void> {
    const valid = Feedback.parse(feedback);
    await this.put({
      ...historyKeys.feedback(valid.accountId, valid.night, valid.cause, valid.subscriberId),
      ...valid,
    });
  }

  async listFeedback(accountId: string, fromNight: string, toNight: string): Promise<Feedback[]> {
    const items = await this.queryAll({
      pk: accountPartition(accountId),
      between: [`FEEDBACK#${fromNight}`, throughChunksOf(`FEEDBACK#${toNight}`)],
    });
    return items.map((item) => Feedback.parse(stripKeys(item)));
  }

  async claimDigest(subscriberId: string, localDate: string, claimedAt: Date): Promise<boolean> {
    return this.markers.claim(subscriberId, localDate, claimedAt);
  }

  async markDigestSent(
    subscriberId: string,
    localDate: string,
    messageId: string,
    report?: DigestReport,
  ): Promise<void> {
    await this.markers.markSent(subscriberId, localDate, messageId, report);
  }

  async getDigestReport(
    subscriberId: string,
    localDate: string,
  ): Promise<DigestReport | undefined> {
    return this.markers.getReport(subscriberId, localDate);
  }

  async getDigestReports(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Map<string, DigestReport>> {
    return this.markers.getReports(digests);
  }

  async listSentDigests(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Set<string>> {
    return this.markers.listSent(digests);
  }

  async releaseDigest(subscriberId: string, localDate: string): Promise<void> {
    await this.markers.release(subscriberId, localDate);
  }

  /** The account's credentials, opened with the configured cipher. */
  async getCredentials(accountId: string): Promise<SourceCredentials | undefined> {
    return this.credentials.get(accountId);
  }

  /** The credentials of several accounts in batch reads (see `dynamodb/credentials.ts`). */
  async getManyCredentials(accountIds: readonly string[]): Promise<Map<string, SourceCredentials>> {
    return this.credentials.getMany(accountIds);
  }

  /** Seals the credentials (the account id is the encryption context) and stores them. */
  async putCredentials(accountId: string, credentials: SourceCredentials): Promise<void> {
    await this.credentials.put(accountId, credentials);
  }

  /** Stores an explained night, each account's part kept as first stored (see `dynamodb/nights.ts`). */
  async putNight(night: StoredNight): Promise<void> {
    await this.nights.put(night);
  }

  async getNightWindow(asOf: Date): Promise<StoredNight['window'] | undefined> {
    return this.nights.getWindow(asOf);
  }

  async getNightAccounts(asOf: Date, accountIds: readonly string[]): Promise<NightAccount[]> {
    return this.nights.getAccounts(asOf, accountIds);
  }

  private async put(item: Item): Promise<void> {
    await this.table.put(item);
  }

  /** Reads every page of a query on the table's primary key. */
  private async queryAll(range: KeyRange): Promise<Item[]> {
    return this.table.query(range);
  }

  /** Runs one SDK call; failures become StoreError, condition failures pass through for callers. */
  private async guard<Output>(call: () => Promise<Output>): Promise<Output> {
    return this.table.send(call);
  }
}
