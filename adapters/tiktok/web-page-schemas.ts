/**
 * zod schemas for the JSON embedded in TikTok's public web pages (UNOFFICIAL; docs/sources.md): the
 * `__UNIVERSAL_DATA_FOR_REHYDRATION__` script's `__DEFAULT_SCOPE__`, with `webapp.user-detail` on a profile page
 * and `webapp.video-detail` on a video page. The page is checked whole; each video, and each counter of the
 * profile and the videos, on its own (web-counts.ts), so one bad item or counter costs only itself.
 */
import { z } from 'zod';

/** The script element the page data lives in (matched the way yt-dlp does). */
export const UNIVERSAL_DATA_SCRIPT =
  /<script[^>]+\bid="__UNIVERSAL_DATA_FOR_REHYDRATION__"[^>]*>([\s\S]*?)<\/script>/;

/** The blob: only `__DEFAULT_SCOPE__` is used. */
export const UniversalData = z.object({
  __DEFAULT_SCOPE__: z.record(z.string(), z.unknown()),
});

/** Counter names of a profile (`heartCount` and `heart` both hold the likes received). */
export const PROFILE_COUNTS = {
  required: ['followerCount', 'followingCount', 'videoCount'],
  optional: ['heartCount', 'heart'],
} as const;

/** Counter names of a video; pages may lack `collectCount` (saves). */
export const VIDEO_COUNTS = {
  required: ['playCount', 'diggCount', 'commentCount', 'shareCount'],
  optional: ['collectCount'],
} as const;

/**
 * A video as the pages embed it (`itemStruct`, also the entries of a profile's `itemList`), without its
 * counters, which are read field by field. `createTime` arrives as a number or as a string.
 */
export const ItemStruct = z.object({
  id: z.string().regex(/^\d+$/),
  createTime: z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]),
  desc: z.string().optional(),
  author: z.object({ uniqueId: z.string().optional() }).optional(),
  stats: z.unknown().optional(),
  statsV2: z.unknown().optional(),
});
export type ItemStruct = z.infer<typeof ItemStruct>;

/** `webapp.user-detail` on `https://www.tiktok.com/@{uniqueId}`; `userInfo` is absent when `statusCode` ≠ 0. */
export const UserDetail = z.object({
  statusCode: z.number().int(),
  userInfo: z
    .object({
      user: z.object({
        id: z.string().min(1),
        uniqueId: z.string().min(1),
        privateAccount: z.boolean().optional(),
      }),
      stats: z.unknown().optional(),
      statsV2: z.unknown().optional(),
      // Checked item by item; real profiles can come without any.
      itemList: z.array(z.unknown()).optional(),
    })
    .optional(),
});
export type UserInfo = NonNullable<z.infer<typeof UserDetail>['userInfo']>;

/** `webapp.video-detail` on `https://www.tiktok.com/@{uniqueId}/video/{id}`. */
export const VideoDetail = z.object({
  statusCode: z.number().int(),
  itemInfo: z.object({ itemStruct: z.unknown() }).optional(),
});

/** Page `statusCode`s with a known meaning (docs/sources.md). */
export const WEB_STATUS = {
  ok: 0,
  privatePost: 10216,
  privateAccount: 10222,
  ipBlocked: 10204,
  userNotFound: 10221,
} as const;
