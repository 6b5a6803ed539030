/**
 * How a monitor sees a world: a polling schedule (cadence, lateness, failures, partial reads, rounding, thinned
 * old history) turned into the polls of a `likewatch.fleet/v1` account.
 */
import type { Poll, PollFailureReason, VideoStats } from '../model.ts';
import { formatInstant, HOUR_MS } from '../time.ts';
import type { Random } from './random.ts';
import type { Observation, World } from './world.ts';

/** How one account is polled. */
export interface PollingPlan {
  /** Hours between scheduled polls (1–24). */
  cadenceHours: number;
  /** First and last instants polls may happen at. The last scheduled poll is at `until` exactly. */
  from: Date;
  until: Date;
  /** Maximum lateness of a poll, as a share of the cadence (0: always on time). */
  latenessShare: number;
  /** Probability that a poll fails (nothing read). */
  failureRate: number;
  /** Probability that a poll is partial (some pages of the video list missing). */
  partialRate: number;
  /** The source rounds counts (e.g. 22.6K), for every poll. */
  rounded: boolean;
  /** Polls older than this many hours before `until` are thinned to one a day (retention roll-up). */
  thinAfterHours?: number;
  /** Every poll in [failFrom, until] fails (an outage at the end of the window). */
  failFrom?: Date;
}

/** Video-list page size: a partial poll misses whole pages. */
const PAGE_SIZE = 20;

const FAILURE_REASONS: readonly PollFailureReason[] = [
  'rate_limited',
  'server_error',
  'timeout',
  'network_error',
  'bot_check',
];

/**
 * Rounds a count the way TikTok's web pages show it: exact below 10,000, then one decimal of K or M, truncated
 * (22,649 → 22.6K → 22,600).
 */
export function roundLikeTikTok(count: number): number {
  if (count < 10_000) return count;
  const unit = count < 1_000_000 ? 100 : 100_000;
  return Math.floor(count / unit) * unit;
}

function roundVideo(video: VideoStats): VideoStats {
  return {
    ...video,
    views: roundLikeTikTok(video.views),
    likes: roundLikeTikTok(video.likes),
    comments: roundLikeTikTok(video.comments),
    shares: roundLikeTikTok(video.shares),
  };
}

/** The scheduled poll instants: every `cadenceHours` back from `until`, thinned to daily when old. */
export function pollInstants(plan: PollingPlan, random: Random): number[] {
  const instants: number[] = [];
  const step = plan.cadenceHours * HOUR_MS;
  const untilMs = plan.until.getTime();
  const fromMs = plan.from.getTime();
  let lastKeptDay = Number.NaN;
  for (let scheduled = untilMs; scheduled >= fromMs; scheduled -= step) {
    const ageHours = (untilMs - scheduled) / HOUR_MS;
    if (plan.thinAfterHours !== undefined && ageHours > plan.thinAfterHours) {
      const day = Math.floor(scheduled / (24 * HOUR_MS));
      if (day === lastKeptDay) continue;
      lastKeptDay = day;
    }
    // A late poll happens after its slot but never after the end of the plan.
    const late =
      scheduled === untilMs
        ? 0
        : random.between(0, plan.latenessShare) * Math.min(step, 6 * HOUR_MS);
    instants.push(Math.min(untilMs, Math.round((scheduled + late) / 1000) * 1000));
  }
  return instants.reverse();
}

/** Turns one observation into a poll of the given status, applying the source's rounding and missing pages. */
export function observationToPoll(
  observation: Observation,
  atMs: number,
  status: 'ok' | 'partial',
  rounded: boolean,
  random: Random,
): Poll {
  const at = formatInstant(atMs);
  let videos = rounded ? observation.videos.map(roundVideo) : observation.videos;
  const profile = rounded
    ? {
        ...observation.profile,
        followers: roundLikeTikTok(observation.profile.followers),
        likes: roundLikeTikTok(observation.profile.likes),
      }
    : observation.profile;
  if (status === 'partial') {
    // Some pages of the list are missing: at least one, never all of them.
    const pages = Math.ceil(videos.length / PAGE_SIZE);
    const missing = new Set(
      random.sample([...Array(pages).keys()], random.int(1, Math.max(1, pages - 1))),
    );
    if (pages > 1)
      videos = videos.filter((_, index) => !missing.has(Math.floor(index / PAGE_SIZE)));
    else videos = videos.slice(0, Math.floor(videos.length / 2));
    return {
      at,
      status,
      ...(rounded ? { rounded } : {}),
      reason: 'missing_pages',
      profile,
      videos,
    };
  }
  return { at, status, ...(rounded ? { rounded } : {}), profile, videos };
}

/** Polls one account of a world according to a plan. */
export function pollAccount(
  world: World,
  accountId: string,
  plan: PollingPlan,
  random: Random,
): Poll[] {
  const failFromMs = plan.failFrom?.getTime() ?? Number.POSITIVE_INFINITY;
  return pollInstants(plan, random).map((atMs): Poll => {
    if (atMs >= failFromMs || random.chance(plan.failureRate)) {
      return { at: formatInstant(atMs), status: 'failed', reason: random.pick(FAILURE_REASONS) };
    }
    const status = random.chance(plan.partialRate) ? 'partial' : 'ok';
    return observationToPoll(
      world.observe(accountId, new Date(atMs)),
      atMs,
      status,
      plan.rounded,
      random,
    );
  });
}
