/**
 * Everything the subscription use cases depend on, as ports and configuration. Each use case takes only the
 * part it needs (`Pick<SubscriptionDeps, …>`), so tests pass small fakes.
 */
import type { Cause } from '../model.ts';
import type {
  CredentialVault,
  FeedbackStore,
  HandleHistory,
  Mailer,
  NightStore,
  Store,
  SuppressionList,
} from '../ports.ts';
import type { SubscriberLinks } from '../send-digests.ts';
import { siteUrl } from '../site-url.ts';
import type {
  RateLimiter,
  SignUpRequests,
  SingleUse,
  SubscriberDirectory,
  SuppressionRecorder,
  TikTokAuthorization,
  TokenSigning,
} from './ports.ts';

/** What a `feedback` token's subject says (see `adapters/digest-links.ts`). */
export interface FeedbackQuestion {
  subscriberId: string;
  accountId: string;
  /** The instant the night ended (the digest's delivery time). */
  night: string;
  cause: Cause;
}

/** Abuse limits; each counts in a fixed window. */
export interface AbuseLimits {
  /** Sign-ups accepted from one IP address per hour. */
  signUpsPerIpPerHour: number;
  /** Confirmation (or "already subscribed") emails sent to one address per day. */
  emailsPerAddressPerDay: number;
  /** TikTok connections started from one IP address per hour. */
  connectsPerIpPerHour: number;
}

/** Defaults: generous for people, tight for scripts. */
export const DEFAULT_ABUSE_LIMITS: AbuseLimits = {
  signUpsPerIpPerHour: 10,
  emailsPerAddressPerDay: 3,
  connectsPerIpPerHour: 20,
};

/** The ports and configuration of the subscription use cases. */
export interface SubscriptionDeps {
  subscribers: SubscriberDirectory;
  signUps: SignUpRequests;
  accounts: Pick<Store, 'putAccount' | 'setAccountStatus' | 'listAccounts'> &
    Pick<HandleHistory, 'recordHandle'>;
  credentials: Pick<CredentialVault, 'putCredentials'>;
  feedback: Pick<FeedbackStore, 'putFeedback'>;
  /** What the history page reads: an account's polls, the subscriber's past digests, the nights still kept. */
  history: Pick<Store, 'listPolls' | 'getDigestReports'> & Pick<NightStore, 'getNightAccounts'>;
  suppressions: SuppressionList & SuppressionRecorder;
  limiter: RateLimiter;
  singleUse: SingleUse;
  tokens: TokenSigning;
  mailer: Mailer;
  tiktok: TikTokAuthorization;
  /** The digest's own links (same formats, same lifetimes). */
  links: Pick<SubscriberLinks, 'preferences' | 'unsubscribe'>;
  decodeFeedbackSubject(subject: string): FeedbackQuestion | undefined;
  /** Public base URL of the pages, e.g. `https://likewatch.example.com/`. */
  baseUrl: string;
  limits: AbuseLimits;
  now(): Date;
  /** A fresh unguessable id (subscriber ids, OAuth state nonces). */
  newId(): string;
}

/** An absolute URL under the base URL with a token signed for `purpose`, valid until `expiresAt`. */
export function signedLink(
  deps: Pick<SubscriptionDeps, 'baseUrl' | 'tokens'>,
  path: string,
  purpose: 'confirm',
  subject: string,
  expiresAt: Date,
): string {
  const url = siteUrl(deps.baseUrl, path);
  url.searchParams.set('token', deps.tokens.sign(purpose, subject, expiresAt));
  return url.toString();
}
