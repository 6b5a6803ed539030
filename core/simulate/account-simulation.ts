/**
 * One simulated account, hour by hour: the background of docs/causes.md ("Background that is always present"), its
 * videos and their counts, with the injected events applied through `event-schedule.ts`.
 */
import { formatInstant, HOUR_MS } from '../time.ts';
import { videoTitle } from './captions.ts';
import { scheduleEvents } from './event-schedule.ts';
import type { Random } from './random.ts';
import type {
  AccountScenario,
  EventOutcome,
  PlatformGlitchEvent,
  WorldAccountInfo,
  WorldSpec,
} from './world-spec.ts';

// --- The background model (docs/causes.md, "Background that is always present") -----------------------------

/** Extra lifetime views as a trickle per hour, so that old videos keep getting a few views. */
const TAIL_VIEWS_PER_HOUR = 1.5e-6;
/** Share of a video's likes un-liked per hour: old quiet videos tick down by a handful. */
const UNLIKES_PER_LIKE_HOUR = 2.5e-6;
/** Share of fresh likes taken back within the hour (quick second thoughts). */
const QUICK_UNLIKE_SHARE = 0.01;
/** Default chance per video and day of losing a handful of likes at once. */
const DEFAULT_HANDFUL_UNLIKES_PER_DAY = 0.05;
/** Follower losses per follower and hour. */
const UNFOLLOWS_PER_FOLLOWER_HOUR = 2e-6;
/** Log-space spread of a video's like rate around the account's. */
const LIKE_RATE_SPREAD = 0.22;

/**
 * Cumulative share of a video's lifetime views reached at `ageHours`: fast growth after posting, then a decay
 * to a slow tail (about 70% in the first day, 95% in the first week).
 */
function viewCurve(ageHours: number, scaleHours: number, exponent: number): number {
  if (ageHours <= 0) return 0;
  return 1 - (1 + ageHours / scaleHours) ** -exponent;
}

export interface VideoPlan {
  id: string;
  title: string;
  url: string;
  postedAtMs: number;
  postedAt: string;
  /** First hourly tick at or after posting; 0 for videos posted before the start. */
  firstTick: number;
  lifetimeViews: number;
  likeRate: number;
  commentRate: number;
  shareRate: number;
  curveScaleHours: number;
  curveExponent: number;
  /** Tick from which the video is gone from the public list. */
  removedTick: number;
  /** Tick from which its views stop growing (restricted). */
  restrictedTick: number;
}

export interface Glitch {
  fromTick: number;
  untilTick: number;
  mode: PlatformGlitchEvent['mode'];
  share: number;
  videos: Set<number>;
}

export interface AccountState {
  info: WorldAccountInfo;
  following: number;
  /** Newest first, which is also the order observations list them in. */
  videos: VideoPlan[];
  /** Hourly counts per video: index `video * ticks + tick`. */
  views: Float64Array;
  likes: Float64Array;
  comments: Float64Array;
  shares: Float64Array;
  followers: Float64Array;
  glitches: Glitch[];
}

/** Multiplier for views at a given UTC hour: audiences watch more in their evening than at night. */
function dailyRhythm(timeMs: number, utcOffsetHours: number): number {
  const localHour = (timeMs / HOUR_MS + utcOffsetHours) % 24;
  return 1 + 0.35 * Math.sin((2 * Math.PI * (localHour - 13)) / 24);
}

/** One account's hourly history, computed once from its scenario and its own random stream. */
export class AccountSimulation {
  readonly random: Random;
  readonly ticks: number;
  readonly startMs: number;
  readonly videos: VideoPlan[] = [];
  readonly outcomes: EventOutcome[] = [];

  constructor(
    readonly scenario: AccountScenario,
    private readonly spec: WorldSpec,
    seedRandom: Random,
  ) {
    this.random = seedRandom;
    this.startMs = spec.start.getTime();
    this.ticks = Math.floor((spec.end.getTime() - this.startMs) / HOUR_MS) + 1;
  }

  /** The first tick whose instant is at or after `at` (events land on the hourly grid). */
  tickAtOrAfter(at: Date): number {
    return Math.ceil((at.getTime() - this.startMs) / HOUR_MS - 1e-9);
  }

