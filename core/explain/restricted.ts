/**
 * A video restricted while still listed (`content_removed_or_restricted`, docs/causes.md): its views stopped
 * inside the window (see `frozen.ts`) while the rest of the account went on, and the night is a slowdown because
 * of it.
 */
import type { FleetPace } from './fleet-pace.ts';
import {
  FAR_BELOW_SHARE,
  lastWeekMeasured,
  MIN_SLOWDOWN_LIKES,
  noSlowerThanLastWeek,
  type PaceSummary,
  reachHalved,
  type SlowdownFinding,
} from './slowdown.ts';
import { ramp } from './stats.ts';

/** Videos frozen inside the window must have been expected this many likes to count as restricted... */
const MIN_FROZEN_LIKES = 30;
/** ...and at least this share of the night's shortfall... */
const FROZEN_SHARE_OF_SHORTFALL = 0.5;
/** ...a night under this share of what it would have been (what the frozen video's own pace promised is
 * known better than an expectation, so the bar is a little lower than a slowdown's half). */
const RESTRICTED_SHARE = 0.6;

/** The night as a restriction of one or a few videos, or undefined when it is not one. */
export function restrictedFinding(
  summary: PaceSummary,
  fleet: FleetPace,
): SlowdownFinding | undefined {
  // Without the last week poll by poll, the account's usual new video cannot tell a restriction from an ordinary
  // night (on the development fleets it raised false alarms at sparse and weekly density): there, only what each
  // video's own pace before it stopped promised counts.
  const weekMeasured = lastWeekMeasured(summary);
  const frozenLikes = summary.frozen.reduce(
    (sum, entry) =>
      sum +
      (weekMeasured ? Math.max(entry.expectedLikes, entry.accountLikes) : entry.expectedLikes),
    0,
  );
  if (frozenLikes < MIN_FROZEN_LIKES || !summary.expected) return undefined;
  // The rest of the account went on: a break of the whole account is reach, not one video.
  if (reachHalved(summary, fleet)) return undefined;
  // A slowdown of the account (docs/causes.md): the night far below what it would have been had the videos gone
  // on (the expectation, or what the frozen videos' own pace promised on top of the night, whichever is more),
  // the frozen videos the reason for most of the shortfall...
  const expected = Math.max(
    summary.expected.likes * Math.exp(fleet.night),
    summary.likes + frozenLikes,
  );
  if (!(expected >= MIN_SLOWDOWN_LIKES) || !(summary.likes < RESTRICTED_SHARE * expected))
    return undefined;
  if (frozenLikes < FROZEN_SHARE_OF_SHORTFALL * (expected - summary.likes)) return undefined;
  // ...and far below the account's usual nights too (under half of them, as any slowdown), not only below what
  // the new video promised...
  if (summary.weekRate > 0 && !(summary.likes < FAR_BELOW_SHARE * summary.weekRate * summary.hours))
    return undefined;
  // ...and outside their spread: a night the account already had in its last week is one of its usual nights,
  // however much one video had promised (an account whose likes come in one launch and then nothing).
  if (noSlowerThanLastWeek(summary)) return undefined;
  return {
    cause: 'content_removed_or_restricted',
    fit: 0.7 + 0.2 * ramp(frozenLikes / Math.max(1, expected - summary.likes), 0.5, 1),
    baseline: summary.expected.likes,
    measures: {
      likes: summary.likes,
      expectedLikes: summary.expected.likes,
      frozen: summary.frozen.map(({ id, sinceMs, expectedLikes }) => ({
        id,
        sinceMs,
        expectedLikes,
      })),
    },
  };
}
