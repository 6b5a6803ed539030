/**
 * The slowdown causes (`reach_limited`, `audience_shift`, and a video restricted while still listed): whether
 * tonight's gain falls far short of what the account's history predicts, beyond its ordinary variation, and
 * which cause fits (docs/causes.md, "Gain", "Far below baseline"). The fleet is the control: a dip that every
 * monitored account shows at once is traffic, not a slowdown of one account.
 */
import type { Cause } from '../model.ts';
import { DAY_MS } from '../time.ts';
import type { FleetPace } from './fleet-pace.ts';
import type { Nodes } from './nodes.ts';
import { type PaceAnalysis, type PaceInterval, rateWithin, reachTrend } from './pace.ts';
import { restrictedFinding } from './restricted.ts';
import type { AccountSeries } from './series.ts';
import { ramp } from './stats.ts';
import { likeRateSlide, newerAgainstOlder } from './video-performance.ts';

/** Tonight is far below baseline under this share of it (docs/causes.md: "less than about half")... */
export const FAR_BELOW_SHARE = 0.5;
/** ...and this many spreads below it, so an account's ordinary variation never counts. */
const FAR_BELOW_SPREADS = 2;
/** Below this many likes expected in a night, a shortfall is indistinguishable from chance. */
export const MIN_SLOWDOWN_LIKES = 30;
/** A reach break: established videos' views at under this share of the baseline level... */
const REACH_BREAK_SHARE = 0.5;
/** ...and this many of their ordinary spreads below it... */
const REACH_BREAK_SPREADS = 2.5;
/** ...while the night's likes are under this share of the expectation. */
const REACH_LIKES_SHARE = 0.75;
/** Otherwise, a collapse of the whole account counts where the established videos are under this share. */
const REACH_ALSO_DOWN_SHARE = 0.6;
/** A break begun tonight: the night's last hours at under this share of the same hours a day before. */
const LATE_BREAK_SHARE = 0.3;
/** Days of history the last week's nights need (the week before the night, and the night). */
const WEEK_HISTORY_DAYS = 8;
/** On rounded counts, a break read from the account's views as a whole must be this deep. */
const ROUNDED_BREAK_SHARE = 0.3;
/** A fleet-wide shift worth naming in the evidence (log). */
const FLEET_WORTH_NAMING = 0.1;
/** Likes per view count as unchanged within this factor of the videos' own (engagement follows views). */
const ENGAGEMENT_FACTOR = 2;
/** The old level of a slow trend is read from history at least this far back. */
const OLD_LEVEL_DAYS = 21;
const HISTORY_DAYS = 60;
/** Tonight and the last week must both be this far under the old level for a slow trend. */
const TREND_TONIGHT_SHARE = 0.5;
const TREND_WEEK_SHARE = 0.7;
/** A slow trend shows in newer videos earning this share of older ones' likes by the same age... */
const TREND_VIDEO_SHARE = 0.7;
/** ...or this share of their likes per view... */
const TREND_LIKE_RATE_SHARE = 0.8;
/** ...or tonight's likes this share of what its views brought at older videos' likes per view. */
const TREND_NIGHT_RATE_SHARE = 0.7;
/** Shares at which a measure shows the slide clearly. */
const CLEAR_TREND_SHARE = 0.45;
const CLEAR_LIKE_RATE_SHARE = 0.65;
/** Evidence points a slow trend needs (see `points`): three measures, or two of them clearly. */
const MIN_TREND_POINTS = 6;
/** Whatever the points, a last week or a counterfactual night above these shares of the old level is no slide. */
const TREND_WEEK_LIMIT = 0.8;
const TREND_COUNTERFACTUAL_LIMIT = 0.8;
/** What an account's pace says, kept after its history is let go (the fleet is weighed afterwards). */
export interface PaceSummary {
  /** Tonight's likes and views over its span, and the span (hours); NaN when the polls do not bracket it. */
  likes: number;
  views: number;
  hours: number;
  /** What the account's recent history predicts for the same span (`newLikes`: new videos' part); null without. */
  expected: PaceAnalysis['expected'];
  /** Days from the first poll of the history read to the night's end. */
  historyDays: number;
  /** Spread (log) of a night around the expectation. */
  spread: number;
  reach: PaceAnalysis['reach'];
  /** Night-to-night spread (log) of the established videos' reach. */
  reachSpread: number;
  /** The night's last hours against the same hours a day before (log); NaN where polls do not allow. */
  lateShift: number;
  /** Some of the night's polls gave rounded counts. */
  rounded: boolean;
  engagement: number;
  /** Likes per hour several weeks back and over the last week (NaN when history is too short). */
  oldRate: number;
  weekRate: number;
  /** The slowest of the last week's nights, in likes per hour (NaN when fewer than three were measured). */
  weekLowest: number;
  /** Newer videos' likes per video relative to older ones' (1 = the same); NaN when too few of either. */
  newerVideos: number;
  /** Rank correlation of videos' likes (size × likes per view) with their posting time. */
  videoTrend: number;
  /** Newer videos' likes per view relative to older ones'. */
  newerLikeRate: number;
  /** Tonight's likes against the same views at older videos' likes per view (see `likeRateSlide`). */
  likeRateSlide: number;
  /** Established videos' reach over the last week against several weeks back (log); NaN if unmeasured. */
  reachTrend: number;
  /**
   * Frozen videos with the likes their own pace promised and the likes the account's expectation held for them.
   */
  frozen: {
    id: string;
    sinceMs: number;
    expectedLikes: number;
    accountLikes: number;
  }[];
}

