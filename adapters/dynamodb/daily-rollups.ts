/**
 * Daily roll-ups: what is kept of a UTC day once its raw polls expire. One compact record per account and
 * day: the day's last complete poll (what a thinned history shows, one poll a day) plus the day's lowest and
 * highest like counts, per video and for the profile, so a drop that came and went within the day stays
 * visible in the long history.
 */
import { z } from 'zod';
import { Count, type Poll } from '../../core/model.ts';
import { dayRepresentative } from '../../core/thinned-history.ts';
import { ByteReader, ByteWriter } from './binary-columns.ts';
import {
  columnsToPoll,
  compress,
  decompress,
  type PollColumns,
  readPoll,
  writePoll,
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

/** Rolls up the polls of one day (any order; at least one). */
export function rollUpDay(day: string, polls: readonly Poll[]): DailyRollup {
  const sorted = [...polls].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const last = dayRepresentative(sorted);
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

function widen(range: LikeRange | undefined, likes: number): LikeRange {
  return range
    ? { min: Math.min(range.min, likes), max: Math.max(range.max, likes) }
    : { min: likes, max: likes };
}

/** A format-1 roll-up as stored: JSON columns (ids, minimums, maximums), then compressed. */
interface RollupColumns {
  day: string;
  polls: number;
  failed: number;
  last: PollColumns;
  profileLikes?: [number, number];
  videoLikes: { id: string[]; min: number[]; max: number[] };
}

/** The JSON part of a format-2 roll-up as read back, checked; the poll and the ranges are binary. */
const StoredRollupHeader = z.object({
  day: z.iso.date(),
  polls: Count,
  failed: Count,
  profileLikes: z.tuple([Count, Count]).optional(),
  unlisted: z.array(z.string().min(1)),
});

/** First byte of a decompressed format-2 roll-up; format 1 is JSON and starts with `{`. */
const FORMAT_2 = 2;

/**
 * A roll-up's bytes before compression: the day's counts, the last poll in the poll format, then each video's
 * range as differences from its likes in that poll (a video that does not appear there: its minimum and the
 * width of its range). Likes rarely move far within a day, so the differences take a byte or two.
 */
function rollupBytes(rollup: DailyRollup): Uint8Array {
  const writer = new ByteWriter();
  writer.byte(FORMAT_2);
  const lastLikes = new Map(
    'videos' in rollup.last
      ? rollup.last.videos.map((video, index) => [video.id, { index, likes: video.likes }])
      : [],
  );
  const unlisted = rollup.videoLikes.filter((video) => !lastLikes.has(video.id));
  writer.json({
    day: rollup.day,
    polls: rollup.polls,
    failed: rollup.failed,
    ...(rollup.profileLikes && {
      profileLikes: [rollup.profileLikes.min, rollup.profileLikes.max],
    }),
    unlisted: unlisted.map((video) => video.id),
  });
  writePoll(writer, rollup.last);
  writer.varint(rollup.videoLikes.length);
  for (const video of rollup.videoLikes) {
    const inLast = lastLikes.get(video.id);
    // 0: the next unlisted id; n: the n-th video of the last poll.
    writer.varint(inLast ? inLast.index + 1 : 0);
    if (inLast) {
      writer.zigzag(inLast.likes - video.min);
      writer.zigzag(video.max - inLast.likes);
    } else {
      writer.varint(video.min);
      writer.varint(video.max - video.min);
    }
  }
  return writer.bytes();
}

/** Encodes a roll-up into its compressed body (see {@link rollupBytes}). */
export function encodeRollup(rollup: DailyRollup): Uint8Array {
  return compress(rollupBytes(rollup));
}

/** Decodes a body written by {@link encodeRollup} (either format). */
export function decodeRollup(body: Uint8Array): DailyRollup {
  return rollupFromBytes(decompress(body));
}

/**
 * A month of roll-ups as one body: each day's bytes, length-prefixed, compressed together. Days repeat what
 * changes little (the same video ids and posting times, counts close to the day before's), so the month
 * compresses to about a fifth of its days compressed one by one; being kept for ever and written once a
 * month, it gets Brotli's densest setting.
 */
export function encodeRollupMonth(rollups: readonly DailyRollup[]): Uint8Array {
  const writer = new ByteWriter();
  for (const rollup of rollups) {
    const bytes = rollupBytes(rollup);
    writer.varint(bytes.length);
    writer.raw(bytes);
  }
  return compress(writer.bytes(), MONTH_QUALITY);
}

/** The days of a body written by {@link encodeRollupMonth}, in the order written. */
export function decodeRollupMonth(body: Uint8Array): DailyRollup[] {
  const reader = new ByteReader(decompress(body));
  const rollups: DailyRollup[] = [];
  while (!reader.done) rollups.push(rollupFromBytes(Buffer.from(reader.raw(reader.varint()))));
  return rollups;
}

/** Brotli quality of month bodies: written once per account and month, stored for ever. */
const MONTH_QUALITY = 11;

function rollupFromBytes(bytes: Buffer): DailyRollup {
  if (bytes[0] !== FORMAT_2) return decodeRollupColumns(JSON.parse(bytes.toString('utf8')));
  const reader = new ByteReader(bytes.subarray(1));
  const header = StoredRollupHeader.parse(reader.json());
  const last = readPoll(reader);
  const lastVideos = 'videos' in last ? last.videos : [];
  let nextUnlisted = 0;
  const videoLikes = Array.from({ length: reader.varint() }, () => {
    const reference = reader.varint();
    if (reference === 0) {
      const id = header.unlisted[nextUnlisted++];
      if (id === undefined) throw new RangeError('roll-up: more unlisted videos than ids');
      const min = reader.varint();
      return { id, min, max: min + reader.varint() };
    }
    const video = lastVideos[reference - 1];
    if (!video) throw new RangeError('roll-up: a video reference past the last poll');
    const min = video.likes - reader.zigzag();
    return { id: video.id, min, max: video.likes + reader.zigzag() };
  });
  return {
    day: header.day,
    polls: header.polls,
    failed: header.failed,
    last,
    ...(header.profileLikes && {
      profileLikes: { min: header.profileLikes[0], max: header.profileLikes[1] },
    }),
    videoLikes,
  };
}

function decodeRollupColumns(columns: RollupColumns): DailyRollup {
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
