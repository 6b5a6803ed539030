/**
 * The official stats source: TikTok Display API v2, with each creator's own OAuth access token.
 *
 * A poll reads the profile (`/v2/user/info/`) while it pages through `/v2/video/list/`; when the list comes
 * back short (a failed or missing page, a cursor that repeats), the videos the account is known to have are
 * re-read with `/v2/video/query/`. Tokens are refreshed before they expire and once more when TikTok refuses one; the
 * rotated refresh token is stored before it is used. Whatever goes wrong comes back as a `failed` or `partial`
 * poll with a machine-readable reason — never as zeros, which the engine would read as a drop.
 *
 * When the vault can read many accounts at once, `prepare` reads the credentials of the whole batch in one go;
 * each poll then starts from its account's copy (once), and reads the vault itself when there is none. A
 * refresh always re-reads the vault and drops the account's copy, so a rotated token is never replaced by a
 * stale one.
 */
import type { z } from 'zod';
import type { Account, RejectedItem, VideoStats } from '../../core/model.ts';
import type {
  CredentialVault,
  PollHints,
  PollOutcome,
  SourceCredentials,
  StatsSource,
} from '../../core/ports.ts';
import { formatInstant } from '../../core/time.ts';
import {
  DisplayUserCounts,
  DisplayVideo,
  REQUIRED_SCOPES,
  USER_FIELDS,
  USER_FIELDS_WITHOUT_PROFILE,
  UserInfoResponse,
  VIDEO_FIELDS,
  VIDEO_PAGE_SIZE,
  VIDEO_QUERY_BATCH,
  VideoListResponse,
  VideoQueryResponse,
} from './display-api-schemas.ts';
import {
  absentKnownVideos,
  asSourceFailure,
  failedOutcome,
  type OperatorLog,
  SourceFailure,
  SourceHttp,
  type SourceHttpOptions,
} from './http.ts';
import { pollOf, rawId, readItems } from './items.ts';
import { type ApiCall, type ClientCredentials, OpenApiClient } from './open-api.ts';

/** Options of the Display API source. */
export interface DisplayApiSourceOptions extends SourceHttpOptions {
  /** e.g. `https://open.tiktokapis.com`; the local runtime uses the fake TikTok's address. */
  baseUrl: string;
  credentials: CredentialVault;
  /** The app's client key and secret, needed to refresh access tokens. */
  client?: ClientCredentials;
  /** Safety stop for the video list: 5,000 videos at 20 per page. @default 250 */
  maxPages?: number;
  /** Refresh an access token that has less than this left. @default 10 minutes */
  refreshMarginMs?: number;
  log?: OperatorLog;
}

/** Reads stats through the TikTok Display API v2. */
export class DisplayApiSource implements StatsSource {
  private readonly api: OpenApiClient;
  private readonly maxPages: number;
  private readonly refreshMarginMs: number;
  /** One refresh per account at a time: a rotated refresh token may be used only once. */
  private readonly refreshing = new Map<string, Promise<SourceCredentials>>();
  /**
   * The credentials `prepare` read for the latest batches, newest first. More than one batch is kept because
   * batches can overlap in one process (the embedded runtime runs invocations side by side, and a batch of
   * several slots prepares once per slot); older batches are dropped.
   */
  private prefetched: PrefetchedCredentials[] = [];

  constructor(private readonly options: DisplayApiSourceOptions) {
    this.api = new OpenApiClient(new SourceHttp(options), options.baseUrl);
    this.maxPages = options.maxPages ?? 250;
    this.refreshMarginMs = options.refreshMarginMs ?? 10 * 60_000;
  }

  /**
   * Reads the credentials of the batch's accounts in one batch read, when the vault can. A failed read is
   * only logged: each poll then reads its own account's credentials.
   */
  async prepare(accounts: readonly Account[], _at: Date): Promise<void> {
    const batch = new PrefetchedCredentials();
    this.prefetched = [batch, ...this.prefetched.slice(0, PREFETCHED_BATCHES_KEPT - 1)];
    batch.fill(await this.prefetch(accounts));
  }

