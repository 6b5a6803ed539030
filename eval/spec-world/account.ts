/**
 * One account of the spec world: its videos (posting times, reach, like and secondary rates, view curves), its
 * audience, its followers and how the monitor polls it.
 */
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import { type CurveShape, type DailyCycle, drawDailyCycle } from './curves.ts';
import {
  ACCOUNT_LIKE_RATE,
  AUDIENCE_UTC_OFFSETS,
  BACKGROUND_FAIL_RATE,
  BACKGROUND_LATE_RATE,
  BACKGROUND_PARTIAL_RATE,
  BURST_GAP_HOURS,
  BURST_GAP_SHARE,
  BURST_MEDIAN_HOURS,
  BURST_MEDIAN_SIGMA,
  BURST_SPREAD,
  CADENCE_WEIGHTS,
  COMMENTS_PER_LIKE,
  FOLLOWERS_PER_LIKE,
  FOLLOWING,
  FOLLOWS_PER_NEW_LIKE,
  HIDDEN_LIKES_CHANCE,
  HIDDEN_LIKES_SHARE,
  HISTORY_DAYS,
  HIT_MULTIPLIER,
  HIT_SHARE,
  LARGE_CATALOGUE_SHARE,
  LARGE_VIDEO_COUNT,
  LIKE_RATE_BOUNDS,
  LIKE_RATE_SIGMA,
  MAX_ACCOUNT_AGE_DAYS,
  MEDIAN_REACH,
  NO_SAVES_SHARE,
  PAUSE_GAP_DAYS,
  PAUSE_GAP_SHARE,
  PEAK_LOCAL_HOUR,
  POST_GAP_ACCOUNT_SIGMA,
  POST_GAP_BOUNDS_DAYS,
  POST_GAP_MEDIAN_DAYS,
  POST_GAP_SIGMA,
  type Range,
  REACH_SIGMA,
  ROUNDED_ACCOUNT_SHARE,
  ROW_BUDGET,
  SAVES_PER_LIKE,
  SECONDARY_RATE_SIGMA,
  SHARES_PER_LIKE,
  TAIL_DAYS,
  TAIL_POWER,
  TAIL_SHARE,
  UNLIKE_SHARE_OF_NEW_LIKES,
  UNLIKE_TRICKLE_PER_SQRT_LIKE,
  VIDEO_COUNT,
} from './params.ts';
import type { Rng } from './rng.ts';

/** One video of the world: when it was posted, how far it reaches, how its audience engages. */
export interface Video extends CurveShape {
  id: string;
  /** Posting instant (ms, whole seconds). */
  postedAt: number;
  /** Expected lifetime views. */
  reach: number;
  likeRate: number;
  commentRate: number;
  shareRate: number;
  saveRate: number;
}

/** What a scenario requires of the account it happens to. */
export interface AccountConstraints {
  /** Days of history at least. */
  minHistoryDays?: number;
  /** History length in hours, exactly drawn from this range (new accounts, short histories). */
  historyHours?: Range;
  /** Days between the last post and `asOf`. */
  lastPostDays?: Range;
  /** Over this many days before `asOf` the account posts steadily, with gaps of at most `maxSteadyGapDays`. */
  steadyDays?: number;
  maxSteadyGapDays?: number;
  /** At least this many videos. */
  minVideos?: number;
  /** Force rounded counts on (true) or off (false). */
  rounded?: boolean;
}

/** An account of the world, before any event. */
export interface AccountWorld {
  id: string;
  handle: string;
  asOf: number;
  /** First poll slot (ms). */
  historyStart: number;
  cadenceHours: number;
  cycle: DailyCycle;
  rounded: boolean;
  hasSaves: boolean;
  followersPerLike: number;
  followsPerNewLike: number;
  following: number;
  hiddenLikeShare: number;
  unlikeShare: number;
  unlikeTrickle: number;
  failRate: number;
  partialRate: number;
  lateRate: number;
  /** The account's median lifetime reach (views per video). */
  medianReach: number;
  /** Oldest first. */
  videos: Video[];
}