  tickTime(tick: number): number {
    return this.startMs + tick * HOUR_MS;
  }

  /** Audience shift multipliers for a video posted at `postedAtMs`. */
  private shiftAt(postedAtMs: number): { views: number; likeRate: number } {
    let views = 1;
    let likeRate = 1;
    for (const event of this.scenario.events ?? []) {
      if (event.cause !== 'audience_shift') continue;
      const from = event.from.getTime();
      const span = Math.max(HOUR_MS, event.to.getTime() - from);
      const progress = Math.min(1, Math.max(0, (postedAtMs - from) / span));
      const factor = 1 - event.decline * progress;
      if (event.aspect !== 'likeRate') views *= factor;
      if (event.aspect !== 'views') likeRate *= factor;
    }
    return { views, likeRate };
  }

  private planVideos(): void {
    const { scenario, random } = this;
    const interval = scenario.postingIntervalHours;
    const postTimes: number[] = [];
    // Back catalogue: posts before the start at the account's cadence (irregular gaps around the mean).
    let time = this.startMs - random.between(0.1, 1) * interval * HOUR_MS;
    for (let index = 0; index < scenario.initialVideos; index += 1) {
      postTimes.push(time);
      time -= random.between(0.3, 1.7) * interval * HOUR_MS;
    }
    // New posts during the simulation.
    if (Number.isFinite(interval)) {
      let next = this.startMs + random.between(0.2, 1.5) * interval * HOUR_MS;
      const endMs = this.spec.end.getTime();
      while (next <= endMs) {
        postTimes.push(next);
        next += random.between(0.3, 1.7) * interval * HOUR_MS;
      }
    }
    const viralMultipliers = new Map<number, number>();
    for (const viral of scenario.viralPosts ?? []) {
      postTimes.push(viral.postedAt.getTime());
      viralMultipliers.set(viral.postedAt.getTime(), viral.viewMultiplier);
    }
    postTimes.sort((a, b) => b - a);
    for (const postedAtRaw of postTimes) {
      const postedAtMs = Math.floor(postedAtRaw / 1000) * 1000;
      const shift = this.shiftAt(postedAtMs);
      const viewMultiplier = viralMultipliers.get(postedAtRaw) ?? 1;
      const id = random.digits(19, 7);
      this.videos.push({
        id,
        title: videoTitle(random, id),
        url: `https://www.tiktok.com/@${scenario.handle}/video/${id}`,
        postedAtMs,
        postedAt: formatInstant(postedAtMs),
        firstTick: Math.max(0, Math.ceil((postedAtMs - this.startMs) / HOUR_MS)),
        lifetimeViews: random.logNormal(scenario.medianViews, 0.9) * shift.views * viewMultiplier,
        likeRate: Math.min(
          0.2,
          random.logNormal(scenario.likeRate, LIKE_RATE_SPREAD) * shift.likeRate,
        ),
        commentRate: random.logUniform(0.004, 0.03),
        shareRate: random.logUniform(0.01, 0.08),
        curveScaleHours: random.between(5, 20),
        curveExponent: random.between(1.05, 1.4),
        removedTick: Number.POSITIVE_INFINITY,
        restrictedTick: Number.POSITIVE_INFINITY,
      });
    }
  }

  /** Expected cumulative views of a video at an instant (no noise). */
  expectedViews(video: VideoPlan, atMs: number): number {
    const age = (atMs - video.postedAtMs) / HOUR_MS;
    if (age <= 0) return 0;
    return (
      video.lifetimeViews *
      (viewCurve(age, video.curveScaleHours, video.curveExponent) + TAIL_VIEWS_PER_HOUR * age)
    );
  }

  /** Videos public at `tick` (posted, not removed). */
  publicVideos(tick: number): number[] {
    const indexes: number[] = [];
    const atMs = this.tickTime(tick);
    this.videos.forEach((video, index) => {
      if (video.postedAtMs <= atMs && video.removedTick > tick) indexes.push(index);
    });
    return indexes;
  }