/** Summarises the pace for judging, with the slow-trend measures that need the whole history. */
export function summarizePace(
  series: AccountSeries,
  pace: PaceAnalysis,
  nodes: Pick<Nodes, 'rows' | 'anchor'>,
  fromMs: number,
  toMs: number,
): PaceSummary {
  const tonight = pace.tonight;
  const oldFrom = toMs - HISTORY_DAYS * DAY_MS;
  const oldTo = toMs - OLD_LEVEL_DAYS * DAY_MS;
  return {
    likes: tonight ? tonight.gain.likes : Number.NaN,
    views: tonight ? tonight.gain.views : Number.NaN,
    hours: tonight ? tonight.hours : Number.NaN,
    expected: pace.expected,
    historyDays: (toMs - (series.times[0] as number)) / DAY_MS,
    spread: pace.spread,
    reach: pace.reach,
    reachSpread: pace.reachSpread,
    lateShift: pace.lateShift,
    rounded: series.rounded.includes(1),
    engagement: pace.engagement,
    oldRate: rateWithin(pace.intervals, oldFrom, oldTo, 5),
    weekRate: rateWithin(pace.intervals, fromMs - 8 * DAY_MS, fromMs, 2),
    weekLowest: lowestNight(pace.intervals, fromMs - 8 * DAY_MS, fromMs),
    ...newerAgainstOlder(series, pace, fromMs),
    likeRateSlide: likeRateSlide(series, pace, nodes, fromMs),
    reachTrend: reachTrend(pace.intervals, fromMs, oldTo),
    frozen: pace.frozen.map((entry) => ({
      id: series.videoIds[entry.video] as string,
      sinceMs: entry.sinceMs,
      expectedLikes: entry.expectedLikes,
      accountLikes: entry.accountLikes,
    })),
  };
}

/** Nights whose span is within this many hours of a day count as nights of their own. */
const NIGHT_HOURS = [18, 30] as const;
/** At least this many such nights, or the slowest of them says nothing. */
const MIN_LOWEST_NIGHTS = 3;

/** The slowest night-long interval inside [fromMs, toMs], in likes per hour; NaN with too few of them. */
function lowestNight(intervals: readonly PaceInterval[], fromMs: number, toMs: number): number {
  const rates: number[] = [];
  for (const interval of intervals) {
    if (interval.fromMs < fromMs || interval.toMs > toMs) continue;
    if (interval.hours < NIGHT_HOURS[0] || interval.hours > NIGHT_HOURS[1]) continue;
    rates.push(interval.gain.likes / interval.hours);
  }
  return rates.length >= MIN_LOWEST_NIGHTS ? Math.min(...rates) : Number.NaN;
}

