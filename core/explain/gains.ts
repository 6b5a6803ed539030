/**
 * Gains and their baseline, and the two slowdown causes (`reach_limited`, `audience_shift`): what an account's
 * nights used to bring, and whether tonight falls far short of it (causes.md, "Gain", "Far below baseline").
 */
import type { Cause } from '../model.ts';
import { DAY_MS, HOUR_MS } from '../time.ts';
import { type AccountSeries, roundingSlack, usableRowAtOrBefore } from './series.ts';
import { median, quantile, ramp, spearman } from './stats.ts';

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
/** Nights of history looked at: two weeks for the baseline, up to eight for a slow trend. */
export const HISTORY_NIGHTS = 56;

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
 * How each established video's views grew in the span ending at `laterEnd` relative to the same-length span
 * ending at `earlierEnd`: the median over videos (so new posts and one viral video do not sway it), per hour.
 * NaN with fewer than three videos to compare.
 */
function viewPace(
  series: AccountSeries,
  laterEnd: number,
  earlierEnd: number,
  spanMs: number,
): number {
  const { videoCount, views, postedAt, times } = series;
  const rows = [laterEnd, laterEnd - spanMs, earlierEnd, earlierEnd - spanMs].map((at) =>
    usableRowAtOrBefore(series, at, Math.min(NIGHT_POLL_TOLERANCE_MS, spanMs / 2), true),
  );
  const [laterTo, laterFrom, earlierTo, earlierFrom] = rows as [number, number, number, number];
  if (rows.some((row) => row < 0) || laterFrom >= laterTo || earlierFrom >= earlierTo)
    return Number.NaN;
  const laterHours = ((times[laterTo] as number) - (times[laterFrom] as number)) / HOUR_MS;
  const earlierHours = ((times[earlierTo] as number) - (times[earlierFrom] as number)) / HOUR_MS;
  // Videos past their first days: their views decay smoothly, so a break in them is the platform's doing.
  const establishedBefore = earlierEnd - spanMs - 2 * DAY_MS;
  const ratios: number[] = [];
  for (let video = 0; video < videoCount; video += 1) {
    if ((postedAt[video] as number) >= establishedBefore) continue;
    const earlier =
      (views[earlierTo * videoCount + video] as number) -
      (views[earlierFrom * videoCount + video] as number);
    const later =
      (views[laterTo * videoCount + video] as number) -
      (views[laterFrom * videoCount + video] as number);
    if (!(earlier >= MIN_PACE_VIEWS) || Number.isNaN(later)) continue;
    // Rounded counts of big videos move in steps too coarse to measure a pace.
    const step = roundingSlack(
      views[earlierTo * videoCount + video] as number,
      series.rounded[earlierTo] === 1,
    );
    if (step > 0.1 * earlier) continue;
    ratios.push(Math.max(0, later) / laterHours / (earlier / earlierHours));
  }
  return ratios.length >= 3 ? median(ratios) : Number.NaN;
}

/** A video needs this many views in the earlier span for its pace to be measured. */
const MIN_PACE_VIEWS = 10;

/**
 * `reach_limited`: an abrupt break. From an onset in the last day or few days, established videos get views
 * at a small fraction of the pace their own decay predicts (judged against how the same comparison varied on
 * earlier nights), the night's likes fall far short of baseline, and likes per view stay normal.
 */
