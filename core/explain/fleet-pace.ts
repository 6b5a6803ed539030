/**
 * The fleet as the control for slowdowns: what the monitored accounts' paces share tonight and over the last
 * weeks. A dip that every account shows at once is traffic, not a slowdown of one account.
 */
import { MIN_SLOWDOWN_LIKES, type PaceSummary } from './slowdown.ts';
import { median } from './stats.ts';

/**
 * Fleet-wide shifts count with at least this many accounts (their median), tonight's from this smaller number as
 * far as all of them show it, and are bounded (a fleet-wide lull or surge).
 */
const MIN_FLEET_CONTROL = 5;
const MIN_SMALL_FLEET_CONTROL = 3;
const FLEET_SHIFT_LIMIT = Math.log(2);
/**
 * The fleet's drift over weeks is bounded tighter (×0.75 to ×1.33): one account's last week against its level
 * weeks back varies sevenfold between ordinary accounts with what they posted, so a median of ten is known only
 * to about ×1.5, and the accounts in trouble all pull it down.
 */
const FLEET_DRIFT_LIMIT = Math.log(4 / 3);

/** The fleet's shared movements tonight (log), each 0 when too few accounts show it. */
export interface FleetPace {
  /** Tonight's gain against expectation. */
  night: number;
  /** Established videos' reach tonight against the baseline level. */
  reach: number;
  /** The night's last hours against the same hours a day before. */
  late: number;
  /** The last week's likes per hour against the level several weeks back (a drift of the whole fleet). */
  trend: number;
  /** Newer videos against older ones. */
  videos: number;
}

/**
 * What the fleet's accounts share, bounded: their median; in a smaller fleet, for tonight's movements only, what
 * every one of them shows (the movement nearest zero when all moved the same way). A dip that hits three
 * accounts at once is traffic, and one account in trouble among a few cannot pass for it. The slow trends stay
 * with the median of many: accounts with weeks of history are often the ones sliding.
 */
function sharedMovement(values: readonly number[], smallFleet: boolean, limit: number): number {
  let shift = 0;
  if (values.length >= MIN_FLEET_CONTROL) shift = median(values);
  else if (smallFleet && values.length >= MIN_SMALL_FLEET_CONTROL) {
    if (values.every((value) => value < 0)) shift = Math.max(...values);
    else if (values.every((value) => value > 0)) shift = Math.min(...values);
  }
  return Math.max(-limit, Math.min(limit, shift));
}

/** The fleet's shared movements: one account's slowdown is judged against what all of them did. */
export function fleetPace(summaries: readonly PaceSummary[]): FleetPace {
  const night: number[] = [];
  const reach: number[] = [];
  const late: number[] = [];
  const trend: number[] = [];
  const videos: number[] = [];
  for (const summary of summaries) {
    if (summary.expected && summary.expected.likes >= MIN_SLOWDOWN_LIKES && summary.likes >= 0)
      night.push(Math.log((summary.likes + 1) / (summary.expected.likes + 1)));
    if (summary.reach) reach.push(summary.reach.shift);
    if (!Number.isNaN(summary.lateShift)) late.push(summary.lateShift);
    if (summary.oldRate > 0 && summary.weekRate > 0)
      trend.push(Math.log(summary.weekRate / summary.oldRate));
    if (summary.newerVideos > 0) videos.push(Math.log(summary.newerVideos));
  }
  return {
    night: sharedMovement(night, true, FLEET_SHIFT_LIMIT),
    reach: sharedMovement(reach, true, FLEET_SHIFT_LIMIT),
    late: sharedMovement(late, true, FLEET_SHIFT_LIMIT),
    trend: sharedMovement(trend, false, FLEET_DRIFT_LIMIT),
    videos: sharedMovement(videos, false, FLEET_SHIFT_LIMIT),
  };
}
