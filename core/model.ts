/**
 * The domain model: the documents and records likewatch reads and writes, as zod schemas with their inferred
 * types. `likewatch.fleet/v1` and `likewatch.explanation/v1` follow the data contract exactly;
 * everything else is internal.
 */
import { z } from 'zod';

/** ISO-8601 UTC instant, e.g. `2026-11-24T06:00:00Z` (fractional seconds allowed). */
export const Instant = z.iso.datetime({ offset: false });

/** A count the platform reports: a non-negative integer. */
export const Count = z.number().int().nonnegative();

/** Account-level counts as the platform reports them. */
export const Profile = z.object({
  followers: Count,
  following: Count,
  likes: Count,
  videos: Count,
});
export type Profile = z.infer<typeof Profile>;

/** One public video's counts in one poll. `title` and `url` are likewatch extensions (optional). */
export const VideoStats = z.object({
  id: z.string().min(1),
  postedAt: Instant,
  views: Count,
  likes: Count,
  comments: Count,
  shares: Count,
  saves: Count.nullable().optional(),
  title: z.string().optional(),
  url: z.string().optional(),
});
export type VideoStats = z.infer<typeof VideoStats>;

/** Why a poll is not `ok`: machine-readable, recorded with the poll. */
export const PollFailureReason = z.enum([
  'rate_limited',
  'unauthorized',
  'needs_reauthorization',
  'not_found',
  'private_account',
  'server_error',
  'timeout',
  'malformed_response',
  'missing_pages',
  'network_error',
  'quota_exhausted',
  'bot_check',
  /** The run stopped (deadline or cancellation) before this account was polled. */
  'not_reached',
  /** The source refuses this client outright (e.g. the web page says the IP address is blocked). */
  'blocked',
  /** The account's source kind is not enabled in this deployment. */
  'source_disabled',
  /** Some items of the answer failed validation and were left out (the poll's `rejected` names them). */
  'invalid_item',
]);
export type PollFailureReason = z.infer<typeof PollFailureReason>;

/**
 * An item of a source's answer that failed validation and was left out of the poll: which video (absent when
 * the item is the profile or carries no readable id), which field, and what was wrong with it.
 */
export const RejectedItem = z.object({
  video: z.string().min(1).optional(),
  field: z.string(),
  problem: z.string(),
});
export type RejectedItem = z.infer<typeof RejectedItem>;

/**
 * A poll: one observation of an account and its public videos at an instant.
 *
 * `rounded: true`: the source gave some counts rounded (e.g. 22.6K). `archived: true`: the video counts come from
 * an archived index that lags the live counts (TikTok Research API: new videos up to 48 h late, counts up to
 * 10 days behind), so a change shows days after it happened. A `partial` poll's `rejected` lists the items left
 * out because they failed validation (their videos are unknown in this poll, not vanished), and its `detail`
 * says in words what made it partial.
 */
export const Poll = z.discriminatedUnion('status', [
  z.object({
    at: Instant,
    status: z.literal('ok'),
    rounded: z.boolean().optional(),
    archived: z.boolean().optional(),
    profile: Profile,
    videos: z.array(VideoStats),
  }),
  z.object({
    at: Instant,
    status: z.literal('partial'),
    rounded: z.boolean().optional(),
    archived: z.boolean().optional(),
    reason: PollFailureReason.optional(),
    detail: z.string().optional(),
    rejected: z.array(RejectedItem).optional(),
    profile: Profile.optional(),
    videos: z.array(VideoStats),
  }),
  z.object({
    at: Instant,
    status: z.literal('failed'),
    reason: PollFailureReason.optional(),
    detail: z.string().optional(),
  }),
]);
export type Poll = z.infer<typeof Poll>;

export const Platform = z.literal('tiktok');

/** One account's observed history inside a fleet document. */
export const FleetAccount = z.object({
  platform: Platform,
  id: z.string().min(1),
  handle: z.string().min(1),
  polls: z.array(Poll),
});
export type FleetAccount = z.infer<typeof FleetAccount>;

export const FLEET_FORMAT = 'likewatch.fleet/v1';

/** `likewatch.fleet/v1`: everything the monitor observed for a set of accounts. */
export const Fleet = z.object({
  format: z.literal(FLEET_FORMAT),
  accounts: z.array(FleetAccount),
});
export type Fleet = z.infer<typeof Fleet>;

/** Cause ids, used everywhere (storage, digest, CLI output, tests). */
export const Cause = z.enum([
  'fake_engagement_purge',
  'inactive_account_cleanup',
  'content_removed_or_restricted',
  'reach_limited',
  'audience_shift',
  'platform_glitch',
  'organic_unlikes',
]);
export type Cause = z.infer<typeof Cause>;

export const Verdict = z.enum(['loss', 'slowdown', 'none', 'unknown']);
export type Verdict = z.infer<typeof Verdict>;

