/**
 * Ports: what the core needs from the outside world. Adapters in `adapters/` implement them against AWS and
 * TikTok; tests and the local runtime may pass other implementations.
 */
import type {
  Account,
  AccountExplanation,
  DigestReport,
  Explanation,
  Feedback,
  FleetAccount,
  HandleSighting,
  Poll,
  Subscriber,
} from './model.ts';

/** Reads one account's current public stats from TikTok. Never throws for per-account trouble: a poll
 * that could not be read comes back as `failed` (or `partial`) with a reason. */
export interface StatsSource {
  poll(account: Account, at: Date, signal?: AbortSignal, hints?: PollHints): Promise<PollOutcome>;
  /**
   * Called once per run with every account about to be polled, before any `poll`: lets a source with a daily
   * budget (the Research API) decide up front which accounts fit, instead of failing whoever comes last.
   */
  prepare(accounts: readonly Account[], at: Date): Promise<void>;
}

/** What the caller already knows about an account, for sources that can use it. */
export interface PollHints {
  /**
   * Ids of the videos the latest complete poll listed (plus any seen since). Read lazily: only a source that
   * needs it (to re-read videos a broken list left out) pays for the store read.
   */
  knownVideoIds: () => Promise<readonly string[]>;
}

/** A poll plus what the source learned about the account on the way (e.g. it needs re-authorization). */
export interface PollOutcome {
  poll: Poll;
  accountStatus?: Account['status'];
  /** The account's current username as the source showed it; differs from `account.handle` after a rename. */
  handle?: string;
}

/** One poll to store: whose, under which slot, and the poll. */
export interface PollToStore {
  accountId: string;
  slot: string;
  poll: Poll;
  /** When the account was added (`addedAt`): the store need look for nothing to roll up before it. */
  watchedSince?: string;
}

