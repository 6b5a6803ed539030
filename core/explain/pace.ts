/**
 * An account's pace: how many views and likes its videos gather between day-aligned nodes, once their ageing is
 * taken out. Each established video's views in each interval are compared with what the age curve predicts;
 * a robust two-way fit (median polish) splits that into the video's own size and the account's reach level in
 * the interval. Tonight is then judged against the recent level: its expected gain, the band around it, the
 * reach level tonight, and videos whose views stopped while the rest of the account went on.
 *
 * Works on any cadence and any thinning: one interval per day where polls allow, longer ones where they do not;
 * the band widens as intervals get fewer.
 */
import { DAY_MS, HOUR_MS } from '../time.ts';
import { type AgeCurve, cumulativeViews, fitCurve, viewsBetween } from './age-curve.ts';
import { curvePairs, isCoarse, MIN_MEASURED_AGE_HOURS } from './curve-pairs.ts';
import {
  backtest,
  type ExpectationModel,
  type ExpectedGain,
  expectedGain,
  typicalVideoSize,
} from './expectation.ts';
import { type FrozenVideo, frozenVideos } from './frozen.ts';
import { lateNightShift } from './late-night.ts';
import { type Gain, gainBetween, type Nodes } from './nodes.ts';
import {
  admitCoarse,
  baselineLevel,
  type CoarseCell,
  cellOf,
  levelError,
  MIN_LEVEL_VIDEOS,
  ONSET_DAYS,
  polish,
  reachSpread,
} from './reach-levels.ts';
import { type AccountSeries, viewChange } from './series.ts';
import { median } from './stats.ts';

/** One interval between consecutive nodes, with the account's reach level in it. */
export interface PaceInterval {
  fromMs: number;
  toMs: number;
  hours: number;
  /** Likes and views the account added (new videos included). */
  gain: Gain;
  /** Log reach level of the account's established videos (relative to the baseline level); NaN if unmeasured. */
  level: number;
  /** Established videos measured in it. */
  videos: number;
}

/** What the account's pace says of tonight. */
export interface PaceAnalysis {
  /** Intervals oldest first; the last is tonight's when `tonight` is set. */
  intervals: PaceInterval[];
  /** Tonight's interval (window's opening node to its last node), or null when the polls do not bracket it. */
  tonight: PaceInterval | null;
  /**
   * Likes and views tonight's span was expected to bring at the account's recent level, and the part of the likes
   * that new videos (too young for a size of their own) were to bring; null without history.
   */
  expected: Pick<ExpectedGain, 'likes' | 'views' | 'newLikes'> | null;
  /** Spread (log) of a night's gain around the expectation: reach noise and new videos' luck. */
  spread: number;
  /** Night-to-night spread (log) of the established videos' reach level. */
  reachSpread: number;
  /** The age curve the pace was measured with. */
  curve: AgeCurve;
  /** Tonight's reach level against the baseline level (log), its standard error, and the videos behind it. */
  reach: { shift: number; error: number; videos: number } | null;
  /** The night's last hours against the same hours a day before (log), for a break that began tonight. */
  lateShift: number;
  /** Likes per view of tonight's gain relative to the videos' own (1 = normal); NaN when too few views. */
  engagement: number;
  /** Established videos whose views stopped inside the window while the account went on, with the span. */
  /** With what the account's expectation held for each tonight from its stop on (`accountLikes`). */
  frozen: Array<FrozenVideo & { accountLikes: number }>;
  /** Each video's log size (views it gets relative to the curve at baseline level); NaN when unmeasured. */
  sizes: Float64Array;
  /** Each video's likes per view (at its last node before the window); NaN when too few views. */
  likeRates: Float64Array;
}

