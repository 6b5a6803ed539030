/**
 * UNOFFICIAL, best-effort stats from TikTok's public web pages (no credentials; off unless enabled). It reads
 * the JSON TikTok embeds in the profile page (`/@{handle}`) and, for known videos the profile no longer lists,
 * their video pages. Exact `statsV2` values are preferred; a poll that had to fall back to the rounded `stats`
 * is flagged `rounded: true`. A bot-check page, an empty page or a page without data is a failed poll, never
 * zeros. Page formats change without notice and automated collection may breach TikTok's terms: see
 * docs/sources.md before enabling it.
 */
import type { z } from 'zod';
import type { Account, PollFailureReason, Profile, VideoStats } from '../../core/model.ts';
import type { PollHints, PollOutcome, StatsSource } from '../../core/ports.ts';
import { formatInstant } from '../../core/time.ts';
import {
  absentKnownVideos,
  asSourceFailure,
  failedOutcome,
  isBotCheck,
  parseJsonText,
  SourceFailure,
  SourceHttp,
  type SourceHttpOptions,
  validate,
} from './http.ts';
import {
  type ItemStruct,
  UNIVERSAL_DATA_SCRIPT,
  UniversalData,
  UserDetail,
  VideoDetail,
  WEB_STATUS,
} from './web-page-schemas.ts';

/** Options of the web page source. */
export interface WebPageSourceOptions extends SourceHttpOptions {
  /** @default https://www.tiktok.com */
  baseUrl?: string;
  /** Video pages fetched per poll at most, to stay gentle. @default 100 */
  maxVideoPages?: number;
}

/** Pages are requested the way a browser would; TikTok serves others a bot check. */
const BROWSER_HEADERS = {
  accept: 'text/html,application/xhtml+xml',
  'accept-language': 'en-US,en;q=0.9',
  'user-agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
};

/** The limiter bucket of every page request (TikTok documents no limit for pages). */
const WEB_LIMIT_KEY = 'web';

/** Reads stats from public web pages. */
export class WebPageSource implements StatsSource {
  private readonly http: SourceHttp;
  private readonly baseUrl: string;

  constructor(private readonly options: WebPageSourceOptions) {
    this.http = new SourceHttp(options);
    this.baseUrl = options.baseUrl ?? 'https://www.tiktok.com';
  }

  async poll(
    account: Account,
    at: Date,
    signal?: AbortSignal,
    hints?: PollHints,
  ): Promise<PollOutcome> {
    try {
      return await this.read(account, at, signal, hints);
    } catch (error) {
      const failure = asSourceFailure(error);
      return failedOutcome(at, failure.reason, failure.message);
    }
  }

  private async read(
    account: Account,
    at: Date,
    signal?: AbortSignal,
    hints?: PollHints,
  ): Promise<PollOutcome> {
    const scope = await this.pageScope(`/@${encodeURIComponent(account.handle)}`, signal);
    const detail = validate(UserDetail, scope['webapp.user-detail'], 'webapp.user-detail');
    const failure = statusFailure(detail.statusCode, 'profile');
    if (failure) throw failure;
    const info = detail.userInfo;
    if (!info) throw new SourceFailure('malformed_response', 'profile page without userInfo');
    if (info.user.id !== account.id) {
      throw new SourceFailure('malformed_response', 'the page shows another account');
    }
    if (info.user.privateAccount) throw new SourceFailure('private_account', 'private account');
    let rounded = false;
    const profile = readProfile(info, () => {
      rounded = true;
    });

    const videos = new Map<string, VideoStats>();
    for (const item of info.itemList ?? []) {
      const video = toVideoStats(item, account.handle);
      if (video.rounded) rounded = true;
      videos.set(item.id, video.stats);
    }

    // The profile embeds only the newest videos; the ones seen before are followed on their own pages so
    // none of them silently drops out of the series.
    let problem: SourceFailure | undefined;
    const absent = await absentKnownVideos(videos, hints);
    if (absent instanceof SourceFailure) {
      problem = absent;
    } else {
      const limit = this.options.maxVideoPages ?? 100;
      for (const id of absent.slice(0, limit)) {
        try {
          const video = await this.videoPage(account.handle, id, signal);
          if (!video) continue;
          if (video.rounded) rounded = true;
          videos.set(id, video.stats);
        } catch (error) {
          problem = asSourceFailure(error);
          break;
        }
      }
      if (!problem && absent.length > limit) {
        problem = new SourceFailure(
          'missing_pages',
          `${absent.length - limit} video pages not read`,
        );
      }
    }
    if (!problem && videos.size === 0 && profile.videos > 0) {
      problem = new SourceFailure('missing_pages', 'the profile page lists no videos');
    }

    const base = {
      at: at.toISOString(),
      ...(rounded ? { rounded: true } : {}),
      profile,
      videos: [...videos.values()],
    };
    const handle = info.user.uniqueId;
    if (problem) return { poll: { ...base, status: 'partial', reason: problem.reason }, handle };
    return { poll: { ...base, status: 'ok' }, handle };
  }

