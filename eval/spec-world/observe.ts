/**
 * What the monitor sees: the true counts at each poll, as the source shows them (rounded for some accounts,
 * glitched while a glitch lasts, some pages missing from a partial poll), and the `likewatch.fleet/v1` account
 * written from them.
 */
import type { FleetAccount, Poll, Profile, VideoStats } from '../../core/model.ts';
import { formatInstant } from '../../core/time.ts';
import type { AccountWorld, Video } from './account.ts';
import type { EventPlan } from './events.ts';
import { glitchProfileLikes, glitchShows, glitchVideo, type MutableCounts } from './glitch.ts';
import { PAGE_SIZE, ROUNDED_DIGITS } from './params.ts';
import type { Rng } from './rng.ts';
import type { ScheduledPoll } from './schedule.ts';
import type { Truth } from './truth.ts';

/** Chance that a partial poll still has the profile (it is fetched apart from the video pages). */
const PARTIAL_PROFILE_CHANCE = 0.7;
/** Share of a single-page list a partial poll misses. */
const PARTIAL_SINGLE_PAGE_MISSING: readonly [number, number] = [0.25, 0.75];

/** Observed counts per video and poll (flat, `video * polls + poll`; `NaN`: not listed). */
export interface Observed {
  polls: ScheduledPoll[];
  /** The truth sample of each poll. */
  sampleOf: Int32Array;
  views: Float64Array;
  likes: Float64Array;
  comments: Float64Array;
  shares: Float64Array;
  saves: Float64Array;
  profiles: (Profile | undefined)[];
  /** Whether each poll shows a glitch. */
  glitched: Uint8Array;
}

/** A count as a source that rounds shows it: floored to three significant digits from 1,000 on. */
export function roundCount(value: number): number {
  if (value < 1000) return value;
  const digits = String(Math.floor(value)).length;
  const step = 10 ** (digits - ROUNDED_DIGITS);
  return Math.floor(value / step) * step;
}

/** The step a rounded count moves in around `value` (1 below 1,000). */
export function roundingStep(value: number): number {
  if (value < 1000) return 1;
  return 10 ** (String(Math.floor(value)).length - ROUNDED_DIGITS);
}

/** The videos (by index) a partial poll misses: whole pages of the newest-first list, never the first. */
function missingVideos(rng: Rng, listed: number[]): Set<number> {
  if (listed.length <= 1) return new Set();
  if (listed.length <= PAGE_SIZE) {
    const share = rng.uniform(PARTIAL_SINGLE_PAGE_MISSING[0], PARTIAL_SINGLE_PAGE_MISSING[1]);
    const count = Math.min(listed.length - 1, Math.max(1, Math.round(share * listed.length)));
    return new Set(rng.sample(listed.length, count).map((position) => listed[position] as number));
  }
  const pages = Math.ceil(listed.length / PAGE_SIZE);
  const first = rng.int(1, pages - 1);
  const last = rng.int(first, pages - 1);
  return new Set(listed.slice(first * PAGE_SIZE, (last + 1) * PAGE_SIZE));
}

/**
 * What each poll of `polls` from the `from`-th on shows of `truth` (earlier polls are left unobserved: the
 * labels need only the judged night). Each poll draws from its own stream, so a poll shows the same whichever
 * polls are observed with it.
 */
