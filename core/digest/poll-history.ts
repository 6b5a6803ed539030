/**
 * Reads what the digest needs out of an account's raw polls: a video's title, link and like counts before
 * and after its drop, and why the latest unreadable poll failed. Only what the polls actually returned is
 * used; a video missing from a `partial` poll is unknown there, not vanished.
 */
import type { Poll, PollFailureReason, VideoStats } from '../model.ts';

/** What the polls show about one video over the window. */
export interface VideoTrace {
  /** The latest non-empty title any poll gave (raw, creator-controlled). */
  title?: string;
  /** The latest URL any poll gave (raw, creator-controlled: validate before use). */
  url?: string;
  /** Like count at the peak just before the video's largest drop. */
  before?: number;
  /** Like count at the latest poll that listed the video; absent when the video vanished. */
  after?: number;
  /** True when a complete (`ok`) poll after the last sighting no longer lists the video. */
  vanished: boolean;
}

/** Follows one video through the polls (oldest first). */
export function traceVideo(polls: readonly Poll[], videoId: string): VideoTrace {
  const trace: VideoTrace = { vanished: false };
  let peak: number | undefined;
  let largestDrop = -1;
  let lastSeenAt = -1;

  polls.forEach((poll, index) => {
    if (poll.status === 'failed') return;
    const video: VideoStats | undefined = poll.videos.find((candidate) => candidate.id === videoId);
    if (video === undefined) return;
    lastSeenAt = index;
    if (video.title !== undefined && video.title.trim() !== '') trace.title = video.title;
    if (video.url !== undefined) trace.url = video.url;
    trace.after = video.likes;

    // "Before" is the peak that preceded the largest drawdown, the same way the engine measures a loss.
    peak = peak === undefined ? video.likes : Math.max(peak, video.likes);
    const drop = peak - video.likes;
    if (drop > largestDrop) {
      largestDrop = drop;
      trace.before = peak;
    }
  });

  if (lastSeenAt >= 0) {
    const goneFromCompleteList = polls
      .slice(lastSeenAt + 1)
      .some((poll) => poll.status === 'ok' && !poll.videos.some((video) => video.id === videoId));
    if (goneFromCompleteList) {
      trace.vanished = true;
      delete trace.after;
    }
  }
  return trace;
}

/**
 * The reason recorded on the latest `failed` or `partial` poll that has one, or undefined when no such
 * poll recorded a reason.
 */
export function latestFailureReason(polls: readonly Poll[]): PollFailureReason | undefined {
  for (let index = polls.length - 1; index >= 0; index--) {
    const poll = polls[index];
    if (poll !== undefined && poll.status !== 'ok' && poll.reason !== undefined) return poll.reason;
  }
  return undefined;
}
