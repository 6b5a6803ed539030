/**
 * A break that began inside the night: the established videos' views over the night's last hours against the
 * same clock hours a day before (so the time of day cancels out), once their ageing is taken out. A shadow ban
 * that began in the evening halves the night's gain at most, yet shows plainly in its last hours. Needs polls
 * at those four instants, so it is read only where the cadence allows.
 */
import { DAY_MS, HOUR_MS } from '../time.ts';
import { type AgeCurve, viewsBetween } from './age-curve.ts';
import { nearestComplete } from './nodes.ts';
import type { AccountSeries } from './series.ts';
import { weightedMedian } from './stats.ts';

/** The night's last hours compared... */
const LATE_HOURS = 10;
/** ...through complete polls this close to each instant. */
const INSTANT_SLACK_MS = 2 * HOUR_MS;
/** A video counts when it got at least this many views in the same hours a day before. */
const MIN_EARLIER_VIEWS = 10;
const MIN_VIDEOS = 3;

/** The reach of the night's last hours against the same hours a day before (log), or NaN. */
export function lateNightShift(
  series: AccountSeries,
  curve: AgeCurve,
  sizes: Float64Array,
  endRow: number,
): number {
  const end = series.times[endRow] as number;
  const rows = [end - LATE_HOURS * HOUR_MS, end - DAY_MS - LATE_HOURS * HOUR_MS, end - DAY_MS].map(
    (at) => nearestComplete(series, at, INSTANT_SLACK_MS, series.pollCount),
  );
  const [lateFrom, earlierFrom, earlierTo] = rows as [number, number, number];
  // Rounded counts move in steps as large as hours of views.
  if (rows.some((row) => row < 0 || series.rounded[row] === 1) || series.rounded[endRow] === 1)
    return Number.NaN;
  const { videoCount, views, postedAt, times } = series;
  const age = (video: number, row: number) =>
    ((times[row] as number) - (postedAt[video] as number)) / HOUR_MS;
  const values: number[] = [];
  const weights: number[] = [];
  for (let video = 0; video < videoCount; video += 1) {
    if (Number.isNaN(sizes[video] as number)) continue;
    const earlier =
      (views[earlierTo * videoCount + video] as number) -
      (views[earlierFrom * videoCount + video] as number);
    const late =
      (views[endRow * videoCount + video] as number) -
      (views[lateFrom * videoCount + video] as number);
    if (!(earlier >= MIN_EARLIER_VIEWS) || Number.isNaN(late) || age(video, earlierFrom) <= 0)
      continue;
    const ageing =
      viewsBetween(curve, age(video, lateFrom), age(video, endRow)) /
      viewsBetween(curve, age(video, earlierFrom), age(video, earlierTo));
    values.push(Math.log((Math.max(0, late) + 0.5) / (earlier * ageing)));
    weights.push(earlier);
  }
  return values.length >= MIN_VIDEOS ? weightedMedian(values, weights) : Number.NaN;
}
