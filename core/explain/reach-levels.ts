/**
 * The account's reach level per interval and each video's size, from a robust two-way fit (median polish) of
 * how far each video's views between two nodes were from what the age curve predicts; the baseline level, the
 * ordinary night-to-night spread of the level, and how sure an interval's level is.
 */
import { DAY_MS } from '../time.ts';
import type { Nodes } from './nodes.ts';
import type { PaceInterval } from './pace.ts';
import { median, medianInPlace, weightedMedian, weightedMedianInPlace } from './stats.ts';

/** The baseline level is the median of the intervals of this many days before the window. */
const BASELINE_DAYS = 14;
/** Prior night-to-night spread of an account's reach (log), and how many nights it counts as. */
const PRIOR_REACH_SPREAD = 0.25;
const PRIOR_REACH_NIGHTS = 3;
/** The ordinary spread is read from this many days of history. */
const SPREAD_DAYS = 56;
/** Only day-long intervals show how one night varies from the next. */
const MAX_SPREAD_INTERVAL_HOURS = 36;
/** The days before the window where a break would begin: kept out of the ordinary spread, and of sizes. */
export const ONSET_DAYS = 5;
/** Below this many measured videos, an interval's reach level is not measured. */
export const MIN_LEVEL_VIDEOS = 3;
/** A video counts towards an interval's level when it was expected this many views in it. */
const MIN_LEVEL_VIEWS = 3;
/** A coarse cell counts towards the level where its rounding is at most this share of its expected views. */
const MAX_COARSE_SHARE = 0.4;
/** A video's size comes from the intervals before a break could begin where it has this many of them. */
const MIN_SETTLED_CELLS = 3;
/** Iterations of the median polish; it settles in a few. */
const POLISH_ROUNDS = 3;

/**
 * Median polish of the cells: each video's size from the intervals before the window only (so that tonight
 * cannot move the yardstick it is measured with), and from those of them that ended before the days a break
 * would begin in (`settledCount`) where the video has {@link MIN_SETTLED_CELLS} there: a limit begun days ago
 * would otherwise read as the small size of the videos it hit, and their level tonight as usual. Then each
 * interval's level as the median over its views: every video weighs what it was expected to get, so the few
 * videos that carry an account count, and the many old ones that get a view now and then do not drown them.
 */
export function polish(
  cells: Float64Array,
  shapes: Float64Array,
  videoCount: number,
  intervalCount: number,
  preCount: number,
  settledCount: number,
): { sizes: Float64Array; levels: Float64Array } {
  const sizes = new Float64Array(videoCount).fill(Number.NaN);
  const levels = new Float64Array(intervalCount);
  const scratch = new Float64Array(Math.max(preCount, 1));
  const level = scratchFor(videoCount);
  // Appends a video's residuals (cell minus level) over intervals [from, to) to the `found` already in the
  // scratch; returns how many there are then.
  const residuals = (video: number, from: number, to: number, found: number): number => {
    let count = found;
    for (let interval = from; interval < to; interval += 1) {
      const cell = cells[video * intervalCount + interval] as number;
      if (Number.isNaN(cell)) continue;
      scratch[count] = cell - (levels[interval] as number);
      count += 1;
    }
    return count;
  };
  for (let round = 0; round < POLISH_ROUNDS; round += 1) {
    for (let video = 0; video < videoCount; video += 1) {
      let count = residuals(video, 0, settledCount, 0);
      if (count < MIN_SETTLED_CELLS) count = residuals(video, settledCount, preCount, count);
      sizes[video] = count > 0 ? medianInPlace(scratch, count) : Number.NaN;
    }
    for (let interval = 0; interval < intervalCount; interval += 1) {
      const measured = levelOf(cells, shapes, sizes, interval, intervalCount, level);
      // Unmeasured levels stay neutral while sizes are refined, and are marked as such at the end.
      levels[interval] = Number.isNaN(measured) && round < POLISH_ROUNDS - 1 ? 0 : measured;
    }
  }
  return { sizes, levels };
}

/** A cell's value: the log of the views a video gained over what its size-one curve predicts for its ages. */
export function cellOf(increment: number, shape: number): number {
  return Math.log((increment + 0.5) / shape);
}

/** A cell whose views were left out for rounding: where it goes, its video, the views counted and the slack. */
export interface CoarseCell {
  cell: number;
  video: number;
  increment: number;
  slack: number;
}

/**
 * Rounded counts leave a video's views between two polls unmeasured where rounding could be a large share of
 * them. Left out by what they gained, though, a reach limit that shrinks every video's gain leaves only the
 * videos it spared, and the level reads what they did. So, once the sizes are known, a coarse cell counts
 * towards the level where its rounding is small beside what its video was expected to gain, whatever it did
 * gain. Writes the admitted cells; returns how many.
 */
