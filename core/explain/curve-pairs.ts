/**
 * The evidence the age curve is fitted on: each established video's view rate in consecutive intervals before the
 * window, so that videos of different ages seen over the same intervals tell ageing apart from the account's reach
 * moving (see `age-curve.ts`). Also what counts as a video's views measured outright.
 */
import { DAY_MS, HOUR_MS } from '../time.ts';
import { type CurvePair, MAX_PAIR_WEIGHT } from './age-curve.ts';
import type { Nodes } from './nodes.ts';
import { type AccountSeries, viewChange } from './series.ts';

/** A video younger than this at an interval's start is not measured in it: its first hours are too steep. */
export const MIN_MEASURED_AGE_HOURS = 12;
/** A video's views between two polls are measured outright when rounding could move them by this share at most. */
const MAX_ROUNDING_SHARE = 0.2;

/** A video's views gained between two rows, NaN if unlisted or too coarse to measure outright. */
function measuredIncrement(
  series: AccountSeries,
  video: number,
  fromRow: number,
  toRow: number,
): number {
  const change = viewChange(series, video, fromRow, toRow);
  return change && !isCoarse(change) ? change.increment : Number.NaN;
}

/** Rounding could move the views gained by more than {@link MAX_ROUNDING_SHARE} of them. */
export function isCoarse(change: { increment: number; slack: number }): boolean {
  return change.slack > MAX_ROUNDING_SHARE * change.increment && change.slack > 0;
}

/**
 * Pairs ending in the last this many days before the window count this much: that is where a break judged
 * tonight would have begun, and a reach limit that hits new videos hardest reads there as faster ageing (with
 * history thinned to one poll per ten days beyond four days, those pairs are nearly all the fit has).
 */
const CURVE_ONSET_DAYS = 4;
const ONSET_PAIR_WEIGHT = 0.1;

/** Pairs of consecutive intervals before the window, per video, for fitting the age curve. */
export function curvePairs(
  series: AccountSeries,
  nodes: Nodes,
  preCount: number,
  fromMs: number,
): CurvePair[] {
  const pairs: CurvePair[] = [];
  const { videoCount, postedAt } = series;
  for (let second = 1; second < preCount; second += 1) {
    const [t0, t1, t2] = [second - 1, second, second + 1].map(
      (index) => nodes.times[index] as number,
    );
    const onsetWeight = (t2 as number) > fromMs - CURVE_ONSET_DAYS * DAY_MS ? ONSET_PAIR_WEIGHT : 1;
    const [r0, r1, r2] = [second - 1, second, second + 1].map(
      (index) => nodes.rows[index] as number,
    );
    for (let video = 0; video < videoCount; video += 1) {
      const posted = postedAt[video] as number;
      if ((t0 as number) - posted < MIN_MEASURED_AGE_HOURS * HOUR_MS) continue;
      const first = measuredIncrement(series, video, r0 as number, r1 as number);
      const later = measuredIncrement(series, video, r1 as number, r2 as number);
      if (!(first >= 10) || Number.isNaN(later)) continue;
      const h1 = ((t1 as number) - (t0 as number)) / HOUR_MS;
      const h2 = ((t2 as number) - (t1 as number)) / HOUR_MS;
      pairs.push({
        group: second,
        logRatio: Math.log((later + 0.5) / h2) - Math.log((first + 0.5) / h1),
        ages: [
          ((t0 as number) - posted) / HOUR_MS,
          ((t1 as number) - posted) / HOUR_MS,
          ((t1 as number) - posted) / HOUR_MS,
          ((t2 as number) - posted) / HOUR_MS,
        ],
        weight: onsetWeight * Math.min(MAX_PAIR_WEIGHT, 1 / (1 / (first + 1) + 1 / (later + 1))),
      });
    }
  }
  return pairs;
}
