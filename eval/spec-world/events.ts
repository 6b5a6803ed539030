/**
 * The events of one account's world: what the scenario injects (causes, hard ordinary nights, gaps in the
 * monitor's data) with their parameters, drawn once the account exists. Video numbers index `world.videos`.
 */
import type { Cause } from '../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import type { AccountWorld, Video } from './account.ts';
import {
  CLEANUP_FOLLOWER_FACTOR,
  CLEANUP_FRACTION,
  CLEANUP_HIT_SHARE,
  GLITCH_ZERO_VIDEOS,
  ORGANIC_COMMENTS_PER_UNLIKE,
  ORGANIC_FRACTION,
  ORGANIC_HOURS,
  ORGANIC_OLDER_CHANCE,
  ORGANIC_RECENT_DAYS,
  ORGANIC_VIDEOS,
  PURGE_BURST_HOURS,
  PURGE_BURST_MARGIN_HOURS,
  PURGE_FOLLOWER_DROP,
  PURGE_FOLLOWER_DROP_CHANCE,
  PURGE_MAX_TARGET_SHARE,
  PURGE_MAX_TARGETS,
  PURGE_PRIOR_BURST_DAYS,
  PURGE_RATIO_MULTIPLE,
  PURGE_REMOVED_SHARE,
  REACH_FACTOR,
  REACH_NEWEST_DAYS,
  REACH_NEWEST_EXTRA,
  REACH_ONSET_HOURS,
  REMOVED_VIDEOS,
  RESTRICTED_AFTER_HOURS,
  RESTRICTED_RESIDUAL,
  SHIFT_DECLINE,
  SHIFT_MODES,
  SHIFT_WEEKS,
  VIRAL_MULTIPLIER,
} from './cause-params.ts';
import { lifetimeShare } from './curves.ts';
import { drawGlitchShape, type GlitchShape } from './glitch.ts';
import { addFlop, planGaps, planResurfacings } from './ordinary.ts';
import { WINDOW_MS } from './params.ts';
import type { Rng } from './rng.ts';
import type { Setup } from './scenarios.ts';

/** Likes a video needs to be picked for removal: a removal worth the name. */
const REMOVAL_MIN_EXPECTED_LIKES = 30;
/** A boosted video is preferably this old at the burst, so its views barely move while the likes jump. */
const PURGE_SETTLED_DAYS = 2;
/** Fake likes are at least this share of the boosted video's own rate (a purge worth the name). */
const PURGE_MIN_EXCESS = 0.5;

/** Videos leaving public view at an instant (by a cause, or a creator deleting a flop). */
export interface Removal {
  at: number;
  videos: number[];
  byCreator: boolean;
}

/** An old video's burst of extra views. */
export interface Resurfacing {
  video: number;
  at: number;
  extraViews: number;
  medianHours: number;
}

/** Gaps in the monitor's own data during the window. */
export interface GapPlan {
  failShare: number;
  partialShare: number;
  lateShare: number;
  outage?: { from: number; to: number };
}

/** Everything injected into one account's world. */
export interface EventPlan {
  cleanup?: { at: number; fraction: number; hitShare: number; followerFactor: number };
  purge?: {
    burstAt: number;
    burstMs: number;
    removeAt: number;
    videos: number[];
    fakeLikes: number[];
    shares: number[];
    followerDrop: number;
  };
  removals: Removal[];
  restricted?: { at: number; video: number; residual: number };
  reachLimit?: { onset: number; factors: Float64Array };
  shift?: { start: number; rateDecline: number; viewDecline: number };
  glitch?: { shape: GlitchShape; videos: number[] };
  organic?: {
    from: number;
    to: number;
    videos: number[];
    fractions: number[];
    commentsPerUnlike: number;
  };
  resurfacings: Resurfacing[];
  gaps: GapPlan;
}

/** The same plan without its slowdown (the counterfactual world a slowdown label is judged against). */
export function withoutSlowdown(plan: EventPlan): EventPlan {
  return { ...plan, reachLimit: undefined, shift: undefined, restricted: undefined };
}

