/**
 * How a video's views slow down with age: the log of its view rate falls with the log of its age at a slope per
 * age band (fast after posting, a long tail later). The engine compares a video's pace in two intervals only
 * after taking out what its ageing alone explains, so a quiet night of old videos is not a slowdown and a young
 * video settling down is not a break.
 *
 * The shape starts from a prior and is refitted per account on the account's own history (videos of different
 * ages seen over the same intervals tell ageing apart from the account's reach moving), shrunk towards the prior
 * as the evidence thins.
 */

/** Lower edges (hours) of the age bands; the last band is open. Below the first, the rate is flat. */
const BAND_EDGES_HOURS = [1, 12, 36, 96, 240, 600];

/**
 * Prior slopes of log rate against log age per band: near flat in the first hours, then falling a little faster
 * than one over age (most of a video's views come in its first days), easing off into the tail.
 */
const PRIOR_SLOPES = [-0.5, -1.3, -1.6, -1.6, -1.5, -1.3];

/**
 * Slopes are kept within this range. Rising rates are allowed: a video's daily views can climb for its first
 * days before they decay.
 */
const MIN_SLOPE = -4;
const MAX_SLOPE = 3;

/**
 * Weight of the prior, in the units of the fit's evidence (a video-interval pair carries at most
 * {@link MAX_PAIR_WEIGHT}, times its spread of log age squared).
 */
const PRIOR_WEIGHT = 4;
/** A pair's weight is its Poisson precision, capped: beyond a few dozen views, videos vary more than counts. */
export const MAX_PAIR_WEIGHT = 40;

/** A view-rate curve: log rate at each band's lower edge and the slope within it. */
export interface AgeCurve {
  slopes: readonly number[];
  /** Log rate at each band's lower edge (0 at the first). */
  levels: readonly number[];
  /** Cumulative views (in the curve's units) at each band's lower edge. */
  cumulative: readonly number[];
}

/** Builds a curve from band slopes. */
export function curveFromSlopes(slopes: readonly number[]): AgeCurve {
  const levels = [0];
  const cumulative = [BAND_EDGES_HOURS[0] as number];
  for (let band = 0; band < BAND_EDGES_HOURS.length - 1; band += 1) {
    const from = BAND_EDGES_HOURS[band] as number;
    const to = BAND_EDGES_HOURS[band + 1] as number;
    const level = levels[band] as number;
    const slope = slopes[band] as number;
    levels.push(level + slope * Math.log(to / from));
    cumulative.push((cumulative[band] as number) + bandIntegral(level, slope, from, from, to));
  }
  return { slopes, levels, cumulative };
}

/** The prior curve. */
export const PRIOR_CURVE = curveFromSlopes(PRIOR_SLOPES);

/** ∫ rate over [x, y] inside a band starting at `edge` with log rate `level` there and slope `slope`. */
function bandIntegral(level: number, slope: number, edge: number, x: number, y: number): number {
  const scale = Math.exp(level) * edge;
  if (Math.abs(slope + 1) < 1e-9) return scale * Math.log(y / x);
  return (scale / (slope + 1)) * ((y / edge) ** (slope + 1) - (x / edge) ** (slope + 1));
}

function bandOf(ageHours: number): number {
  let band = -1;
  for (let index = 0; index < BAND_EDGES_HOURS.length; index += 1) {
    if (ageHours >= (BAND_EDGES_HOURS[index] as number)) band = index;
  }
  return band;
}

/** Cumulative views of the curve from posting to `ageHours`. */
export function cumulativeViews(curve: AgeCurve, ageHours: number): number {
  if (!(ageHours > 0)) return 0;
  const band = bandOf(ageHours);
  if (band < 0) return ageHours;
  const edge = BAND_EDGES_HOURS[band] as number;
  return (
    (curve.cumulative[band] as number) +
    bandIntegral(curve.levels[band] as number, curve.slopes[band] as number, edge, edge, ageHours)
  );
}

/** The curve's views between two ages (hours; the earlier may be before posting). */
export function viewsBetween(curve: AgeCurve, fromAgeHours: number, toAgeHours: number): number {
  return cumulativeViews(curve, toAgeHours) - cumulativeViews(curve, Math.max(0, fromAgeHours));
}

/**
 * One observation for fitting: a video's log view-rate change between two consecutive intervals of one
 * account, the ages (hours) at the intervals' ends, and a weight. Pairs share `group` when they cover the
 * same two intervals: the account's reach moving between the intervals is common to the group.
 */
export interface CurvePair {
  group: number;
  logRatio: number;
  /** Ages at the start and end of the earlier and of the later interval. */
  ages: readonly [number, number, number, number];
  weight: number;
}

