/**
 * The true counts of one account at chosen instants ("samples"): what really happened, before the monitor's
 * polls, rounding and glitches. Views come from `views.ts`; likes follow views at the video's rate, minus
 * background un-likes (a Poisson process) and minus what the events removed.
 */
import { DAY_MS } from '../../core/time.ts';
import type { AccountWorld } from './account.ts';
import { CLEANUP_VIDEO_FACTOR } from './cause-params.ts';
import type { Climate } from './curves.ts';
import type { EventPlan } from './events.ts';
import type { Rng } from './rng.ts';
import { computeViews, shiftProgress } from './views.ts';

/** Followers an account has whatever its likes (friends and family follow first). */
const MIN_FOLLOWERS = 10;

/** True counts per video and sample, flat: entry `video * samples.length + sample`. */
export interface Truth {
  samples: Float64Array;
  /** Fractional true views (floored when shown). */
  views: Float64Array;
  likes: Float64Array;
  comments: Float64Array;
  shares: Float64Array;
  saves: Float64Array;
  followers: Float64Array;
  /** Each video's effective like rate (after an audience shift). */
  likeRates: Float64Array;
  /** When each video left public view (`Infinity`: never). */
  vanishAt: Float64Array;
  /** Likes each video lost to a cleanup, a purge, organic un-likes. */
  cleanupLost: Float64Array;
  purgeLost: Float64Array;
  organicLost: Float64Array;
  /** Likes on the account's hidden videos (part of the profile total, never listed). */
  hiddenLikes: number;
}

/** Evaluates the world at `samples` (sorted ascending, none before the account's history starts). */
export function computeTruth(
  world: AccountWorld,
  plan: EventPlan,
  climate: Climate,
  samples: Float64Array,
  rng: Rng,
): Truth {
  const count = samples.length;
  const videoCount = world.videos.length;
  const size = videoCount * count;
  const views = computeViews(world, plan, climate, samples);
  const truth: Truth = {
    samples,
    views,
    likes: new Float64Array(size),
    comments: new Float64Array(size),
    shares: new Float64Array(size),
    saves: new Float64Array(size),
    followers: new Float64Array(count),
    likeRates: new Float64Array(videoCount),
    vanishAt: new Float64Array(videoCount).fill(Number.POSITIVE_INFINITY),
    cleanupLost: new Float64Array(videoCount),
    purgeLost: new Float64Array(videoCount),
    organicLost: new Float64Array(videoCount),
    hiddenLikes: 0,
  };
  for (const removal of plan.removals) {
    for (const video of removal.videos)
      truth.vanishAt[video] = Math.min(truth.vanishAt[video] as number, removal.at);
  }
  const unlikeRng = rng.fork('unlikes');
  const cleanupRng = rng.fork('cleanup');
  const grossTotal = new Float64Array(count);
  const { cleanup, purge, organic } = plan;
  world.videos.forEach((video, index) => {
    const rate =
      video.likeRate *
      (1 - (plan.shift?.rateDecline ?? 0) * shiftProgress(plan, world.asOf, video.postedAt));
    truth.likeRates[index] = rate;
    const cleanupShare =
      cleanup && cleanupRng.chance(cleanup.hitShare)
        ? cleanup.fraction * cleanupRng.logUniform(1 / CLEANUP_VIDEO_FACTOR, CLEANUP_VIDEO_FACTOR)
        : 0;
    const purgeAt = purge ? purge.videos.indexOf(index) : -1;
    const organicAt = organic ? organic.videos.indexOf(index) : -1;
    const offset = index * count;
    let previousGross = 0;
    let previousLikes = 0;
    let previousAt = samples[0] as number;
    let unliked = 0;
    let cleanupLost = -1;
    let purgeLost = -1;
    let organicTotal = -1;
    for (let sample = 0; sample < count; sample++) {
      const at = samples[sample] as number;
      const gross = (views[offset + sample] as number) * rate;
      grossTotal[sample] = (grossTotal[sample] as number) + gross;
      if (at < video.postedAt) continue;
      let fake = 0;
      if (purge && purgeAt >= 0) {
        const landed = Math.min(1, Math.max(0, (at - purge.burstAt) / purge.burstMs));
        fake = Math.floor((purge.fakeLikes[purgeAt] as number) * landed);
        if (purgeLost < 0 && at > purge.removeAt) {
          const share = purge.shares[purgeAt] as number;
          purgeLost = Math.min(previousLikes, Math.round(share * fake));
        }
      }
      if (cleanup && cleanupLost < 0 && at > cleanup.at) {
        cleanupLost = Math.min(previousLikes, cleanupRng.poisson(previousLikes * cleanupShare));
      }
      let organicNow = 0;
      if (organic && organicAt >= 0 && at >= organic.from) {
        if (organicTotal < 0) {
          organicTotal = Math.round((organic.fractions[organicAt] as number) * previousLikes);
        }
        const progress = Math.min(1, (at - organic.from) / (organic.to - organic.from));
        organicNow = Math.floor(organicTotal * progress);
      }
      const available =
        Math.floor(gross) + fake - Math.max(0, cleanupLost) - Math.max(0, purgeLost) - organicNow;
      const days = (at - previousAt) / DAY_MS;
      const mean =
        world.unlikeShare * Math.max(0, gross - previousGross) +
        world.unlikeTrickle * Math.sqrt(previousLikes) * days;
      unliked = Math.min(unliked + unlikeRng.poisson(mean), Math.max(0, available));
      const likes = Math.max(0, available - unliked);
      truth.likes[offset + sample] = likes;
      truth.comments[offset + sample] = Math.floor(
        gross * video.commentRate + organicNow * (organic?.commentsPerUnlike ?? 0),
      );
      truth.shares[offset + sample] = Math.floor(gross * video.shareRate);
      truth.saves[offset + sample] = Math.floor(gross * video.saveRate);
      previousGross = gross;
      previousLikes = likes;
      previousAt = at;
    }
    truth.cleanupLost[index] = Math.max(0, cleanupLost);
    truth.purgeLost[index] = Math.max(0, purgeLost);
    truth.organicLost[index] = Math.max(0, organicTotal);
  });
  fillFollowers(truth, world, plan, grossTotal);
  return truth;
}

