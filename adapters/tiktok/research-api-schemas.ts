/**
 * zod schemas for TikTok Research API responses (`/v2/research/user/info/`, `/v2/research/video/query/`), from
 * the shapes TikTok documents for the Research API. 64-bit ids arrive as bare JSON numbers;
 * they are turned into strings before parsing (see `RESEARCH_BIGINT_KEYS`), so the schemas expect strings.
 */
import { z } from 'zod';
import { ApiError } from './open-api.ts';

const Count = z.number().int().nonnegative();

/** Keys whose integer values exceed 2^53 and must be kept exact. */
export const RESEARCH_BIGINT_KEYS = ['id', 'video_id', 'music_id', 'playlist_id', 'search_id'];

/** `/v2/research/user/info/`: the user object sits directly in `data` (no id is returned). */
export const ResearchUserInfoResponse = z.object({
  data: z.object({
    display_name: z.string().optional(),
    follower_count: Count,
    following_count: Count,
    likes_count: Count,
    video_count: Count,
  }),
  error: ApiError,
});

/** A research video; TikTok's own example uses `video_id` where the field list says `id`, so both are read. */
export const ResearchVideo = z
  .object({
    id: z.string().regex(/^\d+$/).optional(),
    video_id: z.string().regex(/^\d+$/).optional(),
    create_time: z.number().int().positive(),
    username: z.string().optional(),
    video_description: z.string().optional(),
    view_count: Count,
    like_count: Count,
    comment_count: Count,
    share_count: Count,
    favorites_count: Count.optional(),
  })
  .refine((video) => video.id !== undefined || video.video_id !== undefined, {
    message: 'a video without id',
  });
export type ResearchVideo = z.infer<typeof ResearchVideo>;

/** `/v2/research/video/query/`: one page of a cached search. */
export const ResearchVideoQueryResponse = z.object({
  data: z.object({
    videos: z.array(ResearchVideo),
    cursor: z.number().int().nonnegative(),
    has_more: z.boolean(),
    search_id: z.string().min(1),
  }),
  error: ApiError,
});

/** Fields requested from `/v2/research/user/info/`. */
export const RESEARCH_USER_FIELDS =
  'display_name,follower_count,following_count,likes_count,video_count';

/** Fields requested from `/v2/research/video/query/` (`username` to drop approximate matches). */
export const RESEARCH_VIDEO_FIELDS =
  'id,create_time,username,video_description,view_count,like_count,comment_count,share_count,favorites_count';

/** The documented maximum page size of the video query. */
export const RESEARCH_PAGE_SIZE = 100;

/** The documented maximum span of one video query (`end_date` at most 30 days after `start_date`). */
export const RESEARCH_WINDOW_DAYS = 30;
