/**
 * What a simulated world is made of: its accounts (`AccountScenario`), the like-drop causes that can be injected
 * into them (`WorldEvent`), the span it covers (`WorldSpec`), and what it answers and records (`World`,
 * `EventOutcome`). The simulation itself is in `account-simulation.ts`; `world.ts` puts the two together.
 */
import type { Cause, Profile, VideoStats } from '../model.ts';

/** Who an account is, as a fake server or a fleet needs it. */
export interface WorldAccountInfo {
  id: string;
  handle: string;
  displayName: string;
}

/** What TikTok shows publicly for one account at one instant. Videos are newest first. */
export interface Observation {
  profile: Profile;
  videos: VideoStats[];
}

/** Who the accounts of a world are, read from its spec without simulating anything. */
export function worldAccounts(spec: Pick<WorldSpec, 'accounts'>): WorldAccountInfo[] {
  return spec.accounts.map(({ id, handle, displayName }) => ({ id, handle, displayName }));
}

/** A deterministic simulated platform. */
export interface World {
  readonly accounts: readonly WorldAccountInfo[];
  /**
   * What TikTok shows publicly for the account at instant `at`: videos posted after `at` are absent, removed
   * videos absent after removal. Deterministic for (world, at). Throws for an unknown id, and a `RangeError`
   * for an instant outside the simulated span.
   */
  observe(accountId: string, at: Date): Observation;
}

/** The demo world and the one drop it contains. */
export interface DemoWorld {
  world: World;
  dropAccountId: string;
  dropCause: Cause;
  dropAt: Date;
}

/** Fake likes arrive in a burst (before the event), then a share of them is removed in one poll interval. */
export interface FakeEngagementPurgeEvent {
  cause: 'fake_engagement_purge';
  at: Date;
  /** How many videos received fake likes (at least 1; capped to a third of the account's videos). */
  videoCount: number;
  /**
   * Size of the burst as the boosted videos' like-to-view ratio over their natural one (2–20). Ignored when
   * `removedLikes` is given.
   */
  ratioMultiplier?: number;
  /** Alternatively, how many likes the purge should remove in total; the burst is sized to match. */
  removedLikes?: number;
  /** Share of the fake likes removed at `at` (0.5–1). */
  removedShare: number;
  /** When the fake likes arrived (default: 10 days before `at`). Before the world's start they are part of
   * the opening counts, so only the high ratio shows. */
  burstAt?: Date;
  /** Share of followers removed with the likes (default 0.002). */
  followerShare?: number;
}

/** Likes from deleted or inactive accounts vanish: a small, similar fraction of every video's likes. */
export interface InactiveAccountCleanupEvent {
  cause: 'inactive_account_cleanup';
  at: Date;
  /** Common fraction of likes removed (about 0.0005–0.015); each video gets it within a factor of 1.5. */
  fraction: number;
}

/** Videos taken down, made private or restricted. */
export interface ContentRemovedEvent {
  cause: 'content_removed_or_restricted';
  at: Date;
  videoCount: number;
  /** `removed` (default): the videos leave the public list. `restricted`: listed, but views stop growing. */
  mode?: 'removed' | 'restricted';
}

/** Shadowban: from `at`, views grow at a small fraction of the usual pace. */
export interface ReachLimitedEvent {
  cause: 'reach_limited';
  at: Date;
  /** Share of the usual view inflow that remains (about 0.05–0.3). */
  factor: number;
  until?: Date;
}

/** The audience moves on gradually: videos posted between `from` and `to` do steadily worse. */
export interface AudienceShiftEvent {
  cause: 'audience_shift';
  from: Date;
  to: Date;
  /** Total decline reached at `to` and kept after it (about 0.3–0.7). */
  decline: number;
  /** What declines: the likes-per-view of new videos, their views, or both. */
  aspect: 'likeRate' | 'views' | 'both';
}

/** TikTok's counters misbehave for a while; the true counts are unaffected and show again afterwards. */
export interface PlatformGlitchEvent {
  cause: 'platform_glitch';
  at: Date;
  /** How long the wrong counts show (Infinity: not restored within the simulation). */
  durationHours: number;
  /** `zero`: counts show as 0. `uniform_drop`: likes show `share` lower. `views_drop`: views and likes do. */
  mode: 'zero' | 'uniform_drop' | 'views_drop';
  /** Share of the count that disappears for `uniform_drop` and `views_drop` (default 0.5). */
  share?: number;
  /** Share of the account's videos affected (default 1). */
  videoShare?: number;
}

/** A few recent videos lose likes gradually while their views keep growing (a controversy). */
export interface OrganicUnlikesEvent {
  cause: 'organic_unlikes';
  at: Date;
  durationHours: number;
  videoCount: number;
  /** Share of each video's likes lost over the duration (about 0.003–0.04). */
  fraction: number;
}

/** Any injected event; `cause` is the id from docs/causes.md the event produces. */
export type WorldEvent =
  | FakeEngagementPurgeEvent
  | InactiveAccountCleanupEvent
  | ContentRemovedEvent
  | ReachLimitedEvent
  | AudienceShiftEvent
  | PlatformGlitchEvent
  | OrganicUnlikesEvent;

/** How one simulated account behaves. */
export interface AccountScenario {
  id: string;
  handle: string;
  displayName: string;
  /** Public videos already posted when the world starts. */
  initialVideos: number;
  /** Mean hours between posts, for the back catalogue and new videos (Infinity: no new videos). */
  postingIntervalHours: number;
  /** Median lifetime views of one video. */
  medianViews: number;
  /** Typical likes per view of the account's videos (0.02–0.15); each video varies around it. */
  likeRate: number;
  followers: number;
  following?: number;
  /** Offset of the audience's local time from UTC, for the daily rhythm of views (default 0). */
  audienceUtcOffsetHours?: number;
  /** How often a video loses a handful (1–4) of likes at once, per video and day (default 0.05). */
  handfulUnlikesPerDay?: number;
  /** Extra videos that go viral: posted at `postedAt` with `viewMultiplier` times the usual views. */
  viralPosts?: readonly { postedAt: Date; viewMultiplier: number }[];
  events?: readonly WorldEvent[];
}

/** A world: its accounts and the span it is simulated over (hour by hour from `start`). */
export interface WorldSpec {
  seed: number;
  start: Date;
  end: Date;
  accounts: readonly AccountScenario[];
}

/** What an injected event actually did, for labels and tests. */
export interface EventOutcome {
  accountId: string;
  cause: Cause;
  /** The instant from which the event shows in observations (events land on the hourly grid). */
  at: Date;
  /** When the effect stops showing (glitches, reach limits, organic unlikes); absent for one-off events. */
  until?: Date;
  videoIds: string[];
  /** Likes taken away from the true counts (0 for glitches, which only distort what is shown). */
  likesRemoved: number;
}

/** A world plus the truth behind it. */
export interface SimulatedWorld extends World {
  readonly start: Date;
  readonly end: Date;
  readonly outcomes: readonly EventOutcome[];
}