export const RankedCause = z.object({
  cause: Cause,
  confidence: z.number().min(0).max(1),
  likes: Count,
  evidence: z.array(z.string()),
});
export type RankedCause = z.infer<typeof RankedCause>;

export const VideoLoss = z.object({
  id: z.string(),
  lost: Count,
  restored: Count,
  cause: Cause.optional(),
});
export type VideoLoss = z.infer<typeof VideoLoss>;

export const AccountExplanation = z.object({
  id: z.string(),
  handle: z.string(),
  verdict: Verdict,
  likes: z.object({
    lost: Count,
    restored: Count,
    gained: Count,
    baselineGain: z.number().nonnegative().nullable(),
    /**
     * Where ordinary nights fall around `baselineGain` (a likewatch extension: a night outside it is unusual;
     * below it and under half the baseline, a slowdown). Absent in explanations stored before it existed.
     */
    baselineBand: z.object({ low: Count, high: Count }).nullable().optional(),
  }),
  causes: z.array(RankedCause),
  videos: z.array(VideoLoss),
});
export type AccountExplanation = z.infer<typeof AccountExplanation>;

export const EXPLANATION_FORMAT = 'likewatch.explanation/v1';

/** `likewatch.explanation/v1`: the engine's verdicts for one 24-hour window. */
export const Explanation = z.object({
  format: z.literal(EXPLANATION_FORMAT),
  window: z.object({ from: Instant, to: Instant }),
  accounts: z.array(AccountExplanation),
});
export type Explanation = z.infer<typeof Explanation>;

/** Where an account's stats come from. */
export const SourceKind = z.enum(['display_api', 'research_api', 'web']);
export type SourceKind = z.infer<typeof SourceKind>;

/** TikTok's username rules: 2–24 letters, digits, underscores and periods, not ending with a period. */
const TIKTOK_HANDLE_PATTERN = /^[a-z0-9_.]{2,24}$/;

/**
 * True for a valid TikTok username (without `@`), case-insensitively. Every handle that enters the system (a
 * connection, a poll, an import, the CLI, a form) is checked with it; stored handles are still rendered as
 * hostile text, since they may predate the check.
 */
export function isTikTokHandle(handle: string): boolean {
  const lower = handle.toLowerCase();
  return TIKTOK_HANDLE_PATTERN.test(lower) && !lower.endsWith('.');
}

/** A watched TikTok account. */
export const Account = z.object({
  platform: Platform,
  id: z.string().min(1),
  handle: z.string().min(1),
  source: SourceKind,
  status: z.enum(['active', 'needs_reauthorization']),
  addedAt: Instant,
});
export type Account = z.infer<typeof Account>;

/** IANA time zone name, checked against the runtime's zone database. */
export const TimeZone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not an IANA time zone (e.g. Europe/Berlin)' },
);

/**
 * Whether a subscriber receives digests; see {@link Subscriber}. `pending`: an address not confirmed yet, as
 * sign-ups stored it before each request was kept on its own ({@link PendingSignUp}); nothing is sent to it.
 */
export const SubscriberStatus = z.enum(['active', 'paused', 'unsubscribed', 'pending']);
export type SubscriberStatus = z.infer<typeof SubscriberStatus>;

/** Someone who receives the morning digest for some accounts. */
export const Subscriber = z.object({
  id: z.string().min(1),
  email: z.email(),
  timeZone: TimeZone,
  /** Local hour (0–23) at which the digest is sent. */
  deliveryHour: z.number().int().min(0).max(23),
  /** On a night with nothing to report: a one-line all-clear, or no email at all. */
  quietNights: z.enum(['all_clear', 'skip']),
  accountIds: z.array(z.string().min(1)).min(1),
  /**
   * Whether digests go out: `paused` and `unsubscribed` subscribers get none. Absent means `active`, so
   * subscribers stored before the field existed keep receiving their digest.
   */
  status: SubscriberStatus.optional(),
  /** When the subscriber last unsubscribed: a confirmation link sent before that must not subscribe again. */
  unsubscribedAt: Instant.optional(),
});
export type Subscriber = z.infer<typeof Subscriber>;

/**
 * One sign-up request waiting for its confirmation link: exactly the settings that request asked for, under a
 * nonce of its own that the link's signed token names. Another request for the same address is another
 * record, so no one can rewrite what a link confirms.
 */
export const PendingSignUp = z.object({
  nonce: z.string().min(1),
  email: z.email(),
  /** The subscriber id to use if the address has none when the link is confirmed. */
  subscriberId: z.string().min(1),
  timeZone: TimeZone,
  deliveryHour: z.number().int().min(0).max(23),
  accountIds: z.array(z.string().min(1)).min(1),
  requestedAt: Instant,
  /** Set once the link was confirmed (a second click only says so). */
  confirmedAt: Instant.optional(),
});
export type PendingSignUp = z.infer<typeof PendingSignUp>;

