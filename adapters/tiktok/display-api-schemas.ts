/**
 * zod schemas for TikTok Display API v2 responses (`/v2/user/info/`, `/v2/video/list/`, `/v2/video/query/`),
 * from the documented shapes (docs/sources.md). Every response is validated before a single number from it is
 * used: the envelope whole, the user's counts and each video on their own, so one bad video costs only itself.
 */
import { z } from 'zod';
import { ApiError } from './open-api.ts';

const Count = z.number().int().nonnegative();

/** The error object every v2 response carries; `code` is `ok` on success. */
export const DisplayApiError = ApiError;

/** Who the token reads: without a valid `open_id` nothing in the answer can be trusted to be this account's. */
export const DisplayUserIdentity = z.object({
  open_id: z.string().min(1),
  username: z.string().optional(),
});

/** The user's counts (scope user.info.stats), checked apart from the identity. */
export const DisplayUserCounts = z.object({
  follower_count: Count,
  following_count: Count,
  likes_count: Count,
  video_count: Count,
});

export const UserInfoResponse = z.object({
  data: z.object({ user: DisplayUserIdentity.loose() }),
  error: DisplayApiError,
});

export const DisplayVideo = z.object({
  id: z.string().min(1),
  create_time: z.number().int().positive(),
  title: z.string().optional(),
  video_description: z.string().optional(),
  share_url: z.string().optional(),
  view_count: Count,
  like_count: Count,
  comment_count: Count,
  share_count: Count,
});
export type DisplayVideo = z.infer<typeof DisplayVideo>;

export const VideoListResponse = z.object({
  data: z.object({
    videos: z.array(z.unknown()),
    cursor: z.number().int().nonnegative(),
    has_more: z.boolean(),
  }),
  error: DisplayApiError,
});

/** `/v2/video/query/`: the videos among the requested ids that still belong to the user (no paging). */
export const VideoQueryResponse = z.object({
  data: z.object({ videos: z.array(z.unknown()) }),
  error: DisplayApiError,
});

/** Fields requested from `/v2/user/info/` (scopes user.info.basic, user.info.profile, user.info.stats). */
export const USER_FIELDS =
  'open_id,username,display_name,follower_count,following_count,likes_count,video_count';

/** The same without `username`, for a creator who did not grant user.info.profile (asking would fail the call). */
export const USER_FIELDS_WITHOUT_PROFILE =
  'open_id,display_name,follower_count,following_count,likes_count,video_count';

/** Scopes a poll cannot do without (the connect flow checks the same list). */

/** Fields requested from `/v2/video/list/` and `/v2/video/query/` (scope video.list). */
export const VIDEO_FIELDS =
  'id,create_time,title,video_description,share_url,view_count,like_count,comment_count,share_count';

/** The documented maximum page size of `/v2/video/list/`. */
export const VIDEO_PAGE_SIZE = 20;

/** The documented maximum number of ids per `/v2/video/query/` request. */
export const VIDEO_QUERY_BATCH = 20;
