/**
 * The official stats source: TikTok Display API v2, with each creator's own OAuth access token.
 *
 * A poll reads the profile (`/v2/user/info/`) and pages through `/v2/video/list/`. Whatever goes wrong comes
 * back as a `failed` or `partial` poll with a machine-readable reason — never as zeros, which the engine would
 * read as a drop.
 */
import type { z } from 'zod';
import type { Account, PollFailureReason, VideoStats } from '../../core/model.ts';
import type { CredentialVault, PollOutcome, StatsSource } from '../../core/ports.ts';
import {
  type DisplayUser,
  type DisplayVideo,
  ErrorResponse,
  USER_FIELDS,
  UserInfoResponse,
  VIDEO_FIELDS,
  VIDEO_PAGE_SIZE,
  VideoListResponse,
} from './display-api-schemas.ts';

/** Options of the Display API source. */
export interface DisplayApiSourceOptions {
  /** e.g. `https://open.tiktokapis.com`; the local runtime uses the fake TikTok's address. */
  baseUrl: string;
  credentials: CredentialVault;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** Safety stop for the video list: 5,000 videos at 20 per page. @default 250 */
  maxPages?: number;
  fetch?: typeof fetch;
}

/** A request that did not give a usable answer, with the reason to record. */
class RequestFailure extends Error {
  constructor(
    readonly reason: PollFailureReason,
    detail: string,
  ) {
    super(detail);
  }
}

/** Reads stats through the TikTok Display API v2. */
export class DisplayApiSource implements StatsSource {
  private readonly fetch: typeof fetch;
  private readonly maxPages: number;

  constructor(private readonly options: DisplayApiSourceOptions) {
    this.fetch = options.fetch ?? fetch;
    this.maxPages = options.maxPages ?? 250;
  }

  async poll(account: Account, at: Date, signal?: AbortSignal): Promise<PollOutcome> {
    const failed = (reason: PollFailureReason, detail?: string): PollOutcome => ({
      poll: { at: at.toISOString(), status: 'failed', reason, ...(detail ? { detail } : {}) },
      ...(reason === 'needs_reauthorization' ? { accountStatus: 'needs_reauthorization' } : {}),
    });
    if (account.status === 'needs_reauthorization') return failed('needs_reauthorization');
    const credentials = await this.options.credentials.getCredentials(account.id);
    if (!credentials) return failed('needs_reauthorization', 'no access token stored');
    const token = credentials.accessToken;

    let profile: z.infer<typeof DisplayUser>;
    try {
      const info = await this.request(
        `/v2/user/info/?fields=${USER_FIELDS}`,
        { method: 'GET' },
        token,
        UserInfoResponse,
        signal,
      );
      profile = info.data.user;
    } catch (error) {
      if (error instanceof RequestFailure) return failed(error.reason, error.message);
      throw error;
    }
    if (profile.open_id !== account.id) {
      return failed('malformed_response', 'the token belongs to another account');
    }

    const videos: VideoStats[] = [];
    let cursor: number | undefined;
    let missingPages: RequestFailure | undefined;
    for (let page = 0; ; page++) {
      if (page === this.maxPages) {
        missingPages = new RequestFailure('missing_pages', `stopped after ${page} pages`);
        break;
      }
      try {
        const list = await this.request(
          `/v2/video/list/?fields=${VIDEO_FIELDS}`,
          {
            method: 'POST',
            body: JSON.stringify({ max_count: VIDEO_PAGE_SIZE, ...(cursor ? { cursor } : {}) }),
          },
          token,
          VideoListResponse,
          signal,
        );
        videos.push(...list.data.videos.map((video) => toVideoStats(video, account.handle)));
        // A page that says there is more but returns nothing would loop forever: treat it as missing data.
        if (list.data.has_more && list.data.videos.length === 0) {
          missingPages = new RequestFailure('missing_pages', 'empty page with has_more');
          break;
        }
        if (!list.data.has_more) break;
        cursor = list.data.cursor;
      } catch (error) {
        if (!(error instanceof RequestFailure)) throw error;
        if (error.reason === 'needs_reauthorization') return failed(error.reason, error.message);
        missingPages = error;
        break;
      }
    }

    const base = {
      at: at.toISOString(),
      profile: {
        followers: profile.follower_count,
        following: profile.following_count,
        likes: profile.likes_count,
        videos: profile.video_count,
      },
      videos,
    };
    if (missingPages) {
      return { poll: { ...base, status: 'partial', reason: missingPages.reason } };
    }
    return { poll: { ...base, status: 'ok' } };
  }

  /** One API call, validated; every way it can fail becomes a RequestFailure with a reason. */
  private async request<S extends z.ZodType>(
    path: string,
    init: { method: 'GET' | 'POST'; body?: string },
    token: string,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await this.fetch(new URL(path, this.options.baseUrl), {
        method: init.method,
        body: init.body,
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new RequestFailure('timeout', `no answer within ${this.options.timeoutMs} ms`);
      }
      throw new RequestFailure('network_error', (error as Error).message);
    }

    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new RequestFailure(
        response.status >= 500 ? 'server_error' : 'malformed_response',
        `HTTP ${response.status} with a body that is not JSON`,
      );
    }
    const errorCode = ErrorResponse.safeParse(body).data?.error.code;
    if (!response.ok || (errorCode && errorCode !== 'ok')) {
      throw new RequestFailure(
        reasonFor(response.status, errorCode),
        `HTTP ${response.status} ${errorCode ?? ''}`.trim(),
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RequestFailure('malformed_response', `${issue?.path.join('.')}: ${issue?.message}`);
    }
    return parsed.data;
  }
}

/** Maps the documented error codes (tiktok-sources.md §1.8) to poll failure reasons. */
function reasonFor(status: number, code: string | undefined): PollFailureReason {
  switch (code) {
    case 'rate_limit_exceeded':
      return 'rate_limited';
    case 'access_token_invalid':
      return 'unauthorized';
    case 'scope_not_authorized':
    case 'scope_permission_missed':
      return 'needs_reauthorization';
    case 'internal_error':
      return 'server_error';
  }
  if (status === 429) return 'rate_limited';
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status >= 500) return 'server_error';
  return 'malformed_response';
}

function toVideoStats(video: DisplayVideo, handle: string): VideoStats {
  return {
    id: video.id,
    postedAt: new Date(video.create_time * 1000).toISOString(),
    views: video.view_count,
    likes: video.like_count,
    comments: video.comment_count,
    shares: video.share_count,
    // The Display API has no save count.
    saves: null,
    title: video.title || video.video_description || undefined,
    url:
      video.share_url ??
      `https://www.tiktok.com/@${encodeURIComponent(handle)}/video/${encodeURIComponent(video.id)}`,
  };
}