/** A slowdown verdict's cause, how well the data fits it (0–1), the baseline it was judged against. */
export interface SlowdownFinding {
  cause: Extract<Cause, 'reach_limited' | 'audience_shift' | 'content_removed_or_restricted'>;
  fit: number;
  /** Likes the night was judged against (the old level for a slow trend), for tonight's span. */
  baseline: number;
  /** What made it fit, as measures; the wording is the caller's. */
  measures: SlowdownMeasures;
}

/** The figures a slowdown's evidence is worded from. */
export interface SlowdownMeasures {
  likes: number;
  expectedLikes: number;
  views?: number;
  expectedViews?: number;
  /** Established videos' views against their usual pace (share), when measured. */
  reachShare?: number;
  /** The break began tonight: `reachShare` is the night's last hours against the same hours a day before. */
  sinceTonight?: boolean;
  engagement?: number;
  /** The fleet's own night against its expectation (share), when it moved. */
  fleetShare?: number;
  weekShare?: number;
  newerVideos?: number;
  newerLikeRate?: number;
  /** Established videos' reach over the last week against several weeks back (share). */
  reachTrend?: number;
  frozen?: Array<{ id: string; sinceMs: number; expectedLikes: number }>;
}

/** Judges one account's night against its history and the fleet; undefined for an ordinary night. */
export function judgeSlowdown(summary: PaceSummary, fleet: FleetPace): SlowdownFinding | undefined {
  const { expected } = summary;
  if (!expected || Number.isNaN(summary.likes)) return undefined;
  const restricted = restrictedFinding(summary, fleet);
  if (restricted) return restricted;
  return reachLimited(summary, expected, fleet) ?? audienceShift(summary, fleet);
}

/** Likes far below an expectation: under the share, and outside the spread (counting noise included). */
function farBelow(likes: number, expected: number, spread: number): boolean {
  if (!(expected >= MIN_SLOWDOWN_LIKES)) return false;
  const noise = Math.sqrt(spread ** 2 + 1 / (expected + 1));
  return (
    likes < FAR_BELOW_SHARE * expected &&
    Math.log((likes + 1) / (expected + 1)) < -FAR_BELOW_SPREADS * noise
  );
}

/** The last week was read poll by poll: at least three of its nights were measured (see `lowestNight`). */
export function lastWeekMeasured(summary: PaceSummary): boolean {
  return summary.weekLowest >= 0;
}

/**
 * Tonight no slower than the slowest of the last week's nights, where at least three were measured: a night the
 * account already had is one of its usual nights, however much its expectation had promised.
 */
export function noSlowerThanLastWeek(summary: PaceSummary): boolean {
  return lastWeekMeasured(summary) && !(summary.likes < summary.weekLowest * summary.hours);
}

/** The established videos' reach tonight under half its baseline level, net of the fleet's: an abrupt break. */
export function reachHalved(summary: PaceSummary, fleet: FleetPace): boolean {
  return summary.reach !== null && summary.reach.shift - fleet.reach < Math.log(REACH_BREAK_SHARE);
}

