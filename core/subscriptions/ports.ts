/**
 * Ports of the subscription pages and their use cases: what they need beyond the core's main ports
 * (`core/ports.ts`). The DynamoDB store implements the storage ones; adapters implement token signing and the
 * TikTok authorization.
 */
import type { Account, PendingSignUp, Subscriber, TokenPurpose } from '../model.ts';
import type { SourceCredentials } from '../ports.ts';

/** Why a signed token was refused. */
export type TokenRejection = 'malformed' | 'bad_signature' | 'expired' | 'wrong_purpose';

/** The outcome of checking a signed token. */
export type TokenCheck = { ok: true; subject: string } | { ok: false; rejection: TokenRejection };

/** Signs and verifies HMAC tokens (implemented by `adapters/signed-tokens.ts`). */
export interface TokenSigning {
  sign(purpose: TokenPurpose, subject: string, expiresAt: Date): string;
  verify(token: string, purpose: TokenPurpose, now: Date): TokenCheck;
}

/** Subscribers by id and by address, beyond listing them. */
export interface SubscriberDirectory {
  getSubscriber(subscriberId: string): Promise<Subscriber | undefined>;
  /** The id of the subscriber with this address (compared case-insensitively), if any. */
  findSubscriberId(email: string): Promise<string | undefined>;
  /**
   * The id of the subscriber with this address; when the address has none, `subscriberId` becomes it, once
   * (a conditional write): two links confirmed at once for a new address make one subscriber, not two.
   */
  claimSubscriberId(email: string, subscriberId: string): Promise<string>;
  /** Stores the subscriber and indexes its address. */
  putSubscriber(subscriber: Subscriber): Promise<void>;
  listAccounts(): Promise<Account[]>;
}

/** Sign-up requests waiting for their confirmation links, each under its own nonce. */
export interface SignUpRequests {
  /** Stores a request; it is forgotten after `expiresAt`. */
  putSignUp(request: PendingSignUp, expiresAt: Date): Promise<void>;
  /** The request stored under `nonce`, if it is still kept. */
  getSignUp(nonce: string): Promise<PendingSignUp | undefined>;
  /** Records that the request's link was confirmed at `at`. */
  markSignUpConfirmed(nonce: string, at: Date): Promise<void>;
}

/** Addresses that bounced for good or complained: they are never mailed again. */
export interface SuppressionRecorder {
  suppress(email: string, reason: 'bounce' | 'complaint', at: Date): Promise<void>;
}

/**
 * Fixed-window counters for abuse limits. The adapter stores only a hash of `subject` (an address or an IP
 * address) and lets the counter expire after its window.
 */
export interface RateLimiter {
  /**
   * Counts one attempt of `scope` by `subject` in the window of `windowSeconds` that contains `at`. False when
   * `limit` attempts were already counted in that window (the attempt is then not counted).
   */
  take(
    scope: string,
    subject: string,
    limit: number,
    windowSeconds: number,
    at: Date,
  ): Promise<boolean>;
}

/** Records one-time values (OAuth states) so that each is accepted once. */
export interface SingleUse {
  /** True the first time `id` is used; false for every later use. Forgotten after `expiresAt`. */
  use(id: string, expiresAt: Date): Promise<boolean>;
}

/** What TikTok says about the account a creator just authorized. */
export interface AuthorizedAccount {
  /** TikTok's stable `open_id`. */
  accountId: string;
  /** The current username, when the creator granted `user.info.profile`. */
  handle?: string;
  credentials: SourceCredentials;
}

/** TikTok Login Kit (Display API OAuth) for connecting a creator's account. */
export interface TikTokAuthorization {
  /** TikTok's authorize page for this app, carrying `state`. */
  authorizeUrl(state: string): string;
  /** Exchanges an authorization code for tokens and reads who authorized. */
  exchange(code: string, now: Date): Promise<AuthorizedAccount>;
}