/** Whether the plan holds a slowdown. */
export function hasSlowdown(plan: EventPlan): boolean {
  return Boolean(plan.reachLimit || plan.shift || plan.restricted);
}

/** Instants at which the world must be evaluated exactly (event starts and ends). */
export function eventInstants(plan: EventPlan): number[] {
  const instants: number[] = plan.removals.map((removal) => removal.at);
  if (plan.cleanup) instants.push(plan.cleanup.at);
  if (plan.purge) instants.push(plan.purge.removeAt);
  if (plan.organic) instants.push(plan.organic.from, plan.organic.to);
  return instants;
}

function expectedViews(video: Video, at: number): number {
  return video.reach * lifetimeShare(video, (at - video.postedAt) / HOUR_MS);
}

function inWindow(rng: Rng, asOf: number): number {
  return rng.uniform(asOf - WINDOW_MS, asOf);
}

function indicesWhere(videos: Video[], test: (video: Video) => boolean): number[] {
  return videos.flatMap((video, index) => (test(video) ? [index] : []));
}

function byExpectedLikes(videos: Video[], at: number): number[] {
  const likes = (index: number) => {
    const video = videos[index] as Video;
    return expectedViews(video, at) * video.likeRate;
  };
  return indicesWhere(videos, (video) => video.postedAt < at).sort((a, b) => likes(b) - likes(a));
}

function planCleanup(rng: Rng, plan: EventPlan, setup: Setup, asOf: number): void {
  const wave = setup.wave?.cause === 'inactive_account_cleanup' ? setup.wave : undefined;
  plan.cleanup = {
    at: wave?.at ?? inWindow(rng, asOf),
    fraction: wave?.fraction ?? rng.logUniform(CLEANUP_FRACTION[0], CLEANUP_FRACTION[1]),
    hitShare: rng.uniform(CLEANUP_HIT_SHARE[0], CLEANUP_HIT_SHARE[1]),
    followerFactor: rng.logUniform(1 / CLEANUP_FOLLOWER_FACTOR, CLEANUP_FOLLOWER_FACTOR),
  };
}

function planPurge(rng: Rng, plan: EventPlan, setup: Setup, world: AccountWorld): void {
  const { videos, asOf, historyStart } = world;
  const removeAt =
    setup.wave?.cause === 'fake_engagement_purge' ? setup.wave.at : inWindow(rng, asOf);
  const margin = PURGE_BURST_MARGIN_HOURS * HOUR_MS;
  let burstAt = setup.priorBurst
    ? historyStart - rng.uniform(PURGE_PRIOR_BURST_DAYS[0], PURGE_PRIOR_BURST_DAYS[1]) * DAY_MS
    : rng.uniform(historyStart + margin, asOf - WINDOW_MS - margin);
  let candidates = indicesWhere(videos, (v) => v.postedAt < burstAt - PURGE_SETTLED_DAYS * DAY_MS);
  if (candidates.length === 0) candidates = indicesWhere(videos, (v) => v.postedAt < burstAt);
  if (candidates.length === 0) {
    candidates = [0];
    burstAt = Math.max(burstAt, (videos[0] as Video).postedAt + HOUR_MS);
  }
  const most = Math.min(PURGE_MAX_TARGETS, Math.floor(videos.length * PURGE_MAX_TARGET_SHARE));
  const targets = rng.sample(candidates.length, rng.int(1, Math.max(1, most)));
  const chosen = targets.map((position) => candidates[position] as number).sort((a, b) => a - b);
  const common = rng.uniform(PURGE_REMOVED_SHARE[0], PURGE_REMOVED_SHARE[1]);
  const rates = videos.map((video) => video.likeRate).sort((a, b) => a - b);
  const norm = rates[Math.floor(rates.length / 2)] ?? 0;
  plan.purge = {
    burstAt,
    burstMs: rng.uniform(PURGE_BURST_HOURS[0], PURGE_BURST_HOURS[1]) * HOUR_MS,
    removeAt,
    videos: chosen,
    fakeLikes: chosen.map((index) => {
      // The boosted video's ratio is a multiple of the account's norm (not of its own rate), and at least
      // half again its own rate, when the purge comes.
      const video = videos[index] as Video;
      const multiple = rng.logUniform(PURGE_RATIO_MULTIPLE[0], PURGE_RATIO_MULTIPLE[1]);
      const excess = Math.max(multiple * norm - video.likeRate, PURGE_MIN_EXCESS * video.likeRate);
      return Math.max(1, Math.round(excess * expectedViews(video, removeAt)));
    }),
    shares: chosen.map(() => Math.min(1, Math.max(0.5, common * rng.uniform(0.85, 1.15)))),
    followerDrop: rng.chance(PURGE_FOLLOWER_DROP_CHANCE)
      ? rng.logUniform(PURGE_FOLLOWER_DROP[0], PURGE_FOLLOWER_DROP[1])
      : 0,
  };
}

