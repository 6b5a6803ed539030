/**
 * The single-table DynamoDB store (see docs/data-model.md for keys and access patterns).
 *
 * Each kind of item has its module in `dynamodb/`, and every key is laid out in `dynamodb/keys.ts`: accounts
 * with their handles and feedback, poll history (compact raw polls and daily roll-ups), sealed source
 * credentials, explained nights, digest markers, and the subscription side (subscribers, address index,
 * sign-up requests, suppressions, counters). This class is the one the rest of the code uses: it implements
 * every storage port on one table by handing each call to its module.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  Account,
  DigestReport,
  Feedback,
  HandleSighting,
  PendingSignUp,
  Poll,
  Subscriber,
} from '../core/model.ts';
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
import { AccountRecords } from './dynamodb/accounts.ts';
import { CredentialRecords } from './dynamodb/credentials.ts';
import type { DailyRollup } from './dynamodb/daily-rollups.ts';
import { DigestMarkers } from './dynamodb/digest-markers.ts';
import { NightRecords } from './dynamodb/nights.ts';
import { PollHistory, RAW_POLL_RETENTION_DAYS } from './dynamodb/poll-history.ts';
import { SubscriptionRecords } from './dynamodb/subscriptions.ts';
import { DynamoTable } from './dynamodb/table.ts';

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
  private readonly accounts: AccountRecords;
  private readonly history: PollHistory;
  private readonly subscriptions: SubscriptionRecords;
  private readonly markers: DigestMarkers;
  private readonly credentials: CredentialRecords;
  private readonly nights: NightRecords;

  constructor(doc: DynamoDBDocumentClient, options: DynamoDbStoreOptions) {
    const table = new DynamoTable(doc, options.tableName);
    this.accounts = new AccountRecords(table);
    this.markers = new DigestMarkers(table, (options.claimLeaseMinutes ?? 15) * 60_000);
    this.credentials = new CredentialRecords(table, options.credentialCipher);
    this.nights = new NightRecords(table, (options.nightRetentionDays ?? 8) * 86_400_000);
    this.history = new PollHistory(table, {
      retentionDays: options.pollRetentionDays ?? RAW_POLL_RETENTION_DAYS,
      ...(options.pollCadenceHours === undefined ? {} : { cadenceHours: options.pollCadenceHours }),
      now: options.now ?? (() => new Date()),
    });
    this.subscriptions = new SubscriptionRecords(table);
  }

  // Accounts, their handles and feedback (`dynamodb/accounts.ts`).

  /** Stores the account (indexed by poll minute) and starts its handle history. */
  putAccount(account: Account): Promise<void> {
    return this.accounts.put(account);
  }

  listAccounts(): Promise<Account[]> {
    return this.accounts.list();
  }

  listAccountsInPollMinutes(minutes: readonly number[]): Promise<Account[]> {
    return this.accounts.listInPollMinutes(minutes);
  }

  setAccountStatus(accountId: string, status: Account['status']): Promise<void> {
    return this.accounts.setStatus(accountId, status);
  }

  /**
   * Stops watching an account (operator CLI): removes the account item and its credentials; its history stays
   * until it expires, and subscriptions naming it simply leave it out. False when there was no such account.
   */
  deleteAccount(accountId: string): Promise<boolean> {
    return this.accounts.delete(accountId);
  }

  recordHandle(accountId: string, handle: string, seenAt: Date): Promise<void> {
    return this.accounts.recordHandle(accountId, handle, seenAt);
  }

  listHandles(accountId: string): Promise<HandleSighting[]> {
    return this.accounts.listHandles(accountId);
  }

  putFeedback(feedback: Feedback): Promise<void> {
    return this.accounts.putFeedback(feedback);
  }

  listFeedback(accountId: string, fromNight: string, toNight: string): Promise<Feedback[]> {
    return this.accounts.listFeedback(accountId, fromNight, toNight);
  }

  // Poll history (`dynamodb/poll-history.ts`).

  /** Stores a poll under its slot, compact and chunked when large. */
  putPoll(accountId: string, slot: string, poll: Poll): Promise<void> {
    return this.history.putPoll(accountId, slot, poll);
  }

  /** Stores a worker batch's polls together. */
  putPolls(polls: readonly PollToStore[]): Promise<Array<Error | undefined>> {
    return this.history.putPolls(polls);
  }

  /** Rolls up the account's days through `day` and the months they finish (after an import). */
  rollUpThrough(accountId: string, day: string): Promise<void> {
    return this.history.rollUpThrough(accountId, day);
  }

  /** Raw polls of the range, and one poll a day from the roll-ups where raw polls have expired. */
  listPolls(accountId: string, from: Date, to: Date, thinBefore?: Date): Promise<Poll[]> {
    return this.history.listPolls(accountId, from, to, thinBefore);
  }

  /** The daily roll-ups of the UTC days `fromDay`..`toDay` (`YYYY-MM-DD`, inclusive), oldest first. */
  listDailyRollups(accountId: string, fromDay: string, toDay: string): Promise<DailyRollup[]> {
    return this.history.listDailyRollups(accountId, fromDay, toDay);
  }

  // Sealed source credentials (`dynamodb/credentials.ts`).

  /** The account's credentials, opened with the configured cipher. */
  getCredentials(accountId: string): Promise<SourceCredentials | undefined> {
    return this.credentials.get(accountId);
  }

  /** The credentials of several accounts in batch reads. */
  getManyCredentials(accountIds: readonly string[]): Promise<Map<string, SourceCredentials>> {
    return this.credentials.getMany(accountIds);
  }

  /** Seals the credentials (the account id is the encryption context) and stores them. */
  putCredentials(accountId: string, credentials: SourceCredentials): Promise<void> {
    return this.credentials.put(accountId, credentials);
  }

  // Explained nights (`dynamodb/nights.ts`).

  /** Stores an explained night, each account's explanation kept as first stored. */
  putNight(night: StoredNight): Promise<void> {
    return this.nights.put(night);
  }

  getNightWindow(asOf: Date): Promise<StoredNight['window'] | undefined> {
    return this.nights.getWindow(asOf);
  }

  getNightAccounts(asOf: Date, accountIds: readonly string[]): Promise<NightAccount[]> {
    return this.nights.getAccounts(asOf, accountIds);
  }

  // Digest markers (`dynamodb/digest-markers.ts`).

  claimDigest(subscriberId: string, localDate: string, claimedAt: Date): Promise<boolean> {
    return this.markers.claim(subscriberId, localDate, claimedAt);
  }

  markDigestSent(
    subscriberId: string,
    localDate: string,
    messageId: string,
    report?: DigestReport,
  ): Promise<void> {
    return this.markers.markSent(subscriberId, localDate, messageId, report);
  }

  getDigestReport(subscriberId: string, localDate: string): Promise<DigestReport | undefined> {
    return this.markers.getReport(subscriberId, localDate);
  }

  getDigestReports(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Map<string, DigestReport>> {
    return this.markers.getReports(digests);
  }

  listSentDigests(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Set<string>> {
    return this.markers.listSent(digests);
  }

  releaseDigest(subscriberId: string, localDate: string): Promise<void> {
    return this.markers.release(subscriberId, localDate);
  }

  // Subscribers and the subscription side (`dynamodb/subscriptions.ts`).

  /** Stores the subscriber, then points its address at it (sign-up finds subscribers by address). */
  putSubscriber(subscriber: Subscriber): Promise<void> {
    return this.subscriptions.putSubscriber(subscriber);
  }

  getSubscriber(subscriberId: string): Promise<Subscriber | undefined> {
    return this.subscriptions.getSubscriber(subscriberId);
  }

  listSubscribers(): Promise<Subscriber[]> {
    return this.subscriptions.listSubscribers();
  }

  /** Removes a subscriber (operator CLI); false when there was none. Its digest markers expire on their own. */
  deleteSubscriber(subscriberId: string): Promise<boolean> {
    return this.subscriptions.deleteSubscriber(subscriberId);
  }

  findSubscriberId(email: string): Promise<string | undefined> {
    return this.subscriptions.findSubscriberId(email);
  }

  claimSubscriberId(email: string, subscriberId: string): Promise<string> {
    return this.subscriptions.claimSubscriberId(email, subscriberId);
  }

  putSignUp(request: PendingSignUp, expiresAt: Date): Promise<void> {
    return this.subscriptions.putSignUp(request, expiresAt);
  }

  getSignUp(nonce: string): Promise<PendingSignUp | undefined> {
    return this.subscriptions.getSignUp(nonce);
  }

  markSignUpConfirmed(nonce: string, at: Date): Promise<void> {
    return this.subscriptions.markSignUpConfirmed(nonce, at);
  }

  isSuppressed(email: string): Promise<boolean> {
    return this.subscriptions.isSuppressed(email);
  }

  listSuppressed(emails: readonly string[]): Promise<Set<string>> {
    return this.subscriptions.listSuppressed(emails);
  }

  suppress(email: string, reason: 'bounce' | 'complaint', at: Date): Promise<void> {
    return this.subscriptions.suppress(email, reason, at);
  }

  take(
    scope: string,
    subject: string,
    limit: number,
    windowSeconds: number,
    at: Date,
  ): Promise<boolean> {
    return this.subscriptions.take(scope, subject, limit, windowSeconds, at);
  }

  use(id: string, expiresAt: Date): Promise<boolean> {
    return this.subscriptions.use(id, expiresAt);
  }
}