  private async prefetch(accounts: readonly Account[]): Promise<Map<string, SourceCredentials>> {
    const vault = this.options.credentials;
    // An account waiting for re-authorization is not read at all (see `poll`).
    const ids = [
      ...new Set(
        accounts
          .filter((account) => account.status !== 'needs_reauthorization')
          .map((account) => account.id),
      ),
    ];
    if (!vault.getManyCredentials || ids.length === 0) return new Map();
    try {
      const found = await vault.getManyCredentials(ids);
      // Only the batch's accounts are kept, whatever else the vault returned.
      const mine = new Map<string, SourceCredentials>();
      for (const id of ids) {
        const credentials = found.get(id);
        if (credentials) mine.set(id, credentials);
      }
      return mine;
    } catch (error) {
      this.options.log?.warn('TikTok credentials not prefetched; reading them per account', {
        source: 'display_api',
        accounts: ids.length,
        detail: error instanceof Error ? error.message : String(error),
      });
      return new Map();
    }
  }

  async poll(
    account: Account,
    at: Date,
    signal?: AbortSignal,
    hints?: PollHints,
  ): Promise<PollOutcome> {
    if (account.status === 'needs_reauthorization') {
      return failedOutcome(at, 'needs_reauthorization');
    }
    try {
      return await this.read(account, at, signal, hints);
    } catch (error) {
      const failure = asSourceFailure(error);
      if (failure.reason === 'needs_reauthorization') this.warnReauthorization(account, failure);
      return failedOutcome(at, failure.reason, failure.message);
    }
  }

  private async read(
    account: Account,
    at: Date,
    signal?: AbortSignal,
    hints?: PollHints,
  ): Promise<PollOutcome> {
    const stored = await this.storedCredentials(account.id);
    if (!stored) throw new SourceFailure('needs_reauthorization', 'no access token stored');
    const missing = missingScopes(stored.scope);
    if (missing.length > 0) {
      throw new SourceFailure('needs_reauthorization', `scopes not granted: ${missing.join(',')}`);
    }
    const session = new TokenSession(this, account.id, stored, at, signal);

    const grantedProfile =
      stored.scope === undefined || hasScope(stored.scope, 'user.info.profile');
    // The profile and the video list need only the token, so they go out together: a poll waits for one
    // round trip less. The list never rejects (a failed page is its `problem`).
    const [info, list] = await Promise.all([
      session
        .call(
          '/v2/user/info/',
          { method: 'GET', fields: grantedProfile ? USER_FIELDS : USER_FIELDS_WITHOUT_PROFILE },
          UserInfoResponse,
        )
        .then(
          (answer) => ({ answer }),
          (error: unknown) => ({ error }),
        ),
      this.listVideos(session, account.handle),
    ]);
    if ('error' in info) throw info.error;
    const user = info.answer.data.user;
    if (user.open_id !== account.id) {
      return failedOutcome(at, 'malformed_response', 'the token belongs to another account');
    }
    const counts = readItems(DisplayUserCounts, [user], () => undefined);
    const rejected: RejectedItem[] = [
      ...counts.rejected.map((item) => ({ ...item, field: `user.${item.field}` })),
      ...list.rejected,
    ];
    const profile = counts.items[0] && {
      followers: counts.items[0].follower_count,
      following: counts.items[0].following_count,
      likes: counts.items[0].likes_count,
      videos: counts.items[0].video_count,
    };

    const videos = list.videos;
    let problem = list.problem;
    if (problem?.reason === 'needs_reauthorization') throw problem;
    // Rejected videos were listed: they count towards the profile's video count, as unknowns.
    const listed = () =>
      videos.size +
      new Set(
        rejected.flatMap((item) => (item.video && !videos.has(item.video) ? [item.video] : [])),
      ).size;
    // A short list (a page failed, went missing or looped) is topped up with the videos known from earlier
    // polls, re-read by id; only what is still unaccounted for makes the poll partial.
    if (problem || !profile || listed() < profile.videos) {
      const recovery = await this.queryKnownVideos(session, account.handle, videos, hints);
      rejected.push(...recovery.rejected);
      // Without what earlier polls listed, a list that broke off cannot be shown to be complete; with it,
      // the video count below decides.
      const recovered = hints?.knownVideoIds !== undefined && recovery.problem === undefined;
      problem = recovered ? undefined : (problem ?? recovery.problem);
    }
    if (!problem && profile && listed() < profile.videos) {
      problem = new SourceFailure(
        'missing_pages',
        `${profile.videos - listed()} of the profile's ${profile.videos} videos were not listed`,
      );
    }
    const handle = user.username || undefined;
    return {
      poll: pollOf({
        at,
        ...(profile ? { profile } : {}),
        videos: videos.values(),
        ...(problem ? { problem } : {}),
        rejected,
      }),
      ...(handle ? { handle } : {}),
    };
  }

