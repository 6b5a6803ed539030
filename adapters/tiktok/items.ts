/**
 * Per-item validation shared by the three sources: a list TikTok sends is validated item by item, so one bad
 * item costs that item (recorded as a {@link RejectedItem} naming the video and the field), never the page, the
 * other videos or the account's poll. A poll with rejected items is `partial`: their videos are unknown in it,
 * not vanished, and a count TikTok did not give is never read as 0.
 */
import type { z } from 'zod';
import type { Poll, Profile, RejectedItem, VideoStats } from '../../core/model.ts';
import type { SourceFailure } from './http.ts';

/** The items of a list that passed their schema, and those that did not. */
export interface ReadItems<T> {
  items: T[];
  rejected: RejectedItem[];
}

/** Rejected items named in a partial poll's `detail` at most (all of them are in `rejected`). */
const REJECTED_NAMED_IN_DETAIL = 3;

/**
 * Validates each of `raw` with `schema`. An item that fails is left out and described by its first problem;
 * `idOf` reads the video id of a raw item when it has a usable one.
 */
export function readItems<S extends z.ZodType>(
  schema: S,
  raw: readonly unknown[],
  idOf: (item: unknown) => string | undefined,
): ReadItems<z.infer<S>> {
  const items: z.infer<S>[] = [];
  const rejected: RejectedItem[] = [];
  for (const item of raw) {
    const parsed = schema.safeParse(item);
    if (parsed.success) items.push(parsed.data);
    else rejected.push(rejection(parsed.error, item, idOf(item)));
  }
  return { items, rejected };
}

/** A rejected item from a zod error: the first issue's field, and `missing` when the field was absent. */
export function rejection(
  error: z.ZodError,
  item: unknown,
  video: string | undefined,
): RejectedItem {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  const field = path.length > 0 ? path.join('.') : '(item)';
  const problem = valueAt(item, path) === undefined && path.length > 0 ? 'missing' : issue?.message;
  return { ...(video ? { video } : {}), field, problem: problem ?? 'invalid' };
}

/** The id field of a raw item, when it is a non-empty string or a safe integer. */
export function rawId(item: unknown, ...keys: string[]): string | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  for (const key of keys) {
    const value = (item as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  }
  return undefined;
}

function valueAt(item: unknown, path: readonly PropertyKey[]): unknown {
  let value = item;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Rejected items in words, for a poll's `detail`. */
export function describeRejected(rejected: readonly RejectedItem[]): string {
  const named = rejected
    .slice(0, REJECTED_NAMED_IN_DETAIL)
    .map(
      (item) => `${item.video ? `video ${item.video}` : 'an item'}: ${item.field} ${item.problem}`,
    );
  const more = rejected.length - named.length;
  const count = rejected.length === 1 ? '1 item left out' : `${rejected.length} items left out`;
  return `${count} (${named.join('; ')}${more > 0 ? `; and ${more} more` : ''})`;
}

/** Rejected items without repeats (a video re-read after it was rejected in the list is rejected again). */
export function distinctRejected(rejected: readonly RejectedItem[]): RejectedItem[] {
  const seen = new Set<string>();
  return rejected.filter((item) => {
    const key = `${item.video ?? ''}\u0000${item.field}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What a source read in one poll, before it is judged `ok` or `partial`. */
export interface PollReading {
  at: Date;
  flags?: { rounded?: true; archived?: true };
  profile?: Profile;
  videos: Iterable<VideoStats>;
  /** What kept the list from being vouched for, if anything. */
  problem?: SourceFailure;
  rejected: readonly RejectedItem[];
}

/**
 * The poll for a reading: `ok` only with a profile, no problem and nothing rejected; otherwise `partial`, with
 * the problem's reason (or `invalid_item`), a detail in words and the rejected items.
 */
export function pollOf(reading: PollReading): Poll {
  const videos = [...reading.videos];
  // A video rejected once and then read whole (e.g. re-read by id) is not left out.
  const read = new Set(videos.map((video) => video.id));
  const rejected = distinctRejected(reading.rejected).filter(
    (item) => item.video === undefined || !read.has(item.video),
  );
  const base = { at: reading.at.toISOString(), ...reading.flags, videos };
  if (!reading.problem && rejected.length === 0 && reading.profile) {
    return { ...base, status: 'ok', profile: reading.profile };
  }
  const details = [
    ...(reading.problem ? [reading.problem.message] : []),
    ...(rejected.length > 0 ? [describeRejected(rejected)] : []),
  ];
  return {
    ...base,
    status: 'partial',
    reason: reading.problem?.reason ?? (rejected.length > 0 ? 'invalid_item' : 'missing_pages'),
    ...(details.length > 0 ? { detail: details.join('; ') } : {}),
    ...(rejected.length > 0 ? { rejected } : {}),
    ...(reading.profile ? { profile: reading.profile } : {}),
  };
}
