/**
 * How newer videos do against older ones, at the same age: the likes each video had at a reference age (from
 * its observation nearest that age, carried along the age curve over the shortest stretch possible), and its
 * likes per view, which do not depend on age at all. A slow audience shift shows as newer videos doing worse.
 * Tonight's likes are also set against what the same videos' views would have brought at the likes per view
 * older videos had: per view, a slide is measured without the luck of how many views each video got.
 */
import { DAY_MS, HOUR_MS } from '../time.ts';
import { type AgeCurve, cumulativeViews } from './age-curve.ts';
import type { Nodes } from './nodes.ts';
import type { PaceAnalysis } from './pace.ts';
import type { AccountSeries } from './series.ts';
import { median, spearman } from './stats.ts';

/** Videos are compared at this age (hours): old enough to have most of their first burst... */
const REFERENCE_AGE_HOURS = 72;
/** ...from an observation at least this old (younger counts move too fast to carry along the curve). */
const MIN_OBSERVED_AGE_HOURS = 6;
/** Newer videos: posted in this many days before the window; older ones: from this many days back. */
const NEWER_VIDEO_DAYS = 14;
const OLDER_VIDEO_DAYS = 21;
/** Videos posted longer ago than this are not compared. */
const COMPARED_DAYS = 60;
/** A video's likes per view count as this share of the old at the least (a ratio near zero is noise). */
const MIN_RATE_SHARE = 0.05;

/** Newer against older videos: likes at the reference age, their trend, and likes per view (NaN: too few). */
export interface VideoComparison {
  /** Newer videos' likes at the reference age relative to older ones' (1 = the same). */
  newerVideos: number;
  /** Rank correlation of videos' likes at the reference age with their posting time. */
  videoTrend: number;
  /** Newer videos' likes per view relative to older ones'. */
  newerLikeRate: number;
}

/** Compares the account's newer videos with its older ones, from polls before the window. */
export function newerAgainstOlder(
  series: AccountSeries,
  pace: Pick<PaceAnalysis, 'curve' | 'likeRates'>,
  fromMs: number,
): VideoComparison {
  const posted: number[] = [];
  const performance: number[] = [];
  const newer: { likes: number; rate: number }[] = [];
  const older: { likes: number; rate: number }[] = [];
  for (let video = 0; video < series.videoCount; video += 1) {
    const at = series.postedAt[video] as number;
    if (at < fromMs - COMPARED_DAYS * DAY_MS || at > fromMs - REFERENCE_AGE_HOURS * HOUR_MS)
      continue;
    const likes = likesAtAge(series, pace.curve, video, REFERENCE_AGE_HOURS, fromMs);
    if (!(likes > 0)) continue;
    const rate = pace.likeRates[video] as number;
    posted.push(at);
    performance.push(Math.log(likes));
    const entry = { likes: Math.log(likes), rate };
    if (at >= fromMs - NEWER_VIDEO_DAYS * DAY_MS) newer.push(entry);
    else if (at <= fromMs - OLDER_VIDEO_DAYS * DAY_MS) older.push(entry);
  }
  if (newer.length < 2 || older.length < 3)
    return { newerVideos: Number.NaN, videoTrend: Number.NaN, newerLikeRate: Number.NaN };
  const rates = (entries: typeof newer) =>
    entries.map((entry) => entry.rate).filter((rate) => rate > 0);
  const newerRates = rates(newer);
  const olderRates = rates(older);
  return {
    newerVideos: Math.exp(
      median(newer.map((entry) => entry.likes)) - median(older.map((entry) => entry.likes)),
    ),
    videoTrend: spearman(posted, performance),
    newerLikeRate:
      newerRates.length >= 2 && olderRates.length >= 3
        ? median(newerRates) / median(olderRates)
        : Number.NaN,
  };
}

/**
 * A video's likes at `ageHours`, from its usable observation before `untilMs` nearest that age (in log age),
 * scaled along the curve; NaN when it was never seen old enough.
 */
function likesAtAge(
  series: AccountSeries,
  curve: AgeCurve,
  video: number,
  ageHours: number,
  untilMs: number,
): number {
  const { videoCount, likes, times, usable } = series;
  const posted = series.postedAt[video] as number;
  let best = Number.NaN;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let row = 0; row < series.pollCount; row += 1) {
    const time = times[row] as number;
    if (time > untilMs) break;
    const age = (time - posted) / HOUR_MS;
    const count = likes[row * videoCount + video] as number;
    if (usable[row] !== 1 || age < MIN_OBSERVED_AGE_HOURS || Number.isNaN(count)) continue;
    const distance = Math.abs(Math.log(age / ageHours));
    if (distance < bestDistance) {
      bestDistance = distance;
      best = (count * cumulativeViews(curve, ageHours)) / cumulativeViews(curve, age);
    }
  }
  return best;
}

/**
 * Tonight's likes against what the night's videos would have brought at the likes per view older videos had:
 * 1 = no slide, 0.5 = half. Each video's likes per view relative to the older videos' is read off a line
 * through the older and the newer videos' medians (by posting time; a slide builds steadily, so the newest
 * videos are furthest down it), and never above the old level. NaN with too few videos of either age.
 */
export function likeRateSlide(
  series: AccountSeries,
  pace: Pick<PaceAnalysis, 'likeRates'>,
  nodes: Pick<Nodes, 'rows' | 'anchor'>,
  fromMs: number,
): number {
  if (nodes.anchor < 0) return Number.NaN;
  const older: { rate: number; at: number }[] = [];
  const newer: { rate: number; at: number }[] = [];
  for (let video = 0; video < series.videoCount; video += 1) {
    const at = series.postedAt[video] as number;
    const rate = Math.log(pace.likeRates[video] as number);
    if (at < fromMs - COMPARED_DAYS * DAY_MS || at > fromMs - REFERENCE_AGE_HOURS * HOUR_MS)
      continue;
    if (!Number.isFinite(rate)) continue;
    if (at >= fromMs - NEWER_VIDEO_DAYS * DAY_MS) newer.push({ rate, at });
    else if (at <= fromMs - OLDER_VIDEO_DAYS * DAY_MS) older.push({ rate, at });
  }
  if (newer.length < 2 || older.length < 3) return Number.NaN;
  const oldAt = median(older.map((entry) => entry.at));
  const fall = median(newer.map((entry) => entry.rate)) - median(older.map((entry) => entry.rate));
  const perMs = fall / (median(newer.map((entry) => entry.at)) - oldAt);
  const share = (at: number) =>
    Math.max(MIN_RATE_SHARE, Math.exp(Math.min(0, perMs * (Math.min(at, fromMs) - oldAt))));
  const from = (nodes.rows[nodes.anchor] as number) * series.videoCount;
  const to = (nodes.rows[nodes.anchor + 1] as number) * series.videoCount;
  const openedAt = series.times[nodes.rows[nodes.anchor] as number] as number;
  let likes = 0;
  let atOldRate = 0;
  for (let video = 0; video < series.videoCount; video += 1) {
    const at = series.postedAt[video] as number;
    const after = series.likes[to + video] as number;
    // A video posted inside the window had no likes when it opened.
    const before = at > openedAt ? 0 : (series.likes[from + video] as number);
    if (Number.isNaN(after) || Number.isNaN(before)) continue;
    const gain = Math.max(0, after - before);
    likes += gain;
    // Videos older than those compared are taken at the old level.
    atOldRate += at < fromMs - COMPARED_DAYS * DAY_MS ? gain : gain / share(at);
  }
  return atOldRate > 0 ? likes / atOldRate : Number.NaN;
}