const SYLLABLES = [
  'ka',
  'mi',
  'lo',
  'ra',
  've',
  'su',
  'no',
  'ti',
  'za',
  'be',
  'do',
  'fy',
  'lu',
  'ne',
  'qo',
];
const HANDLE_WORDS = [
  'cooks',
  'moves',
  'daily',
  'clips',
  'art',
  'fit',
  'vlog',
  'tunes',
  'pets',
  'fix',
];

function range(rng: Rng, bounds: Range): number {
  return rng.uniform(bounds[0], bounds[1]);
}

function logRange(rng: Rng, bounds: Range): number {
  return rng.logUniform(bounds[0], bounds[1]);
}

function accountId(rng: Rng): string {
  let digits = String(rng.int(6, 7));
  for (let index = 0; index < 18; index++) digits += String(rng.int(0, 9));
  return digits;
}

/** A TikTok-style video id: the posting second in the high 32 bits, random low bits. */
export function videoId(rng: Rng, postedAt: number): string {
  const seconds = BigInt(Math.floor(postedAt / 1000));
  return ((seconds << 32n) | BigInt(rng.uint32())).toString();
}

function handleFor(rng: Rng, index: number): string {
  const name = Array.from({ length: rng.int(2, 3) }, () => rng.pick(SYLLABLES)).join('');
  return `${name}.${rng.pick(HANDLE_WORDS)}${index + 1}`;
}

/** Posting instants, newest first, going back from `asOf`. */
function postingTimes(
  rng: Rng,
  count: number,
  asOf: number,
  constraints: AccountConstraints,
): number[] {
  // A big catalogue must fit in the account's lifetime: its median gap is capped accordingly.
  const longest = Math.min(
    POST_GAP_BOUNDS_DAYS[1],
    (0.8 * MAX_ACCOUNT_AGE_DAYS) / Math.max(count, 1),
  );
  const drawn = rng.logNormal(POST_GAP_MEDIAN_DAYS, POST_GAP_ACCOUNT_SIGMA);
  const median = Math.min(longest, Math.max(POST_GAP_BOUNDS_DAYS[0], drawn));
  const steadyUntil = asOf - (constraints.steadyDays ?? 0) * DAY_MS;
  const maxSteadyGap = (constraints.maxSteadyGapDays ?? Number.POSITIVE_INFINITY) * DAY_MS;
  const regularGap = () => rng.logNormal(median, POST_GAP_SIGMA) * DAY_MS;
  const gap = (from: number) => {
    if (from > steadyUntil) return Math.min(regularGap(), maxSteadyGap);
    const kind = rng.next();
    if (kind < BURST_GAP_SHARE) return range(rng, BURST_GAP_HOURS) * HOUR_MS;
    if (kind < BURST_GAP_SHARE + PAUSE_GAP_SHARE) return range(rng, PAUSE_GAP_DAYS) * DAY_MS;
    return regularGap();
  };
  const first = constraints.lastPostDays
    ? range(rng, constraints.lastPostDays) * DAY_MS
    : gap(asOf);
  const times: number[] = [];
  let at = asOf - first;
  const oldest = asOf - MAX_ACCOUNT_AGE_DAYS * DAY_MS;
  // A steady account keeps posting through its whole steady span, however many videos that takes.
  while ((times.length < count || at > steadyUntil) && at > oldest) {
    times.push(Math.floor(at / 1000) * 1000);
    at -= gap(at);
  }
  return times;
}

function drawVideos(rng: Rng, times: number[], medianReach: number): Video[] {
  const likeRate = logRange(rng, ACCOUNT_LIKE_RATE);
  const commentRate = logRange(rng, COMMENTS_PER_LIKE);
  const shareRate = logRange(rng, SHARES_PER_LIKE);
  const saveRate = logRange(rng, SAVES_PER_LIKE);
  const burstMedian = logRange(rng, BURST_MEDIAN_HOURS);
  const burstSpread = range(rng, BURST_SPREAD);
  const tailShare = range(rng, TAIL_SHARE);
  const tailHours = range(rng, TAIL_DAYS) * 24;
  const tailPower = range(rng, TAIL_POWER);
  const videos = times.map((postedAt): Video => {
    const hit = rng.chance(HIT_SHARE) ? range(rng, HIT_MULTIPLIER) : 1;
    const rate = rng.logNormal(likeRate, LIKE_RATE_SIGMA);
    return {
      id: videoId(rng, postedAt),
      postedAt,
      reach: rng.logNormal(medianReach, REACH_SIGMA) * hit,
      likeRate: Math.min(LIKE_RATE_BOUNDS[1], Math.max(LIKE_RATE_BOUNDS[0], rate)),
      commentRate: rng.logNormal(commentRate, SECONDARY_RATE_SIGMA),
      shareRate: rng.logNormal(shareRate, SECONDARY_RATE_SIGMA),
      saveRate: rng.logNormal(saveRate, SECONDARY_RATE_SIGMA),
      burstLogMedian: Math.log(burstMedian) + BURST_MEDIAN_SIGMA * rng.normal(),
      burstSpread,
      tailShare,
      tailHours,
      tailPower,
    };
  });
  return videos.reverse();
}