export function observe(
  rng: Rng,
  world: AccountWorld,
  plan: EventPlan,
  truth: Truth,
  polls: ScheduledPoll[],
  from = 0,
): Observed {
  const pollCount = polls.length;
  const videoCount = world.videos.length;
  const sampleCount = truth.samples.length;
  const size = videoCount * pollCount;
  const observed: Observed = {
    polls,
    sampleOf: new Int32Array(pollCount),
    views: new Float64Array(size).fill(Number.NaN),
    likes: new Float64Array(size).fill(Number.NaN),
    comments: new Float64Array(size).fill(Number.NaN),
    shares: new Float64Array(size).fill(Number.NaN),
    saves: new Float64Array(size).fill(Number.NaN),
    profiles: polls.map(() => undefined),
    glitched: new Uint8Array(pollCount),
  };
  const rounded = world.rounded;
  const glitch = plan.glitch;
  const counts: MutableCounts = { views: 0, likes: 0, comments: 0 };
  let sample = 0;
  let posted = 0;
  for (let index = from; index < pollCount; index++) {
    const poll = polls[index] as ScheduledPoll;
    while ((truth.samples[sample] as number) < poll.at) sample++;
    while (posted < videoCount && (world.videos[posted] as Video).postedAt <= poll.at) posted++;
    observed.sampleOf[index] = sample;
    if (poll.status === 'failed') continue;
    const pollRng = poll.status === 'partial' ? rng.fork(`poll-${index}`) : undefined;
    const glitching = glitch !== undefined && glitchShows(glitch.shape, poll.at);
    observed.glitched[index] = glitching ? 1 : 0;
    const publicVideos: number[] = [];
    let likesTotal = truth.hiddenLikes;
    for (let video = posted - 1; video >= 0; video--) {
      if (poll.at > (truth.vanishAt[video] as number)) continue;
      publicVideos.push(video);
      likesTotal += truth.likes[video * sampleCount + sample] as number;
    }
    const missing = pollRng ? missingVideos(pollRng, publicVideos) : undefined;
    for (const video of publicVideos) {
      if (missing?.has(video)) continue;
      const at = video * sampleCount + sample;
      counts.views = Math.floor(truth.views[at] as number);
      counts.likes = truth.likes[at] as number;
      counts.comments = truth.comments[at] as number;
      if (glitching) glitchVideo(glitch.shape, counts, glitch.videos.includes(video));
      const slot = video * pollCount + index;
      const shares = truth.shares[at] as number;
      const saves = truth.saves[at] as number;
      observed.views[slot] = rounded ? roundCount(counts.views) : counts.views;
      observed.likes[slot] = rounded ? roundCount(counts.likes) : counts.likes;
      observed.comments[slot] = rounded ? roundCount(counts.comments) : counts.comments;
      observed.shares[slot] = rounded ? roundCount(shares) : shares;
      observed.saves[slot] = rounded ? roundCount(saves) : saves;
    }
    if (pollRng && !pollRng.chance(PARTIAL_PROFILE_CHANCE)) continue;
    const show = (value: number) => (rounded ? roundCount(value) : value);
    observed.profiles[index] = {
      followers: show(truth.followers[sample] as number),
      following: show(world.following),
      likes: show(glitching ? glitchProfileLikes(glitch.shape, likesTotal) : likesTotal),
      videos: publicVideos.length,
    };
  }
  return observed;
}

/** The first poll the labels need: the last ok poll at or before the window opens (or the first poll). */
export function firstJudgedPoll(polls: ScheduledPoll[], windowStart: number): number {
  let first = 0;
  polls.forEach((poll, index) => {
    if (poll.status === 'ok' && poll.at <= windowStart) first = index;
  });
  return first;
}

/** The observed account as the fleet document spells it. */
export function emitAccount(world: AccountWorld, observed: Observed): FleetAccount {
  const pollCount = observed.polls.length;
  const postedAt = world.videos.map((video) => formatInstant(video.postedAt));
  const polls = observed.polls.map((scheduled, index): Poll => {
    const at = formatInstant(scheduled.at);
    if (scheduled.status === 'failed') {
      return scheduled.reason
        ? { at, status: 'failed', reason: scheduled.reason }
        : { at, status: 'failed' };
    }
    const videos: VideoStats[] = [];
    for (let video = world.videos.length - 1; video >= 0; video--) {
      const slot = video * pollCount + index;
      const likes = observed.likes[slot] as number;
      if (Number.isNaN(likes)) continue;
      videos.push({
        id: world.videos[video]?.id ?? '',
        postedAt: postedAt[video] ?? '',
        views: observed.views[slot] as number,
        likes,
        comments: observed.comments[slot] as number,
        shares: observed.shares[slot] as number,
        saves: world.hasSaves ? (observed.saves[slot] as number) : null,
      });
    }
    const rounded = world.rounded ? { rounded: true } : {};
    const profile = observed.profiles[index];
    if (scheduled.status === 'partial') {
      return {
        at,
        status: 'partial',
        ...rounded,
        reason: scheduled.reason ?? 'missing_pages',
        ...(profile ? { profile } : {}),
        videos,
      };
    }
    return { at, status: 'ok', ...rounded, profile: profile as Profile, videos };
  });
  return { platform: 'tiktok', id: world.id, handle: world.handle, polls };
}
