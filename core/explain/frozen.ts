/**
 * Videos that stopped getting views inside the window while the rest of the account went on: a video restricted
 * by TikTok (or made private or friends-only) stays listed but is no longer shown (causes.md,
 * `content_removed_or_restricted`).
 */
import { HOUR_MS } from '../time.ts';
import { type AgeCurve, viewsBetween } from './age-curve.ts';
import type { AccountSeries } from './series.ts';

/** A video is frozen when its views grew by at most this share of what was expected over a span... */
const FROZEN_SHARE = 0.03;
/** ...over a span of at least this long, in which it was expected at least this many views. */
const MIN_FROZEN_HOURS = 4;
const MIN_FROZEN_VIEWS = 150;
/** Polls from this long before the window are read, so a stop early in the night shows. */
const LOOKBACK_HOURS = 6;

/** What each video is expected to get: its size (log, relative to the curve) and likes per view. */
export interface VideoExpectation {
  curve: AgeCurve;
  sizes: Float64Array;
  /** For videos without a size of their own. */
  typicalSize: number;
  likeRates: Float64Array;
  typicalRate: number;
  /** The account's reach level (log) the sizes are scaled by. */
  level: number;
}

/** A frozen video: since when, and what it was expected to get meanwhile. */
export interface FrozenVideo {
  video: number;
  sinceMs: number;
  expectedViews: number;
  expectedLikes: number;
}

/**
 * Established videos whose views stopped inside the window (a restricted video stays listed but gets no more
 * views) while the account's reach went on: over a span of hours at the window's end they gained almost none of
 * the views their size and age predict. Rounded counts cannot show this.
 */
export function frozenVideos(
  series: AccountSeries,
  expectation: VideoExpectation,
  fromMs: number,
  toMs: number,
): FrozenVideo[] {
  const { curve, sizes, typicalSize, likeRates, typicalRate, level } = expectation;
  const frozen: FrozenVideo[] = [];
  if (Number.isNaN(level)) return frozen;
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
  const { videoCount, views, postedAt } = series;
  const lastTime = series.times[last] as number;
  for (let video = 0; video < videoCount; video += 1) {
    // A video too new to have a size of its own is expected to do as the account's recent videos do.
    const size = Number.isNaN(sizes[video] as number) ? typicalSize : (sizes[video] as number);
    const endViews = views[last * videoCount + video] as number;
    if (Number.isNaN(size) || Number.isNaN(endViews)) continue;
    const posted = postedAt[video] as number;
    let since = Number.NaN;
    let expectedSince = 0;
    for (let index = rows.length - 2; index >= 0; index -= 1) {
      const row = rows[index] as number;
      const before = views[row * videoCount + video] as number;
      if (Number.isNaN(before)) continue;
      const time = series.times[row] as number;
      const expected =
        Math.exp(size + level) *
        viewsBetween(curve, (time - posted) / HOUR_MS, (lastTime - posted) / HOUR_MS);
      if (endViews - before > FROZEN_SHARE * expected + 2) break;
      since = time;
      expectedSince = expected;
    }
    if (
      Number.isNaN(since) ||
      lastTime - since < MIN_FROZEN_HOURS * HOUR_MS ||
      expectedSince < MIN_FROZEN_VIEWS
    )
      continue;
    const rate = Number.isNaN(likeRates[video] as number)
      ? typicalRate
      : (likeRates[video] as number);
    frozen.push({
      video,
      sinceMs: since,
      expectedViews: expectedSince,
      expectedLikes: Number.isNaN(rate) ? 0 : expectedSince * rate,
    });
  }
  return frozen;
}