/** Measures the account's pace over its nodes, for the window (fromMs, toMs]. */
export function analyzePace(
  series: AccountSeries,
  nodes: Nodes,
  fromMs: number,
  toMs: number,
): PaceAnalysis {
  const { videoCount, views, likes, postedAt } = series;
  const nodeCount = nodes.rows.length;
  const intervalCount = Math.max(0, nodeCount - 1);
  const tonightIndex = nodes.anchor >= 0 ? nodes.anchor : -1;
  // Intervals before the window: what the curve, the sizes and the baseline are learned from.
  const preCount = tonightIndex >= 0 ? tonightIndex : countBefore(nodes.times, fromMs);
  const curve = fitCurve(curvePairs(series, nodes, preCount, fromMs));

  // Cell (video, interval): log of views gained over what the curve predicts for its ages; NaN if unmeasured.
  const cells = new Float64Array(videoCount * intervalCount).fill(Number.NaN);
  // The views gained in the cell; NaN where they were too coarse to count (rounded) or unmeasured.
  const counts = new Float64Array(videoCount * intervalCount).fill(Number.NaN);
  // The curve's views for the cell's ages: the cell's expected count is its video's size times this.
  const shapes = new Float64Array(videoCount * intervalCount);
  // The curve's cumulative views of each video at each node, computed once (each node ends one interval and
  // starts the next).
  const cumulative = new Float64Array(videoCount * nodeCount);
  for (let node = 0; node < nodeCount; node += 1) {
    const at = nodes.times[node] as number;
    for (let video = 0; video < videoCount; video += 1)
      cumulative[node * videoCount + video] = cumulativeViews(
        curve,
        (at - (postedAt[video] as number)) / HOUR_MS,
      );
  }
  // Views too coarse to measure on their own (rounded counts), for the reach level once sizes are known.
  const coarse: CoarseCell[] = [];
  for (let interval = 0; interval < intervalCount; interval += 1) {
    const fromRow = nodes.rows[interval] as number;
    const toRow = nodes.rows[interval + 1] as number;
    const start = nodes.times[interval] as number;
    for (let video = 0; video < videoCount; video += 1) {
      const age = (start - (postedAt[video] as number)) / HOUR_MS;
      if (age < MIN_MEASURED_AGE_HOURS) continue;
      const change = viewChange(series, video, fromRow, toRow);
      if (!change) continue;
      const cell = video * intervalCount + interval;
      shapes[cell] =
        (cumulative[(interval + 1) * videoCount + video] as number) -
        (cumulative[interval * videoCount + video] as number);
      if (isCoarse(change)) {
        coarse.push({ cell, video, ...change });
        continue;
      }
      cells[cell] = cellOf(change.increment, shapes[cell] as number);
      counts[cell] = change.increment;
    }
  }
  // The intervals before the window that ended before the days a break would begin in.
  const settledCount = Math.min(preCount, countBefore(nodes.times, fromMs - ONSET_DAYS * DAY_MS));
  const polishCells = () =>
    polish(cells, shapes, videoCount, intervalCount, preCount, settledCount);
  let { sizes, levels } = polishCells();
  if (admitCoarse(coarse, sizes, cells, shapes) > 0) ({ sizes, levels } = polishCells());
  const baseLevel = baselineLevel(nodes, levels, preCount, fromMs);
  const intervals: PaceInterval[] = [];
  for (let interval = 0; interval < intervalCount; interval += 1) {
    let measured = 0;
    for (let video = 0; video < videoCount; video += 1)
      if (!Number.isNaN(cells[video * intervalCount + interval] as number)) measured += 1;
    const from = nodes.times[interval] as number;
    const to = nodes.times[interval + 1] as number;
    intervals.push({
      fromMs: from,
      toMs: to,
      hours: (to - from) / HOUR_MS,
      gain: gainBetween(series, nodes.rows[interval] as number, nodes.rows[interval + 1] as number),
      level: (levels[interval] as number) - baseLevel,
      videos: measured,
    });
  }

  const likeRates = new Float64Array(videoCount).fill(Number.NaN);
  // Likes per view as the window opens (the last node before it), so tonight's events do not move them.
  const lastPreRow = nodeCount > preCount ? (nodes.rows[preCount] as number) : -1;
  if (lastPreRow >= 0) {
    for (let video = 0; video < videoCount; video += 1) {
      const videoViews = views[lastPreRow * videoCount + video] as number;
      if (videoViews >= 50)
        likeRates[video] = (likes[lastPreRow * videoCount + video] as number) / videoViews;
    }
  }
  const tonight = tonightIndex >= 0 ? (intervals[tonightIndex] as PaceInterval) : null;
  const spreadOfReach = reachSpread(intervals, preCount, fromMs);
  const base: PaceAnalysis = {
    intervals,
    tonight,
    expected: null,
    spread: spreadOfReach,
    reachSpread: spreadOfReach,
    curve,
    reach: null,
    lateShift: Number.NaN,
    engagement: Number.NaN,
    frozen: [],
    sizes,
    likeRates,
  };
  if (!tonight) return base;

  const typicalSize = typicalVideoSize(series, sizes, fromMs);
  const typicalRate = median([...likeRates].filter((rate) => !Number.isNaN(rate)));
  const endRow = nodes.rows[tonightIndex + 1] as number;
  const model: ExpectationModel = {
    series,
    cumulative,
    nodeTimes: nodes.times,
    sizes,
    likeRates,
    typicalSize,
    typicalRate,
    level: baseLevel,
  };
  const tonightByVideo = new Float64Array(videoCount);
  const tonightGain = expectedGain(model, tonightIndex, tonightIndex + 1, endRow, tonightByVideo);
  const tried = backtest(
    model,
    intervals.slice(0, preCount).map((interval, index) => ({
      fromNode: index,
      toNode: index + 1,
      toRow: nodes.rows[index + 1] as number,
      likes: interval.gain.likes,
    })),
    fromMs,
  );
  // Likes per view of tonight's gain on the videos whose views it measured outright (a coarse cell's views
  // say too little for likes per view), against their own.
  let establishedViews = 0;
  let establishedLikes = 0;
  let gainedViews = 0;
  let gainedLikes = 0;
  for (let video = 0; video < videoCount; video += 1) {
    const count = counts[video * intervalCount + tonightIndex] as number;
    const rate = likeRates[video] as number;
    if (Number.isNaN(count) || Number.isNaN(sizes[video] as number) || Number.isNaN(rate)) continue;
    const predicted =
      Math.exp(sizes[video] as number) * (shapes[video * intervalCount + tonightIndex] as number);
    establishedViews += predicted;
    establishedLikes += predicted * rate;
    gainedViews += count;
    gainedLikes += likeGain(series, video, nodes.rows[tonightIndex] as number, endRow);
  }
  // Without a single video measured before the window, history says nothing of tonight.
  const hasExpectation = !Number.isNaN(typicalSize);
  const tonightLevel = levels[tonightIndex] as number;
  const measured = tonight.videos;
  // The account's own record corrects the expectation's bias and sets the band.
  const correction = Math.exp(tried.bias);
  return {
    ...base,
    expected: hasExpectation
      ? {
          likes: tonightGain.likes * correction,
          views: tonightGain.views * correction,
          newLikes: tonightGain.newLikes * correction,
        }
      : null,
    spread: tried.spread,
    reach:
      measured >= MIN_LEVEL_VIDEOS && !Number.isNaN(tonightLevel)
        ? {
            shift: tonightLevel - baseLevel,
            error: levelError(cells, shapes, sizes, tonightIndex, intervalCount, tonightLevel),
            videos: measured,
          }
        : null,
    engagement:
      gainedViews >= 100 && establishedLikes > 0 && establishedViews > 0
        ? gainedLikes / gainedViews / (establishedLikes / establishedViews)
        : Number.NaN,
    frozen: frozenVideos(series, curve, fromMs, toMs).map((entry) => ({
      ...entry,
      accountLikes: hasExpectation
        ? (tonightByVideo[entry.video] as number) *
          correction *
          shareSince(series, curve, entry, nodes.times[tonightIndex] as number, tonight.toMs)
        : 0,
    })),
    lateShift: lateNightShift(series, curve, sizes, endRow),
  };
}

