/**
 * Key layout of the items this folder owns (docs/data-model.md lists every item and access pattern).
 * Everything about one account lives in its partition `ACCOUNT#<id>`, sorted so that each access pattern is a
 * single key-range query.
 */

/** Partition of everything stored about one account. */
export const accountPartition = (accountId: string) => `ACCOUNT#${accountId}`;

/**
 * Upper bound of a range that must include the chunks of its last record: chunk keys extend the record key
 * with `#…`, and `$` sorts right after `#`, before any longer key of a later record.
 */
export const throughChunksOf = (recordKey: string) => `${recordKey}$`;

export const keys = {
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
