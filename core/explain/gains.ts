/**
 * Gains and their baseline, and the two slowdown causes (`reach_limited`, `audience_shift`): what an account's
 * nights used to bring, and whether tonight falls far short of it (causes.md, "Gain", "Far below baseline").
 */
import type { Cause } from '../model.ts';
import { type AccountSeries, usableRowAtOrBefore } from './series.ts';
import { median, quantile, ramp, spearman } from './stats.ts';
import { DAY_MS, HOUR_MS } from '../time.ts';

/** Likes and views added between two polls. */
export interface Gain {
  likes: number;
  views: number;
  /** Hours between the two polls. */
  hours: number;
}

/**
 * Likes and views added between two usable polls: per video the growth of its count (a video that dropped adds
 * nothing), plus the counts of videos posted between the polls. A video whose start is unknown (missing from a
 * partial poll) adds nothing.
 */
export function gainBetween(series: AccountSeries, fromRow: number, toRow: number): Gain {
  const { videoCount, likes, views, postedAt } = series;
  const fromBase = fromRow * videoCount;
  const toBase = toRow * videoCount;
  const fromMs = series.times[fromRow] as number;
  let likeGain = 0;
  let viewGain = 0;
  for (let video = 0; video < videoCount; video += 1) {
    const endLikes = likes[toBase + video] as number;
    if (Number.isNaN(endLikes)) continue;
    const startLikes = likes[fromBase + video] as number;
    if (Number.isNaN(startLikes)) {
      if ((postedAt[video] as number) < fromMs) continue;
      likeGain += endLikes;
      viewGain += views[toBase + video] as number;
      continue;
    }
    if (endLikes > startLikes) likeGain += endLikes - startLikes;
    const viewDelta = (views[toBase + video] as number) - (views[fromBase + video] as number);
    if (viewDelta > 0) viewGain += viewDelta;
  }
  return {
    likes: likeGain,
    views: viewGain,
    hours: ((series.times[toRow] as number) - fromMs) / HOUR_MS,
  };
}

/** How far a night's end poll may be from its nominal instant. */
const NIGHT_POLL_TOLERANCE_MS = 18 * HOUR_MS;
/** Nights of history looked at: two weeks for the baseline, six for a slow trend. */
const HISTORY_NIGHTS = 42;

/**
 * The account's gain per 24 hours on each of the nights ending `k` days before `toMs` (index k; NaN where the
 * polls do not bracket the night well enough).
 */
export function nightlyGains(
  series: AccountSeries,
  toMs: number,
): { likes: number[]; views: number[] } {
  const likes: number[] = [];
  const views: number[] = [];
  for (let night = 0; night <= HISTORY_NIGHTS; night += 1) {
    const end = toMs - night * DAY_MS;
    const toRow = usableRowAtOrBefore(series, end, NIGHT_POLL_TOLERANCE_MS, true);
    const fromRow = usableRowAtOrBefore(series, end - DAY_MS, NIGHT_POLL_TOLERANCE_MS, true);
    if (toRow < 0 || fromRow < 0 || fromRow >= toRow) {
      likes.push(Number.NaN);
      views.push(Number.NaN);
      continue;
    }
    const gain = gainBetween(series, fromRow, toRow);
    if (gain.hours < 12 || gain.hours > 40) {
      likes.push(Number.NaN);
      views.push(Number.NaN);
      continue;
    }
    likes.push((gain.likes * 24) / gain.hours);
    views.push((gain.views * 24) / gain.hours);
  }
  return { likes, views };
}

/** Robust spread of nightly gains on the log scale (scaled median absolute deviation). */
function logSpread(gains: readonly number[]): number {
  const logs = gains.map((gain) => Math.log(Math.max(1, gain)));
  const center = median(logs);
  return 1.4826 * median(logs.map((value) => Math.abs(value - center)));
}

function validNights(values: readonly number[], from: number, to: number): number[] {
  return values.slice(from, to + 1).filter((value) => !Number.isNaN(value));
}

/** A slowdown verdict's cause and how sure the engine is. */
export interface SlowdownFinding {
  cause: Extract<Cause, 'reach_limited' | 'audience_shift'>;
  confidence: number;
  /** The baseline the night was judged against (the old level for a slow trend). */
  baseline: number;
  evidence: string[];
}

/** Baseline of tonight's gain and, when the night falls far short of it, the slowdown that explains it. */
export interface GainAssessment {
  /** Tonight's gain per 24 hours (NaN when the polls do not bracket the night). */
  tonight: number;
  /** Median gain of the last two weeks' nights; null with fewer than four nights of history. */
  baseline: number | null;
  slowdown?: SlowdownFinding;
}

const MIN_BASELINE_NIGHTS = 4;
/** Below this many likes a night, a shortfall is indistinguishable from chance. */
const MIN_SLOWDOWN_LEVEL = 20;

