/**
 * What an interval is expected to bring: each video's views from its size and age along the curve, at the
 * account's baseline reach, times its likes per view; a video too new to have a size of its own is expected to
 * do as the account's recent videos do. The same expectation, tried on the account's own past nights, says how
 * far off it usually is (the band of ordinary nights) and whether it runs low or high for this account.
 */
import { DAY_MS, HOUR_MS } from '../time.ts';
import type { AccountSeries } from './series.ts';
import { median, quantile } from './stats.ts';

/** New videos are expected to do as the account's videos of this many days before the window did. */
const RECENT_VIDEO_DAYS = 21;
/** A video is expected from its own size only when it was measured at least this long before the interval. */
const MIN_SIZED_AGE_HOURS = 12;
/** Prior spread (log) of a night's gain around its expectation, and how many nights the prior counts as. */
const PRIOR_NIGHT_SPREAD = 0.6;
const PRIOR_NIGHTS = 4;
/** Past nights are tried from this many days before the window. */
const BACKTEST_DAYS = 56;
/** Day-long intervals are nights; longer ones stand for at most this many nights when there are next to none. */
const MAX_NIGHTS_PER_INTERVAL = 10;
const MIN_NIGHTS_FOR_DAYS_ONLY = 5;
/** With at least this many nights of its own, an account's longer intervals are read as nights are. */
const MIN_NIGHTS_FOR_OWN_SPREAD = 2;
/** How far the account's own record may move the expectation (log): it corrects a bias, not the level. */
const MAX_BIAS = Math.log(2);

/** Everything the expectation of an interval needs. */
export interface ExpectationModel {
  series: AccountSeries;
  /** The age curve's cumulative views of each video at each node (`node * videoCount + video`). */
  cumulative: Float64Array;
  /** The nodes' instants (ms). */
  nodeTimes: readonly number[];
  /** Each video's log size (NaN when unmeasured) and likes per view (NaN when too few views). */
  sizes: Float64Array;
  likeRates: Float64Array;
  /** For videos without their own: the account's recent videos' median size and likes per view. */
  typicalSize: number;
  typicalRate: number;
  /** The account's baseline reach level (log). */
  level: number;
}

/** Likes and views an interval is expected to bring, and the part of the likes new videos bring. */
export interface ExpectedGain {
  likes: number;
  views: number;
  newLikes: number;
  newVideos: number;
}

/** The typical size of the account's videos, from the recent ones where there are enough (log). */
export function typicalVideoSize(
  series: AccountSeries,
  sizes: Float64Array,
  fromMs: number,
): number {
  const recent: number[] = [];
  const all: number[] = [];
  for (let video = 0; video < series.videoCount; video += 1) {
    const size = sizes[video] as number;
    if (Number.isNaN(size)) continue;
    all.push(size);
    if ((series.postedAt[video] as number) >= fromMs - RECENT_VIDEO_DAYS * DAY_MS)
      recent.push(size);
  }
  return recent.length >= 3 ? median(recent) : all.length > 0 ? median(all) : Number.NaN;
}

/**
 * What the interval between two nodes should bring for the videos listed at `endRow` (the later node's poll)
 * and posted before its end. Videos posted less than {@link MIN_SIZED_AGE_HOURS} before the interval count as
 * new. With `perVideoLikes`, each video's expected likes are also written into it (by video index).
 */