function reachLimited(
  series: AccountSeries,
  nights: { likes: number[]; views: number[] },
  tonight: number,
  toMs: number,
  formatCount: (n: number) => string,
): SlowdownFinding | undefined {
  const level = median(validNights(nights.likes, 1, 14));
  const viewLevel = median(validNights(nights.views, 1, 14));
  if (!(level >= MIN_SLOWDOWN_LEVEL && viewLevel > 0)) return undefined;
  // The night's likes must fall short, by more than counting noise (how far depends on the views' evidence).
  if (!(tonight < 0.7 * level) || tonight > level - 3 * Math.sqrt(level)) return undefined;
  const tonightViews = nights.views[0] as number;
  const engagement = tonightViews > 0 ? tonight / tonightViews / (level / viewLevel) : 1;
  // A handful of likes says little about likes per view.
  if (tonight >= 20 && (engagement < 0.4 || engagement > 2.5)) return undefined;
  // Onset inside the night (judged on its last half) or up to five nights back.
  const onsets = [
    { span: DAY_MS / 2, back: 1, since: 0 },
    { span: DAY_MS, back: 1, since: 1 },
    { span: DAY_MS, back: 2, since: 2 },
    { span: DAY_MS, back: 3, since: 3 },
    { span: DAY_MS, back: 4, since: 4 },
    { span: DAY_MS, back: 5, since: 5 },
  ];
  let measured = false;
  for (const { span, back, since } of onsets) {
    const pace = viewPace(series, toMs, toMs - back * DAY_MS, span);
    if (Number.isNaN(pace)) continue;
    measured = true;
    const history: number[] = [];
    for (let night = back + 1; night <= back + 12; night += 1) {
      const earlier = viewPace(series, toMs - night * DAY_MS, toMs - (night + back) * DAY_MS, span);
      if (!Number.isNaN(earlier)) history.push(earlier);
    }
    if (history.length < 4) continue;
    const index = pace / median(history);
    if (!(index < 0.45 && pace < 0.8 * quantile(history, 0.1))) continue;
    // A likes shortfall short of half needs a clear break in the views to count.
    if (tonight >= 0.55 * level && index >= 0.3) continue;
    const confidence =
      0.6 +
      0.2 * ramp(0.45 - index, 0, 0.3) +
      0.15 * ramp(1 - Math.abs(Math.log(engagement)), 0.5, 1);
    const sinceText =
      since === 0
        ? 'since earlier tonight'
        : `over the last ${since === 1 ? 'day' : `${since} days`}`;
    return {
      cause: 'reach_limited',
      confidence,
      baseline: level,
      evidence: [
        `Your established videos got views at ${Math.round(index * 100)}% of their usual pace ${sinceText}: an abrupt break, all videos at once`,
        `The night brought ${formatCount(tonightViews)} views and ${formatCount(tonight)} likes instead of about ${formatCount(viewLevel)} and ${formatCount(level)}`,
        `Likes per view stayed normal (${Math.round(engagement * 100)}% of usual): fewer people are being shown your videos`,
      ],
    };
  }
  // Too few established videos to measure their pace: judge the account's views as a whole, more strictly,
  // and not at all on rounded counts, whose sums move in steps as large as a night's views.
  if (measured || series.rounded.includes(1)) return undefined;
  const viewRatio = tonightViews / viewLevel;
  const spread = logSpread(validNights(nights.likes, 1, 14));
  if (!(viewRatio < 0.35 && tonight < 0.5 * level && tonight < level * Math.exp(-2 * spread)))
    return undefined;
  return {
    cause: 'reach_limited',
    confidence: 0.5 + 0.2 * ramp(0.35 - viewRatio, 0, 0.25),
    baseline: level,
    evidence: [
      `Views grew at ${Math.round(viewRatio * 100)}% of your usual pace: ${formatCount(tonightViews)} instead of about ${formatCount(viewLevel)} a night`,
      `Likes followed the views (${formatCount(tonight)} instead of about ${formatCount(level)}), as when fewer people are shown your videos`,
    ],
  };
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
  // The level several weeks back (three weeks and more): recent history already contains the decline.
  const old = validNights(nights.likes, 21, HISTORY_NIGHTS);
  if (old.length < 5) return undefined;
  const level = median(old);
  const ratio = tonight / level;
  if (!(level >= MIN_SLOWDOWN_LEVEL) || ratio > 0.65 || tonight > level - 3 * Math.sqrt(level))
    return undefined;
  // A level that has come down, not one bad night: the last week is low too.
  const lastWeek = validNights(nights.likes, 1, 7);
  if (lastWeek.length < 3 || median(lastWeek) > 0.75 * level) return undefined;
  // ...and not by chance: most of the last week's nights fall below the old level's usual low nights.
  const oldLow = quantile(old, 0.25);
  if (lastWeek.filter((gain) => gain < oldLow).length < 0.5 * lastWeek.length) return undefined;
  // No abrupt break: tonight is roughly in line with the last week.
  if (tonight < 0.25 * median(lastWeek)) return undefined;
  const ages: number[] = [];
  const gains: number[] = [];
  nights.likes.forEach((gain, night) => {
    if (night > 0 && !Number.isNaN(gain)) {
      ages.push(night);
      gains.push(gain);
    }
  });
  const trend = spearman(ages, gains);
  const videoTrend = newVideoTrend(series, toMs);
  // The slide shows in the nights, or in how newer videos fare against older ones.
  if (!(trend >= 0.3 || videoTrend.score > 0)) return undefined;
  const confidence =
    0.5 +
    0.15 * ramp(trend, 0.3, 0.7) +
    0.15 * ramp(0.65 - ratio, 0, 0.35) +
    0.15 * videoTrend.score;
  const evidence = [
    `Tonight brought ${formatCount(tonight)} likes, ${Math.round(ratio * 100)}% of your level several weeks ago (about ${formatCount(level)} a night)`,
    `Your nights have been sliding gradually (the last week averaged about ${formatCount(median(lastWeek))}), with no sudden break`,
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
  const reachChange =
    median(order.slice(half).map(({ index }) => reach[index] as number)) /
      median(order.slice(0, half).map(({ index }) => reach[index] as number)) -
    1;
  if (ratioTrend <= -0.3 && ratioChange <= -0.2) {
    return {
      score: ramp(-ratioTrend, 0.3, 0.7),
      sentence: `Your newer videos get ${Math.round(-ratioChange * 100)}% fewer likes per view than the ones before`,
    };
  }
  if (reachTrend <= -0.3 && reachChange <= -0.2) {
    return {
      score: ramp(-reachTrend, 0.3, 0.7),
      sentence: 'Your newer videos reach fewer viewers than the ones before',
    };
  }
  return { score: 0 };
}
