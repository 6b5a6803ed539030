/**
 * The single-table DynamoDB store (see docs/data-model.md for keys and access patterns).
 *
 * Poll history (compact raw polls and daily roll-ups) lives in `dynamodb/poll-history.ts`; source credentials
 * are sealed by a {@link CredentialCipher} before they are written. This class is the one the rest of the code
 * uses: it implements every storage port on one table.
 */

import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { InvalidConfigError, StoreError } from '../core/errors.ts';
import {
  Account,
  AccountExplanation,
  DigestReport,
  Feedback,
  HandleSighting,
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
import type { DailyRollup } from './dynamodb/daily-rollups.ts';
import {
  accountPartition,
  keys as historyKeys,
  POLL_MINUTE_INDEX,
  throughChunksOf,
} from './dynamodb/keys.ts';
import { PollHistory } from './dynamodb/poll-history.ts';
import { SubscriptionRecords, subscriptionKeys } from './dynamodb/subscriptions.ts';
import {
  DynamoTable,
  type Item,
  ignoreConditionFailure,
  isConditionalCheckFailure,
  type KeyRange,
  stripKeys,
} from './dynamodb/table.ts';

/** Options of the DynamoDB store. */
export interface DynamoDbStoreOptions {
  tableName: string;
  /**
   * Raw polls expire (DynamoDB TTL) this many days after they were taken, or imported if later; daily
   * roll-ups are kept. @default 90
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
/**
 * PutItem requests in flight while storing a night: one per account (each on condition), within the SDK's
 * default 50 sockets.
 */
const NIGHT_PUTS_AT_ONCE = 32;

const keys = {
  account: (id: string) => ({ pk: 'ACCOUNTS', sk: `ACCOUNT#${id}` }),
  subscriber: (id: string) => ({ pk: 'SUBSCRIBERS', sk: `SUBSCRIBER#${id}` }),
  credentials: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'CREDENTIALS' }),
  digest: (subscriberId: string, localDate: string) => ({
    pk: `SUBSCRIBER#${subscriberId}`,
    sk: `DIGEST#${localDate}`,
  }),
  /** The head of an explained night: its window, written after every account's part. */
  night: (asOf: Date) => ({ pk: 'NIGHTS', sk: `NIGHT#${asOf.toISOString()}` }),
  /** One account's part of an explained night, in the account's partition. */
  nightAccount: (asOf: Date, accountId: string) => ({
    pk: accountPartition(accountId),
    sk: `NIGHT#${asOf.toISOString()}`,
  }),
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
  private readonly nightRetentionMs: number;
  private readonly leaseMs: number;
  private readonly table: DynamoTable;
  private readonly history: PollHistory;
  private readonly subscriptions: SubscriptionRecords;
  private readonly credentialCipher: CredentialCipher | undefined;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    options: DynamoDbStoreOptions,
  ) {
    this.tableName = options.tableName;
    this.leaseMs = (options.claimLeaseMinutes ?? 15) * 60_000;
    this.nightRetentionMs = (options.nightRetentionDays ?? 8) * 86_400_000;
    this.table = new DynamoTable(doc, options.tableName);
    this.history = new PollHistory(this.table, {
      retentionDays: options.pollRetentionDays ?? 90,
      ...(options.pollCadenceHours === undefined ? {} : { cadenceHours: options.pollCadenceHours }),
      now: options.now ?? (() => new Date()),
    });
    this.credentialCipher = options.credentialCipher;
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
    await this.recordSighting(account.id, account.handle, new Date(account.addedAt));
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
        new DeleteCommand({ TableName: this.tableName, Key: keys.credentials(accountId) }),
      ),
    );
    return result.Attributes !== undefined;
  }

  async isSuppressed(email: string): Promise<boolean> {
    return this.subscriptions.isSuppressed(email);
  }

  async listSuppressed(emails: readonly string[]): Promise<Set<string>> {
    const found = await this.batchGet(
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
    await this.recordSighting(accountId, handle, seenAt);
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
    const items = await this.queryAll({ pk: accountPartition(accountId), prefix: 'HANDLE#' });
    return items
      .map((item) => HandleSighting.parse(stripKeys(item)))
      .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt));
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

  async markDigestSent(
    subscriberId: string,
    localDate: string,
    messageId: string,
    report?: DigestReport,
  ): Promise<void> {
    // The report is kept as JSON text: small (a few accounts and videos) and read back whole.
    const withReport = report === undefined ? '' : ', report = :report';
    await this.guard(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
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
  async getDigestReport(
    subscriberId: string,
    localDate: string,
  ): Promise<DigestReport | undefined> {
    const result = await this.guard(() =>
      this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: keys.digest(subscriberId, localDate) }),
      ),
    );
    return result.Item ? readReport(result.Item) : undefined;
  }

  async getDigestReports(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Map<string, DigestReport>> {
    const items = await this.digestItems(digests);
    return new Map(
      items.flatMap(({ name, item }) => {
        const report = readReport(item);
        return report ? [[name, report] as const] : [];
      }),
    );
  }

  async listSentDigests(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Set<string>> {
    const items = await this.digestItems(digests);
    return new Set(items.filter(({ item }) => item.state === 'sent').map(({ name }) => name));
  }

  /** The stored digest items of `digests` (one batch read), each with its `subscriberId/localDate` name. */
  private digestItems(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Array<{ name: string; item: Item }>> {
    return this.batchGet(
      digests.map(({ subscriberId, localDate }) => ({
        name: `${subscriberId}/${localDate}`,
        key: keys.digest(subscriberId, localDate),
      })),
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

  /** The account's credentials, opened with the configured cipher. */
  async getCredentials(accountId: string): Promise<SourceCredentials | undefined> {
    const cipher = this.requireCipher();
    const result = await this.guard(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.tableName,
          Key: keys.credentials(accountId),
          ConsistentRead: true,
        }),
      ),
    );
    return result.Item ? this.openCredentials(cipher, accountId, result.Item) : undefined;
  }

  /**
   * The credentials of several accounts, read strongly consistently with BatchGetItem (100 keys a request,
   * unprocessed keys retried) and opened like {@link DynamoDbStore.getCredentials}. Accounts without stored
   * credentials are absent from the map; an item that does not open fails the whole read.
   */
  async getManyCredentials(accountIds: readonly string[]): Promise<Map<string, SourceCredentials>> {
    const cipher = this.requireCipher();
    const found = await this.batchGet(
      accountIds.map((id) => ({ name: id, key: keys.credentials(id) })),
    );
    const opened = await Promise.all(
      found.map(
        async ({ name, item }) => [name, await this.openCredentials(cipher, name, item)] as const,
      ),
    );
    return new Map(opened);
  }

  /** Seals the credentials (the account id is the encryption context) and stores them. */
  async putCredentials(accountId: string, credentials: SourceCredentials): Promise<void> {
    const sealed = await this.requireCipher().seal(Buffer.from(JSON.stringify(credentials)), {
      accountId,
    });
    await this.put({ ...keys.credentials(accountId), ...sealed });
  }

  /** Opens one stored credentials item (the account id is the encryption context). */
  private async openCredentials(
    cipher: CredentialCipher,
    accountId: string,
    item: Item,
  ): Promise<SourceCredentials> {
    const { scheme, wrappedKey, sealed } = item;
    if (typeof scheme !== 'string') {
      throw new StoreError(`the credentials of account ${accountId} are not sealed`);
    }
    const plaintext = await cipher.open(
      { scheme, wrappedKey: wrappedKey as Uint8Array, sealed: sealed as Uint8Array },
      { accountId },
    );
    return JSON.parse(Buffer.from(plaintext).toString('utf8')) as SourceCredentials;
  }

  /**
   * Reads the items of `requested` (strongly consistent, each key once, see {@link DynamoTable.batchGet}).
   * Each item found comes back with the name it was asked under, in no particular order; keys with no item
   * are left out.
   */
  private async batchGet<Name>(
    requested: ReadonlyArray<{ name: Name; key: { pk: string; sk: string } }>,
  ): Promise<Array<{ name: Name; item: Item }>> {
    const byKey = new Map(requested.map((entry) => [`${entry.key.pk}|${entry.key.sk}`, entry]));
    const items = await this.table.batchGet(requested.map((entry) => entry.key));
    return items.map((item) => {
      const entry = byKey.get(`${item.pk}|${item.sk}`);
      if (!entry) {
        throw new StoreError(`BatchGetItem returned an item that was not asked for (${item.pk})`);
      }
      return { name: entry.name, item };
    });
  }

  private requireCipher(): CredentialCipher {
    if (!this.credentialCipher) {
      throw new InvalidConfigError(
        'no credential key configured: set CREDENTIALS_KMS_KEY_ID (AWS) or CREDENTIALS_LOCAL_KEY',
      );
    }
    return this.credentialCipher;
  }

  /** Adds or widens the history item of one handle (first and last sighting). */
  private async recordSighting(accountId: string, handle: string, seenAt: Date): Promise<void> {
    const at = seenAt.toISOString();
    const update = (expression: string, condition: string) =>
      this.guard(() =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: historyKeys.handle(accountId, handle),
            UpdateExpression: expression,
            ConditionExpression: condition,
            ExpressionAttributeValues: { ':handle': handle, ':at': at },
          }),
        ),
      ).then(
        () => true,
        (error: unknown) => {
          ignoreConditionFailure(error);
          return false;
        },
      );
    const latest = await update(
      'SET handle = :handle, firstSeenAt = if_not_exists(firstSeenAt, :at), lastSeenAt = :at',
      'attribute_not_exists(lastSeenAt) OR lastSeenAt < :at',
    );
    // A sighting later than every other one cannot be the first; only an older one may move firstSeenAt back.
    if (!latest) await update('SET handle = :handle, firstSeenAt = :at', 'firstSeenAt > :at');
  }

  /**
   * Stores each account's part unless the night has one for it already (a PutItem on condition each,
   * {@link NIGHT_PUTS_AT_ONCE} at once), then the head: a night without a head is incomplete, and the tick
   * that finds none explains the night again.
   */
  async putNight(night: StoredNight): Promise<void> {
    const expiresAt = Math.floor((night.asOf.getTime() + this.nightRetentionMs) / 1000);
    const items = night.accounts.map(({ account, explanation }) => ({
      ...keys.nightAccount(night.asOf, account.id),
      account,
      explanation,
      expiresAt,
    }));
    // The first part stored is kept, so every digest of the night shows the same explanation of an account,
    // even when the parts of a split night that ran at once both explained it (BatchWriteItem has no
    // conditions).
    await forEachLimited(items, NIGHT_PUTS_AT_ONCE, async (item) => {
      await this.table.putNew(item);
    });
    await this.put({
      ...keys.night(night.asOf),
      window: night.window,
      accounts: items.length,
      expiresAt,
    });
  }

  async getNightWindow(asOf: Date): Promise<StoredNight['window'] | undefined> {
    const item = await this.get(keys.night(asOf));
    return item ? (item.window as StoredNight['window']) : undefined;
  }

  async getNightAccounts(asOf: Date, accountIds: readonly string[]): Promise<NightAccount[]> {
    const found = await this.batchGet(
      accountIds.map((id, position) => ({ name: position, key: keys.nightAccount(asOf, id) })),
    );
    // In the order asked: a batch read answers in any order.
    return found
      .sort((a, b) => a.name - b.name)
      .map(({ item }) => ({
        account: Account.parse(item.account),
        explanation: AccountExplanation.parse(item.explanation),
      }));
  }

  private async get(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const result = await this.guard(() =>
      this.doc.send(new GetCommand({ TableName: this.tableName, Key: key })),
    );
    return result.Item;
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