/** Followers (and the hidden likes) at every sample: slow growth with the likes, drops at a cleanup or purge. */
function fillFollowers(
  truth: Truth,
  world: AccountWorld,
  plan: EventPlan,
  grossTotal: Float64Array,
) {
  const count = truth.samples.length;
  let likesAtStart = 0;
  for (let video = 0; video < world.videos.length; video++) {
    likesAtStart += truth.likes[video * count] ?? 0;
  }
  // Likes of videos hidden before monitoring began: part of the profile's total, never listed.
  truth.hiddenLikes = Math.round(likesAtStart * world.hiddenLikeShare);
  const base = MIN_FOLLOWERS + world.followersPerLike * likesAtStart;
  const cleanupDrop = plan.cleanup ? plan.cleanup.fraction * plan.cleanup.followerFactor : 0;
  for (let sample = 0; sample < count; sample++) {
    const at = truth.samples[sample] as number;
    let followers =
      base + world.followsPerNewLike * ((grossTotal[sample] as number) - (grossTotal[0] as number));
    if (plan.cleanup && at > plan.cleanup.at) followers *= 1 - cleanupDrop;
    if (plan.purge && at > plan.purge.removeAt) followers *= 1 - plan.purge.followerDrop;
    truth.followers[sample] = Math.floor(followers);
  }
}

/** The account's total true views at each of `instants` (sorted ascending), e.g. to check a reach limit. */
export function accountViews(
  world: AccountWorld,
  plan: EventPlan,
  climate: Climate,
  instants: readonly number[],
): number[] {
  const samples = Float64Array.from(instants);
  const views = computeViews(world, plan, climate, samples);
  return instants.map((_, sample) => {
    let total = 0;
    for (let video = 0; video < world.videos.length; video++) {
      total += views[video * samples.length + sample] as number;
    }
    return total;
  });
}
