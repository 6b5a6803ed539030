/**
 * Which polls can judge a window, and whether they cover enough of it (docs/causes.md, "Not a cause: gaps in the
 * monitor's own data"). Shared by the engine and by the simulator's labels, so both apply one definition.
 */
import type { Poll } from '../model.ts';
import { HOUR_MS } from '../time.ts';

/** The last poll before the window may open it only if it is this recent; older, the night is not seen. */
export const ANCHOR_MAX_AGE_MS = 36 * HOUR_MS;
/** Below this much of the window seen by usable polls, a quiet night cannot be told from an unseen one. */
export const MIN_COVERED_MS = 12 * HOUR_MS;
/** Consecutive usable polls bridge the time between them when at most this many polling intervals apart... */
const BRIDGE_CADENCES = 2;
/** ...or this long, whichever is more. */
const MIN_BRIDGE_MS = 3 * HOUR_MS;
/** The polling interval is read from the polls of this many days before the window's end. */
const CADENCE_DAYS_MS = 3 * 24 * HOUR_MS;

/** A poll is evidence when it returned videos: `ok`, or `partial` with some of the list. */
export function isUsablePoll(poll: Poll): poll is Extract<Poll, { status: 'ok' | 'partial' }> {
  return poll.status === 'ok' || (poll.status === 'partial' && poll.videos.length > 0);
}

/** What usable polls see of the window (from, to]. */
export interface WindowCoverage {
  /** Index of the last usable poll at or before `from` (recent enough), or -1. */
  anchorIndex: number;
  /** Indexes of usable polls inside the window, in time order. */
  insideIndexes: number[];
  /** Milliseconds of the window bridged by consecutive usable polls close enough to see it. */
  coveredMs: number;
  /** Enough of the window is seen to call a night ordinary. */
  judgeable: boolean;
}

/**
 * Measures how much of the window (fromMs, toMs] usable polls cover. `pollTimes[i]` is `polls[i].at` in ms.
 * Two consecutive usable polls cover the time between them only when they are close enough for nothing to hide
 * between them: at most {@link BRIDGE_CADENCES} of the account's own polling interval apart (or
 * {@link MIN_BRIDGE_MS}, for accounts polled more often). A night seen at its two ends across a long outage was
 * not seen: a dip that came back in between, or a loss hidden by gains, would pass unnoticed.
 */
export function windowCoverage(
  polls: readonly Poll[],
  pollTimes: ArrayLike<number>,
  fromMs: number,
  toMs: number,
): WindowCoverage {
  let anchorIndex = -1;
  const insideIndexes: number[] = [];
  for (let index = 0; index < polls.length; index += 1) {
    const at = pollTimes[index] as number;
    if (at > toMs) break;
    if (!isUsablePoll(polls[index] as Poll)) continue;
    if (at <= fromMs) {
      if (at >= fromMs - ANCHOR_MAX_AGE_MS) anchorIndex = index;
    } else {
      insideIndexes.push(index);
    }
  }
  const bridge = Math.max(MIN_BRIDGE_MS, BRIDGE_CADENCES * pollingInterval(pollTimes, toMs));
  const seen = anchorIndex >= 0 ? [anchorIndex, ...insideIndexes] : insideIndexes;
  let coveredMs = 0;
  for (let index = 1; index < seen.length; index += 1) {
    const from = pollTimes[seen[index - 1] as number] as number;
    const to = pollTimes[seen[index] as number] as number;
    if (to - from <= bridge) coveredMs += to - Math.max(from, fromMs);
  }
  return { anchorIndex, insideIndexes, coveredMs, judgeable: coveredMs >= MIN_COVERED_MS };
}

/**
 * The account's polling interval: the median time between its polls (whatever their status, since the schedule
 * is what it is) over the days before `toMs`. Infinity with fewer than two polls.
 */
function pollingInterval(pollTimes: ArrayLike<number>, toMs: number): number {
  const gaps: number[] = [];
  for (let index = 1; index < pollTimes.length; index += 1) {
    const at = pollTimes[index] as number;
    if (at > toMs) break;
    if (at < toMs - CADENCE_DAYS_MS) continue;
    const previous = pollTimes[index - 1] as number;
    if (previous >= toMs - CADENCE_DAYS_MS) gaps.push(at - previous);
  }
  if (gaps.length === 0) return Number.POSITIVE_INFINITY;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1] as number;
}
