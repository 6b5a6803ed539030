/** Small robust statistics used by the engine. Inputs are never mutated. */

/** The q-quantile (0–1) by linear interpolation; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

/** The median; NaN for an empty list. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Spearman rank correlation of two equally long lists (ties get their mean rank); NaN below 3 pairs. */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  const count = xs.length;
  if (count < 3 || ys.length !== count) return Number.NaN;
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mean = (count - 1) / 2;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let index = 0; index < count; index += 1) {
    const dx = (rx[index] as number) - mean;
    const dy = (ry[index] as number) - mean;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  return varianceX === 0 || varianceY === 0 ? 0 : covariance / Math.sqrt(varianceX * varianceY);
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const result = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.value === order[start]?.value) end += 1;
    for (let position = start; position <= end; position += 1) {
      result[(order[position] as { index: number }).index] = (start + end) / 2;
    }
    start = end + 1;
  }
  return result;
}

/** Clamps into [low, high]. */
export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** A smooth step from 0 (at or below `low`) to 1 (at or above `high`), for turning a measure into a score. */
export function ramp(value: number, low: number, high: number): number {
  if (!(high > low)) return value >= high ? 1 : 0;
  return clamp((value - low) / (high - low), 0, 1);
}

/** The weighted median: the value where half the weight lies on either side. */
export function weightedMedian(values: readonly number[], weights: readonly number[]): number {
  const order = values
    .map((_, index) => index)
    .sort((a, b) => (values[a] as number) - (values[b] as number));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let running = 0;
  for (const index of order) {
    running += weights[index] as number;
    if (running >= total / 2) return values[index] as number;
  }
  return Number.NaN;
}

/**
 * The median of the first `count` values of `values`, reordering them (quickselect, no allocation): for the
 * engine's inner loops. NaN when `count` is 0.
 */
export function medianInPlace(values: Float64Array, count: number): number {
  if (count === 0) return Number.NaN;
  const upper = select(values, count, count >> 1);
  if (count % 2 === 1) return upper;
  let lower = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < count >> 1; index += 1)
    if ((values[index] as number) > lower) lower = values[index] as number;
  return (lower + upper) / 2;
}

/** Puts the k-th smallest of the first `count` values at index k (everything before it no larger). */
function select(values: Float64Array, count: number, k: number): number {
  let left = 0;
  let right = count - 1;
  while (left < right) {
    const pivot = values[(left + right) >> 1] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i += 1;
      while ((values[j] as number) > pivot) j -= 1;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k] as number;
}

/**
 * The weighted median of the first `count` values (as {@link weightedMedian}), reordering values and weights
 * together without allocating: for the engine's inner loops.
 */
export function weightedMedianInPlace(
  values: Float64Array,
  weights: Float64Array,
  count: number,
): number {
  let total = 0;
  for (let index = 0; index < count; index += 1) total += weights[index] as number;
  const half = total / 2;
  let left = 0;
  let right = count - 1;
  let below = 0;
  while (left <= right) {
    if (left === right) return values[left] as number;
    const pivot = values[(left + right) >> 1] as number;
    // Three-way partition of [left, right]: below the pivot, equal to it, above it.
    let lower = left;
    let scan = left;
    let upper = right;
    while (scan <= upper) {
      const value = values[scan] as number;
      if (value < pivot) {
        swap(values, weights, lower, scan);
        lower += 1;
        scan += 1;
      } else if (value > pivot) {
        swap(values, weights, scan, upper);
        upper -= 1;
      } else scan += 1;
    }
    let lowerWeight = 0;
    for (let index = left; index < lower; index += 1) lowerWeight += weights[index] as number;
    let equalWeight = 0;
    for (let index = lower; index <= upper; index += 1) equalWeight += weights[index] as number;
    if (below + lowerWeight >= half && lower > left) right = lower - 1;
    else if (below + lowerWeight + equalWeight >= half) return pivot;
    else {
      below += lowerWeight + equalWeight;
      left = upper + 1;
    }
  }
  return Number.NaN;
}

function swap(values: Float64Array, weights: Float64Array, a: number, b: number): void {
  const value = values[a] as number;
  values[a] = values[b] as number;
  values[b] = value;
  const weight = weights[a] as number;
  weights[a] = weights[b] as number;
  weights[b] = weight;
}
