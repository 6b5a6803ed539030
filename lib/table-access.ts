/**
 * What each function may do in the single table: the DynamoDB actions it calls, each scoped with
 * `dynamodb:LeadingKeys` to the partitions it calls them on (the key layout is in docs/data-model.md). A
 * function that only reads a partition cannot write it, and no function gets an action it never calls. Grants
 * on the same partitions are one grant (IAM would merge them into one statement anyway)
 * (`test/infra/table-access.test.ts` runs every function on the local runtime and checks each request it makes
 * against these grants, as the synthesized template states them).
 */

import { POLL_MINUTE_INDEX } from '../adapters/dynamodb/keys.ts';

/** The table's data-plane actions the store uses; no scans, streams, transactions or PartiQL. */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem';

/** Actions allowed on items whose partition key matches one of `partitions` (IAM `StringLike` patterns). */
export interface TableGrant {
  readonly actions: readonly TableAction[];
  readonly partitions: readonly string[];
}

/** A function's access: grants on the table, and the secondary indexes it may query. */
export interface TableAccess {
  readonly grants: readonly TableGrant[];
  readonly indexes?: readonly string[];
}

/** Partition key patterns, as `docs/data-model.md` lists the items. */
const P = {
  /** Account items (`ACCOUNTS` / `ACCOUNT#<id>`). */
  accountList: 'ACCOUNTS',
  /** One account's polls, roll-ups, handles, credentials, feedback and explained nights. */
  account: 'ACCOUNT#*',
  subscriberList: 'SUBSCRIBERS',
  /** One subscriber's digest markers. */
  subscriber: 'SUBSCRIBER#*',
  /** Explained nights' heads. */
  nights: 'NIGHTS',
  /** An address's index entry and suppression (keyed by its hash). */
  address: 'EMAIL#*',
  limit: 'LIMIT#*',
  once: 'ONCE#*',
  signUp: 'SIGNUP#*',
  quota: 'QUOTA#*',
} as const;

/** Each function's table access. */
export const TABLE_ACCESS = {
  /** Reads the accounts due in a minute through the poll-minute index, and nothing else. */
  pollTick: { grants: [], indexes: [POLL_MINUTE_INDEX.name] },
  /**
   * Reads credentials, roll-up marks and known polls; writes polls, roll-ups, marks and refreshed credentials
   * in the accounts' partitions; marks accounts and their renames; counts Research API quota.
   */
  pollWorker: {
    grants: [
      {
        actions: [
          'GetItem',
          'BatchGetItem',
          'Query',
          'PutItem',
          'BatchWriteItem',
          'UpdateItem',
          'DeleteItem',
        ],
        partitions: [P.account],
      },
      { actions: ['UpdateItem'], partitions: [P.accountList] },
      { actions: ['GetItem', 'UpdateItem'], partitions: [P.quota] },
    ],
  },
  /** Lists subscribers and accounts, reads histories and sent markers, stores each night it explains. */
  digestTick: {
    grants: [
      { actions: ['Query'], partitions: [P.subscriberList, P.accountList, P.account] },
      { actions: ['GetItem'], partitions: [P.nights] },
      { actions: ['BatchGetItem'], partitions: [P.subscriber, P.account] },
      { actions: ['PutItem'], partitions: [P.nights, P.account] },
    ],
  },
  /**
   * Reads the night, the week of polls for the charts, suppressions and yesterday's reports; claims, marks
   * and releases its subscribers' digest markers.
   */
  digestWorker: {
    grants: [
      { actions: ['GetItem'], partitions: [P.nights] },
      { actions: ['BatchGetItem'], partitions: [P.account, P.subscriber, P.address] },
      { actions: ['Query'], partitions: [P.account] },
      { actions: ['PutItem', 'UpdateItem', 'DeleteItem'], partitions: [P.subscriber] },
    ],
  },
  /** Suppresses an address; unsubscribes the subscriber of a complaint. */
  sesEvents: {
    grants: [{ actions: ['GetItem', 'PutItem'], partitions: [P.address, P.subscriberList] }],
  },
  /**
   * The pages: sign-up requests, subscribers and their address index, abuse counters, OAuth states, connected
   * accounts (their items, handles and sealed credentials) and feedback; for the history page, reads an
   * account's polls and roll-ups, its subscriber's digest markers and the nights still kept.
   */
  pages: {
    grants: [
      { actions: ['Query'], partitions: [P.accountList, P.account] },
      { actions: ['BatchGetItem'], partitions: [P.subscriber, P.account] },
      { actions: ['GetItem'], partitions: [P.address, P.subscriberList, P.signUp] },
      {
        actions: ['PutItem'],
        partitions: [P.address, P.subscriberList, P.signUp, P.once, P.accountList, P.account],
      },
      { actions: ['UpdateItem'], partitions: [P.limit, P.signUp, P.accountList, P.account] },
    ],
  },
} as const satisfies Record<string, TableAccess>;