/** The log-age span of each band covered going from the earlier interval's typical age to the later's. */
function bandSpans(ages: CurvePair['ages']): number[] {
  const spans = new Array<number>(PRIOR_SLOPES.length).fill(0);
  const from = Math.log(Math.max(1, logMean(ages[0], ages[1])));
  const to = Math.log(Math.max(1, logMean(ages[2], ages[3])));
  for (let band = 0; band < PRIOR_SLOPES.length; band += 1) {
    const low = Math.log(BAND_EDGES_HOURS[band] as number);
    const high =
      band + 1 < BAND_EDGES_HOURS.length
        ? Math.log(BAND_EDGES_HOURS[band + 1] as number)
        : Number.POSITIVE_INFINITY;
    spans[band] = Math.max(0, Math.min(to, high) - Math.max(from, low));
  }
  return spans;
}

/** The age at which a power law with slope -1 has its interval-average rate (the logarithmic mean). */
function logMean(a: number, b: number): number {
  const x = Math.max(a, 1e-3);
  const y = Math.max(b, 1e-3);
  return Math.abs(y - x) < 1e-6 ? x : (y - x) / Math.log(y / x);
}

/**
 * Fits band slopes to pairs (within each group, so the account's reach changes drop out), shrunk towards the
 * prior: ridge regression of the log-ratio on the log-age span per band.
 */
export function fitCurve(pairs: readonly CurvePair[]): AgeCurve {
  const bands = PRIOR_SLOPES.length;
  // Centre each group (weighted) so only differences between videos of the same two intervals remain.
  const byGroup = new Map<number, { spans: number[][]; pairs: CurvePair[] }>();
  for (const pair of pairs) {
    const entry = byGroup.get(pair.group) ?? { spans: [], pairs: [] };
    entry.spans.push(bandSpans(pair.ages));
    entry.pairs.push(pair);
    byGroup.set(pair.group, entry);
  }
  const matrix = Array.from({ length: bands }, () => new Array<number>(bands).fill(0));
  const vector = new Array<number>(bands).fill(0);
  for (const { spans, pairs: members } of byGroup.values()) {
    if (members.length < 2) continue;
    let total = 0;
    let meanY = 0;
    const meanX = new Array<number>(bands).fill(0);
    members.forEach((pair, index) => {
      total += pair.weight;
      meanY += pair.weight * pair.logRatio;
      const span = spans[index] as number[];
      for (let band = 0; band < bands; band += 1)
        meanX[band] = (meanX[band] as number) + pair.weight * (span[band] as number);
    });
    meanY /= total;
    for (let band = 0; band < bands; band += 1) meanX[band] = (meanX[band] as number) / total;
    members.forEach((pair, index) => {
      const span = spans[index] as number[];
      const y = pair.logRatio - meanY;
      for (let row = 0; row < bands; row += 1) {
        const xr = (span[row] as number) - (meanX[row] as number);
        vector[row] = (vector[row] as number) + pair.weight * xr * y;
        const matrixRow = matrix[row] as number[];
        for (let column = 0; column < bands; column += 1) {
          const xc = (span[column] as number) - (meanX[column] as number);
          matrixRow[column] = (matrixRow[column] as number) + pair.weight * xr * xc;
        }
      }
    });
  }
  for (let band = 0; band < bands; band += 1) {
    const row = matrix[band] as number[];
    row[band] = (row[band] as number) + PRIOR_WEIGHT;
    vector[band] = (vector[band] as number) + PRIOR_WEIGHT * (PRIOR_SLOPES[band] as number);
  }
  const solved = solve(matrix, vector);
  return curveFromSlopes(
    solved.map((slope, band) =>
      Number.isFinite(slope)
        ? Math.min(MAX_SLOPE, Math.max(MIN_SLOPE, slope))
        : (PRIOR_SLOPES[band] as number),
    ),
  );
}

/** Solves a small symmetric positive-definite system by Gaussian elimination with partial pivoting. */
function solve(matrix: number[][], vector: number[]): number[] {
  const size = vector.length;
  const a = matrix.map((row, index) => [...row, vector[index] as number]);
  for (let column = 0; column < size; column += 1) {
    let pivot = column;
    for (let row = column + 1; row < size; row += 1) {
      if (Math.abs(a[row]?.[column] as number) > Math.abs(a[pivot]?.[column] as number))
        pivot = row;
    }
    [a[column], a[pivot]] = [a[pivot] as number[], a[column] as number[]];
    const lead = a[column] as number[];
    for (let row = column + 1; row < size; row += 1) {
      const current = a[row] as number[];
      const factor = (current[column] as number) / (lead[column] as number);
      for (let k = column; k <= size; k += 1)
        current[k] = (current[k] as number) - factor * (lead[k] as number);
    }
  }
  const result = new Array<number>(size).fill(0);
  for (let row = size - 1; row >= 0; row -= 1) {
    const current = a[row] as number[];
    let sum = current[size] as number;
    for (let k = row + 1; k < size; k += 1) sum -= (current[k] as number) * (result[k] as number);
    result[row] = sum / (current[row] as number);
  }
  return result;
}
