/**
 * What happens to each account on the judged night: a target label per account (balanced over the nine labels),
 * the scenario that aims at it, what that scenario needs of the account, and the fleet-wide waves (cleanup,
 * purge sweep, glitch) that several accounts share.
 */
import { Cause } from '../../core/model.ts';
import { HOUR_MS } from '../../core/time.ts';
import type { AccountConstraints } from './account.ts';
import {
  CLEANUP_FRACTION,
  CLEANUP_WAVE_CHANCE,
  GLITCH_FLEET_CHANCE,
  NEW_ACCOUNT_HOURS,
  ORGANIC_LAST_POST_DAYS,
  OVERLAP_CHANCE,
  PAUSE_DAYS,
  PURGE_IN_HISTORY_MIN_DAYS,
  PURGE_PRIOR_BURST_CHANCE,
  PURGE_SWEEP_CHANCE,
  QUIET_LAST_POST_DAYS,
  REACH_HISTORY_DAYS,
  REACH_MAX_GAP_DAYS,
  REACH_ONSET_HOURS,
  RESTRICTED_CHANCE,
  RESTRICTED_POSTED_DAYS,
  SHIFT_LEAD_DAYS,
  SHIFT_MAX_GAP_DAYS,
  SHIFT_MIN_HISTORY_DAYS,
  SHIFT_WEEKS,
  SHORT_HISTORY_DAYS,
  VIRAL_POSTED_HOURS,
} from './cause-params.ts';
import { drawGlitchShape, type GlitchShape } from './glitch.ts';
import { WINDOW_MS } from './params.ts';
import type { Rng } from './rng.ts';

/** The label a scenario aims at: an expected top cause, or `none` / `unknown`. */
export type Target = 'none' | 'unknown' | Cause;

/** Every target, balanced across a fleet. */
export const TARGETS: readonly Target[] = ['none', 'unknown', ...Cause.options];

/**
 * Second causes that can share a night with each loss cause. The slowdown causes take no part (a loss hides
 * them); a glitch is never the second (a visible glitch dip is the top cause whatever else happened); each
 * target gets seconds it can outweigh on some nights (a cleanup rarely outweighs a removed video, so the
 * specification's example, a cleanup the night a video is removed, is drawn with the removal as target).
 */
const SECONDS: Partial<Record<Cause, readonly Cause[]>> = {
  inactive_account_cleanup: ['organic_unlikes'],
  fake_engagement_purge: ['inactive_account_cleanup', 'organic_unlikes'],
  content_removed_or_restricted: ['inactive_account_cleanup', 'organic_unlikes'],
  platform_glitch: [
    'inactive_account_cleanup',
    'fake_engagement_purge',
    'content_removed_or_restricted',
    'organic_unlikes',
  ],
  // Un-likes on a few videos are outweighed by any other loss: they are only ever the second cause.
  organic_unlikes: [],
};

/**
 * Ordinary nights (label `none`): plain nights most often, then the hard ordinary nights and the mild gaps in
 * the monitor's data that still leave enough polls.
 */
export const NONE_SCENARIOS = {
  ordinary: 3,
  'ordinary-pause': 1,
  'ordinary-resurfacing': 1,
  'ordinary-viral': 1,
  'ordinary-quiet-old': 1,
  'ordinary-creator-delete': 1,
  'gap-partial': 1,
  'gap-late': 1,
  'gap-rounded': 1,
  'gap-some-failed': 1,
  'gap-short-history': 1,
} as const;

/** Nights the polls cannot judge (label `unknown`). */
export const UNKNOWN_SCENARIOS = {
  'gap-outage': 2,
  'gap-outage-end': 1,
  'gap-failed-polls': 1.5,
  'gap-new-account': 1.5,
} as const;

/** A shared fleet-level event several accounts take part in. */
export type Wave =
  | { cause: 'inactive_account_cleanup'; at: number; fraction: number }
  | { cause: 'fake_engagement_purge'; at: number }
  | { cause: 'platform_glitch'; glitch: GlitchShape };

/** One account's scenario. */
export interface Setup {
  target: Target;
  /** The injected scenario's name, as the label records it. */
  scenario: string;
  constraints: AccountConstraints;
  wave?: Wave;
  /** A second loss cause on the same night. */
  second?: Cause;
  /** Hours between a reach limit's onset and `asOf`. */
  onsetHours?: number;
  /** Weeks an audience shift has been building. */
  shiftWeeks?: number;
  /** Whether a purge's burst predates monitoring. */
  priorBurst?: boolean;
  /** Whether a removal is the restricted (still listed) variant. */
  restricted?: boolean;
  /** A glitch's shape (shared by the accounts of a fleet-wide glitch). */
  glitch?: GlitchShape;
}

/** `count` targets, each of the nine equally often (shuffled in rounds so any prefix stays balanced). */
export function balancedTargets(rng: Rng, count: number): Target[] {
  const targets: Target[] = [];
  while (targets.length < count) targets.push(...rng.shuffle([...TARGETS]));
  return targets.slice(0, count);
}

