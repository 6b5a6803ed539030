/**
 * Polls that refer to their day's first poll. Ids (eight bytes each) and posting times are most of a stored
 * poll without titles, and a video's id and posting time do not change from one poll to the next: so a later
 * poll of the day writes, for each video its day's first poll listed, that poll's index of it instead. At 50
 * videos that takes a poll from two write units to one.
 *
 * What makes it safe: the first poll of a day, once stored `ok`, is never replaced (`NOT_OVER_OK`), so
 * what a later poll refers to stays as it was; a later poll expires with its base, never after it; and a poll
 * is written on its own (ids and all) whenever its base is not there to be read, is not `ok`, or is chunked.
 */
import type { Poll, VideoStats } from '../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';

/** The videos a poll may refer to: the base poll's slot and its list (ids and posting times). */
export interface PollBase {
  slot: string;
  videos: ReadonlyArray<Pick<VideoStats, 'id' | 'postedAt'>>;
}

/** A stored poll refers to a base poll that could not be read. */
export class MissingBaseError extends Error {
  override name = 'MissingBaseError';

  constructor(readonly slot: string) {
    super(`stored poll: the poll it refers to (slot ${slot}) is not stored`);
  }
}

/**
 * The slot of the first poll of the UTC day of `slotMs`, at a cadence of `cadenceHours` (the slot in the day's
 * first `cadenceHours`, the one that also keeps every title, see `withTitlesOncePerDay`).
 */
export function baseSlotOf(slotMs: number, cadenceHours: number): number {
  const dayStart = Math.floor(slotMs / DAY_MS) * DAY_MS;
  return dayStart + ((slotMs - dayStart) % (cadenceHours * HOUR_MS));
}

/** The base a poll can refer to: only an `ok` poll with videos. */
export function pollBase(slot: string, poll: Poll): PollBase | undefined {
  return poll.status === 'ok' ? { slot, videos: poll.videos } : undefined;
}

/**
 * For each video, 1 + its index in the base when the base lists it with the same posting time (spelled the
 * same), else 0 (the poll writes the video's own id and posting time).
 */
export function baseReferences(videos: readonly VideoStats[], base: PollBase): number[] {
  const index = new Map(base.videos.map((video, at) => [video.id, at] as const));
  return videos.map((video) => {
    const at = index.get(video.id);
    return at !== undefined && base.videos[at]?.postedAt === video.postedAt ? at + 1 : 0;
  });
}
