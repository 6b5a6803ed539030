/**
 * The scenarios of a labelled fleet's night (an ordinary night, a gap in the monitor's data, or one of the causes
 * in docs/causes.md) and how one account is set up to live through one: its world scenario and its polling plan.
 */

import { Cause } from '../model.ts';
import { DAY_MS, HOUR_MS } from '../time.ts';
import { randomIdentity } from './identity.ts';
import type { PollingPlan } from './polls.ts';
import type { Random } from './random.ts';
import type { AccountScenario, WorldEvent } from './world-spec.ts';

/** What happens to an account on the labelled night: the causes are their ids, in the model's order. */
export const SCENARIOS = [
  'ordinary',
  'viral_spike',
  'failed_polls',
  'outage',
  'partial_polls',
  'late_polls',
  'rounded_counts',
  'short_history',
  'new_account',
  'thinned_history',
  ...Cause.options,
  'overlap',
] as const;
/** One of {@link SCENARIOS}. */
export type Scenario = (typeof SCENARIOS)[number];

/** Scenarios that are gaps in the monitor's own data (never a loss). */
export const DATA_GAP_SCENARIOS: readonly Scenario[] = [
  'failed_polls',
  'outage',
  'partial_polls',
  'late_polls',
  'rounded_counts',
  'short_history',
  'new_account',
  'thinned_history',
];

/** Default mix: a third ordinary or data gaps, two thirds causes, each cause about equally often. */
export const DEFAULT_WEIGHTS: Record<Scenario, number> = {
  ordinary: 2,
  viral_spike: 0.7,
  failed_polls: 0.6,
  outage: 0.5,
  partial_polls: 0.6,
  late_polls: 0.5,
  rounded_counts: 0.6,
  short_history: 0.5,
  new_account: 0.4,
  thinned_history: 0.5,
  fake_engagement_purge: 1.5,
  inactive_account_cleanup: 1.5,
  content_removed_or_restricted: 1.5,
  reach_limited: 1.5,
  audience_shift: 1.5,
  platform_glitch: 1.5,
  organic_unlikes: 1.5,
  overlap: 0.6,
};

/** Fleet-wide events: one instant (and shape) shared by every account of the fleet that has the cause. */
export interface FleetWideEvents {
  cleanupAt?: Date;
  cleanupFraction?: number;
  purgeAt?: Date;
  glitch?: {
    at: Date;
    durationHours: number;
    mode: 'zero' | 'uniform_drop' | 'views_drop';
    share: number;
  };
}

export interface AccountSetup {
  scenario: AccountScenario;
  plan: PollingPlan;
  kind: Scenario;
}

export function pickScenario(random: Random, weights: Record<Scenario, number>): Scenario {
  const total = SCENARIOS.reduce((sum, scenario) => sum + weights[scenario], 0);
  let draw = random.next() * total;
  for (const scenario of SCENARIOS) {
    draw -= weights[scenario];
    if (draw < 0) return scenario;
  }
  return 'ordinary';
}

const CADENCES = [1, 1, 2, 3, 4, 6, 6, 8, 12, 24];

/** A point inside the window, away from its edges so the polls around it fall inside too. */
export function instantInWindow(random: Random, fromMs: number, low = 0.15, high = 0.85): Date {
  return new Date(fromMs + random.between(low, high) * DAY_MS);
}

/** How large an account of a fleet may be; no limit unless one is given (see `SimulateFleetOptions`). */
export interface AccountSizeLimits {
  /** Longest history polled before the as-of, in days. */
  historyDays: number;
  /** Most videos an account has when its history starts (it may post more). */
  videos: number;
}

/** The longest history each scenario can draw: the story it tells needs at least this many days of it. */
const THINNED_HISTORY_MIN_DAYS = 30;
const REACH_LIMITED_MIN_DAYS = 12;
const AUDIENCE_SHIFT_MIN_DAYS = 38;

/**
 * Scenarios whose story needs more history than `historyDays`: a fleet limited to that history does not draw
 * them, since its labels would promise what the polls cannot show (a slowdown against a level from before the
 * history, a thinned history that never got old enough to thin).
 */