function reachLimited(
  summary: PaceSummary,
  expected: NonNullable<PaceAnalysis['expected']>,
  fleet: FleetPace,
): SlowdownFinding | undefined {
  const fleetFactor = Math.exp(fleet.night);
  const expectedLikes = expected.likes * fleetFactor;
  // Big enough to tell from chance: the account's own expectation, whatever the fleet did tonight.
  if (!(Math.max(expected.likes, expectedLikes) >= MIN_SLOWDOWN_LIKES)) return undefined;
  const share = (summary.likes + 1) / (expectedLikes + 1);
  const engagement = summary.engagement;
  if (!Number.isNaN(engagement) && Math.abs(Math.log(engagement)) > Math.log(ENGAGEMENT_FACTOR))
    return undefined;
  let reachShare: number;
  let strength: number;
  // The established videos' reach against its level, and its noise (the ordinary spread and tonight's error).
  const established = summary.reach
    ? {
        shift: summary.reach.shift - fleet.reach,
        noise: Math.hypot(summary.reach.error, summary.reachSpread),
      }
    : null;
  const halved = reachHalved(summary, fleet);
  const lateShare = Math.exp(summary.lateShift - fleet.late);
  const lateBreak = lateShare <= LATE_BREAK_SHARE && share < REACH_LIKES_SHARE;
  if (lateBreak && !halved) {
    // Begun tonight: the whole night is only partly down, its last hours plainly.
    reachShare = lateShare;
    strength = ramp(LATE_BREAK_SHARE - lateShare, 0, LATE_BREAK_SHARE);
  } else if (
    established &&
    halved &&
    established.shift <= -REACH_BREAK_SPREADS * established.noise
  ) {
    // The established videos measure the break best: under half their level, beyond their ordinary spread. The
    // night's likes must have fallen with them, against tonight's traffic. Where the last week was read poll by
    // poll, the fleet's established videos read that traffic too: a lull lowers them as much as the fleet's
    // likes, while accounts in trouble of their own drag the likes alone, so the higher reading is the lull.
    // Without that week an ordinary account's established videos can read a break that is not there, and the
    // fleet's likes alone stay the yardstick (see docs/decisions.md).
    const traffic = lastWeekMeasured(summary) ? Math.max(fleet.night, fleet.reach) : fleet.night;
    if (!((summary.likes + 1) / (expected.likes * Math.exp(traffic) + 1) < REACH_LIKES_SHARE))
      return undefined;
    reachShare = Math.exp(established.shift);
    strength = ramp(
      -established.shift / Math.max(established.noise, 0.05),
      REACH_BREAK_SPREADS,
      2 * REACH_BREAK_SPREADS,
    );
  } else {
    // The established videos down too, but less plainly (or too few of them): the account's likes and views
    // as a whole must have collapsed together, on counts large enough to tell from chance (and, on rounded
    // counts, far beyond their steps).
    if (established && !(Math.exp(established.shift) < REACH_ALSO_DOWN_SHARE)) return undefined;
    if (!(expectedLikes >= 2 * MIN_SLOWDOWN_LIKES)) return undefined;
    if (!farBelow(summary.likes, expectedLikes, summary.spread)) return undefined;
    reachShare = (summary.views + 1) / (expected.views * fleetFactor + 1);
    const bar = summary.rounded ? ROUNDED_BREAK_SHARE : 0.8 * REACH_BREAK_SHARE;
    if (!(reachShare < bar)) return undefined;
    // Read from the account's totals alone, a collapse must also be slower than each of the last week's nights
    // where they were measured: when they were as small, tonight fell short of a new video's promise, not reach.
    if (noSlowerThanLastWeek(summary)) return undefined;
    // An account younger than a week has no such nights, and its expectation leans on what its new videos were to
    // bring: the collapse must hold without them, or a new video that flopped (or was restricted before the
    // polls could see it gain) passes for a limit of the whole account.
    if (
      summary.historyDays < WEEK_HISTORY_DAYS &&
      !(summary.likes < FAR_BELOW_SHARE * (expected.likes - expected.newLikes) * fleetFactor)
    )
      return undefined;
    strength = 0;
  }
  return {
    cause: 'reach_limited',
    fit: 0.55 + 0.25 * strength + 0.15 * ramp(0.5 - share, 0, 0.35),
    baseline: expected.likes,
    measures: {
      likes: summary.likes,
      expectedLikes: expected.likes,
      views: summary.views,
      expectedViews: expected.views,
      reachShare,
      ...(lateBreak ? { sinceTonight: true } : {}),
      ...(Number.isNaN(engagement) ? {} : { engagement }),
      // The fleet's night is named only where this account fell much further than it, as the wording says.
      ...(Math.abs(fleet.night) > FLEET_WORTH_NAMING && share < REACH_LIKES_SHARE
        ? { fleetShare: fleetFactor }
        : {}),
    },
  };
}