/**
 * The share of a video's views over tonight's span that falls after it stopped: what the account's expectation
 * held for it tonight from then on, which knows what the account's videos usually get at that age, where the
 * first hours of a young video's own pace cannot tell (`restricted.ts` takes the more of the two).
 */
function shareSince(
  series: AccountSeries,
  curve: AgeCurve,
  entry: FrozenVideo,
  spanFromMs: number,
  spanToMs: number,
): number {
  const posted = series.postedAt[entry.video] as number;
  const age = (at: number) => (at - posted) / HOUR_MS;
  const whole = viewsBetween(curve, age(spanFromMs), age(spanToMs));
  const after = viewsBetween(curve, age(Math.max(spanFromMs, entry.sinceMs)), age(spanToMs));
  return whole > 0 ? Math.min(1, after / whole) : 0;
}

function countBefore(times: readonly number[], atMs: number): number {
  let count = 0;
  for (let index = 1; index < times.length; index += 1)
    if ((times[index] as number) <= atMs) count += 1;
  return count;
}

function likeGain(series: AccountSeries, video: number, fromRow: number, toRow: number): number {
  const { videoCount, likes } = series;
  return Math.max(
    0,
    (likes[toRow * videoCount + video] as number) - (likes[fromRow * videoCount + video] as number),
  );
}

/** The median reach level of the last week's intervals against that of intervals ending by `oldTo`. */
export function reachTrend(
  intervals: readonly PaceInterval[],
  fromMs: number,
  oldTo: number,
): number {
  const recent: number[] = [];
  const old: number[] = [];
  for (const interval of intervals) {
    if (Number.isNaN(interval.level) || interval.toMs > fromMs) continue;
    if (interval.toMs >= fromMs - 7 * DAY_MS) recent.push(interval.level);
    else if (interval.toMs <= oldTo) old.push(interval.level);
  }
  return recent.length > 0 && old.length > 0 ? median(recent) - median(old) : Number.NaN;
}

/** Likes per hour over the intervals inside [fromMs, toMs], NaN with fewer than `minDays` of them. */
export function rateWithin(
  intervals: readonly PaceInterval[],
  fromMs: number,
  toMs: number,
  minDays: number,
): number {
  let likes = 0;
  let hours = 0;
  for (const interval of intervals) {
    if (interval.fromMs < fromMs || interval.toMs > toMs) continue;
    likes += interval.gain.likes;
    hours += interval.hours;
  }
  return hours >= minDays * 24 ? likes / hours : Number.NaN;
}