  /** One video page; undefined when the video is no longer public (private, removed). */
  private async videoPage(
    handle: string,
    id: string,
    signal?: AbortSignal,
  ): Promise<{ stats: VideoStats; rounded: boolean } | undefined> {
    let scope: Record<string, unknown>;
    try {
      scope = await this.pageScope(`/@${encodeURIComponent(handle)}/video/${id}`, signal);
    } catch (error) {
      if (error instanceof SourceFailure && error.reason === 'not_found') return undefined;
      throw error;
    }
    const detail = validate(VideoDetail, scope['webapp.video-detail'], 'webapp.video-detail');
    if (
      detail.statusCode === WEB_STATUS.privatePost ||
      detail.statusCode === WEB_STATUS.userNotFound
    ) {
      return undefined;
    }
    const failure = statusFailure(detail.statusCode, 'video');
    if (failure) throw failure;
    if (!detail.itemInfo)
      throw new SourceFailure('malformed_response', 'video page without itemInfo');
    return toVideoStats(detail.itemInfo.itemStruct, handle);
  }

  /** Fetches a page and returns its `__DEFAULT_SCOPE__`; bot checks and empty pages are failures. */
  private async pageScope(path: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const response = await this.http.withRetries(async () => {
      const response = await this.http.send({
        url: new URL(path, this.baseUrl),
        method: 'GET',
        headers: BROWSER_HEADERS,
        limitKey: WEB_LIMIT_KEY,
        signal,
      });
      if (response.status === 429) throw new SourceFailure('rate_limited', 'HTTP 429');
      if (response.status >= 500)
        throw new SourceFailure('server_error', `HTTP ${response.status}`);
      return response;
    }, signal);
    if (response.status === 404) throw new SourceFailure('not_found', 'HTTP 404');
    if (response.text.trim() === '') {
      throw new SourceFailure('bot_check', `HTTP ${response.status} with an empty page`);
    }
    const script = UNIVERSAL_DATA_SCRIPT.exec(response.text);
    if (!script) {
      if (isBotCheck(response.text) || response.status === 403) {
        throw new SourceFailure('bot_check', `HTTP ${response.status}: a bot-check page`);
      }
      throw new SourceFailure('malformed_response', `HTTP ${response.status}: no page data found`);
    }
    const data = validate(
      UniversalData,
      parseJsonText({ ...response, text: script[1] as string }),
      'page data',
    );
    const scope = data.__DEFAULT_SCOPE__;
    // A page shell without any data is what TikTok serves a client it does not trust.
    if (Object.keys(scope).length === 0) {
      throw new SourceFailure('bot_check', 'a page without data (empty scope)');
    }
    return scope;
  }
}

/** The failure a page `statusCode` stands for (tiktok-sources.md §3.4); undefined for 0. */
function statusFailure(statusCode: number, page: 'profile' | 'video'): SourceFailure | undefined {
  const reasons: Record<number, PollFailureReason> = {
    [WEB_STATUS.privateAccount]: 'private_account',
    [WEB_STATUS.ipBlocked]: 'blocked',
    [WEB_STATUS.userNotFound]: 'not_found',
    [WEB_STATUS.privatePost]: 'private_account',
  };
  if (statusCode === WEB_STATUS.ok) return undefined;
  return new SourceFailure(
    reasons[statusCode] ?? 'malformed_response',
    `${page} page statusCode ${statusCode}`,
  );
}

/** Profile counts, exact when `statsV2` has them; `onRounded` is called when the rounded ones are used. */
function readProfile(
  info: NonNullable<z.infer<typeof UserDetail>['userInfo']>,
  onRounded: () => void,
): Profile {
  if (info.statsV2) {
    const exact = info.statsV2;
    const likes = exact.heartCount ?? exact.heart;
    if (likes !== undefined) {
      return {
        followers: exactCount(exact.followerCount),
        following: exactCount(exact.followingCount),
        likes: exactCount(likes),
        videos: exactCount(exact.videoCount),
      };
    }
  }
  const stats = info.stats;
  const likes = stats?.heartCount ?? stats?.heart;
  if (!stats || likes === undefined) {
    throw new SourceFailure('malformed_response', 'profile page without stats');
  }
  onRounded();
  return {
    followers: stats.followerCount,
    following: stats.followingCount,
    likes,
    videos: stats.videoCount,
  };
}

function toVideoStats(item: ItemStruct, handle: string): { stats: VideoStats; rounded: boolean } {
  const exact = item.statsV2;
  const rounded = !exact;
  const counts = exact
    ? {
        views: exactCount(exact.playCount),
        likes: exactCount(exact.diggCount),
        comments: exactCount(exact.commentCount),
        shares: exactCount(exact.shareCount),
        saves: exact.collectCount === undefined ? null : exactCount(exact.collectCount),
      }
    : item.stats
      ? {
          views: item.stats.playCount,
          likes: item.stats.diggCount,
          comments: item.stats.commentCount,
          shares: item.stats.shareCount,
          saves: item.stats.collectCount ?? null,
        }
      : undefined;
  if (!counts) throw new SourceFailure('malformed_response', `video ${item.id} without stats`);
  return {
    rounded,
    stats: {
      id: item.id,
      postedAt: formatInstant(item.createTime * 1000),
      ...counts,
      ...(item.desc ? { title: item.desc } : {}),
      url: `https://www.tiktok.com/@${encodeURIComponent(item.author?.uniqueId ?? handle)}/video/${item.id}`,
    },
  };
}

/** A `statsV2` string as a number; a value beyond 2^53 cannot be stored exactly and is refused. */
function exactCount(value: string): number {
  const count = Number(value);
  if (!Number.isSafeInteger(count)) {
    throw new SourceFailure('malformed_response', `count ${value} is too large to keep exact`);
  }
  return count;
}