  /** Every page of `/v2/video/list/`; a page that fails ends the list with the problem kept. */
  private async listVideos(
    session: TokenSession,
    handle: string,
  ): Promise<{
    videos: Map<string, VideoStats>;
    rejected: RejectedItem[];
    problem?: SourceFailure;
  }> {
    const videos = new Map<string, VideoStats>();
    const rejected: RejectedItem[] = [];
    const seenCursors = new Set<number>();
    let cursor: number | undefined;
    for (let page = 0; page < this.maxPages; page++) {
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
      problem: new SourceFailure('missing_pages', `stopped after ${this.maxPages} pages`),
    };
  }

  /**
   * Re-reads, 20 ids a request, the known videos the list left out. Returns the problem that stopped it, if
   * any, and the videos it rejected. Ids TikTok does not return are gone (deleted, private or no longer the
   * user's).
   */
  private async queryKnownVideos(
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

  /**
   * The account's stored credentials at the start of a poll: the batch's prefetched copy (used once), else a
   * read of the vault. A copy is never used while the account's token is being refreshed.
   */
  private async storedCredentials(accountId: string): Promise<SourceCredentials | undefined> {
    const prefetched = this.refreshing.has(accountId)
      ? undefined
      : this.prefetched.reduce<SourceCredentials | undefined>(
          (found, batch) => found ?? batch.take(accountId),
          undefined,
        );
    return prefetched ?? (await this.options.credentials.getCredentials(accountId));
  }

  /**
   * Credentials for a poll at `at`: refreshed first when the access token expires within the margin of it.
   * A poll is taken as of its slot, so lifetimes are judged and counted from the slot's instant (a retried
   * job running late at worst has its token refused and refreshed then).
   */
  async freshCredentials(
    accountId: string,
    credentials: SourceCredentials,
    at: Date,
    signal?: AbortSignal,
  ): Promise<SourceCredentials> {
    if (!this.expiresSoon(credentials, at) || !credentials.refreshToken) return credentials;
    return this.refresh(accountId, credentials, at, signal);
  }

  /**
   * Refreshes under a per-account lock, so concurrent callers share one rotation. The account's prefetched
   * copy is dropped before and after: the rotation re-reads the vault, and so does every later poll.
   */
  refresh(
    accountId: string,
    stale: SourceCredentials,
    at: Date,
    signal?: AbortSignal,
  ): Promise<SourceCredentials> {
    const running = this.refreshing.get(accountId);
    if (running) return running;
    for (const batch of this.prefetched) batch.invalidate(accountId);
    const refresh = this.rotate(accountId, stale, at, signal).finally(() => {
      this.refreshing.delete(accountId);
      for (const batch of this.prefetched) batch.invalidate(accountId);
    });
    this.refreshing.set(accountId, refresh);
    return refresh;
  }

  private async rotate(
    accountId: string,
    stale: SourceCredentials,
    at: Date,
    signal?: AbortSignal,
  ): Promise<SourceCredentials> {
    // An overlapping run may already have rotated: the vault holds the only refresh token still valid.
    const latest = (await this.options.credentials.getCredentials(accountId)) ?? stale;
    if (latest.accessToken !== stale.accessToken && !this.expiresSoon(latest, at)) return latest;
    if (!latest.refreshToken) {
      throw new SourceFailure(
        'unauthorized',
        'the access token was refused and there is no refresh token',
      );
    }
    const now = at.getTime();
    if (latest.refreshTokenExpiresAt && Date.parse(latest.refreshTokenExpiresAt) <= now) {
      throw new SourceFailure(
        'needs_reauthorization',
        'the refresh token has expired',
        'invalid_grant',
      );
    }
    if (!this.options.client) {
      throw new SourceFailure(
        'unauthorized',
        'cannot refresh the access token: the TikTok client key and secret are not configured',
      );
    }
    const token = await this.api.token(
      this.options.client,
      { grant_type: 'refresh_token', refresh_token: latest.refreshToken },
      signal,
    );
    if (token.open_id && token.open_id !== accountId) {
      throw new SourceFailure(
        'malformed_response',
        'the refreshed token belongs to another account',
      );
    }
    const next: SourceCredentials = {
      accessToken: token.access_token,
      accessTokenExpiresAt: new Date(now + token.expires_in * 1000).toISOString(),
      refreshToken: token.refresh_token ?? latest.refreshToken,
      ...(token.refresh_expires_in
        ? { refreshTokenExpiresAt: new Date(now + token.refresh_expires_in * 1000).toISOString() }
        : latest.refreshTokenExpiresAt
          ? { refreshTokenExpiresAt: latest.refreshTokenExpiresAt }
          : {}),
      ...((token.scope ?? latest.scope) ? { scope: token.scope ?? latest.scope } : {}),
    };
    // Stored before first use: the refresh token just sent is dead, and losing its successor would lose the
    // account until the creator reconnects.
    await this.options.credentials.putCredentials(accountId, next);
    return next;
  }

  /** Calls the API through the shared client (used by TokenSession). */
  callApi<S extends z.ZodType>(
    path: string,
    call: ApiCall,
    token: string,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    return this.api.call(path, call, token, schema, signal);
  }

  private expiresSoon(credentials: SourceCredentials, at: Date): boolean {
    if (!credentials.accessTokenExpiresAt) return false;
    const expiresAt = Date.parse(credentials.accessTokenExpiresAt);
    return expiresAt - at.getTime() <= this.refreshMarginMs;
  }

  private warnReauthorization(account: Account, failure: SourceFailure): void {
    this.options.log?.warn('TikTok account needs re-authorization', {
      accountId: account.id,
      handle: account.handle,
      source: 'display_api',
      code: failure.code,
      detail: failure.message,
    });
  }
}

/** Prefetched batches kept at once (see `DisplayApiSource.prefetched`). */
const PREFETCHED_BATCHES_KEPT = 4;

/**
 * The credentials read ahead for one batch of polls. Each account's copy serves one poll and is then gone;
 * {@link PrefetchedCredentials.invalidate} drops it when the account's credentials change, including while the
 * batch read is still in flight (what that read returns for the account is then already stale).
 */
class PrefetchedCredentials {
  private readonly entries = new Map<string, SourceCredentials>();
  /** Accounts invalidated before the batch read came back. */
  private readonly invalidated = new Set<string>();
  private filled = false;