function planRemoval(rng: Rng, plan: EventPlan, setup: Setup, world: AccountWorld): void {
  const { videos, asOf } = world;
  if (setup.restricted && setup.target === 'content_removed_or_restricted' && !setup.second) {
    // Restriction hits what is being pushed: the newest video, hours after it went up.
    const video = videos.length - 1;
    const posted = (videos[video] as Video).postedAt;
    const hoursAfter = rng.uniform(RESTRICTED_AFTER_HOURS[0], RESTRICTED_AFTER_HOURS[1]);
    const at = Math.min(asOf - HOUR_MS, Math.max(asOf - WINDOW_MS, posted + hoursAfter * HOUR_MS));
    const residual = rng.uniform(RESTRICTED_RESIDUAL[0], RESTRICTED_RESIDUAL[1]);
    plan.restricted = { at, video, residual };
    return;
  }
  const at = inWindow(rng, asOf);
  const ranked = byExpectedLikes(videos, at);
  const liked = ranked.filter((index) => {
    const video = videos[index] as Video;
    return expectedViews(video, at) * video.likeRate >= REMOVAL_MIN_EXPECTED_LIKES;
  });
  const pool = liked.length > 0 ? liked : ranked.slice(0, 1);
  const count = rng.int(REMOVED_VIDEOS[0], REMOVED_VIDEOS[1]);
  const chosen = rng.sample(pool.length, count).map((position) => pool[position] as number);
  if (chosen.length > 0) plan.removals.push({ at, videos: chosen, byCreator: false });
}

function planReachLimit(rng: Rng, plan: EventPlan, setup: Setup, world: AccountWorld): void {
  const onset = world.asOf - (setup.onsetHours ?? REACH_ONSET_HOURS[1]) * HOUR_MS;
  const factor = rng.uniform(REACH_FACTOR[0], REACH_FACTOR[1]);
  const newest = onset - REACH_NEWEST_DAYS * DAY_MS;
  const factors = new Float64Array(world.videos.length);
  world.videos.forEach((video, index) => {
    const extra =
      video.postedAt >= newest ? rng.uniform(REACH_NEWEST_EXTRA[0], REACH_NEWEST_EXTRA[1]) : 1;
    factors[index] = factor * extra;
  });
  plan.reachLimit = { onset, factors };
}

function planShift(rng: Rng, plan: EventPlan, setup: Setup, world: AccountWorld): void {
  const decline = () => rng.uniform(SHIFT_DECLINE[0], SHIFT_DECLINE[1]);
  const mode = rng.weighted(SHIFT_MODES);
  plan.shift = {
    start: world.asOf - (setup.shiftWeeks ?? SHIFT_WEEKS[0]) * 7 * DAY_MS,
    rateDecline: mode === 'views' ? 0 : decline(),
    viewDecline: mode === 'rate' ? 0 : decline(),
  };
}