function causeSetup(rng: Rng, target: Cause, asOf: number, like?: Setup): Setup {
  switch (target) {
    case 'inactive_account_cleanup':
      return { target, scenario: 'cleanup-single', constraints: {} };
    case 'fake_engagement_purge': {
      const priorBurst = like?.priorBurst ?? rng.chance(PURGE_PRIOR_BURST_CHANCE);
      const scenario = priorBurst ? 'purge-prior-burst' : 'purge-burst-in-history';
      return {
        target,
        scenario,
        priorBurst,
        constraints: priorBurst ? {} : { minHistoryDays: PURGE_IN_HISTORY_MIN_DAYS },
      };
    }
    case 'content_removed_or_restricted': {
      const restricted = like?.restricted ?? rng.chance(RESTRICTED_CHANCE);
      if (!restricted) return { target, scenario: 'removed', constraints: {}, restricted };
      const constraints = { lastPostDays: RESTRICTED_POSTED_DAYS };
      return { target, scenario: 'restricted', restricted, constraints };
    }
    case 'reach_limited': {
      const onsetHours = rng.logUniform(REACH_ONSET_HOURS[0], REACH_ONSET_HOURS[1]);
      const minHistoryDays = REACH_HISTORY_DAYS + onsetHours / 24;
      const steady = { steadyDays: minHistoryDays, maxSteadyGapDays: REACH_MAX_GAP_DAYS };
      return {
        target,
        scenario: 'reach-limited',
        onsetHours,
        constraints: { minHistoryDays, ...steady },
      };
    }
    case 'audience_shift': {
      const shiftWeeks = rng.uniform(SHIFT_WEEKS[0], SHIFT_WEEKS[1]);
      const minHistoryDays = Math.max(SHIFT_MIN_HISTORY_DAYS, shiftWeeks * 7 + SHIFT_LEAD_DAYS);
      const constraints = {
        minHistoryDays,
        steadyDays: minHistoryDays,
        maxSteadyGapDays: SHIFT_MAX_GAP_DAYS,
      };
      return { target, scenario: 'audience-shift', shiftWeeks, constraints };
    }
    case 'platform_glitch': {
      const glitch = drawGlitchShape(rng, asOf, like?.glitch?.restored);
      const scenario = glitch.restored ? 'glitch-restored' : 'glitch-unrestored';
      return { target, scenario, glitch, constraints: {} };
    }
    case 'organic_unlikes':
      return {
        target,
        scenario: 'organic-unlikes',
        constraints: { lastPostDays: ORGANIC_LAST_POST_DAYS },
      };
  }
  throw new RangeError(`no setup for ${String(target)} at ${asOf}`);
}

function gapConstraints(scenario: string): AccountConstraints {
  switch (scenario) {
    case 'ordinary-pause':
      return { lastPostDays: PAUSE_DAYS };
    case 'ordinary-quiet-old':
      return { lastPostDays: QUIET_LAST_POST_DAYS };
    case 'ordinary-viral':
      return { lastPostDays: [VIRAL_POSTED_HOURS[0] / 24, VIRAL_POSTED_HOURS[1] / 24] };
    case 'gap-rounded':
      return { rounded: true };
    case 'gap-short-history':
      return { historyHours: [SHORT_HISTORY_DAYS[0] * 24, SHORT_HISTORY_DAYS[1] * 24] };
    case 'gap-new-account':
      return { historyHours: NEW_ACCOUNT_HOURS };
    default:
      return {};
  }
}

/**
 * The scenario of one account aiming at `target`. With `like`, a fresh draw of the same kind of scenario (same
 * variant, same second cause) with new parameters: what a redrawn account gets.
 */
export function drawSetup(rng: Rng, target: Target, asOf: number, like?: Setup): Setup {
  if (target === 'none' || target === 'unknown') {
    const scenario =
      like?.scenario ??
      rng.weighted<string>(target === 'none' ? NONE_SCENARIOS : UNKNOWN_SCENARIOS);
    return { target, scenario, constraints: gapConstraints(scenario) };
  }
  const setup = causeSetup(rng, target, asOf, like);
  const seconds = SECONDS[target] ?? [];
  const overlap = like
    ? like.second !== undefined
    : seconds.length > 0 && !setup.restricted && rng.chance(OVERLAP_CHANCE);
  if (overlap) {
    const second = like?.second ?? rng.pick(seconds);
    return { ...setup, second, scenario: `overlap:${setup.scenario}+${second}` };
  }
  return setup;
}

/**
 * Joins accounts of the same cause into a fleet-wide wave, sometimes. One account of a cause with three or more
 * stays alone, so that single-account cases remain beside the waves. A cleanup wave also takes in the nights
 * where a cleanup is the second cause (the specification's "cleanup wave the night a video is removed").
 */
export function drawWaves(rng: Rng, setups: Setup[], asOf: number): void {
  const windowStart = asOf - WINDOW_MS;
  const join = (cause: Cause, chance: number, wave: Wave, name: string): boolean => {
    const members = setups.filter((setup) => setup.target === cause && !setup.second);
    if (members.length < 2 || !rng.chance(chance)) return false;
    const joined = members.length >= 3 ? members.slice(1) : members;
    for (const setup of joined) {
      setup.wave = wave;
      setup.scenario = name;
      if (wave.cause === 'platform_glitch') setup.glitch = wave.glitch;
    }
    return true;
  };
  const at = () => rng.uniform(windowStart + HOUR_MS, asOf - HOUR_MS);
  const cleanupWave: Wave = {
    cause: 'inactive_account_cleanup',
    at: at(),
    fraction: rng.logUniform(CLEANUP_FRACTION[0], CLEANUP_FRACTION[1]),
  };
  if (join('inactive_account_cleanup', CLEANUP_WAVE_CHANCE, cleanupWave, 'cleanup-wave')) {
    for (const setup of setups) {
      if (setup.second !== 'inactive_account_cleanup') continue;
      setup.wave = cleanupWave;
      setup.scenario = `${setup.scenario}-wave`;
    }
  }
  join(
    'fake_engagement_purge',
    PURGE_SWEEP_CHANCE,
    { cause: 'fake_engagement_purge', at: at() },
    'purge-sweep',
  );
  join(
    'platform_glitch',
    GLITCH_FLEET_CHANCE,
    { cause: 'platform_glitch', glitch: drawGlitchShape(rng, asOf) },
    'glitch-fleet',
  );
}
