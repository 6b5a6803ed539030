/**
 * UNOFFICIAL, best-effort stats from TikTok's public web pages (no credentials; off unless enabled). It reads
 * the JSON TikTok embeds in the profile page (`/@{handle}`) and, for known videos the profile no longer lists,
 * their video pages. Each video and each counter is read on its own (`statsV2` first); a poll whose counts may
 * be rounded (taken from `stats`, or `statsV2` that carries display-rounded values) is flagged `rounded: true`.
 * A poll lists fewer videos than the profile counts only as `partial`. A bot-check page, an empty page or a page
 * without data is a failed poll, never zeros. Page formats change without notice and automated collection may breach TikTok's terms: see
 * docs/sources.md before enabling it.
 */
import type {
  Account,
  PollFailureReason,
  Profile,
  RejectedItem,
  VideoStats,
} from '../../core/model.ts';
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
import { pollOf, rawId, readItems } from './items.ts';
import { RoundingEvidence, readCounts } from './web-counts.ts';
import {
  ItemStruct,
  PROFILE_COUNTS,
  UNIVERSAL_DATA_SCRIPT,
  UniversalData,
  UserDetail,
  type UserInfo,
  VIDEO_COUNTS,
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

  /** Nothing to plan: pages have no daily budget and need no credentials. */
  async prepare(): Promise<void> {}

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
    const info = await this.profilePage(account.handle, signal);
    if (info.user.id !== account.id) {
      throw new SourceFailure('malformed_response', 'the page shows another account');
    }
    if (info.user.privateAccount) throw new SourceFailure('private_account', 'private account');
    const evidence = new RoundingEvidence();
    const rejected: RejectedItem[] = [];
    const profile = readProfile(info, evidence, rejected);

    const videos = new Map<string, VideoStats>();
    const items = readItems(ItemStruct, info.itemList ?? [], (item) => rawId(item, 'id'));
    rejected.push(...items.rejected);
    for (const item of items.items) {
      const video = toVideoStats(item, account.handle, evidence, rejected);
      if (video) videos.set(item.id, video);
    }

    // The profile embeds only the newest videos, or none; the ones seen before are followed on their own
    // pages so none of them silently drops out of the series.
    let problem: SourceFailure | undefined;
    const absent = await absentKnownVideos(videos, hints);
    if (absent instanceof SourceFailure) {
      problem = absent;
    } else {
      const leftOut = new Set(rejected.map((item) => item.video));
      const toFollow = absent.filter((id) => !leftOut.has(id));
      const limit = this.options.maxVideoPages ?? 100;
      for (const id of toFollow.slice(0, limit)) {
        try {
          const video = await this.videoPage(account.handle, id, evidence, rejected, signal);
          if (video) videos.set(id, video);
        } catch (error) {
          problem = asSourceFailure(error);
          break;
        }
      }
      if (!problem && toFollow.length > limit) {
        problem = new SourceFailure(
          'missing_pages',
          `${toFollow.length - limit} video pages not read`,
        );
      }
    }
    // An ok poll lists every public video: fewer than the profile counts means some were never seen.
    const listed = videos.size + new Set(rejected.flatMap((item) => item.video ?? [])).size;
    if (!problem && profile && listed < profile.videos) {
      problem = new SourceFailure(
        'missing_pages',
        `${profile.videos - listed} of the profile's ${profile.videos} videos were not on the pages read`,
      );
    }
    return {
      poll: pollOf({
        at,
        ...(evidence.rounded ? { flags: { rounded: true } } : {}),
        ...(profile ? { profile } : {}),
        videos: videos.values(),
        ...(problem ? { problem } : {}),
        rejected,
      }),
      handle: info.user.uniqueId,
    };
  }

  /** The profile page's `userInfo`; a page status, a missing `userInfo` or a bad user object is a failure. */
  private async profilePage(handle: string, signal?: AbortSignal): Promise<UserInfo> {
    const scope = await this.pageScope(`/@${encodeURIComponent(handle)}`, signal);
    const detail = validate(UserDetail, scope['webapp.user-detail'], 'webapp.user-detail');
    const failure = statusFailure(detail.statusCode, 'profile');
    if (failure) throw failure;
    if (!detail.userInfo)
      throw new SourceFailure('malformed_response', 'profile page without userInfo');
    return detail.userInfo;
  }

  /**
   * The account behind a handle, as its profile page shows it (for looking an account up by handle before
   * polling it).
   */
  async identify(handle: string, signal?: AbortSignal): Promise<{ id: string; handle: string }> {
    const info = await this.profilePage(handle, signal);
    return { id: info.user.id, handle: info.user.uniqueId };
  }

  /**
   * One video page; undefined when the video is no longer public (private, removed) or its item was rejected
   * (then it is in `rejected`).
   */
  private async videoPage(
    handle: string,
    id: string,
    evidence: RoundingEvidence,
    rejected: RejectedItem[],
    signal?: AbortSignal,
  ): Promise<VideoStats | undefined> {
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
    if (!detail.itemInfo) {
      throw new SourceFailure('malformed_response', 'video page without itemInfo');
    }
    const item = readItems(ItemStruct, [detail.itemInfo.itemStruct], () => id);
    rejected.push(...item.rejected);
    const struct = item.items[0];
    // A page showing another video than asked for says nothing about this one.
    if (struct && struct.id !== id) {
      rejected.push({ video: id, field: 'id', problem: `the page shows video ${struct.id}` });
      return undefined;
    }
    return struct && toVideoStats(struct, handle, evidence, rejected);
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

/** The failure a page `statusCode` stands for (docs/sources.md); undefined for 0. */
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

/**
 * The profile's counts, counter by counter (`statsV2` first); undefined, with the problem in `rejected`, when
 * one is missing in both (a count TikTok did not give is unknown, never 0).
 */
function readProfile(
  info: UserInfo,
  evidence: RoundingEvidence,
  rejected: RejectedItem[],
): Profile | undefined {
  const { counts, problems } = readCounts(info, PROFILE_COUNTS, evidence);
  const likes = counts.heartCount ?? counts.heart;
  if (likes === undefined) problems.push({ field: 'stats.heartCount', problem: 'missing' });
  rejected.push(...problems.map((problem) => ({ ...problem, field: `user.${problem.field}` })));
  if (
    problems.length > 0 ||
    likes === undefined ||
    counts.followerCount === undefined ||
    counts.followingCount === undefined ||
    counts.videoCount === undefined
  ) {
    return undefined;
  }
  return {
    followers: counts.followerCount,
    following: counts.followingCount,
    likes,
    videos: counts.videoCount,
  };
}

/** A video's stats, counter by counter; undefined, with the problem in `rejected`, when one is missing. */
function toVideoStats(
  item: ItemStruct,
  handle: string,
  evidence: RoundingEvidence,
  rejected: RejectedItem[],
): VideoStats | undefined {
  const { counts, problems } = readCounts(item, VIDEO_COUNTS, evidence);
  if (problems.length > 0) {
    rejected.push(...problems.map((problem) => ({ video: item.id, ...problem })));
    return undefined;
  }
  const { playCount, diggCount, commentCount, shareCount, collectCount } = counts;
  if (
    playCount === undefined ||
    diggCount === undefined ||
    commentCount === undefined ||
    shareCount === undefined
  ) {
    return undefined;
  }
  return {
    id: item.id,
    postedAt: formatInstant(item.createTime * 1000),
    views: playCount,
    likes: diggCount,
    comments: commentCount,
    shares: shareCount,
    saves: collectCount ?? null,
    ...(item.desc ? { title: item.desc } : {}),
    url: `https://www.tiktok.com/@${encodeURIComponent(item.author?.uniqueId ?? handle)}/video/${item.id}`,
  };
}