export function expectedGain(
  model: ExpectationModel,
  fromNode: number,
  toNode: number,
  endRow: number,
  perVideoLikes?: Float64Array,
): ExpectedGain {
  const { series, cumulative, sizes, likeRates } = model;
  const { videoCount, likes, postedAt } = series;
  const startMs = model.nodeTimes[fromNode] as number;
  const endMs = model.nodeTimes[toNode] as number;
  const gain: ExpectedGain = { likes: 0, views: 0, newLikes: 0, newVideos: 0 };
  for (let video = 0; video < videoCount; video += 1) {
    const posted = postedAt[video] as number;
    if (posted >= endMs || Number.isNaN(likes[endRow * videoCount + video] as number)) continue;
    const own =
      startMs - posted >= MIN_SIZED_AGE_HOURS * HOUR_MS && !Number.isNaN(sizes[video] as number);
    const size = own ? (sizes[video] as number) : model.typicalSize;
    if (Number.isNaN(size)) continue;
    const views =
      Math.exp(size + model.level) *
      ((cumulative[toNode * videoCount + video] as number) -
        (cumulative[fromNode * videoCount + video] as number));
    const ownRate = likeRates[video] as number;
    const rate = Number.isNaN(ownRate) ? model.typicalRate : ownRate;
    const videoLikes = Number.isNaN(rate) ? 0 : views * rate;
    if (perVideoLikes) perVideoLikes[video] = videoLikes;
    gain.views += views;
    gain.likes += videoLikes;
    if (!own) {
      gain.newLikes += videoLikes;
      gain.newVideos += 1;
    }
  }
  return gain;
}

/** A past interval the expectation is tried on: its nodes, its end poll and the likes it brought. */
export interface PastInterval {
  fromNode: number;
  toNode: number;
  toRow: number;
  likes: number;
}

/**
 * Tries the expectation on the account's past intervals before `windowFromMs`: how far off it runs on average
 * (`bias`, log, bounded) and how widely (`spread`, log, per night, shrunk towards a prior so that a short or
 * thin history keeps a wide band). Day-long intervals are nights; where there are too few of them, longer
 * intervals count too, each standing for several nights only where the account has next to no nights at all
 * (a ten-day sum varies less than one night).
 */
export function backtest(
  model: ExpectationModel,
  intervals: readonly PastInterval[],
  windowFromMs: number,
): { bias: number; spread: number } {
  const nights: { residual: number; weight: number }[] = [];
  const longer: { residual: number; weight: number }[] = [];
  for (const interval of intervals) {
    const fromMs = model.nodeTimes[interval.fromNode] as number;
    const toMs = model.nodeTimes[interval.toNode] as number;
    if (toMs > windowFromMs || toMs < windowFromMs - BACKTEST_DAYS * DAY_MS) continue;
    const expected = expectedGain(model, interval.fromNode, interval.toNode, interval.toRow).likes;
    if (!(expected > 0)) continue;
    const residual = Math.log((interval.likes + 1) / (expected + 1));
    const days = (toMs - fromMs) / DAY_MS;
    if (days <= 1.5) nights.push({ residual, weight: 1 });
    else longer.push({ residual, weight: Math.min(MAX_NIGHTS_PER_INTERVAL, days) });
  }
  const tried = nights.length >= MIN_NIGHTS_FOR_DAYS_ONLY ? nights : [...nights, ...longer];
  if (tried.length === 0) return { bias: 0, spread: PRIOR_NIGHT_SPREAD };
  const bias = Math.max(
    -MAX_BIAS,
    Math.min(MAX_BIAS, median(tried.map((entry) => entry.residual))),
  );
  // A night's spread: were the expectation's misses independent from night to night, a residual over an
  // interval of w nights would vary 1/√w as much as a night's. Its misses persist over days instead (a video's
  // size or the curve read wrong stays wrong all week), so where the account's own nights tell their spread a
  // longer interval's residual counts as it is; scaled up by √w it would make one such miss a wide band.
  // Nights have heavier tails than a normal spread, so it is read from the 90th percentile of the deviations.
  const perNight = nights.length >= MIN_NIGHTS_FOR_OWN_SPREAD;
  const deviations = tried.map(
    (entry) => Math.abs(entry.residual - bias) * (perNight ? 1 : Math.sqrt(entry.weight)),
  );
  const measured = (quantile(deviations, 0.9) / 1.645) ** 2;
  const spread = Math.sqrt(
    (tried.length * measured + PRIOR_NIGHTS * PRIOR_NIGHT_SPREAD ** 2) /
      (tried.length + PRIOR_NIGHTS),
  );
  return { bias, spread };
}