export function admitCoarse(
  coarse: readonly CoarseCell[],
  sizes: Float64Array,
  cells: Float64Array,
  shapes: Float64Array,
): number {
  let admitted = 0;
  for (const entry of coarse) {
    const shape = shapes[entry.cell] as number;
    const expected = Math.exp(sizes[entry.video] as number) * shape;
    if (!(entry.slack <= MAX_COARSE_SHARE * expected)) continue;
    cells[entry.cell] = cellOf(entry.increment, shape);
    admitted += 1;
  }
  return admitted;
}

/** One interval's level: the weighted median residual of its measured videos (NaN with too few). */
function levelOf(
  cells: Float64Array,
  shapes: Float64Array,
  sizes: Float64Array,
  interval: number,
  intervalCount: number,
  scratch: LevelScratch,
): number {
  const count = levelResiduals(cells, shapes, sizes, interval, intervalCount, scratch);
  return count >= MIN_LEVEL_VIDEOS
    ? weightedMedianInPlace(scratch.values, scratch.weights, count)
    : Number.NaN;
}

/** Room for one interval's residuals and weights, reused across intervals and rounds. */
interface LevelScratch {
  values: Float64Array;
  weights: Float64Array;
}

function scratchFor(videoCount: number): LevelScratch {
  return { values: new Float64Array(videoCount), weights: new Float64Array(videoCount) };
}

/**
 * Puts the interval's measured videos' residuals (cell minus size) and weights (the views each was expected)
 * at the start of the scratch arrays; returns how many.
 */
function levelResiduals(
  cells: Float64Array,
  shapes: Float64Array,
  sizes: Float64Array,
  interval: number,
  intervalCount: number,
  scratch: LevelScratch,
): number {
  let count = 0;
  for (let video = 0; video < sizes.length; video += 1) {
    const cell = cells[video * intervalCount + interval] as number;
    const size = sizes[video] as number;
    if (Number.isNaN(cell) || Number.isNaN(size)) continue;
    const expected = Math.exp(size) * (shapes[video * intervalCount + interval] as number);
    if (expected < MIN_LEVEL_VIEWS) continue;
    scratch.values[count] = cell - size;
    scratch.weights[count] = expected;
    count += 1;
  }
  return count;
}

/** The median level over the intervals of the last {@link BASELINE_DAYS} before the window (by hours). */
export function baselineLevel(
  nodes: Nodes,
  levels: Float64Array,
  preCount: number,
  fromMs: number,
): number {
  const values: number[] = [];
  const weights: number[] = [];
  for (let interval = preCount - 1; interval >= 0; interval -= 1) {
    const end = nodes.times[interval + 1] as number;
    const start = nodes.times[interval] as number;
    if (end < fromMs - BASELINE_DAYS * DAY_MS) break;
    const level = levels[interval] as number;
    if (Number.isNaN(level)) continue;
    values.push(level);
    weights.push(Math.min(end, fromMs) - Math.max(start, fromMs - BASELINE_DAYS * DAY_MS));
  }
  return values.length > 0 ? weightedMedian(values, weights) : 0;
}

/**
 * Night-to-night spread of the reach level (log), from the day-long intervals before the window but for its
 * last few days (where a break that tonight is judged for would begin), robustly. Shrunk towards a prior, so a
 * few intervals do not promise a narrow band and thin history keeps a wide one.
 */
export function reachSpread(
  intervals: readonly PaceInterval[],
  preCount: number,
  fromMs: number,
): number {
  const squares: number[] = [];
  for (let interval = 0; interval < preCount; interval += 1) {
    const entry = intervals[interval] as PaceInterval;
    if (Number.isNaN(entry.level) || entry.hours > MAX_SPREAD_INTERVAL_HOURS) continue;
    if (entry.toMs < fromMs - SPREAD_DAYS * DAY_MS || entry.toMs > fromMs - ONSET_DAYS * DAY_MS)
      continue;
    squares.push(entry.level ** 2);
  }
  // The median of squared normal deviations is 0.455 of their variance.
  const measured = squares.length > 0 ? median(squares) / 0.455 : 0;
  return Math.sqrt(
    (squares.length * measured + PRIOR_REACH_NIGHTS * PRIOR_REACH_SPREAD ** 2) /
      (squares.length + PRIOR_REACH_NIGHTS),
  );
}

/**
 * Standard error of an interval's level: the weighted spread of its videos' residuals over their effective
 * number (a few videos carrying most of the weight count as few).
 */
export function levelError(
  cells: Float64Array,
  shapes: Float64Array,
  sizes: Float64Array,
  interval: number,
  intervalCount: number,
  level: number,
): number {
  const scratch = scratchFor(sizes.length);
  const count = levelResiduals(cells, shapes, sizes, interval, intervalCount, scratch);
  if (count === 0) return Number.POSITIVE_INFINITY;
  let total = 0;
  let squares = 0;
  for (let index = 0; index < count; index += 1) {
    const weight = scratch.weights[index] as number;
    total += weight;
    squares += weight * weight;
    scratch.values[index] = Math.abs((scratch.values[index] as number) - level);
  }
  const effective = (total * total) / squares;
  return (
    (1.4826 * 1.25 * weightedMedianInPlace(scratch.values, scratch.weights, count)) /
    Math.sqrt(effective)
  );
}