/** Cadences in increasing order, as hours. */
const CADENCES = Object.keys(CADENCE_WEIGHTS)
  .map(Number)
  .sort((a, b) => a - b);

/** History length and cadence within the row budget (the monitor polls big catalogues less often). */
function pollingPlan(
  rng: Rng,
  videoCount: number,
  constraints: AccountConstraints,
): { historyHours: number; cadenceHours: number } {
  let cadenceHours = Number(rng.weighted(CADENCE_WEIGHTS));
  let historyHours = constraints.historyHours
    ? range(rng, constraints.historyHours)
    : Math.max(logRange(rng, HISTORY_DAYS), constraints.minHistoryDays ?? 0) * 24;
  const rows = () => videoCount * (historyHours / cadenceHours + 1);
  while (rows() > ROW_BUDGET && cadenceHours < 24) {
    cadenceHours = CADENCES.find((cadence) => cadence > cadenceHours) ?? 24;
  }
  if (rows() > ROW_BUDGET && !constraints.historyHours) {
    const floor = (constraints.minHistoryDays ?? 0) * 24;
    historyHours = Math.max(floor, 48, (ROW_BUDGET / videoCount - 1) * cadenceHours);
  }
  return { historyHours, cadenceHours };
}

/** Draws an account that meets `constraints`, the `index`-th of its fleet. */
export function drawAccount(
  rng: Rng,
  constraints: AccountConstraints,
  asOf: number,
  index: number,
): AccountWorld {
  const large = rng.chance(LARGE_CATALOGUE_SHARE);
  const wanted = Math.round(logRange(rng, large ? LARGE_VIDEO_COUNT : VIDEO_COUNT));
  const count = Math.max(wanted, constraints.minVideos ?? 0);
  const times = postingTimes(rng.fork('posting'), count, asOf, constraints);
  const medianReach = logRange(rng, MEDIAN_REACH);
  const videos = drawVideos(rng.fork('videos'), times, medianReach);
  const { historyHours, cadenceHours } = pollingPlan(rng, videos.length, constraints);
  const historyStart = Math.floor((asOf - historyHours * HOUR_MS) / 1000) * 1000;
  return {
    id: accountId(rng),
    handle: handleFor(rng, index),
    asOf,
    historyStart,
    cadenceHours,
    cycle: drawDailyCycle(rng, rng.pick(AUDIENCE_UTC_OFFSETS), PEAK_LOCAL_HOUR),
    rounded: constraints.rounded ?? rng.chance(ROUNDED_ACCOUNT_SHARE),
    hasSaves: !rng.chance(NO_SAVES_SHARE),
    followersPerLike: logRange(rng, FOLLOWERS_PER_LIKE),
    followsPerNewLike: logRange(rng, FOLLOWS_PER_NEW_LIKE),
    following: Math.round(logRange(rng, FOLLOWING)),
    hiddenLikeShare: rng.chance(HIDDEN_LIKES_CHANCE) ? logRange(rng, HIDDEN_LIKES_SHARE) : 0,
    unlikeShare: range(rng, UNLIKE_SHARE_OF_NEW_LIKES),
    unlikeTrickle: range(rng, UNLIKE_TRICKLE_PER_SQRT_LIKE),
    failRate: range(rng, BACKGROUND_FAIL_RATE),
    partialRate: range(rng, BACKGROUND_PARTIAL_RATE),
    lateRate: range(rng, BACKGROUND_LATE_RATE),
    medianReach,
    videos,
  };
}