export function scenariosNeedingMoreHistory(historyDays: number): Scenario[] {
  const needs: [Scenario, number][] = [
    ['thinned_history', THINNED_HISTORY_MIN_DAYS],
    ['reach_limited', REACH_LIMITED_MIN_DAYS],
    ['audience_shift', AUDIENCE_SHIFT_MIN_DAYS],
  ];
  return needs.filter(([, days]) => days > historyDays).map(([scenario]) => scenario);
}

/**
 * Builds one account's world scenario and polling plan for its night, within `limits`. The limits are applied
 * after every draw, so an account they do not bind is the same as without them.
 */
export function setupAccount(
  random: Random,
  kind: Scenario,
  serial: number,
  asOf: Date,
  fleetWide: FleetWideEvents,
  limits: AccountSizeLimits,
): AccountSetup {
  const asOfMs = asOf.getTime();
  const fromMs = asOfMs - DAY_MS;
  const big = random.chance(0.03);
  let initialVideos = big ? random.int(800, 2500) : Math.round(random.logUniform(3, 300));
  let postingIntervalHours = random.logUniform(10, 24 * 7);
  let medianViews = random.logUniform(800, 400_000);
  let cadenceHours = random.pick(CADENCES);
  let historyDays = big ? random.between(8, 12) : random.between(8, 24);
  if (big) cadenceHours = Math.max(cadenceHours, 6);
  const events: WorldEvent[] = [];
  const viralPosts: { postedAt: Date; viewMultiplier: number }[] = [];
  const plan: Omit<PollingPlan, 'from' | 'until'> = {
    cadenceHours,
    latenessShare: random.chance(0.3) ? 0.15 : 0,
    failureRate: random.chance(0.3) ? 0.03 : 0,
    partialRate: random.chance(0.15) ? 0.05 : 0,
    rounded: random.chance(0.12),
  };
  let thinAfterHours: number | undefined;
  let failFrom: Date | undefined;

  switch (kind) {
    case 'ordinary':
      break;
    case 'viral_spike':
      viralPosts.push({
        postedAt: new Date(asOfMs - random.between(6, 60) * HOUR_MS),
        viewMultiplier: random.logUniform(10, 60),
      });
      break;
    case 'failed_polls':
      plan.failureRate = random.between(0.15, 0.4);
      break;
    case 'outage':
      // Nothing usable since shortly after the window opened.
      failFrom = new Date(fromMs + random.between(-6, 8) * HOUR_MS);
      plan.cadenceHours = Math.min(plan.cadenceHours, 6);
      break;
    case 'partial_polls':
      plan.partialRate = random.between(0.25, 0.6);
      initialVideos = Math.max(initialVideos, 45);
      break;
    case 'late_polls':
      plan.latenessShare = random.between(0.3, 0.9);
      break;
    case 'rounded_counts':
      plan.rounded = true;
      medianViews = random.logUniform(100_000, 3_000_000);
      break;
    case 'short_history':
      historyDays = random.between(14, 40) / 24;
      plan.cadenceHours = Math.min(plan.cadenceHours, 6);
      break;
    case 'new_account':
      historyDays = random.between(1, 10) / 24;
      plan.cadenceHours = Math.min(plan.cadenceHours, 3);
      break;
    case 'thinned_history':
      historyDays = random.between(THINNED_HISTORY_MIN_DAYS, 55);
      thinAfterHours = random.between(5, 14) * 24;
      break;
    case 'fake_engagement_purge':
      initialVideos = Math.max(initialVideos, 8);
      events.push({
        cause: 'fake_engagement_purge',
        at: fleetWide.purgeAt ?? instantInWindow(random, fromMs),
        videoCount: random.int(1, 3),
        ratioMultiplier: random.logUniform(2.5, 20),
        removedShare: random.between(0.5, 1),
        burstAt: new Date(asOfMs - random.between(2, 25) * DAY_MS),
        followerShare: random.between(0, 0.005),
      });
      break;
    case 'inactive_account_cleanup':
    case 'overlap': {
      // Enough likes per video for the fraction to show as whole likes on most of them.
      initialVideos = Math.max(initialVideos, 12);
      medianViews = Math.max(medianViews, random.logUniform(30_000, 2_000_000));
      events.push({
        cause: 'inactive_account_cleanup',
        at: fleetWide.cleanupAt ?? instantInWindow(random, fromMs),
        fraction:
          (fleetWide.cleanupFraction ?? random.logUniform(0.001, 0.015)) *
          random.between(0.85, 1.15),
      });
      if (kind === 'overlap') {
        events.push({
          cause: 'content_removed_or_restricted',
          at: instantInWindow(random, fromMs),
          videoCount: random.int(1, 2),
        });
      }
      break;
    }
    case 'content_removed_or_restricted':
      initialVideos = Math.max(initialVideos, 3);
      events.push({
        cause: 'content_removed_or_restricted',
        at: instantInWindow(random, fromMs),
        videoCount: random.int(1, 3),
      });
      break;
    case 'reach_limited':
      historyDays = random.between(REACH_LIMITED_MIN_DAYS, 24);
      postingIntervalHours = random.logUniform(10, 72);
      initialVideos = Math.max(initialVideos, 10);
      events.push({
        cause: 'reach_limited',
        at: new Date(asOfMs - random.between(16, 96) * HOUR_MS),
        factor: random.between(0.05, 0.3),
      });
      break;
    case 'audience_shift': {
      historyDays = random.between(AUDIENCE_SHIFT_MIN_DAYS, 50);
      postingIntervalHours = random.logUniform(10, 48);
      initialVideos = Math.max(initialVideos, 15);
      plan.cadenceHours = Math.max(plan.cadenceHours, 3);
      const weeks = random.between(2, 5);
      const settledDays = random.between(0, 4);
      const to = asOfMs - settledDays * DAY_MS;
      // The history reaches back before the decline began, so its old level is on record.
      historyDays = Math.max(historyDays, weeks * 7 + settledDays + 5);
      events.push({
        cause: 'audience_shift',
        from: new Date(to - weeks * 7 * DAY_MS),
        to: new Date(to),
        decline: random.between(0.5, 0.8),
        aspect: random.pick(['likeRate', 'views', 'both'] as const),
      });
      break;
    }
    case 'platform_glitch': {
      plan.cadenceHours = Math.min(plan.cadenceHours, 6);
      const glitch = fleetWide.glitch ?? {
        at: instantInWindow(random, fromMs, 0.15, 0.7),
        durationHours: random.chance(0.3) ? Number.POSITIVE_INFINITY : random.between(1, 7),
        mode: random.pick(['zero', 'uniform_drop', 'views_drop'] as const),
        share: random.between(0.2, 0.9),
      };
      // A short glitch shows only if a poll lands inside it.
      if (Number.isFinite(glitch.durationHours)) {
        plan.cadenceHours = Math.min(
          plan.cadenceHours,
          Math.max(1, Math.floor(glitch.durationHours)),
        );
      }
      events.push({ cause: 'platform_glitch', ...glitch });
      break;
    }
    case 'organic_unlikes':
      postingIntervalHours = random.logUniform(10, 60);
      medianViews = Math.max(medianViews, random.logUniform(40_000, 1_000_000));
      events.push({
        cause: 'organic_unlikes',
        at: instantInWindow(random, fromMs, 0.05, 0.5),
        durationHours: random.between(6, 14),
        videoCount: random.int(1, 3),
        fraction: random.logUniform(0.008, 0.04),
      });
      break;
  }

  const identity = randomIdentity(random, serial);
  const likeRate = random.logUniform(0.02, 0.15);
  return {
    kind,
    scenario: {
      ...identity,
      initialVideos: Math.min(initialVideos, limits.videos),
      postingIntervalHours,
      medianViews,
      likeRate,
      followers: Math.round(medianViews * random.logUniform(0.2, 5)),
      following: random.int(0, 2_000),
      audienceUtcOffsetHours: random.pick([-8, -5, -3, 0, 1, 3, 5.5, 8, 9]),
      handfulUnlikesPerDay: random.logUniform(0.005, 0.2),
      viralPosts,
      events,
    },
    plan: {
      ...plan,
      from: new Date(asOfMs - Math.min(historyDays, limits.historyDays) * DAY_MS),
      until: asOf,
      ...(thinAfterHours !== undefined ? { thinAfterHours } : {}),
      ...(failFrom ? { failFrom } : {}),
    },
  };
}
