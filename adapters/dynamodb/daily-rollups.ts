/**
 * Daily roll-ups: what is kept of a UTC day once its raw polls expire. One compact record per account and
 * day: the day's last complete poll (what a thinned history shows, one poll a day) plus the day's lowest and
 * highest like counts, per video and for the profile, so a drop that came and went within the day stays
 * visible in the long history.
 */
import type { Poll } from '../../core/model.ts';
import { DAY_MS } from '../../core/time.ts';
import {
  columnsToPoll,
  compressJson,
  decompressJson,
  type PollColumns,
  pollToColumns,
} from './poll-codec.ts';

/** The lowest and highest like count seen during the day. */
export interface LikeRange {
  min: number;
  max: number;
}

/** What is kept of one account's UTC day. */
export interface DailyRollup {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** Polls stored that day, whatever their status. */
  polls: number;
  /** Of which `failed`. */
  failed: number;
  /**
   * The day's last `ok` poll; else its last `partial` one; else its last poll. Without video titles and URLs:
   * the long history needs the counts, the raw polls of the retention period carry the rest.
   */
  last: Poll;
  /** Profile likes over the day's readable polls; absent when none had a profile. */
  profileLikes?: LikeRange;
  /** Per video seen that day (in order of first appearance): its likes over the day. */
  videoLikes: Array<LikeRange & { id: string }>;
}

/** The UTC day (`YYYY-MM-DD`) of an instant. */
export function utcDay(instant: string | Date): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** `day` shifted by `days` (negative: earlier). */
export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/** Rolls up the polls of one day (any order; at least one). */
export function rollUpDay(day: string, polls: readonly Poll[]): DailyRollup {
  const sorted = [...polls].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const lastOf = (status: Poll['status']) => sorted.findLast((poll) => poll.status === status);
  const last = withoutDescriptions(lastOf('ok') ?? lastOf('partial') ?? (sorted.at(-1) as Poll));
  let profileLikes: LikeRange | undefined;
  const videoLikes = new Map<string, LikeRange & { id: string }>();
  for (const poll of sorted) {
    if (poll.status === 'failed') continue;
    if (poll.profile) profileLikes = widen(profileLikes, poll.profile.likes);
    for (const video of poll.videos) {
      const range = widen(videoLikes.get(video.id), video.likes);
      videoLikes.set(video.id, { id: video.id, ...range });
    }
  }
  return {
    day,
    polls: sorted.length,
    failed: sorted.filter((poll) => poll.status === 'failed').length,
    last,
    ...(profileLikes && { profileLikes }),
    videoLikes: [...videoLikes.values()],
  };
}

/** The poll without its videos' titles and URLs: they are most of a compressed poll that is not a count. */
function withoutDescriptions(poll: Poll): Poll {
  if (!('videos' in poll)) return poll;
  return { ...poll, videos: poll.videos.map(({ title: _title, url: _url, ...counts }) => counts) };
}

function widen(range: LikeRange | undefined, likes: number): LikeRange {
  return range
    ? { min: Math.min(range.min, likes), max: Math.max(range.max, likes) }
    : { min: likes, max: likes };
}

/** A roll-up as stored: columns again (ids, minimums, maximums), then compressed. */
interface RollupColumns {
  day: string;
  polls: number;
  failed: number;
  last: PollColumns;
  profileLikes?: [number, number];
  videoLikes: { id: string[]; min: number[]; max: number[] };
}

/** Encodes a roll-up into its compressed body. */
export function encodeRollup(rollup: DailyRollup): Promise<Uint8Array> {
  const columns: RollupColumns = {
    day: rollup.day,
    polls: rollup.polls,
    failed: rollup.failed,
    last: pollToColumns(rollup.last),
    ...(rollup.profileLikes && {
      profileLikes: [rollup.profileLikes.min, rollup.profileLikes.max],
    }),
    videoLikes: {
      id: rollup.videoLikes.map((video) => video.id),
      min: rollup.videoLikes.map((video) => video.min),
      max: rollup.videoLikes.map((video) => video.max),
    },
  };
  return compressJson(columns);
}

/** Decodes a body written by {@link encodeRollup}. */
export function decodeRollup(body: Uint8Array): DailyRollup {
  const columns = decompressJson(body) as RollupColumns;
  return {
    day: columns.day,
    polls: columns.polls,
    failed: columns.failed,
    last: columnsToPoll(columns.last),
    ...(columns.profileLikes && {
      profileLikes: { min: columns.profileLikes[0], max: columns.profileLikes[1] },
    }),
    videoLikes: columns.videoLikes.id.map((id, index) => ({
      id,
      min: columns.videoLikes.min[index] as number,
      max: columns.videoLikes.max[index] as number,
    })),
  };
}
