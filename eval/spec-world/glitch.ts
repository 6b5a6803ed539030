/**
 * `platform_glitch`: TikTok's counters misbehave for a while. A glitch changes what polls show, never the true
 * counts: the likes come back when it ends.
 */
import { HOUR_MS } from '../../core/time.ts';
import {
  GLITCH_HOURS,
  GLITCH_KINDS,
  GLITCH_PROFILE_CHANCE,
  GLITCH_RESTORED_CHANCE,
  GLITCH_SHARE,
  GLITCH_UNRESTORED_START_HOURS,
  GLITCH_ZERO_ALL_CHANCE,
} from './cause-params.ts';
import { WINDOW_MS } from './params.ts';
import type { Rng } from './rng.ts';

/** Chance that a zeroing glitch zeroes views (and comments) too, not only likes. */
const ZERO_VIEWS_CHANCE = 0.5;
/** A glitch that does not end in the window lasts this long past `asOf` (the next digest sees it end). */
const UNRESTORED_TAIL_MS = 18 * HOUR_MS;

/** What the counters do, when. */
export interface GlitchShape {
  /** Polls at or after `from` and before `to` show the glitch. */
  from: number;
  to: number;
  kind: keyof typeof GLITCH_KINDS;
  /** The share dropped by a `share` or `views` glitch. */
  share: number;
  /** A zeroing glitch hits every video (otherwise the one to three biggest). */
  zeroAll: boolean;
  /** A zeroing glitch zeroes views and comments too. */
  zeroViews: boolean;
  /** The profile's total likes glitch as well. */
  profile: boolean;
  /** Whether the counts come back before `asOf`. */
  restored: boolean;
}

/** Draws a glitch inside the window that ends at `asOf` (restored before it ends or not, if given). */
export function drawGlitchShape(rng: Rng, asOf: number, restoredAsked?: boolean): GlitchShape {
  const restored = restoredAsked ?? rng.chance(GLITCH_RESTORED_CHANCE);
  let from: number;
  let to: number;
  if (restored) {
    const hours = rng.logUniform(GLITCH_HOURS[0], GLITCH_HOURS[1]);
    from = rng.uniform(asOf - WINDOW_MS, asOf - hours * HOUR_MS - HOUR_MS / 2);
    to = from + hours * HOUR_MS;
  } else {
    from =
      asOf -
      rng.uniform(GLITCH_UNRESTORED_START_HOURS[0], GLITCH_UNRESTORED_START_HOURS[1]) * HOUR_MS;
    to = asOf + UNRESTORED_TAIL_MS;
  }
  return {
    from,
    to,
    kind: rng.weighted(GLITCH_KINDS),
    share: rng.uniform(GLITCH_SHARE[0], GLITCH_SHARE[1]),
    zeroAll: rng.chance(GLITCH_ZERO_ALL_CHANCE),
    zeroViews: rng.chance(ZERO_VIEWS_CHANCE),
    profile: rng.chance(GLITCH_PROFILE_CHANCE),
    restored,
  };
}

/** Whether a poll at `at` shows the glitch. */
export function glitchShows(shape: GlitchShape, at: number): boolean {
  return at >= shape.from && at < shape.to;
}

/** Counts of one video in one poll, changed in place by a glitch. */
export interface MutableCounts {
  views: number;
  likes: number;
  comments: number;
}

/** Applies the glitch to one video's counts (`hit`: the video is among those a partial zeroing touches). */
export function glitchVideo(shape: GlitchShape, counts: MutableCounts, hit: boolean): void {
  if (shape.kind === 'zero') {
    if (!shape.zeroAll && !hit) return;
    counts.likes = 0;
    if (shape.zeroViews) {
      counts.views = 0;
      counts.comments = 0;
    }
    return;
  }
  counts.likes = Math.floor(counts.likes * (1 - shape.share));
  if (shape.kind === 'views') counts.views = Math.floor(counts.views * (1 - shape.share));
}

/** The profile's total likes as the glitch shows them. */
export function glitchProfileLikes(shape: GlitchShape, likes: number): number {
  if (!shape.profile) return likes;
  if (shape.kind === 'zero') return shape.zeroAll ? 0 : likes;
  return Math.floor(likes * (1 - shape.share));
}