  fill(found: ReadonlyMap<string, SourceCredentials>): void {
    for (const [accountId, credentials] of found) {
      if (!this.invalidated.has(accountId)) this.entries.set(accountId, credentials);
    }
    this.invalidated.clear();
    this.filled = true;
  }

  /** The account's copy, handed out once. */
  take(accountId: string): SourceCredentials | undefined {
    const credentials = this.entries.get(accountId);
    this.entries.delete(accountId);
    return credentials;
  }

  invalidate(accountId: string): void {
    this.entries.delete(accountId);
    if (!this.filled) this.invalidated.add(accountId);
  }
}

/**
 * One poll's use of one account's token: refreshed up front when near expiry, and once more (then retried)
 * when TikTok answers `access_token_invalid`.
 */
class TokenSession {
  private credentials: Promise<SourceCredentials> | undefined;
  /** The refresh made after TikTok refused the token; calls in flight at once share it. */
  private renewal: Promise<SourceCredentials> | undefined;

  constructor(
    private readonly source: DisplayApiSource,
    private readonly accountId: string,
    private readonly stored: SourceCredentials,
    private readonly at: Date,
    private readonly signal?: AbortSignal,
  ) {}

  async call<S extends z.ZodType>(path: string, call: ApiCall, schema: S): Promise<z.infer<S>> {
    this.credentials ??= this.source.freshCredentials(
      this.accountId,
      this.stored,
      this.at,
      this.signal,
    );
    const used = await this.credentials;
    try {
      return await this.source.callApi(path, call, used.accessToken, schema, this.signal);
    } catch (error) {
      if (!(error instanceof SourceFailure) || error.code !== 'access_token_invalid') throw error;
      const renewed = await this.renewAfterRefusal(used);
      if (!renewed) throw error;
      return this.source.callApi(path, call, renewed.accessToken, schema, this.signal);
    }
  }

  /** Credentials to retry with after `refused` was refused; undefined once the renewed token was refused too. */
  private async renewAfterRefusal(
    refused: SourceCredentials,
  ): Promise<SourceCredentials | undefined> {
    if (!this.renewal) {
      this.renewal = this.source.refresh(this.accountId, refused, this.at, this.signal);
      this.credentials = this.renewal;
      return this.renewal;
    }
    const renewed = await this.renewal;
    return renewed.accessToken === refused.accessToken ? undefined : renewed;
  }
}

function hasScope(scope: string, wanted: string): boolean {
  return scope
    .split(/[,\s]+/)
    .map((item) => item.trim())
    .includes(wanted);
}

/** Required scopes missing from a recorded grant (none when the grant's scopes were not recorded). */
function missingScopes(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return REQUIRED_SCOPES.filter((wanted) => !hasScope(scope, wanted));
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