function planGlitch(rng: Rng, plan: EventPlan, setup: Setup, world: AccountWorld): void {
  const shape =
    setup.glitch && setup.target === 'platform_glitch'
      ? setup.glitch
      : drawGlitchShape(rng, world.asOf);
  const count = rng.int(GLITCH_ZERO_VIDEOS[0], GLITCH_ZERO_VIDEOS[1]);
  const videos = byExpectedLikes(world.videos, shape.from).slice(0, count);
  plan.glitch = { shape, videos };
}

function planOrganic(rng: Rng, plan: EventPlan, world: AccountWorld): void {
  const { videos, asOf } = world;
  const hours = rng.uniform(ORGANIC_HOURS[0], ORGANIC_HOURS[1]);
  const from = rng.uniform(asOf - WINDOW_MS, asOf - hours * HOUR_MS);
  const age = (video: Video) => (from - video.postedAt) / DAY_MS;
  const recent = indicesWhere(
    videos,
    (v) => age(v) >= ORGANIC_RECENT_DAYS[0] && age(v) <= ORGANIC_RECENT_DAYS[1],
  );
  const older = indicesWhere(videos, (v) => age(v) > ORGANIC_RECENT_DAYS[1]);
  const pool =
    recent.length > 0 && !(older.length > 0 && rng.chance(ORGANIC_OLDER_CHANCE))
      ? recent
      : older.length > 0
        ? older
        : indicesWhere(videos, (v) => v.postedAt < from);
  if (pool.length === 0) return;
  const count = rng.int(ORGANIC_VIDEOS[0], ORGANIC_VIDEOS[1]);
  const chosen = rng.sample(pool.length, count).map((position) => pool[position] as number);
  plan.organic = {
    from,
    to: from + hours * HOUR_MS,
    videos: chosen,
    fractions: chosen.map(() => rng.logUniform(ORGANIC_FRACTION[0], ORGANIC_FRACTION[1])),
    commentsPerUnlike: rng.uniform(ORGANIC_COMMENTS_PER_UNLIKE[0], ORGANIC_COMMENTS_PER_UNLIKE[1]),
  };
}

function planCause(
  rng: Rng,
  cause: Cause,
  plan: EventPlan,
  setup: Setup,
  world: AccountWorld,
): void {
  const planners: Record<Cause, () => void> = {
    inactive_account_cleanup: () => planCleanup(rng, plan, setup, world.asOf),
    fake_engagement_purge: () => planPurge(rng, plan, setup, world),
    content_removed_or_restricted: () => planRemoval(rng, plan, setup, world),
    reach_limited: () => planReachLimit(rng, plan, setup, world),
    audience_shift: () => planShift(rng, plan, setup, world),
    platform_glitch: () => planGlitch(rng, plan, setup, world),
    organic_unlikes: () => planOrganic(rng, plan, world),
  };
  planners[cause]();
}

/** Draws the events of `setup` on `world` (may add a flop video to `world.videos`). */
export function planEvents(rng: Rng, setup: Setup, world: AccountWorld): EventPlan {
  const plan: EventPlan = {
    removals: [],
    resurfacings: [],
    gaps: planGaps(rng, setup.scenario, world.asOf),
  };
  if (setup.scenario === 'ordinary-creator-delete')
    plan.removals.push(addFlop(rng.fork('flop'), world));
  if (setup.scenario === 'ordinary-viral') {
    const newest = world.videos[world.videos.length - 1] as Video;
    newest.reach = world.medianReach * rng.uniform(VIRAL_MULTIPLIER[0], VIRAL_MULTIPLIER[1]);
  }
  plan.resurfacings = planResurfacings(
    rng.fork('resurfacing'),
    world,
    setup.scenario === 'ordinary-resurfacing',
  );
  if (setup.target !== 'none' && setup.target !== 'unknown') {
    planCause(rng.fork('cause'), setup.target, plan, setup, world);
  }
  if (setup.second) planCause(rng.fork('second'), setup.second, plan, setup, world);
  return plan;
}
