/**
 * zod schemas for the JSON embedded in TikTok's public web pages (UNOFFICIAL; tiktok-sources.md §3): the
 * `__UNIVERSAL_DATA_FOR_REHYDRATION__` script's `__DEFAULT_SCOPE__`, with `webapp.user-detail` on a profile page
 * and `webapp.video-detail` on a video page. `stats` holds numbers TikTok rounds (22.6K shows as 22600);
 * `statsV2` holds the exact values as strings.
 */
import { z } from 'zod';

const Count = z.number().int().nonnegative();
/** An exact count as `statsV2` sends it: a string of digits. */
const ExactCount = z.string().regex(/^\d+$/);

/** The script element the page data lives in (matched the way yt-dlp does). */
export const UNIVERSAL_DATA_SCRIPT =
  /<script[^>]+\bid="__UNIVERSAL_DATA_FOR_REHYDRATION__"[^>]*>([\s\S]*?)<\/script>/;

/** The blob: only `__DEFAULT_SCOPE__` is used. */
export const UniversalData = z.object({
  __DEFAULT_SCOPE__: z.record(z.string(), z.unknown()),
});

export const WebUserStats = z.object({
  followerCount: Count,
  followingCount: Count,
  heartCount: Count.optional(),
  heart: Count.optional(),
  videoCount: Count,
});

export const WebUserStatsV2 = z.object({
  followerCount: ExactCount,
  followingCount: ExactCount,
  heartCount: ExactCount.optional(),
  heart: ExactCount.optional(),
  videoCount: ExactCount,
});

export const WebVideoStats = z.object({
  playCount: Count,
  diggCount: Count,
  commentCount: Count,
  shareCount: Count,
  collectCount: Count.optional(),
});

export const WebVideoStatsV2 = z.object({
  playCount: ExactCount,
  diggCount: ExactCount,
  commentCount: ExactCount,
  shareCount: ExactCount,
  collectCount: ExactCount.optional(),
});

/** A video as the pages embed it (`itemStruct`, also the entries of a profile's `itemList`). */
export const ItemStruct = z.object({
  id: z.string().regex(/^\d+$/),
  createTime: z.union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)]),
  desc: z.string().optional(),
  author: z.object({ uniqueId: z.string().optional() }).optional(),
  stats: WebVideoStats.optional(),
  statsV2: WebVideoStatsV2.optional(),
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
      stats: WebUserStats.optional(),
      statsV2: WebUserStatsV2.optional(),
      itemList: z.array(ItemStruct).optional(),
    })
    .optional(),
});

/** `webapp.video-detail` on `https://www.tiktok.com/@{uniqueId}/video/{id}`. */
export const VideoDetail = z.object({
  statusCode: z.number().int(),
  itemInfo: z.object({ itemStruct: ItemStruct }).optional(),
});

/** Page `statusCode`s with a known meaning (tiktok-sources.md §3.4). */
export const WEB_STATUS = {
  ok: 0,
  privatePost: 10216,
  privateAccount: 10222,
  ipBlocked: 10204,
  userNotFound: 10221,
} as const;
