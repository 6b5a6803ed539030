/**
 * The official stats source: TikTok Display API v2, with each creator's own OAuth access token.
 *
 * A poll reads the profile (`/v2/user/info/`) while it pages through `/v2/video/list/`; when the list comes
 * back short (a failed or missing page, a cursor that repeats), the videos the account is known to have are
 * re-read with `/v2/video/query/`. Tokens are refreshed before they expire and once more when TikTok refuses one; the
 * rotated refresh token is stored before it is used. Whatever goes wrong comes back as a `failed` or `partial`
 * poll with a machine-readable reason — never as zeros, which the engine would read as a drop.
 *
 * `prepare` reads the credentials of the whole batch in one go;
 * each poll then starts from its account's copy (once), and reads the vault itself when there is none. A
 * refresh always re-reads the vault and drops the account's copy, so a rotated token is never replaced by a
 * stale one.
 */
import type { z } from 'zod';
import type { Account, RejectedItem } from '../../core/model.ts';
import type {
  CredentialVault,
  PollHints,
  PollOutcome,
  SourceCredentials,
  StatsSource,
} from '../../core/ports.ts';
import {
  DisplayUserCounts,
  USER_FIELDS,
  USER_FIELDS_WITHOUT_PROFILE,
  UserInfoResponse,
} from './display-api-schemas.ts';
import {
  hasScope,
  missingScopes,
  PREFETCHED_BATCHES_KEPT,
  PrefetchedCredentials,
  type TokenKeeper,
  TokenSession,
} from './display-api-tokens.ts';
import { listVideos, queryKnownVideos } from './display-api-videos.ts';
import {
  asSourceFailure,
  failedOutcome,
  type OperatorLog,
  SourceFailure,
  SourceHttp,
  type SourceHttpOptions,
} from './http.ts';
import { pollOf, readItems } from './items.ts';
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
export class DisplayApiSource implements StatsSource, TokenKeeper {
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
    if (ids.length === 0) return new Map();
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
      listVideos(session, account.handle, this.maxPages),
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
      const recovery = await queryKnownVideos(session, account.handle, videos, hints);
      rejected.push(...recovery.rejected);
      // Without what earlier polls listed, a list that broke off cannot be shown to be complete; with it,
      // the video count below decides.
      const recovered = hints !== undefined && recovery.problem === undefined;
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