/** Judges tonight's gain against the account's history. */
export function assessGains(
  series: AccountSeries,
  toMs: number,
  formatCount: (n: number) => string,
): GainAssessment {
  const nights = nightlyGains(series, toMs);
  const tonight = nights.likes[0] as number;
  const recent = validNights(nights.likes, 1, 14);
  const baseline = recent.length >= MIN_BASELINE_NIGHTS ? median(recent) : null;
  if (baseline === null || Number.isNaN(tonight)) return { tonight, baseline };
  const slowdown =
    reachLimited(series, nights, tonight, toMs, formatCount) ??
    audienceShift(series, nights, tonight, toMs, formatCount);
  return slowdown ? { tonight, baseline, slowdown } : { tonight, baseline };
}

/**
 * `reach_limited`: an abrupt break. Tonight (and possibly the last few nights, since the onset) bring far
 * fewer views and likes than the nights before the break, while the likes per view stay normal.
 */
function reachLimited(
  series: AccountSeries,
  nights: { likes: number[]; views: number[] },
  tonight: number,
  toMs: number,
  formatCount: (n: number) => string,
): SlowdownFinding | undefined {
  const tonightViews = nights.views[0] as number;
  for (let run = 0; run <= 3; run += 1) {
    const reference = validNights(nights.likes, run + 1, run + 14);
    const referenceViews = validNights(nights.views, run + 1, run + 14);
    if (reference.length < MIN_BASELINE_NIGHTS) return undefined;
    const level = median(reference);
    const viewLevel = median(referenceViews);
    if (!(level > 0 && viewLevel > 0)) return undefined;
    // A few likes a night go to zero by chance alone: the shortfall must beat counting noise.
    if (level < MIN_SLOWDOWN_LEVEL || tonight > level - 3 * Math.sqrt(level)) return undefined;
    // Every night since the onset is low (the onset night only partly), and the night before it was not.
    if (!(tonight < 0.5 * level)) return undefined;
    const sinceOnset = nights.likes.slice(1, run + 1);
    const lowSinceOnset = sinceOnset.every(
      (gain, index) => !Number.isNaN(gain) && gain < (index === run - 1 ? 0.75 : 0.5) * level,
    );
    if (!lowSinceOnset) continue;
    const before = nights.likes[run + 1] as number;
    if (Number.isNaN(before) || before < 0.6 * level) continue;
    const viewRatio = tonightViews / viewLevel;
    // Outside the account's ordinary night-to-night variation: below its usual low nights, and far below
    // its level on the log scale its nights spread over.
    const ordinaryLow = Math.min(0.75 * quantile(reference, 0.25), level * Math.exp(-2 * logSpread(reference)));
    if (tonight > ordinaryLow || viewRatio > 0.5) continue;
    const engagement = tonightViews > 0 ? tonight / tonightViews / (level / viewLevel) : 1;
    // A handful of likes says little about likes per view.
    if (tonight >= 20 && (engagement < 0.4 || engagement > 2.5)) continue;
    // Reach is cut for the whole account: old videos lose their views too, not only the new ones (which is
    // what a fading audience looks like). Old videos decay slowly, about a tenth a day at most.
    const cutoff = toMs - CATALOGUE_AGE_MS;
    const catalogueTonight = catalogueViews(series, toMs, cutoff);
    const catalogueBefore = catalogueViews(series, toMs - (run + 1) * DAY_MS, cutoff);
    if (catalogueBefore >= 50 && catalogueTonight > 0.6 * 0.9 ** (run + 1) * catalogueBefore)
      continue;
    const confidence =
      0.55 +
      0.25 * ramp(0.5 - viewRatio, 0, 0.35) +
      0.15 * ramp(1 - Math.abs(Math.log(engagement)), 0.5, 1);
    return {
      cause: 'reach_limited',
      confidence,
      baseline: level,
      evidence: [
        `Views grew at ${Math.round(viewRatio * 100)}% of your usual pace (${formatCount(tonightViews)} instead of about ${formatCount(viewLevel)} a day)${run > 0 ? ` for the last ${run + 1} nights` : ''}, an abrupt break`,
        `Likes per view stayed normal (${Math.round(engagement * 100)}% of usual), so fewer people are being shown your videos: ${formatCount(tonight)} likes instead of about ${formatCount(level)}`,
      ],
    };
  }
  return undefined;
}

/** Videos at least this old form the account's catalogue. */
const CATALOGUE_AGE_MS = 14 * DAY_MS;

/**
 * Views per 24 hours gained around `endMs` by videos posted before `postedBefore`: 0 when there are none, NaN
 * when no complete polls bracket the night.
 */
