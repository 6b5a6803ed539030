/**
 * Findings: parts of a night's loss, each with the cause that fits it, the videos and likes it explains and how
 * well the data fits (before the fleet is consulted), and the sentences shared by their evidence.
 */
import type { Cause } from '../model.ts';
import { countOf } from './format.ts';
import type { AccountSeries } from './series.ts';

/** What a loss looks like, before the fleet is consulted. */
export type FindingKind =
  /** Videos gone from the public list between two complete polls. */
  | 'removal'
  /** Most of the list gone at once, or videos that vanished and came back. */
  | 'list_glitch'
  /** Counts that fell to zero, views that went down, or a dip that came back in one step. */
  | 'implausible'
  /** Many videos lost the same large share at once. */
  | 'uniform_drop'
  /** Most videos lost a small similar share in one interval. */
  | 'cleanup'
  /** Like the above, but too weak to stand on this account alone. */
  | 'weak_cleanup'
  /** Like-to-view ratio outliers lost a large share in one step. */
  | 'outlier_drop'
  /** A large one-step loss on videos that are not ratio outliers: a glitch or a purge, the fleet decides. */
  | 'large_drop'
  /** A few videos lost more than background, gradually or by a small share. */
  | 'unlikes';

/** A part of the night's loss and the cause that fits it. */
export interface Finding {
  cause: Cause;
  kind: FindingKind;
  /** Likes this finding explains. */
  likes: number;
  /** Video indexes (into the account's series) whose loss it explains. */
  videos: number[];
  /** The poll interval it happened in. */
  fromMs: number;
  toMs: number;
  /** How well the data fits the cause, 0–1, before fleet evidence. */
  fit: number;
  evidence: string[];
}

/** Per-video outcome of the window. */
export interface VideoOutcome {
  /** Index into the account's series. */
  index: number;
  id: string;
  lost: number;
  restored: number;
}

/** Followers lost between two rows (negative when gained); NaN where a profile is missing or rounded. */
export function followersLost(series: AccountSeries, fromRow: number, toRow: number): number {
  if (series.rounded[fromRow] === 1 || series.rounded[toRow] === 1) return Number.NaN;
  return (series.followers[fromRow] as number) - (series.followers[toRow] as number);
}

/** A sentence on followers lost in the same interval, when the profile shows any (platform actions take
 * followers from the same accounts as likes). */
export function followerEvidence(series: AccountSeries, fromRow: number, toRow: number): string[] {
  const lost = followersLost(series, fromRow, toRow);
  if (!(lost > 0)) return [];
  return [`You lost ${countOf(lost, 'follower')} in the same interval`];
}

/** New comments on some videos between two rows; undefined when a count is missing. */
export function commentGrowth(
  series: AccountSeries,
  videos: readonly number[],
  fromRow: number,
  toRow: number,
): number | undefined {
  let total = 0;
  for (const video of videos) {
    const before = series.comments[fromRow * series.videoCount + video] as number;
    const after = series.comments[toRow * series.videoCount + video] as number;
    if (Number.isNaN(before) || Number.isNaN(after)) return undefined;
    total += Math.max(0, after - before);
  }
  return total;
}
