/**
 * The demo's cast: six simulated accounts whose last two nights exercise every part of the morning digest,
 * and the subscribers who follow them.
 *
 * - `luna.bakes` loses bought likes in a fake-like purge on both nights: a loss with its chart, and on the
 *   second morning a follow-up saying the purge continued.
 * - `pixel.gaming` shows a dip on the first night that comes back on the second: TikTok's counters misbehaved,
 *   and the follow-up says so.
 * - `urban.moves` is shadow-banned a day and a half before the last morning: a slowdown.
 * - `cozy.crafts` has its TikTok access revoked during the last day: an account that needs reconnecting.
 * - `sunny.garden` and `retro.beats` have ordinary nights: the all-clear.
 */
import type { Subscriber } from '../core/model.ts';
import { type AccountScenario, createWorld, type SimulatedWorld } from '../core/simulate/world.ts';
import { DAY_MS, HOUR_MS } from '../core/time.ts';

/** Ids of the demo accounts, by the role they play. */
export const DEMO_ACCOUNT_IDS = {
  purged: 'demo-luna-bakes',
  glitched: 'demo-pixel-gaming',
  shadowBanned: 'demo-urban-moves',
  revoked: 'demo-cozy-crafts',
  steady: 'demo-sunny-garden',
  calm: 'demo-retro-beats',
} as const;

/** A demo subscriber, before their delivery hour is fitted to the demo morning. */
export interface DemoSubscriberSpec extends Omit<Subscriber, 'deliveryHour'> {
  /** Why this subscriber is in the demo. */
  role: string;
}

/**
 * Who follows what, where they live and what they want on quiet nights. The demo sends every digest at one
 * instant (07:00 UTC by default), so its subscribers live where that instant is morning (07:00 to 09:00).
 */
export const DEMO_SUBSCRIBERS: readonly DemoSubscriberSpec[] = [
  {
    role: 'a loss with its chart, and follow-ups on the day before',
    id: 'sub-maya',
    email: 'maya@example.com',
    timeZone: 'Europe/London',
    quietNights: 'all_clear',
    accountIds: [DEMO_ACCOUNT_IDS.purged, DEMO_ACCOUNT_IDS.glitched],
  },
  {
    role: 'an agency watching every account: every section in one email',
    id: 'sub-agency',
    email: 'team@agency.example',
    timeZone: 'Europe/Dublin',
    quietNights: 'all_clear',
    accountIds: Object.values(DEMO_ACCOUNT_IDS),
  },
  {
    role: 'a slowdown and an account to reconnect; no email on quiet nights',
    id: 'sub-ines',
    email: 'ines@example.org',
    timeZone: 'Europe/Madrid',
    quietNights: 'skip',
    accountIds: [DEMO_ACCOUNT_IDS.shadowBanned, DEMO_ACCOUNT_IDS.revoked],
  },
  {
    role: 'ordinary accounts only: the all-clear',
    id: 'sub-kenji',
    email: 'kenji@example.net',
    timeZone: 'Europe/Helsinki',
    quietNights: 'all_clear',
    accountIds: [DEMO_ACCOUNT_IDS.steady, DEMO_ACCOUNT_IDS.calm],
  },
  {
    role: 'unsubscribed: never mailed',
    id: 'sub-former',
    email: 'former@example.com',
    timeZone: 'Europe/London',
    quietNights: 'all_clear',
    accountIds: [DEMO_ACCOUNT_IDS.purged],
    status: 'unsubscribed',
  },
];

/** The demo world and the moments that matter in it. */
export interface DigestDemoWorld {
  world: SimulatedWorld;
  /** The account whose likes are purged (on both nights). */
  dropAccountId: string;
  /** The account whose TikTok access is revoked, and from when. */
  revokedAccountId: string;
  revokeAt: Date;
}

/**
 * Builds the world over [start, asOf]. Event times are relative to `asOf` (the last morning), so the first
 * morning is `asOf` minus one day.
 */
export function createDigestDemoWorld(options: {
  seed: number;
  start: Date;
  asOf: Date;
  /** Where the world ends (default `asOf`); later for a fake TikTok that runs on after the demo's mornings. */
  end?: Date;
}): DigestDemoWorld {
  const { start, asOf, end = asOf } = options;
  const before = (hours: number) => new Date(asOf.getTime() - hours * HOUR_MS);
  const scenarios: AccountScenario[] = [
    {
      id: DEMO_ACCOUNT_IDS.purged,
      handle: 'luna.bakes',
      displayName: 'Luna Bakes',
      initialVideos: 60,
      postingIntervalHours: 30,
      medianViews: 20_000,
      likeRate: 0.07,
      followers: 24_000,
      following: 180,
      audienceUtcOffsetHours: 0,
      events: [
        {
          cause: 'fake_engagement_purge',
          at: before(30),
          videoCount: 2,
          removedLikes: 1_400,
          removedShare: 0.8,
          burstAt: new Date(start.getTime() - 6 * DAY_MS),
        },
        {
          cause: 'fake_engagement_purge',
          at: before(6),
          videoCount: 1,
          removedLikes: 900,
          removedShare: 0.9,
          burstAt: new Date(start.getTime() - 9 * DAY_MS),
        },
      ],
    },
    {
      id: DEMO_ACCOUNT_IDS.glitched,
      handle: 'pixel.gaming',
      displayName: 'Pixel Gaming',
      initialVideos: 90,
      postingIntervalHours: 36,
      medianViews: 60_000,
      likeRate: 0.05,
      followers: 80_000,
      following: 40,
      audienceUtcOffsetHours: -5,
      events: [
        {
          cause: 'platform_glitch',
          at: before(30),
          durationHours: 18,
          mode: 'uniform_drop',
          share: 0.15,
          videoShare: 0.4,
        },
      ],
    },
    {
      id: DEMO_ACCOUNT_IDS.shadowBanned,
      handle: 'urban.moves',
      displayName: 'Urban Moves',
      initialVideos: 45,
      postingIntervalHours: 14,
      medianViews: 120_000,
      likeRate: 0.08,
      followers: 150_000,
      following: 320,
      audienceUtcOffsetHours: 1,
      events: [{ cause: 'reach_limited', at: before(36), factor: 0.08 }],
    },
    {
      id: DEMO_ACCOUNT_IDS.revoked,
      handle: 'cozy.crafts',
      displayName: 'Cozy Crafts',
      initialVideos: 35,
      postingIntervalHours: 48,
      medianViews: 8_000,
      likeRate: 0.09,
      followers: 6_500,
      following: 500,
      audienceUtcOffsetHours: 8,
    },
    {
      id: DEMO_ACCOUNT_IDS.steady,
      handle: 'sunny.garden',
      displayName: 'Sunny Garden',
      initialVideos: 120,
      postingIntervalHours: 40,
      medianViews: 30_000,
      likeRate: 0.06,
      followers: 40_000,
      following: 90,
      audienceUtcOffsetHours: 9,
    },
    {
      id: DEMO_ACCOUNT_IDS.calm,
      handle: 'retro.beats',
      displayName: 'Retro Beats',
      initialVideos: 70,
      postingIntervalHours: 60,
      medianViews: 15_000,
      likeRate: 0.04,
      followers: 9_000,
      following: 250,
      audienceUtcOffsetHours: 3,
    },
  ];
  return {
    world: createWorld({ seed: options.seed, start, end, accounts: scenarios }),
    dropAccountId: DEMO_ACCOUNT_IDS.purged,
    revokedAccountId: DEMO_ACCOUNT_IDS.revoked,
    // During the last day, after the first morning's digest: the second morning has to report it.
    revokeAt: before(14),
  };
}
