/**
 * What the history page shows of one account, worked out from its stored polls and the subscriber's past
 * digests: the likes and views series (raw polls for the last days, one roll-up a day before), the gaps in the
 * monitor's data, every night a digest judged, and the videos that lost most over the period. Pure.
 */
import type { Cause, DigestReport, Poll, ReportedAccount, Verdict } from '../model.ts';
import { DAY_MS } from '../time.ts';

/** The periods a creator can pick, in days. */
export const HISTORY_PERIODS = [7, 30, 90] as const;
export type HistoryPeriod = (typeof HISTORY_PERIODS)[number];
/** Shown when the link names no period. */
export const DEFAULT_HISTORY_PERIOD: HistoryPeriod = 30;

/**
 * Two readings further apart than this many times the usual spacing between readings have a gap between
 * them: a missed poll or two is normal jitter, three in a row is the monitor not seeing the account.
 */
const GAP_SPACINGS = 2.5;

/** One reading of the account: a poll, or a day's roll-up (one poll kept for a day). */
export interface HistoryPoint {
  at: number;
  likes: number;
  /** Views summed over the poll's videos; absent when the poll did not list them all. */
  views?: number;
  kind: 'poll' | 'day';
}

/** A stretch with no usable reading (failed polls, or none at all). */
export interface HistoryGap {
  from: number;
  to: number;
}

/** One night a digest judged for this account. */
export interface HistoryNight {
  /** The night's end (the digest's delivery time). */
  asOf: number;
  /** The subscriber's local date of that digest, `YYYY-MM-DD`: the night's name on the page. */
  localDate: string;
  verdict: Verdict;
  lost: number;
  topCause?: Cause;
  /** For a loss: likes of the reported videos that are back in the latest reading after the night. */
  cameBack?: number;
}

/** A video that lost likes over the period. */
export interface HistoryVideo {
  id: string;
  title?: string;
  url?: string;
  /** Likes lost between consecutive readings, added up over the period. */
  lost: number;
  /** Its likes at the latest reading. */
  likes: number;
}

/** Everything the history page draws. */
export interface AccountHistory {
  from: number;
  to: number;
  points: HistoryPoint[];
  gaps: HistoryGap[];
  nights: HistoryNight[];
  videos: HistoryVideo[];
}

/** How many of the videos that lost most are listed. */
export const TOP_LOSING_VIDEOS = 5;

/**
 * The history of one account over `[from, to]`: `polls` as the store returns them (oldest first; roll-ups before
 * `rawFrom`), `reports` the subscriber's digests of the period by local date.
 */
export function buildAccountHistory(input: {
  accountId: string;
  from: number;
  to: number;
  rawFrom: number;
  polls: readonly Poll[];
  reports: ReadonlyMap<string, DigestReport>;
}): AccountHistory {
  const { from, to, rawFrom } = input;
  const polls = input.polls.filter((poll) => {
    const at = Date.parse(poll.at);
    return at >= from && at <= to;
  });
  const points: HistoryPoint[] = [];
  const failedAt: number[] = [];
  for (const poll of polls) {
    const at = Date.parse(poll.at);
    if (poll.status === 'failed' || poll.profile === undefined) {
      failedAt.push(at);
      continue;
    }
    const point: HistoryPoint = {
      at,
      likes: poll.profile.likes,
      kind: at < rawFrom ? 'day' : 'poll',
    };
    if (poll.status === 'ok')
      point.views = poll.videos.reduce((sum, video) => sum + video.views, 0);
    points.push(point);
  }
  return {
    from,
    to,
    points,
    gaps: gapsOf(points, failedAt, from, to, rawFrom),
    nights: nightsOf(input.accountId, input.reports, polls),
    videos: losingVideos(polls),
  };
}

/**
 * The stretches without a reading: between two readings much further apart than usual for their era (raw
 * polls or daily roll-ups), around failed polls, and before the first or after the last reading.
 */
