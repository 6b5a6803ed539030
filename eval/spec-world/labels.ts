/**
 * Honest labels: what the world did, as far as the full-cadence polls could see it. No detector is involved:
 * an event counts only if usable polls bracket it inside the window and its loss shows in whole likes beyond
 * rounding and beyond what background un-liking could plausibly do to the same videos; a slowdown counts only if
 * the true gain fell far below both the same world without it and the account's usual level.
 */
import type { Cause } from '../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import type { AccountWorld } from './account.ts';
import type { EventPlan } from './events.ts';
import { type Observed, roundingStep } from './observe.ts';
import { WINDOW_MS } from './params.ts';
import type { Truth } from './truth.ts';

/** Below this share of the window covered by usable polls, the night is `unknown`. */
export const MIN_COVERAGE = 0.5;
/** Consecutive usable polls bridge the time between them if at most this many cadences apart. */
export const BRIDGE_CADENCES = 2;
/** A cleanup shows when its visible loss reaches this many likes… */
export const MIN_CLEANUP_LIKES = 30;
/** …spread over at least this many videos. */
export const MIN_CLEANUP_VIDEOS = 5;
/** Any other loss (purge, un-likes, removal, glitch) shows from this many likes. */
export const MIN_LOSS_LIKES = 25;
/** Standard deviations of background un-likes allowed for on each video, over and above their mean. */
export const BACKGROUND_SIGMAS = 3;
/** A slowdown: tonight's true gain at most this share of the counterfactual and of the usual level. */
export const SLOWDOWN_SHARE = 0.5;
/** A slowdown needs the account to gain at least this many likes on a usual night. */
export const MIN_USUAL_GAIN = 30;
/** Nights before the onset that make the usual level. */
export const REFERENCE_NIGHTS = 7;
/** At least this many reference nights, or there is no usual level to fall below. */
export const MIN_REFERENCE_NIGHTS = 3;

/** The label of one account-night. */
export interface Judgement {
  verdict: 'loss' | 'slowdown' | 'none' | 'unknown';
  topCause: Cause | 'none' | 'unknown';
  coverage: number;
  /** Visible likes lost per loss cause. */
  losses: Partial<Record<Cause, number>>;
}

/** The usable polls of the judged night: the last one at or before its start, then those inside it. */
export function nightPolls(observed: Observed, asOf: number): number[] {
  const windowStart = asOf - WINDOW_MS;
  const usable: number[] = [];
  observed.polls.forEach((poll, index) => {
    if (poll.at > asOf || poll.status === 'failed') return;
    if (poll.status === 'partial' && !hasVideos(observed, index)) return;
    if (poll.at <= windowStart) usable.splice(0, usable.length, index);
    else usable.push(index);
  });
  return usable;
}

function hasVideos(observed: Observed, poll: number): boolean {
  const polls = observed.polls.length;
  for (let slot = poll; slot < observed.likes.length; slot += polls) {
    if (!Number.isNaN(observed.likes[slot] as number)) return true;
  }
  return false;
}

/** Share of the window bridged by consecutive usable polls no more than two cadences apart. */
export function coverage(observed: Observed, night: number[], world: AccountWorld): number {
  const windowStart = world.asOf - WINDOW_MS;
  const bridge = BRIDGE_CADENCES * world.cadenceHours * HOUR_MS;
  let covered = 0;
  for (let index = 1; index < night.length; index++) {
    const from = observed.polls[night[index - 1] as number]?.at ?? 0;
    const to = observed.polls[night[index] as number]?.at ?? 0;
    if (to - from > bridge) continue;
    covered += Math.max(0, to - Math.max(from, windowStart));
  }
  return covered / WINDOW_MS;
}

/** Largest fall of a video's observed likes from a poll before `to` to a later poll after `from`. */
function drawdown(observed: Observed, video: number, night: number[], from: number, to: number) {
  const polls = observed.polls.length;
  let highest = Number.NEGATIVE_INFINITY;
  let fall = 0;
  let top = 0;
  for (const poll of night) {
    const likes = observed.likes[video * polls + poll] as number;
    if (Number.isNaN(likes)) continue;
    const at = observed.polls[poll]?.at ?? 0;
    if (at > from) fall = Math.max(fall, highest - likes);
    if (at < to) highest = Math.max(highest, likes);
    top = Math.max(top, likes);
  }
  return { fall, top };
}

