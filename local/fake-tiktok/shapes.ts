/**
 * The response shapes the fake TikTok sends, as TikTok documents them (docs/sources.md): the open API
 * `{data, error}` envelope, Display user and video objects, Research objects with 64-bit ids as bare numbers,
 * and web pages with their embedded JSON.
 */
import { randomBytes } from 'node:crypto';
import type { Profile, VideoStats } from '../../core/model.ts';
import type { WorldAccountInfo } from '../../core/simulate/world.ts';

/** The v2 envelope; `code` is `ok` on success. */
export function envelope(data: object, code = 'ok', message = '') {
  return { data, error: { code, message, log_id: logId() } };
}

/** The OAuth error envelope (docs/sources.md: Display API). */
export function oauthError(error: string, description: string) {
  return { error, error_description: description, log_id: logId() };
}

function logId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

/** A Display API user object with every field the fake knows. */
export function displayUser(info: WorldAccountInfo, handle: string, profile: Profile) {
  return {
    open_id: info.id,
    union_id: `u-${info.id}`,
    display_name: info.displayName,
    username: handle,
    profile_deep_link: `https://www.tiktok.com/@${handle}`,
    is_verified: false,
    follower_count: profile.followers,
    following_count: profile.following,
    likes_count: profile.likes,
    video_count: profile.videos,
  };
}

/** A Display API video object. */
export function displayVideo(video: VideoStats) {
  return {
    id: video.id,
    create_time: Math.floor(Date.parse(video.postedAt) / 1000),
    title: video.title ?? '',
    video_description: video.title ?? '',
    share_url: video.url ?? '',
    duration: 30,
    view_count: video.views,
    like_count: video.likes,
    comment_count: video.comments,
    share_count: video.shares,
  };
}

/** A Research API user info object (no id: the API is keyed by username). */
export function researchUser(info: WorldAccountInfo, profile: Profile) {
  return {
    display_name: info.displayName,
    bio_description: '',
    is_verified: false,
    follower_count: profile.followers,
    following_count: profile.following,
    likes_count: profile.likes,
    video_count: profile.videos,
  };
}

/** A Research API video object; `id` is written as a bare 64-bit number by {@link researchJson}. */
export function researchVideo(video: VideoStats, handle: string) {
  return {
    id: video.id,
    create_time: Math.floor(Date.parse(video.postedAt) / 1000),
    username: handle,
    region_code: 'GB',
    video_description: video.title ?? '',
    view_count: video.views,
    like_count: video.likes,
    comment_count: video.comments,
    share_count: video.shares,
    favorites_count: video.saves ?? Math.round(video.likes * 0.08),
  };
}

/** JSON with video ids as bare integers, the way the Research API sends them (beyond 2^53, unquoted). */
export function researchJson(body: unknown): string {
  return JSON.stringify(body).replace(/"id":"(\d+)"/g, '"id":$1');
}

/** A count as the web's `stats` shows it: exact below 1,000, then to 0.1K or 0.1M (15,955 → 16,000). */
export function roundedCount(count: number): number {
  if (count < 1_000) return count;
  const unit = count < 1_000_000 ? 100 : 100_000;
  return Math.round(count / unit) * unit;
}

/** A web `itemStruct`, with `statsV2` unless only the rounded `stats` are to be shown. */
export function webItem(video: VideoStats, info: WorldAccountInfo, handle: string, exact: boolean) {
  const counts = {
    playCount: video.views,
    diggCount: video.likes,
    commentCount: video.comments,
    shareCount: video.shares,
    collectCount: video.saves ?? Math.round(video.likes * 0.08),
  };
  return {
    id: video.id,
    desc: video.title ?? '',
    createTime: Math.floor(Date.parse(video.postedAt) / 1000),
    author: {
      id: info.id,
      uniqueId: handle,
      nickname: info.displayName,
      secUid: `MS4w.${info.id}`,
    },
    video: { duration: 30, cover: `https://p16-sign.tiktokcdn.example/${video.id}.jpeg` },
    stats: Object.fromEntries(
      Object.entries(counts).map(([key, value]) => [key, roundedCount(value)]),
    ),
    ...(exact
      ? {
          statsV2: Object.fromEntries(
            Object.entries(counts).map(([key, value]) => [key, String(value)]),
          ),
        }
      : {}),
  };
}

/** The profile's `userInfo`, with the newest videos as `itemList`. */
export function webUserInfo(
  info: WorldAccountInfo,
  handle: string,
  profile: Profile,
  items: object[],
  exact: boolean,
) {
  const counts = {
    followerCount: profile.followers,
    followingCount: profile.following,
    heart: profile.likes,
    heartCount: profile.likes,
    videoCount: profile.videos,
    diggCount: 0,
    friendCount: 0,
  };
  return {
    user: {
      id: info.id,
      uniqueId: handle,
      nickname: info.displayName,
      secUid: `MS4w.${info.id}`,
      verified: false,
      privateAccount: false,
      signature: '',
    },
    stats: Object.fromEntries(
      Object.entries(counts).map(([key, value]) => [key, roundedCount(value)]),
    ),
    ...(exact
      ? {
          statsV2: Object.fromEntries(
            Object.entries(counts).map(([key, value]) => [key, String(value)]),
          ),
        }
      : {}),
    itemList: items,
  };
}

/** A web page with the universal data script (`<` escaped so no text can close the script early). */
export function webPage(defaultScope: object): string {
  const json = JSON.stringify({ __DEFAULT_SCOPE__: defaultScope }).replace(/</g, '\\u003c');
  return [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>TikTok</title></head><body>',
    '<div id="app"></div>',
    `<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">${json}</script>`,
    '</body></html>',
  ].join('');
}

/** The WAF JavaScript proof-of-work page TikTok serves before the real one (docs/sources.md: Public web pages). */
export function challengePage(): string {
  return [
    '<!DOCTYPE html><html><head><title>Security Check</title></head><body>',
    '<p>Please wait while we verify your browser…</p>',
    '<script>/* _wafchallengeid proof of work */ var c = "_wafchallengeid"; </script>',
    '</body></html>',
  ].join('');
}
