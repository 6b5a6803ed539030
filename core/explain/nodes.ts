/**
 * Day-aligned nodes: the complete polls an account's gains are measured between. Walking back from the
 * window's end, each node is the complete poll nearest to a day before the previous one; where history is
 * thinner than that (a poll a day, a poll a week, one per ten days) the step is simply longer. Intervals of
 * whole days see every hour of the day once, so the time of day cancels out of their rates.
 */
import { DAY_MS, HOUR_MS } from '../time.ts';
import type { AccountSeries } from './series.ts';

/** A night's end poll may be this much earlier than the window's end. */
const END_TOLERANCE_MS = 12 * HOUR_MS;
/** A node may be this far from its target instant (a day before the previous node). */
const NODE_SLACK_MS = 6 * HOUR_MS;
/** The window's opening node may be this far from the window's start. */
const ANCHOR_SLACK_MS = 8 * HOUR_MS;
/** Failing that (its poll failed), this far: a twice-daily cadence's neighbours of the missing poll. */
const ANCHOR_FAR_SLACK_MS = 13 * HOUR_MS;

/** Complete polls about a day apart (or as far apart as history allows), oldest first. */
export interface Nodes {
  /** Series rows, oldest first. */
  rows: number[];
  /** Their instants (ms). */
  times: number[];
  /**
   * Index into `rows` of the node that opens the window (near its start), or -1; the window's interval is
   * from it to the last node. -1 also when the last node is not near the window's end.
   */
  anchor: number;
}

/** Likes and views added between two polls. */
export interface Gain {
  likes: number;
  views: number;
  /** Hours between the two polls. */
  hours: number;
}

/** Builds the nodes of the series for the window ending at `toMs`, back to `sinceMs`. */
export function dayNodes(series: AccountSeries, toMs: number, sinceMs: number): Nodes {
  const { complete, times, pollCount } = series;
  const newestFirst: number[] = [];
  let end = -1;
  for (let row = pollCount - 1; row >= 0; row -= 1) {
    const time = times[row] as number;
    if (time > toMs) continue;
    if (time < toMs - END_TOLERANCE_MS) break;
    if (complete[row] === 1) {
      end = row;
      break;
    }
  }
  let anchorFound = false;
  if (end >= 0) {
    newestFirst.push(end);
    const opens = toMs - DAY_MS;
    let anchor = nearestComplete(series, opens, ANCHOR_SLACK_MS, end);
    if (anchor < 0) anchor = nearestComplete(series, opens, ANCHOR_FAR_SLACK_MS, end);
    if (anchor >= 0 && (times[end] as number) - (times[anchor] as number) >= DAY_MS / 2) {
      newestFirst.push(anchor);
      anchorFound = true;
    }
  }
  let cursor = newestFirst.at(-1) ?? pollCount;
  let target = (newestFirst.length > 0 ? (times[cursor] as number) : toMs) - DAY_MS;
  while (target > sinceMs) {
    let next = nearestComplete(series, target, NODE_SLACK_MS, cursor);
    if (next < 0) next = latestCompleteBefore(series, target - NODE_SLACK_MS, cursor);
    if (next < 0 || (times[next] as number) <= sinceMs) break;
    newestFirst.push(next);
    cursor = next;
    target = (times[next] as number) - DAY_MS;
  }
  const rows = newestFirst.reverse();
  return {
    rows,
    times: rows.map((row) => times[row] as number),
    anchor: anchorFound ? rows.length - 2 : -1,
  };
}

/** The complete row nearest to `target` (within `slack`) among rows before `beforeRow`, or -1. */
export function nearestComplete(
  series: AccountSeries,
  target: number,
  slack: number,
  beforeRow: number,
): number {
  let best = -1;
  let bestDistance = slack;
  for (let row = beforeRow - 1; row >= 0; row -= 1) {
    const time = series.times[row] as number;
    if (time < target - slack) break;
    const distance = Math.abs(time - target);
    if (series.complete[row] === 1 && distance <= bestDistance) {
      best = row;
      bestDistance = distance;
    }
  }
  return best;
}

/** The latest complete row at or before `atMs` among rows before `beforeRow`, or -1. */
function latestCompleteBefore(series: AccountSeries, atMs: number, beforeRow: number): number {
  for (let row = beforeRow - 1; row >= 0; row -= 1) {
    if ((series.times[row] as number) <= atMs && series.complete[row] === 1) return row;
  }
  return -1;
}

/**
 * Likes and views added between two usable polls: per video the growth of its count (a video that dropped adds
 * nothing), plus the counts of videos posted between the polls. A video whose start is unknown (missing from a
 * partial poll) adds nothing.
 */
export function gainBetween(series: AccountSeries, fromRow: number, toRow: number): Gain {
  const { videoCount, likes, views, postedAt } = series;
  const fromBase = fromRow * videoCount;
  const toBase = toRow * videoCount;
  const fromMs = series.times[fromRow] as number;
  let likeGain = 0;
  let viewGain = 0;
  for (let video = 0; video < videoCount; video += 1) {
    const endLikes = likes[toBase + video] as number;
    if (Number.isNaN(endLikes)) continue;
    const startLikes = likes[fromBase + video] as number;
    if (Number.isNaN(startLikes)) {
      if ((postedAt[video] as number) < fromMs) continue;
      likeGain += endLikes;
      viewGain += views[toBase + video] as number;
      continue;
    }
    if (endLikes > startLikes) likeGain += endLikes - startLikes;
    const viewDelta = (views[toBase + video] as number) - (views[fromBase + video] as number);
    if (viewDelta > 0) viewGain += viewDelta;
  }
  return {
    likes: likeGain,
    views: viewGain,
    hours: ((series.times[toRow] as number) - fromMs) / HOUR_MS,
  };
}
