/** Which titles a stored poll keeps (see `poll-history.ts`): every title once a day, new videos' in every poll. */
import type { Poll } from '../../core/model.ts';
import { DAY_MS } from '../../core/time.ts';
import { baseSlotOf } from './poll-bases.ts';

/**
 * A poll as stored at a cadence of `cadenceHours`. Titles are most of a stored poll (TikTok's run to 150
 * characters) and seldom change, so only the account's first poll of the UTC day, the one whose slot falls in
 * the day's first `cadenceHours`, keeps every video's title. The others keep only the titles of videos posted
 * in the 24 hours before their slot, which that first poll may not have listed. Every video posted earlier was
 * out by the first slot, so whoever reads a day of polls (the digest reads a week) still finds each video's
 * title, an edit showing from the next day's first poll.
 */
export function withTitlesOncePerDay(poll: Poll, slotMs: number, cadenceHours: number): Poll {
  if (!('videos' in poll)) return poll;
  if (baseSlotOf(slotMs, cadenceHours) === slotMs) return poll;
  const recentFromMs = slotMs - DAY_MS;
  return {
    ...poll,
    videos: poll.videos.map((video) => {
      if (video.title === undefined || Date.parse(video.postedAt) > recentFromMs) return video;
      const { title: _title, ...untitled } = video;
      return untitled;
    }),
  };
}
