/**
 * Videos that stopped getting views inside the window while the rest of the account went on: a video restricted
 * by TikTok (or made private or friends-only) stays listed but is no longer shown (docs/causes.md,
 * `content_removed_or_restricted`).
 */
import { HOUR_MS } from '../time.ts';
import { type AgeCurve, viewsBetween } from './age-curve.ts';
import type { AccountSeries } from './series.ts';

/** A video is frozen when its views grew by at most this share of what was expected over a span... */
const FROZEN_SHARE = 0.03;
/**
 * The share allowed when the pace is read in the video's first hours: the age curve is fitted on videos older
 * than that, so its shape there is only a prior, and plausible first-day shapes (views slowing from the first
 * hour, or still speeding up for most of a day) differ from it by about three times either way.
 */
const YOUNG_FROZEN_SHARE = 3 * FROZEN_SHARE;
/** Ages (hours) below which a pace counts as read in the video's first hours. */
const YOUNG_HOURS = 12;
/** ...over a span of at least this long, in which it was expected at least this many views. */
const MIN_FROZEN_HOURS = 4;
const MIN_FROZEN_VIEWS = 150;
/** Polls from this long before the window are read, so a stop early in the night shows. */
const LOOKBACK_HOURS = 24;
/** A video's pace before a stop is read over at least this many hours (or since it was posted). */
const PACE_HOURS = 3;

/** A frozen video: since when, and what it was expected to get meanwhile. */
export interface FrozenVideo {
  video: number;
  sinceMs: number;
  expectedViews: number;
  expectedLikes: number;
}

/**
 * Videos whose views stopped inside the window while the video stayed listed: from some poll on, a video gained
 * at most {@link FROZEN_SHARE} of what its own pace before that poll, carried along the age curve, predicts,
 * over at least {@link MIN_FROZEN_HOURS}, where that pace promised at least {@link MIN_FROZEN_VIEWS} views.
 * Each video is its own yardstick, so a hit and a dud are judged alike. Rounded counts cannot show this.
 */
export function frozenVideos(
  series: AccountSeries,
  curve: AgeCurve,
  fromMs: number,
  toMs: number,
): FrozenVideo[] {
  const frozen: FrozenVideo[] = [];
  const rows: number[] = [];
  for (let row = 0; row < series.pollCount; row += 1) {
    const time = series.times[row] as number;
    if (time > fromMs - LOOKBACK_HOURS * HOUR_MS && time <= toMs && series.usable[row] === 1) {
      if (series.rounded[row] === 1) return frozen;
      rows.push(row);
    }
  }
  const last = rows.at(-1);
  if (last === undefined) return frozen;
  const { videoCount, views, likes, postedAt, times } = series;
  const lastTime = times[last] as number;
  for (let video = 0; video < videoCount; video += 1) {
    const endViews = views[last * videoCount + video] as number;
    if (Number.isNaN(endViews)) continue;
    const posted = postedAt[video] as number;
    const age = (at: number) => (at - posted) / HOUR_MS;
    // The earliest poll from which the video stopped, judged against its pace over the hours before it.
    for (let position = 0; position < rows.length; position += 1) {
      const row = rows[position] as number;
      const at = times[row] as number;
      if (lastTime - at < MIN_FROZEN_HOURS * HOUR_MS) break;
      const atViews = views[row * videoCount + video] as number;
      if (Number.isNaN(atViews) || at <= posted) continue;
      const before = paceBefore(series, rows, position, video);
      if (!before) continue;
      const promised =
        ((atViews - before.views) * viewsBetween(curve, age(at), age(lastTime))) /
        viewsBetween(curve, age(before.at), age(at));
      const share = age(at) < YOUNG_HOURS ? YOUNG_FROZEN_SHARE : FROZEN_SHARE;
      if (!(promised >= MIN_FROZEN_VIEWS) || endViews - atViews > share * promised) continue;
      const atLikes = likes[row * videoCount + video] as number;
      const likeRate = atViews > 0 && !Number.isNaN(atLikes) ? atLikes / atViews : 0;
      frozen.push({
        video,
        sinceMs: at,
        expectedViews: promised,
        expectedLikes: promised * likeRate,
      });
      break;
    }
  }
  return frozen;
}

/**
 * Where the video's pace before `rows[position]` is read from: the latest poll at least {@link PACE_HOURS} earlier that
 * saw it, or its posting (with no views yet) when it is younger than that.
 */
function paceBefore(
  series: AccountSeries,
  rows: readonly number[],
  position: number,
  video: number,
): { at: number; views: number } | undefined {
  const at = series.times[rows[position] as number] as number;
  const posted = series.postedAt[video] as number;
  if (at - posted <= PACE_HOURS * HOUR_MS) return { at: posted, views: 0 };
  for (let index = position - 1; index >= 0; index -= 1) {
    const earlier = rows[index] as number;
    const time = series.times[earlier] as number;
    const count = series.views[earlier * series.videoCount + video] as number;
    if (at - time >= PACE_HOURS * HOUR_MS && !Number.isNaN(count))
      return { at: time, views: count };
  }
  // A video in its first hours that no earlier poll read saw long enough before: its whole life so far is its
  // pace (it had no views when it went up).
  return at - posted < YOUNG_HOURS * HOUR_MS ? { at: posted, views: 0 } : undefined;
}