function audienceShift(summary: PaceSummary, fleet: FleetPace): SlowdownFinding | undefined {
  if (!(summary.oldRate > 0) || !(summary.hours > 0)) return undefined;
  // The old level, moved as the whole fleet moved since (drift) and tonight (a lull; a fleet above its
  // expectations tonight is no reason to expect more of this account's old level).
  const old = summary.oldRate * summary.hours * Math.exp(fleet.trend + Math.min(0, fleet.night));
  if (!(old >= MIN_SLOWDOWN_LIKES)) return undefined;
  // Tonight far under the old level, by more than counting noise.
  const share = summary.likes / old;
  if (!(share < TREND_TONIGHT_SHARE)) return undefined;
  if (Math.log((summary.likes + 1) / (old + 1)) > -FAR_BELOW_SPREADS / Math.sqrt(old + 1))
    return undefined;
  // No abrupt break: that is reach, not taste.
  if (reachHalved(summary, fleet)) return undefined;
  // A night's luck, a pause in posting or one old hit can each make a night short of the old level; a slide
  // of taste shows in several places at once. Each measure that shows it adds to the evidence.
  const weekShare = summary.weekRate / (summary.oldRate * Math.exp(fleet.trend));
  const newer = summary.newerVideos / Math.exp(fleet.videos);
  const videosSlid = summary.videoTrend < 0 ? newer : Number.NaN;
  // Tonight against what tonight's own videos would have brought at the old videos' performance: the
  // expectation (which knows what was posted when) scaled up by how much newer videos fell behind.
  const counterfactual =
    summary.expected && summary.expected.likes > 0 && newer < 1
      ? (summary.likes / (summary.expected.likes * Math.exp(fleet.night))) * newer
      : Number.NaN;
  const evidence =
    points(share, TREND_TONIGHT_SHARE, CLEAR_TREND_SHARE) +
    points(counterfactual, TREND_TONIGHT_SHARE, CLEAR_TREND_SHARE) +
    points(weekShare, TREND_WEEK_SHARE, CLEAR_TREND_SHARE) +
    points(videosSlid, TREND_VIDEO_SHARE, CLEAR_TREND_SHARE) +
    points(summary.newerLikeRate, TREND_LIKE_RATE_SHARE, CLEAR_LIKE_RATE_SHARE) +
    points(summary.likeRateSlide, TREND_NIGHT_RATE_SHARE, CLEAR_TREND_SHARE);
  if (evidence < MIN_TREND_POINTS) return undefined;
  // Built up over weeks: where the last week is measured, it ran short of the old level too; and where
  // tonight's own videos tell what the night would have brought at the old performance, it fell well short.
  if (weekShare > TREND_WEEK_LIMIT || counterfactual > TREND_COUNTERFACTUAL_LIMIT) return undefined;
  // The videos must show it in one way or the other: the account's level alone cannot tell taste from luck.
  if (!(videosSlid <= TREND_VIDEO_SHARE) && !(summary.newerLikeRate <= TREND_LIKE_RATE_SHARE))
    return undefined;
  return {
    cause: 'audience_shift',
    fit: 0.5 + 0.06 * evidence,
    baseline: old,
    measures: {
      likes: summary.likes,
      expectedLikes: old,
      ...(Number.isNaN(weekShare) ? {} : { weekShare }),
      ...(videosSlid <= TREND_VIDEO_SHARE ? { newerVideos: newer } : {}),
      ...(summary.newerLikeRate <= TREND_LIKE_RATE_SHARE
        ? { newerLikeRate: summary.newerLikeRate }
        : {}),
    },
  };
}

/** Evidence points of a share: 1 at or under `some`, 2 at or under `clear`, 0 otherwise (or unmeasured). */
function points(share: number, some: number, clear: number): number {
  return share <= clear ? 2 : share <= some ? 1 : 0;
}
