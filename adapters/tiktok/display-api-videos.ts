/**
 * The Display API source's video reads: every page of `/v2/video/list/`, and the known videos a short list left
 * out, re-read by id with `/v2/video/query/`. Each video is validated on its own.
 */
import type { z } from 'zod';
import type { RejectedItem, VideoStats } from '../../core/model.ts';
import type { PollHints } from '../../core/ports.ts';
import { formatInstant } from '../../core/time.ts';
import {
  DisplayVideo,
  VIDEO_FIELDS,
  VIDEO_PAGE_SIZE,
  VIDEO_QUERY_BATCH,
  VideoListResponse,
  VideoQueryResponse,
} from './display-api-schemas.ts';
import type { TokenSession } from './display-api-tokens.ts';
import { absentKnownVideos, asSourceFailure, SourceFailure } from './http.ts';
import { rawId, readItems } from './items.ts';

/** Every page of `/v2/video/list/`; a page that fails ends the list with the problem kept. */
export async function listVideos(
  session: TokenSession,
  handle: string,
  maxPages: number,
): Promise<{
  videos: Map<string, VideoStats>;
  rejected: RejectedItem[];
  problem?: SourceFailure;
}> {
  const videos = new Map<string, VideoStats>();
  const rejected: RejectedItem[] = [];
  const seenCursors = new Set<number>();
  let cursor: number | undefined;
  for (let page = 0; page < maxPages; page++) {
    let list: z.infer<typeof VideoListResponse>;
    try {
      list = await session.call(
        '/v2/video/list/',
        {
          method: 'POST',
          fields: VIDEO_FIELDS,
          body: { max_count: VIDEO_PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) },
        },
        VideoListResponse,
      );
    } catch (error) {
      return { videos, rejected, problem: asSourceFailure(error) };
    }
    const page = readItems(DisplayVideo, list.data.videos, (video) => rawId(video, 'id'));
    rejected.push(...page.rejected);
    for (const video of page.items) videos.set(video.id, toVideoStats(video, handle));
    if (!list.data.has_more) return { videos, rejected };
    // A page that says there is more but returns nothing, or a cursor seen before, would loop forever.
    if (list.data.videos.length === 0) {
      return {
        videos,
        rejected,
        problem: new SourceFailure('missing_pages', 'empty page with has_more'),
      };
    }
    if (seenCursors.has(list.data.cursor) || list.data.cursor === cursor) {
      return {
        videos,
        rejected,
        problem: new SourceFailure('missing_pages', `the cursor ${list.data.cursor} repeated`),
      };
    }
    seenCursors.add(list.data.cursor);
    cursor = list.data.cursor;
  }
  return {
    videos,
    rejected,
    problem: new SourceFailure('missing_pages', `stopped after ${maxPages} pages`),
  };
}

/**
 * Re-reads, 20 ids a request, the known videos the list left out. Returns the problem that stopped it, if
 * any, and the videos it rejected. Ids TikTok does not return are gone (deleted, private or no longer the
 * user's).
 */
export async function queryKnownVideos(
  session: TokenSession,
  handle: string,
  videos: Map<string, VideoStats>,
  hints?: PollHints,
): Promise<{ problem?: SourceFailure; rejected: RejectedItem[] }> {
  const rejected: RejectedItem[] = [];
  const absent = await absentKnownVideos(videos, hints);
  if (absent instanceof SourceFailure) return { problem: absent, rejected };
  for (let start = 0; start < absent.length; start += VIDEO_QUERY_BATCH) {
    try {
      const batch = absent.slice(start, start + VIDEO_QUERY_BATCH);
      const found = await session.call(
        '/v2/video/query/',
        { method: 'POST', fields: VIDEO_FIELDS, body: { filters: { video_ids: batch } } },
        VideoQueryResponse,
      );
      const read = readItems(DisplayVideo, found.data.videos, (video) => rawId(video, 'id'));
      rejected.push(...read.rejected);
      for (const video of read.items) videos.set(video.id, toVideoStats(video, handle));
    } catch (error) {
      return { problem: asSourceFailure(error), rejected };
    }
  }
  return { rejected };
}

function toVideoStats(video: DisplayVideo, handle: string): VideoStats {
  return {
    id: video.id,
    postedAt: formatInstant(video.create_time * 1000),
    views: video.view_count,
    likes: video.like_count,
    comments: video.comment_count,
    shares: video.share_count,
    // The Display API has no save count.
    saves: null,
    title: video.title || video.video_description || undefined,
    url:
      video.share_url ||
      `https://www.tiktok.com/@${encodeURIComponent(handle)}/video/${encodeURIComponent(video.id)}`,
  };
}