/** Accounts, subscribers, poll history and sent-digest markers. */
export interface Store {
  putAccount(account: Account): Promise<void>;
  listAccounts(): Promise<Account[]>;
  /** The accounts whose poll minute (`pollMinuteOf`) is one of `minutes` (a poll tick's due accounts). */
  listAccountsInPollMinutes(minutes: readonly number[]): Promise<Account[]>;
  setAccountStatus(accountId: string, status: Account['status']): Promise<void>;
  putSubscriber(subscriber: Subscriber): Promise<void>;
  listSubscribers(): Promise<Subscriber[]>;
  /**
   * Stores a poll keyed by its slot. Storing the same slot again replaces the poll unless the stored one is
   * better (`ok`, then `partial`, then `failed`) or is `ok`: a redelivery heals a failed poll, a late failure
   * never shadows a good one, and a slot's first good poll stays. Retries are harmless.
   */
  putPoll(accountId: string, slot: string, poll: Poll): Promise<void>;
  /**
   * Stores several polls as `putPoll` would, in as few requests as the store can. Returns each poll's error,
   * in the order given, undefined where it was stored: one poll's trouble does not stop the others.
   */
  putPolls(polls: readonly PollToStore[]): Promise<Array<Error | undefined>>;
  /**
   * Polls of one account with `from <= at <= to`, oldest first. Before the UTC day of `thinBefore`, if given,
   * one poll a day (its `dayRepresentative`, from the daily summaries) is enough, and cheaper to read.
   */
  listPolls(accountId: string, from: Date, to: Date, thinBefore?: Date): Promise<Poll[]>;
  /**
   * Claims the right to send one subscriber's digest for one local date. Returns false when it was already
   * claimed (by a retry or a concurrent run), so exactly one caller sends.
   */
  claimDigest(subscriberId: string, localDate: string, claimedAt: Date): Promise<boolean>;
  /**
   * Records that a claimed digest went out (message id from the mailer), with what it reported so the next
   * morning's digest can follow up on it.
   */
  markDigestSent(
    subscriberId: string,
    localDate: string,
    messageId: string,
    report?: DigestReport,
  ): Promise<void>;
  /** What the digest of that subscriber and local date reported, if it was sent with a report. */
  getDigestReport(subscriberId: string, localDate: string): Promise<DigestReport | undefined>;
  /** The reports of several digests at once (`subscriberId/localDate` keys; those without one are absent). */
  getDigestReports(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Map<string, DigestReport>>;
  /** Gives a claim back after a send that definitely failed, so the next run retries it. */
  releaseDigest(subscriberId: string, localDate: string): Promise<void>;
  /**
   * Of the given subscriber digests, those already marked sent (`subscriberId/localDate` keys): the digest tick
   * leaves them out instead of queueing jobs that would only find them sent.
   */
  listSentDigests(
    digests: ReadonlyArray<{ subscriberId: string; localDate: string }>,
  ): Promise<Set<string>>;
}

/** The handles each account was seen under, kept when it renames itself. */
export interface HandleHistory {
  /** Records that the account showed `handle` at `seenAt`; the latest sighting becomes the account's handle. */
  recordHandle(accountId: string, handle: string, seenAt: Date): Promise<void>;
  /** Every handle the account was seen under, earliest first. */
  listHandles(accountId: string): Promise<HandleSighting[]>;
}

/** Subscribers' answers to "was this right?"; answering the same question again replaces the answer. */
export interface FeedbackStore {
  putFeedback(feedback: Feedback): Promise<void>;
  /** One account's answers for the nights `fromNight`..`toNight` (`YYYY-MM-DD`, inclusive), oldest first. */
  listFeedback(accountId: string, fromNight: string, toNight: string): Promise<Feedback[]>;
}

/** OAuth credentials for one account's Display API access. */
export interface SourceCredentials {
  accessToken: string;
  /** When the access token stops working. */
  accessTokenExpiresAt?: string;
  refreshToken?: string;
  refreshTokenExpiresAt?: string;
  /** Comma-separated scopes the creator granted. */
  scope?: string;
}

/** Keeps per-account source credentials (encrypted at rest where the adapter supports it). */
export interface CredentialVault {
  getCredentials(accountId: string): Promise<SourceCredentials | undefined>;
  putCredentials(accountId: string, credentials: SourceCredentials): Promise<void>;
  /**
   * The credentials of several accounts in as few reads as the vault allows (read as strongly as
   * {@link CredentialVault.getCredentials}). Accounts without stored credentials are absent from the map.
   */
  getManyCredentials(accountIds: readonly string[]): Promise<Map<string, SourceCredentials>>;
}

/** An inline image referenced from the HTML part as `cid:<contentId>`. */
export interface InlineImage {
  contentId: string;
  filename: string;
  contentType: 'image/png';
  content: Uint8Array;
}

/** A composed email ready to send. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  inlineImages?: InlineImage[];
}

/** Sends email; resolves with the provider's message id. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<string>;
}

/**
 * Addresses that must not be mailed (hard bounces, complaints), as the SES event handling records them.
 * The digest asks before sending and skips a suppressed address.
 */
export interface SuppressionList {
  isSuppressed(email: string): Promise<boolean>;
  /** Of `emails`, those suppressed, in one read where the list can (digest workers check a batch at once). */
  listSuppressed(emails: readonly string[]): Promise<Set<string>>;
}

/**
 * The engine's explanation of one night, fed an account at a time (its history can be let go once added)
 * and finished once every account is in.
 */
export interface NightExplainer {
  add(account: FleetAccount): void;
  finish(): Explanation;
}

/** Starts the explanation of the night ending at `asOf` (the pure engine, behind a port for tests). */
export type ExplainFn = (asOf: Date) => NightExplainer;

/**
 * A work queue: jobs sent here are delivered to a worker later, in batches, and redelivered when the worker
 * reports them failed. Delivery is at least once, so jobs must be safe to run twice.
 */
export interface Queue<Job> {
  /** Enqueues every job (in as few requests as the queue allows); rejects if any could not be enqueued. */
  send(jobs: readonly Job[]): Promise<void>;
}

/**
 * One account of an explained night: the account as it was listed, and the engine's explanation of it. (A
 * "part" is only ever a slice of a night split between invocations, see `DigestPartJob`.)
 */
export interface NightAccount {
  account: Account;
  explanation: AccountExplanation;
}

/** The explanation of one night for the whole fleet, stored once so each digest only reads its accounts. */
export interface StoredNight {
  /** The end of the night (the delivery time of the subscribers it is for). */
  asOf: Date;
  window: Explanation['window'];
  accounts: readonly NightAccount[];
}

/**
 * Explained nights. The fleet-wide explanation is computed once per night by the digest tick and stored per
 * account; each digest job then reads only its subscriber's accounts.
 */
export interface NightStore {
  /**
   * Stores every account the night does not have yet (an account's explanation once stored is kept: every
   * digest of the night shows the same explanation of it), then the night's window last: a night with a
   * window is complete.
   */
  putNight(night: StoredNight): Promise<void>;
  /** The window of the night ending at `asOf`, or undefined when it has not been stored (complete). */
  getNightWindow(asOf: Date): Promise<Explanation['window'] | undefined>;
  /** The stored accounts of `accountIds` for the night ending at `asOf`; those not explained are left out. */
  getNightAccounts(asOf: Date, accountIds: readonly string[]): Promise<NightAccount[]>;
}