  run(): { state: AccountState; outcomes: EventOutcome[] } {
    this.planVideos();
    const { random, ticks, videos, scenario } = this;
    const count = videos.length;
    const views = new Float64Array(count * ticks);
    const likes = new Float64Array(count * ticks);
    const comments = new Float64Array(count * ticks);
    const shares = new Float64Array(count * ticks);
    const followers = new Float64Array(ticks);
    const offset = scenario.audienceUtcOffsetHours ?? 0;
    const handfulPerHour = (scenario.handfulUnlikesPerDay ?? DEFAULT_HANDFUL_UNLIKES_PER_DAY) / 24;

    // Opening counts of the back catalogue, from the expected curve with a little noise.
    videos.forEach((video, index) => {
      if (video.postedAtMs > this.startMs) return;
      const openingViews = Math.round(
        this.expectedViews(video, this.startMs) * random.logNormal(1, 0.08),
      );
      const openingLikes = Math.round(openingViews * video.likeRate * (1 - QUICK_UNLIKE_SHARE));
      views[index * ticks] = openingViews;
      likes[index * ticks] = openingLikes;
      comments[index * ticks] = Math.round(openingLikes * video.commentRate);
      shares[index * ticks] = Math.round(openingLikes * video.shareRate);
    });
    followers[0] = scenario.followers;

    const schedule = scheduleEvents(this, likes);
    const dayNoise: number[] = [];
    for (let day = 0; day <= Math.ceil(ticks / 24); day += 1)
      dayNoise.push(random.logNormal(1, 0.12));

    for (let tick = 1; tick < ticks; tick += 1) {
      const timeMs = this.tickTime(tick);
      const accountFactor = dailyRhythm(timeMs, offset) * (dayNoise[Math.floor(tick / 24)] ?? 1);
      let grossLikes = 0;
      for (let video = 0; video < count; video += 1) {
        const plan = videos[video] as VideoPlan;
        if (tick < plan.firstTick || tick >= plan.removedTick) continue;
        const cell = video * ticks + tick;
        const fresh = tick === plan.firstTick && plan.postedAtMs > this.startMs;
        const previousViews = fresh ? 0 : (views[cell - 1] as number);
        const previousLikes = fresh ? 0 : (likes[cell - 1] as number);
        const fromMs = fresh ? plan.postedAtMs : timeMs - HOUR_MS;
        let expected =
          (this.expectedViews(plan, timeMs) - this.expectedViews(plan, fromMs)) *
          accountFactor *
          random.logNormal(1, 0.3) *
          schedule.reachFactor(tick, plan);
        if (tick >= plan.restrictedTick) expected *= 0.01;
        const newViews = random.poisson(expected);
        const newLikes = random.poisson(newViews * plan.likeRate);
        // Besides a share of its likes, any video now and then loses a handful at once.
        const handful = previousLikes > 0 && random.chance(handfulPerHour) ? random.int(1, 4) : 0;
        const unlikes =
          random.poisson(previousLikes * UNLIKES_PER_LIKE_HOUR + newLikes * QUICK_UNLIKE_SHARE) +
          handful +
          schedule.extraUnlikes(tick, video, random);
        const nextLikes = Math.max(0, previousLikes + newLikes - unlikes);
        views[cell] = previousViews + newViews;
        likes[cell] = nextLikes;
        const commentBoost = schedule.commentBoost(tick, video);
        comments[cell] =
          (fresh ? 0 : (comments[cell - 1] as number)) +
          random.poisson(newLikes * plan.commentRate * commentBoost + (commentBoost - 1) * 0.3);
        shares[cell] =
          (fresh ? 0 : (shares[cell - 1] as number)) + random.poisson(newLikes * plan.shareRate);
        grossLikes += newLikes;
      }
      const previousFollowers = followers[tick - 1] as number;
      followers[tick] = Math.max(
        0,
        previousFollowers +
          random.poisson(grossLikes * 0.02) -
          random.poisson(previousFollowers * UNFOLLOWS_PER_FOLLOWER_HOUR),
      );
      schedule.applyInstantEvents(tick, { likes, followers });
    }

    return {
      state: {
        info: { id: scenario.id, handle: scenario.handle, displayName: scenario.displayName },
        following: scenario.following ?? 0,
        videos,
        views,
        likes,
        comments,
        shares,
        followers,
        glitches: schedule.glitches,
      },
      outcomes: this.outcomes,
    };
  }
}

/** The counts instant events change in place. */
export interface InstantCounts {
  likes: Float64Array;
  followers: Float64Array;
}
