/**
 * The Research API's videos as polls read them: the ≤30-day query windows an account's history is read in,
 * each archived video as the core's `VideoStats`, and the check that no known video went missing.
 */
import type { RejectedItem, VideoStats } from '../../core/model.ts';
import type { PollHints } from '../../core/ports.ts';
import { DAY_MS, formatInstant } from '../../core/time.ts';
import { absentKnownVideos, SourceFailure } from './http.ts';
import { RESEARCH_WINDOW_DAYS, type ResearchVideo } from './research-api-schemas.ts';

/**
 * ≤30-day windows (`YYYYMMDD`), newest first, from `lookbackDays` before the account was added to the day of
 * `at`.
 */
export function researchWindows(
  addedAt: string,
  at: Date,
  lookbackDays: number,
): { start: string; end: string }[] {
  const first = startOfDay(Date.parse(addedAt) - lookbackDays * DAY_MS);
  const last = startOfDay(at.getTime());
  const windows: { start: string; end: string }[] = [];
  for (let end = last; end >= first; end -= RESEARCH_WINDOW_DAYS * DAY_MS) {
    // Windows overlap by their boundary day (whether end_date is inclusive is not documented); ids dedupe.
    const start = Math.max(first, end - RESEARCH_WINDOW_DAYS * DAY_MS);
    windows.push({ start: yyyymmdd(start), end: yyyymmdd(end) });
    if (start === first) break;
  }
  return windows;
}

/**
 * Known videos the archive did not return make the poll partial: an absence in an `ok` poll would read as a
 * removal, and the archive is known to drop and re-add videos.
 */
export async function missingKnownVideos(
  videos: Map<string, VideoStats>,
  rejected: readonly RejectedItem[],
  hints?: PollHints,
): Promise<SourceFailure | undefined> {
  const found = await absentKnownVideos(videos, hints);
  if (found instanceof SourceFailure) return found;
  // A rejected video was returned; it is accounted for in the poll's `rejected`.
  const rejectedIds = new Set(rejected.map((item) => item.video));
  const absent = found.filter((id) => !rejectedIds.has(id));
  if (absent.length === 0) return undefined;
  return new SourceFailure(
    'missing_pages',
    `${absent.length} previously listed videos were not returned`,
  );
}

export function toVideoStats(video: ResearchVideo, handle: string): VideoStats {
  const id = (video.id ?? video.video_id) as string;
  return {
    id,
    postedAt: formatInstant(video.create_time * 1000),
    views: video.view_count,
    likes: video.like_count,
    comments: video.comment_count,
    shares: video.share_count,
    saves: video.favorites_count ?? null,
    ...(video.video_description ? { title: video.video_description } : {}),
    url: `https://www.tiktok.com/@${encodeURIComponent(handle)}/video/${id}`,
  };
}

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function yyyymmdd(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
}
