/**
 * Which polls can judge a window, and whether they cover enough of it (causes.md, "Not a cause: gaps in the
 * monitor's own data"). Shared by the engine and by the simulator's labels, so both apply one definition.
 */
import type { Poll } from '../model.ts';
import { HOUR_MS } from '../time.ts';

/** The last poll before the window may open it only if it is this recent; older, the night is not seen. */
export const ANCHOR_MAX_AGE_MS = 36 * HOUR_MS;
/** Below this much of the window seen by usable polls, a quiet night cannot be told from an unseen one. */
export const MIN_COVERED_MS = 12 * HOUR_MS;

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
  /** Milliseconds of the window between the first and last usable observation. */
  coveredMs: number;
  /** Enough of the window is seen to call a night ordinary. */
  judgeable: boolean;
}

/** Measures how much of the window (fromMs, toMs] usable polls cover. `pollTimes[i]` is `polls[i].at` in ms. */
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
  const lastInside = insideIndexes.at(-1);
  const firstInside = insideIndexes[0];
  let coveredMs = 0;
  if (lastInside !== undefined && firstInside !== undefined) {
    const start = anchorIndex >= 0 ? fromMs : (pollTimes[firstInside] as number);
    coveredMs = (pollTimes[lastInside] as number) - start;
  }
  return { anchorIndex, insideIndexes, coveredMs, judgeable: coveredMs >= MIN_COVERED_MS };
}
