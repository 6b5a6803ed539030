/**
 * Key layout of every item of the single table (docs/data-model.md lists each item and access pattern), in
 * one place. Everything about one account lives in its partition `ACCOUNT#<id>`, sorted so that each access
 * pattern is a single key-range query. Addresses and IP addresses are keyed by a SHA-256 hash, so no key,
 * and no counter, shows an address.
 */
import { createHash } from 'node:crypto';

/** Partition of everything stored about one account. */
export const accountPartition = (accountId: string) => `ACCOUNT#${accountId}`;

/**
 * Upper bound of a range that must include the chunks of its last record: chunk keys extend the record key
 * with `#…`, and `$` sorts right after `#`, before any longer key of a later record.
 */
export const throughChunksOf = (recordKey: string) => `${recordKey}$`;

/** The form an address is compared in: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Hex SHA-256 of a string (addresses, IP addresses) used in keys instead of the string. */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export const keys = {
  /** A watched account (all of them in one partition: the tick lists them, the index finds them by minute). */
  account: (accountId: string) => ({ pk: 'ACCOUNTS', sk: `ACCOUNT#${accountId}` }),
  /** A subscriber. */
  subscriber: (subscriberId: string) => ({ pk: 'SUBSCRIBERS', sk: `SUBSCRIBER#${subscriberId}` }),
  /** The sealed credentials of one account. */
  credentials: (accountId: string) => ({ pk: accountPartition(accountId), sk: 'CREDENTIALS' }),
  /** The marker of one subscriber's digest for one local date. */
  digest: (subscriberId: string, localDate: string) => ({
    pk: `SUBSCRIBER#${subscriberId}`,
    sk: `DIGEST#${localDate}`,
  }),
  /** The head of an explained night: its window, written after every account's explanation. */
  night: (asOf: Date) => ({ pk: 'NIGHTS', sk: `NIGHT#${asOf.toISOString()}` }),
  /** One account's explanation of an explained night, in the account's partition. */
  nightAccount: (asOf: Date, accountId: string) => ({
    pk: accountPartition(accountId),
    sk: `NIGHT#${asOf.toISOString()}`,
  }),
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
  /** The Research API requests and records used on one UTC day, shared by every worker. */
  researchQuota: (day: string) => ({ pk: 'QUOTA#research_api', sk: `DAY#${day}` }),
  /** A raw poll, keyed by its slot (the schedule's instant), so retries land on the same item. */
  poll: (accountId: string, slot: string) => ({
    pk: accountPartition(accountId),
    sk: `POLL#${slot}`,
  }),
  /** The roll-up of one UTC day (`YYYY-MM-DD`). */
  dailyRollup: (accountId: string, day: string) => ({
    pk: accountPartition(accountId),
    sk: `DAY#${day}`,
  }),
  /**
   * The roll-ups of one finished month (`YYYY-MM`), in one record. `DAY#2026-10` sorts right before the
   * month's days (`DAY#2026-10-01` …), so one range reads months and days together.
   */
  monthRollup: (accountId: string, month: string) => ({
    pk: accountPartition(accountId),
    sk: `DAY#${month}`,
  }),
  /** The last UTC day whose roll-up has been written. */
  rollupProgress: (accountId: string) => ({ pk: accountPartition(accountId), sk: 'ROLLUPS' }),
  /** One handle the account was seen under. */
  handle: (accountId: string, handle: string) => ({
    pk: accountPartition(accountId),
    sk: `HANDLE#${handle}`,
  }),
  /** One subscriber's answer about one cause of one account's night. */
  feedback: (accountId: string, night: string, cause: string, subscriberId: string) => ({
    pk: accountPartition(accountId),
    sk: `FEEDBACK#${night}#${cause}#${subscriberId}`,
  }),
};

/**
 * The table's one secondary index: account items by their poll minute (`pollMinuteOf`), so a tick reads only
 * the accounts due in it. Sparse: only account items carry the attribute.
 */
export const POLL_MINUTE_INDEX = { name: 'byPollMinute', partitionKey: 'pollMinute' } as const;