/** True when digests may be sent to `subscriber` (an absent status counts as active). */
export function receivesDigests(subscriber: Subscriber): boolean {
  return (subscriber.status ?? 'active') === 'active';
}

/** What one account's part of a sent digest said, as far as the next morning's follow-up needs it. */
export const ReportedAccount = z.object({
  accountId: z.string().min(1),
  handle: z.string(),
  verdict: Verdict,
  /** Likes the digest said were removed overnight. */
  lost: Count,
  /** The best-fitting cause the digest named, if any. */
  topCause: Cause.optional(),
  /**
   * The videos that lost likes: their count before the drop and at the end of the night (absent when the
   * video was no longer public). The next morning compares today's counts against these.
   */
  videos: z.array(z.object({ id: z.string(), before: Count, after: Count.optional() })),
});
export type ReportedAccount = z.infer<typeof ReportedAccount>;

/** What a digest reported, kept with its sent marker so the next digest can follow up on it. */
export const DigestReport = z.object({
  /** The end of the night the digest covered. */
  asOf: Instant,
  accounts: z.array(ReportedAccount),
});
export type DigestReport = z.infer<typeof DigestReport>;

/** A handle an account was seen under (accounts are keyed by the platform's stable id; handles change). */
export const HandleSighting = z.object({
  handle: z.string().min(1),
  firstSeenAt: Instant,
  lastSeenAt: Instant,
});
export type HandleSighting = z.infer<typeof HandleSighting>;

/** A subscriber's answer to "was this right?" about one cause the digest gave for one account's night. */
export const Feedback = z.object({
  subscriberId: z.string().min(1),
  accountId: z.string().min(1),
  /** The digest's local date (`YYYY-MM-DD`), as in its sent marker. */
  night: z.iso.date(),
  cause: Cause,
  correct: z.boolean(),
  answeredAt: Instant,
});
export type Feedback = z.infer<typeof Feedback>;

/**
 * What a signed token may be used for: links in emails (`unsubscribe`, `preferences`, `reconnect`, `confirm`,
 * `feedback`), the TikTok OAuth `state` (`connect`) and the anti-CSRF token of a page's form (`form`).
 */
export const TokenPurpose = z.enum([
  'unsubscribe',
  'preferences',
  'reconnect',
  'confirm',
  'feedback',
  'connect',
  'form',
  'history',
]);
export type TokenPurpose = z.infer<typeof TokenPurpose>;

/** Payload the poll schedule sends to the poll function. */
export const PollEvent = z.object({
  kind: z.literal('poll'),
  scheduledTime: Instant,
});
export type PollEvent = z.infer<typeof PollEvent>;

/** Payload the hourly digest tick sends to the digest function. */
export const DigestEvent = z.object({
  kind: z.literal('digest'),
  scheduledTime: Instant,
});
export type DigestEvent = z.infer<typeof DigestEvent>;

/**
 * One account to poll for one slot: a message on the poll queue. It carries the account as the tick listed it,
 * so a worker needs no read to start; the slot keys the stored poll, so a redelivered job overwrites rather than
 * duplicates.
 */
export const PollJob = z.object({
  kind: z.literal('poll-account'),
  slot: Instant,
  account: Account,
});
export type PollJob = z.infer<typeof PollJob>;

/**
 * One subscriber's digest for one night: a message on the digest queue. The night (`asOf`, the subscriber's
 * delivery time) has been explained and stored by the tick before the job was sent; the `(subscriber,
 * localDate)` claim makes a redelivered job send nothing twice.
 */
export const DigestJob = z.object({
  kind: z.literal('digest-subscriber'),
  asOf: Instant,
  localDate: z.iso.date(),
  subscriber: Subscriber,
});
export type DigestJob = z.infer<typeof DigestJob>;

/**
 * One part of a night too large for one digest-tick invocation to explain: a message on the digest part
 * queue. The part's subscribers are the night's due subscribers whose id hashes to `part` of `parts`
 * (`digestPartOf`); the invocation explains the accounts they follow and sends their digest jobs, as the tick
 * does for a night it explains itself.
 */
export const DigestPartJob = z
  .object({
    kind: z.literal('digest-part'),
    /** The tick that split the night: it sets which subscribers are due and which are already sent. */
    scheduledTime: Instant,
    /** The night's end. */
    asOf: Instant,
    part: z.number().int().nonnegative(),
    /** 1: the whole night, handed over by an invocation that ran out of time before it began it. */
    parts: z.number().int().min(1),
  })
  .refine((job) => job.part < job.parts, { message: 'part must be below parts', path: ['part'] });
export type DigestPartJob = z.infer<typeof DigestPartJob>;
