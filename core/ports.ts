/**
 * Ports: what the core needs from the outside world. Adapters in `adapters/` implement them against AWS and
 * TikTok; tests and the local runtime may pass other implementations.
 */
import type { Account, Explanation, Fleet, Poll, Subscriber } from './model.ts';

/** Reads one account's current public stats from TikTok. Never throws for per-account trouble: a poll
 * that could not be read comes back as `failed` (or `partial`) with a reason. */
export interface StatsSource {
  poll(account: Account, at: Date, signal?: AbortSignal): Promise<PollOutcome>;
}

/** A poll plus what the source learned about the account on the way (e.g. it needs re-authorization). */
export interface PollOutcome {
  poll: Poll;
  accountStatus?: Account['status'];
}

/** Accounts, subscribers, poll history and sent-digest markers. */
export interface Store {
  putAccount(account: Account): Promise<void>;
  listAccounts(): Promise<Account[]>;
  setAccountStatus(accountId: string, status: Account['status']): Promise<void>;
  putSubscriber(subscriber: Subscriber): Promise<void>;
  listSubscribers(): Promise<Subscriber[]>;
  /** Stores a poll keyed by its slot; storing the same slot again overwrites it (retries are harmless). */
  putPoll(accountId: string, slot: string, poll: Poll): Promise<void>;
  /** Polls of one account with `from <= at <= to`, oldest first. */
  listPolls(accountId: string, from: Date, to: Date): Promise<Poll[]>;
  /**
   * Claims the right to send one subscriber's digest for one local date. Returns false when it was already
   * claimed (by a retry or a concurrent run), so exactly one caller sends.
   */
  claimDigest(subscriberId: string, localDate: string, claimedAt: Date): Promise<boolean>;
  /** Records that a claimed digest went out (message id from the mailer). */
  markDigestSent(subscriberId: string, localDate: string, messageId: string): Promise<void>;
  /** Gives a claim back after a send that definitely failed, so the next run retries it. */
  releaseDigest(subscriberId: string, localDate: string): Promise<void>;
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

/** Produces the engine's explanation for a fleet window (the pure engine, behind a port for tests). */
export type ExplainFn = (fleet: Fleet, asOf: Date) => Explanation;

/** The current instant. Handlers use the event's scheduled time; this is for everything else. */
export interface Clock {
  now(): Date;
}