function gapsOf(
  points: readonly HistoryPoint[],
  failedAt: readonly number[],
  from: number,
  to: number,
  rawFrom: number,
): HistoryGap[] {
  const rawSpacing = medianSpacing(points.filter((point) => point.kind === 'poll'));
  const allowed = (at: number) => GAP_SPACINGS * (at < rawFrom ? DAY_MS : (rawSpacing ?? DAY_MS));
  const gaps: HistoryGap[] = [];
  const first = points[0];
  const last = points[points.length - 1];
  if (first === undefined || last === undefined) return [{ from, to }];
  if (first.at - from > allowed(first.at)) gaps.push({ from, to: first.at });
  for (let index = 1; index < points.length; index++) {
    const previous = points[index - 1] as HistoryPoint;
    const next = points[index] as HistoryPoint;
    const failed = failedAt.some((at) => at > previous.at && at < next.at);
    if (failed || next.at - previous.at > allowed(next.at)) {
      gaps.push({ from: previous.at, to: next.at });
    }
  }
  if (to - last.at > allowed(last.at)) gaps.push({ from: last.at, to });
  return gaps;
}

function medianSpacing(points: readonly HistoryPoint[]): number | undefined {
  const spacings = points
    .slice(1)
    .map((point, index) => point.at - (points[index] as HistoryPoint).at)
    .sort((a, b) => a - b);
  return spacings[Math.floor(spacings.length / 2)];
}

/** The nights the subscriber's digests judged for the account, oldest first. */
function nightsOf(
  accountId: string,
  reports: ReadonlyMap<string, DigestReport>,
  polls: readonly Poll[],
): HistoryNight[] {
  const nights: HistoryNight[] = [];
  for (const [localDate, report] of reports) {
    const reported = report.accounts.find((entry) => entry.accountId === accountId);
    if (reported === undefined) continue;
    const asOf = Date.parse(report.asOf);
    const night: HistoryNight = { asOf, localDate, verdict: reported.verdict, lost: reported.lost };
    if (reported.topCause !== undefined) night.topCause = reported.topCause;
    if (reported.verdict === 'loss') {
      const back = likesBack(reported, polls, asOf);
      if (back !== undefined) night.cameBack = back;
    }
    nights.push(night);
  }
  return nights.sort((a, b) => a.asOf - b.asOf);
}

/**
 * How many of the likes a loss took from its reported videos are back at the latest reading after the night:
 * the follow-up, seen from today. Undefined when no later reading lists those videos.
 */
function likesBack(
  reported: ReportedAccount,
  polls: readonly Poll[],
  asOf: number,
): number | undefined {
  const later = polls.filter((poll) => Date.parse(poll.at) > asOf && poll.status !== 'failed');
  const latest = later[later.length - 1];
  if (latest === undefined || latest.status === 'failed') return undefined;
  let back = 0;
  for (const video of reported.videos) {
    const floor = video.after ?? 0;
    const now = latest.videos.find((candidate) => candidate.id === video.id);
    if (now !== undefined) back += Math.min(video.before - floor, Math.max(0, now.likes - floor));
  }
  return back;
}

/** The videos that lost most likes between consecutive readings over the period, most first. */
function losingVideos(polls: readonly Poll[]): HistoryVideo[] {
  const videos = new Map<string, HistoryVideo>();
  const previous = new Map<string, number>();
  for (const poll of polls) {
    if (poll.status === 'failed') continue;
    for (const video of poll.videos) {
      const entry = videos.get(video.id) ?? { id: video.id, lost: 0, likes: video.likes };
      const before = previous.get(video.id);
      if (before !== undefined && video.likes < before) entry.lost += before - video.likes;
      entry.likes = video.likes;
      if (video.title !== undefined) entry.title = video.title;
      if (video.url !== undefined) entry.url = video.url;
      videos.set(video.id, entry);
      previous.set(video.id, video.likes);
    }
  }
  return [...videos.values()]
    .filter((video) => video.lost > 0)
    .sort((a, b) => b.lost - a.lost || a.id.localeCompare(b.id))
    .slice(0, TOP_LOSING_VIDEOS);
}

/** The series as CSV, one row per reading (poll or roll-up day), times in UTC ISO 8601. */
export function historyCsv(history: AccountHistory): string {
  const rows = ['at,kind,likes,views'];
  for (const point of history.points) {
    rows.push(
      `${new Date(point.at).toISOString()},${point.kind === 'day' ? 'daily_rollup' : 'poll'},${point.likes},${point.views ?? ''}`,
    );
  }
  return `${rows.join('\r\n')}\r\n`;
}
