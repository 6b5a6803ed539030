/**
 * One account's polls as dense matrices (poll × video) of counts, so the analyses run over typed arrays instead
 * of allocating per video and poll. Absent observations are NaN: a video missing from a poll is unknown there.
 */
import type { FleetAccount, Poll } from '../model.ts';
import { isUsablePoll } from './coverage.ts';

/** An account's usable history, oldest poll first. */
export interface AccountSeries {
  account: FleetAccount;
  /** Polls in time order (failed ones included: they matter for coverage, not for counts). */
  polls: Poll[];
  /** `polls[i].at` in milliseconds. */
  times: Float64Array;
  /** 1 when the poll returned videos (`ok`, or `partial` with some). */
  usable: Uint8Array;
  /** 1 when the poll is `ok`: only then is a video's absence evidence that it vanished. */
  complete: Uint8Array;
  /** 1 when the source marked the poll's counts as rounded. */
  rounded: Uint8Array;
  pollCount: number;
  videoCount: number;
  videoIds: string[];
  /** When each video was posted (ms). */
  postedAt: Float64Array;
  /** Counts at `poll * videoCount + video`; NaN where the poll did not return the video. */
  likes: Float64Array;
  views: Float64Array;
  comments: Float64Array;
  /** Profile follower count per poll (NaN when absent). */
  followers: Float64Array;
}

/**
 * Builds the series of polls at or before `toMs` and after `sinceMs` (older history is not needed by any
 * analysis). Polls are sorted by time if the input is not.
 */
export function buildSeries(account: FleetAccount, sinceMs: number, toMs: number): AccountSeries {
  let polls: Poll[] = [];
  let sorted = true;
  let previous = Number.NEGATIVE_INFINITY;
  for (const poll of account.polls) {
    const at = Date.parse(poll.at);
    if (at < previous) sorted = false;
    previous = at;
    if (at > sinceMs && at <= toMs) polls.push(poll);
  }
  if (!sorted) polls = polls.slice().sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const pollCount = polls.length;
  const times = new Float64Array(pollCount);
  const usable = new Uint8Array(pollCount);
  const complete = new Uint8Array(pollCount);
  const rounded = new Uint8Array(pollCount);
  const followers = new Float64Array(pollCount).fill(Number.NaN);

  // First pass: give every video a dense index, remembering each observation's index.
  const indexById = new Map<string, number>();
  const videoIds: string[] = [];
  const postedAtList: number[] = [];
  let observations = 0;
  for (let row = 0; row < pollCount; row += 1) {
    const poll = polls[row] as Poll;
    times[row] = Date.parse(poll.at);
    if (!isUsablePoll(poll)) continue;
    usable[row] = 1;
    complete[row] = poll.status === 'ok' ? 1 : 0;
    rounded[row] = poll.rounded ? 1 : 0;
    if (poll.profile) followers[row] = poll.profile.followers;
    observations += poll.videos.length;
  }
  const videoIndex = new Int32Array(observations);
  let cursor = 0;
  for (let row = 0; row < pollCount; row += 1) {
    const poll = polls[row] as Poll;
    if (usable[row] === 0 || poll.status === 'failed') continue;
    for (const video of poll.videos) {
      let index = indexById.get(video.id);
      if (index === undefined) {
        index = videoIds.length;
        indexById.set(video.id, index);
        videoIds.push(video.id);
        postedAtList.push(Date.parse(video.postedAt));
      }
      videoIndex[cursor] = index;
      cursor += 1;
    }
  }

  // Second pass: fill the matrices.
  const videoCount = videoIds.length;
  const cells = pollCount * videoCount;
  const likes = new Float64Array(cells).fill(Number.NaN);
  const views = new Float64Array(cells).fill(Number.NaN);
  const comments = new Float64Array(cells).fill(Number.NaN);
  cursor = 0;
  for (let row = 0; row < pollCount; row += 1) {
    const poll = polls[row] as Poll;
    if (usable[row] === 0 || poll.status === 'failed') continue;
    const base = row * videoCount;
    for (const video of poll.videos) {
      const cell = base + (videoIndex[cursor] as number);
      cursor += 1;
      likes[cell] = video.likes;
      views[cell] = video.views;
      comments[cell] = video.comments;
    }
  }
  return {
    account,
    polls,
    times,
    usable,
    complete,
    rounded,
    pollCount,
    videoCount,
    videoIds,
    postedAt: Float64Array.from(postedAtList),
    likes,
    views,
    comments,
    followers,
  };
}

/**
 * How far a count from a rounded poll may be from the truth: the place value of its last significant digit
 * (22,600 → 100; 1,200,000 → 100,000), never more than a tenth of the count. Exact polls have no slack.
 */
export function roundingSlack(count: number, rounded: boolean): number {
  if (!rounded || count < 1_000) return 0;
  let unit = 1;
  while (count % (unit * 10) === 0 && unit * 10 <= count / 10) unit *= 10;
  const significant = 10 ** (Math.floor(Math.log10(count)) - 2);
  return Math.max(unit, significant);
}

/** A video's views gained between two rows and how far rounding could move that; undefined if unlisted. */
export function viewChange(
  series: AccountSeries,
  video: number,
  fromRow: number,
  toRow: number,
): { increment: number; slack: number } | undefined {
  const { videoCount, views, rounded } = series;
  const before = views[fromRow * videoCount + video] as number;
  const after = views[toRow * videoCount + video] as number;
  if (Number.isNaN(before) || Number.isNaN(after)) return undefined;
  return {
    increment: Math.max(0, after - before),
    slack:
      roundingSlack(before, rounded[fromRow] === 1) + roundingSlack(after, rounded[toRow] === 1),
  };
}