function catalogueViews(series: AccountSeries, endMs: number, postedBefore: number): number {
  const toRow = usableRowAtOrBefore(series, endMs, NIGHT_POLL_TOLERANCE_MS, true);
  const fromRow = usableRowAtOrBefore(series, endMs - DAY_MS, NIGHT_POLL_TOLERANCE_MS, true);
  if (toRow < 0 || fromRow < 0 || fromRow >= toRow) return Number.NaN;
  const { videoCount, views, postedAt } = series;
  let total = 0;
  let catalogue = 0;
  for (let video = 0; video < videoCount; video += 1) {
    if ((postedAt[video] as number) >= postedBefore) continue;
    catalogue += 1;
    const delta =
      (views[toRow * videoCount + video] as number) -
      (views[fromRow * videoCount + video] as number);
    if (delta > 0) total += delta;
  }
  if (catalogue === 0) return 0;
  const hours = ((series.times[toRow] as number) - (series.times[fromRow] as number)) / HOUR_MS;
  return (total * 24) / hours;
}

/**
 * `audience_shift`: a slow decline over weeks. Tonight falls far short of the account's level several weeks
 * back, the nights have been sliding steadily (no break), and newer videos do worse than older ones.
 */
function audienceShift(
  series: AccountSeries,
  nights: { likes: number[]; views: number[] },
  tonight: number,
  toMs: number,
  formatCount: (n: number) => string,
): SlowdownFinding | undefined {
  const old = validNights(nights.likes, 21, 42);
  if (old.length < 5) return undefined;
  const level = median(old);
  if (!(level > 0)) return undefined;
  const ratio = tonight / level;
  if (ratio > 0.65 || level < MIN_SLOWDOWN_LEVEL || tonight > level - 3 * Math.sqrt(level))
    return undefined;
  const ages: number[] = [];
  const gains: number[] = [];
  nights.likes.forEach((gain, night) => {
    if (night > 0 && !Number.isNaN(gain)) {
      ages.push(night);
      gains.push(gain);
    }
  });
  const trend = spearman(ages, gains);
  if (!(trend >= 0.45)) return undefined;
  // No abrupt break: the last week is already low, tonight is in line with it.
  const lastWeek = validNights(nights.likes, 1, 7);
  if (lastWeek.length >= 3 && tonight < 0.4 * median(lastWeek)) return undefined;
  const videoTrend = newVideoTrend(series, toMs);
  const confidence =
    0.5 +
    0.2 * ramp(trend, 0.45, 0.8) +
    0.15 * ramp(0.65 - ratio, 0, 0.35) +
    0.1 * videoTrend.score;
  const evidence = [
    `Tonight brought ${formatCount(tonight)} likes, ${Math.round(ratio * 100)}% of your level several weeks ago (about ${formatCount(level)} a night)`,
    'The decline has been gradual over the past weeks, with no sudden break',
  ];
  if (videoTrend.sentence) evidence.push(videoTrend.sentence);
  return { cause: 'audience_shift', confidence, baseline: level, evidence };
}

/** Do newer videos earn fewer likes per view, or fewer views, than older ones (over the last six weeks)? */
function newVideoTrend(series: AccountSeries, toMs: number): { score: number; sentence?: string } {
  const { videoCount, likes, views, postedAt } = series;
  const posted: number[] = [];
  const ratios: number[] = [];
  const reach: number[] = [];
  for (let video = 0; video < videoCount; video += 1) {
    const at = postedAt[video] as number;
    if (at < toMs - HISTORY_NIGHTS * DAY_MS || at > toMs - DAY_MS) continue;
    // Counts when the video was about two days old: comparable across videos.
    const row = usableRowAtOrBefore(series, at + 2 * DAY_MS, DAY_MS);
    if (row < 0) continue;
    const videoViews = views[row * videoCount + video] as number;
    const videoLikes = likes[row * videoCount + video] as number;
    if (!(videoViews >= 100) || Number.isNaN(videoLikes)) continue;
    posted.push(at);
    ratios.push(videoLikes / videoViews);
    reach.push(videoViews);
  }
  if (posted.length < 6) return { score: 0 };
  const ratioTrend = spearman(posted, ratios);
  const reachTrend = spearman(posted, reach);
  const half = Math.floor(posted.length / 2);
  // `posted` runs newest last when videos were indexed oldest poll first; sort pairs by time to compare halves.
  const order = posted.map((at, index) => ({ at, index })).sort((a, b) => a.at - b.at);
  const early = order.slice(0, half).map(({ index }) => ratios[index] as number);
  const late = order.slice(half).map(({ index }) => ratios[index] as number);
  const ratioChange = median(late) / median(early) - 1;
  if (ratioTrend <= -0.3) {
    return {
      score: ramp(-ratioTrend, 0.3, 0.7),
      sentence: `Your newer videos get ${Math.round(-ratioChange * 100)}% fewer likes per view than the ones before`,
    };
  }
  if (reachTrend <= -0.3) {
    return {
      score: ramp(-reachTrend, 0.3, 0.7),
      sentence: 'Your newer videos reach fewer viewers than the ones before',
    };
  }
  return { score: 0 };
}