/** Likes background un-liking could plausibly take from `video` over the window. */
function backgroundAllowance(
  world: AccountWorld,
  truth: Truth,
  video: number,
  start: number,
  end: number,
) {
  const count = truth.samples.length;
  const rate = truth.likeRates[video] as number;
  const gained =
    ((truth.views[video * count + end] as number) -
      (truth.views[video * count + start] as number)) *
    rate;
  const likes = truth.likes[video * count + start] as number;
  const mean = world.unlikeShare * Math.max(0, gained) + world.unlikeTrickle * Math.sqrt(likes);
  return mean + BACKGROUND_SIGMAS * Math.sqrt(mean) + 1;
}

/** Index of `instant` among the truth's samples (it must be one). */
export function sampleIndex(truth: Truth, instant: number): number {
  let low = 0;
  let high = truth.samples.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((truth.samples[middle] as number) < instant) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface Context {
  world: AccountWorld;
  truth: Truth;
  observed: Observed;
  night: number[];
  start: number;
  end: number;
}

/** Visible likes of an event that took `lost[video]` likes between `from` and `to`. */
function visibleLoss(context: Context, lost: Float64Array, from: number, to: number) {
  let likes = 0;
  let videos = 0;
  lost.forEach((taken, video) => {
    if (taken <= 0) return;
    const { fall, top } = drawdown(context.observed, video, context.night, from, to);
    const step = context.world.rounded ? roundingStep(top) : 0;
    const allowance = backgroundAllowance(
      context.world,
      context.truth,
      video,
      context.start,
      context.end,
    );
    const visible = Math.floor(Math.max(0, Math.min(taken, fall - step - allowance)));
    likes += visible;
    if (visible >= 1) videos++;
  });
  return { likes, videos };
}

/** Likes of removed videos that a usable poll listed before the removal and an ok poll missed after it. */
function removedLikes(context: Context, plan: EventPlan): number {
  const { observed, night } = context;
  const polls = observed.polls.length;
  let likes = 0;
  for (const removal of plan.removals) {
    const seenGone = night.some(
      (poll) =>
        observed.polls[poll]?.status === 'ok' && (observed.polls[poll]?.at ?? 0) > removal.at,
    );
    if (!seenGone) continue;
    for (const video of removal.videos) {
      let last = 0;
      for (const poll of night) {
        const shown = observed.likes[video * polls + poll] as number;
        if ((observed.polls[poll]?.at ?? 0) < removal.at && !Number.isNaN(shown)) last = shown;
      }
      likes += last;
    }
  }
  return likes;
}

/** The largest drop a glitched usable poll shows against the last unglitched poll before it. */
function glitchLoss(context: Context): number {
  const { observed, night, world } = context;
  const polls = observed.polls.length;
  let worst = 0;
  night.forEach((poll, position) => {
    if (!observed.glitched[poll]) return;
    const before = night.slice(0, position).filter((earlier) => !observed.glitched[earlier]);
    if (before.length === 0) return;
    let videoDrop = 0;
    for (let video = 0; video < world.videos.length; video++) {
      const now = observed.likes[video * polls + poll] as number;
      if (Number.isNaN(now)) continue;
      const reference = before
        .map((earlier) => observed.likes[video * polls + earlier] as number)
        .filter((likes) => !Number.isNaN(likes))
        .pop();
      if (reference === undefined) continue;
      const step = world.rounded ? roundingStep(reference) : 0;
      videoDrop += Math.max(0, reference - now - step);
    }
    const profileNow = observed.profiles[poll]?.likes;
    const profileBefore = before
      .map((earlier) => observed.profiles[earlier]?.likes)
      .filter((likes) => likes !== undefined)
      .pop();
    const profileDrop =
      profileNow !== undefined && profileBefore !== undefined ? profileBefore - profileNow : 0;
    worst = Math.max(worst, videoDrop, profileDrop);
  });
  return worst;
}

/** The visible loss per cause. */
function losses(context: Context, plan: EventPlan): Partial<Record<Cause, number>> {
  const found: Partial<Record<Cause, number>> = {};
  const { truth } = context;
  if (plan.cleanup) {
    const { likes, videos } = visibleLoss(
      context,
      truth.cleanupLost,
      plan.cleanup.at,
      plan.cleanup.at,
    );
    if (likes >= MIN_CLEANUP_LIKES && videos >= MIN_CLEANUP_VIDEOS)
      found.inactive_account_cleanup = likes;
  }
  if (plan.purge) {
    const { likes } = visibleLoss(
      context,
      truth.purgeLost,
      plan.purge.removeAt,
      plan.purge.removeAt,
    );
    if (likes >= MIN_LOSS_LIKES) found.fake_engagement_purge = likes;
  }
  if (plan.organic) {
    const { likes } = visibleLoss(context, truth.organicLost, plan.organic.from, plan.organic.to);
    if (likes >= MIN_LOSS_LIKES) found.organic_unlikes = likes;
  }
  const removed = removedLikes(context, plan);
  if (removed >= MIN_LOSS_LIKES) found.content_removed_or_restricted = removed;
  if (plan.glitch) {
    const dropped = glitchLoss(context);
    if (dropped >= MIN_LOSS_LIKES) found.platform_glitch = dropped;
  }
  return found;
}

/** The true net like gain of the account over the night ending at sample `end` (starting at `start`). */
function nightGain(truth: Truth, start: number, end: number): number {
  const count = truth.samples.length;
  let gain = 0;
  for (let video = 0; video < truth.likeRates.length; video++) {
    if ((truth.vanishAt[video] as number) <= (truth.samples[end] as number)) continue;
    gain +=
      (truth.likes[video * count + end] as number) - (truth.likes[video * count + start] as number);
  }
  return gain;
}

/** The slowdown cause of the plan, if the true gains show one. */
function slowdown(
  world: AccountWorld,
  plan: EventPlan,
  truth: Truth,
  counterfactual?: Truth,
): Cause | undefined {
  if (!counterfactual) return undefined;
  const [cause, onset]: [Cause, number] | [undefined, number] = plan.reachLimit
    ? ['reach_limited', plan.reachLimit.onset]
    : plan.shift
      ? ['audience_shift', plan.shift.start]
      : plan.restricted
        ? ['content_removed_or_restricted', plan.restricted.at]
        : [undefined, 0];
  if (!cause) return undefined;
  const night = (truthOf: Truth, endAt: number) =>
    nightGain(truthOf, sampleIndex(truthOf, endAt - DAY_MS), sampleIndex(truthOf, endAt));
  const tonight = night(truth, world.asOf);
  const without = night(counterfactual, world.asOf);
  const reference: number[] = [];
  for (let back = 1; reference.length < REFERENCE_NIGHTS; back++) {
    const endAt = world.asOf - back * DAY_MS;
    if (endAt - DAY_MS < world.historyStart) break;
    if (endAt <= onset) reference.push(night(truth, endAt));
  }
  if (reference.length < MIN_REFERENCE_NIGHTS) return undefined;
  const usual = reference.reduce((sum, gain) => sum + gain, 0) / reference.length;
  const far =
    usual >= MIN_USUAL_GAIN &&
    without >= MIN_USUAL_GAIN &&
    tonight <= SLOWDOWN_SHARE * without &&
    tonight <= SLOWDOWN_SHARE * usual &&
    tonight < Math.min(...reference);
  return far ? cause : undefined;
}

/** Labels one account-night. */
export function judge(
  world: AccountWorld,
  plan: EventPlan,
  truth: Truth,
  observed: Observed,
  counterfactual?: Truth,
): Judgement {
  const night = nightPolls(observed, world.asOf);
  const covered = coverage(observed, night, world);
  const context: Context = {
    world,
    truth,
    observed,
    night,
    start: sampleIndex(truth, world.asOf - WINDOW_MS),
    end: sampleIndex(truth, world.asOf),
  };
  const found = losses(context, plan);
  const ranked = (Object.entries(found) as [Cause, number][]).sort((a, b) => b[1] - a[1]);
  if (ranked.length > 0) {
    const top = found.platform_glitch !== undefined ? 'platform_glitch' : (ranked[0]?.[0] as Cause);
    return { verdict: 'loss', topCause: top, coverage: covered, losses: found };
  }
  if (covered < MIN_COVERAGE)
    return { verdict: 'unknown', topCause: 'unknown', coverage: covered, losses: found };
  const slow = slowdown(world, plan, truth, counterfactual);
  if (slow) return { verdict: 'slowdown', topCause: slow, coverage: covered, losses: found };
  return { verdict: 'none', topCause: 'none', coverage: covered, losses: found };
}
