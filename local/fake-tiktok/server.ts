/**
 * A local TikTok: an HTTP server that speaks the three stats sources' documented shapes
 * (as TikTok documents them), fed by a simulated world:
 *
 * - Display API v2: `/v2/user/info/`, `/v2/video/list/`, `/v2/video/query/`, and `/v2/oauth/token/` with
 *   rotating refresh tokens;
 * - Research API: client-credentials tokens, `/v2/research/user/info/`, `/v2/research/video/query/` with
 *   `search_id`/cursor paging, ≤30-day windows, daily quotas and archived (lagging) counts;
 * - public web pages `/@{handle}` and `/@{handle}/video/{id}` with the embedded page JSON.
 *
 * Faults can be switched on per endpoint and account (see faults.ts), in code or through `/__admin/…`. Its clock
 * is set by whoever drives the simulation, so a poll at a simulated instant sees the world as it was then.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { escapeHtml } from '../../core/digest/escape.ts';
import type { VideoStats } from '../../core/model.ts';
import type { World, WorldAccountInfo } from '../../core/simulate/world.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import { authorizePage, readAuthorizeRequest } from './authorize.ts';
import { type FakeEndpoint, FaultBook, FaultSpec } from './faults.ts';
import { type FakeTokenResponse, GrantBook, type GrantOptions } from './grants.ts';
import {
  challengePage,
  displayUser,
  displayVideo,
  envelope,
  oauthError,
  researchJson,
  researchUser,
  researchVideo,
  webItem,
  webPage,
  webUserInfo,
} from './shapes.ts';

/** Fields the Display API knows, per endpoint family (others are `invalid_params`). */
const USER_FIELDS = new Set([
  'open_id',
  'union_id',
  'avatar_url',
  'avatar_url_100',
  'avatar_large_url',
  'display_name',
  'bio_description',
  'profile_deep_link',
  'is_verified',
  'username',
  'follower_count',
  'following_count',
  'likes_count',
  'video_count',
]);
const VIDEO_FIELDS = new Set([
  'id',
  'create_time',
  'cover_image_url',
  'share_url',
  'video_description',
  'duration',
  'height',
  'width',
  'title',
  'embed_html',
  'embed_link',
  'like_count',
  'comment_count',
  'share_count',
  'view_count',
]);
const RESEARCH_USER_FIELDS = new Set([
  'display_name',
  'bio_description',
  'avatar_url',
  'is_verified',
  'follower_count',
  'following_count',
  'likes_count',
  'video_count',
  'bio_url',
]);
const RESEARCH_VIDEO_FIELDS = new Set([
  'id',
  'video_description',
  'create_time',
  'region_code',
  'share_count',
  'view_count',
  'like_count',
  'comment_count',
  'music_id',
  'hashtag_names',
  'username',
  'effect_ids',
  'playlist_id',
  'voice_to_text',
  'is_stem_verified',
  'favorites_count',
  'video_duration',
]);

/** The scope each Display user field needs (§1.2). */
const FIELD_SCOPES: Record<string, string> = {
  bio_description: 'user.info.profile',
  profile_deep_link: 'user.info.profile',
  is_verified: 'user.info.profile',
  username: 'user.info.profile',
  follower_count: 'user.info.stats',
  following_count: 'user.info.stats',
  likes_count: 'user.info.stats',
  video_count: 'user.info.stats',
};

const VideoListBody = z.object({
  max_count: z.number().int().min(1).max(20).optional(),
  cursor: z.number().int().nonnegative().optional(),
});
const VideoQueryBody = z.object({
  filters: z.object({ video_ids: z.array(z.string()).min(1).max(20) }),
});
const ResearchUserBody = z.object({ username: z.string().min(1) });
const YYYYMMDD = z.string().regex(/^\d{8}$/);
const ResearchQueryBody = z.object({
  query: z.object({
    and: z
      .array(
        z.object({
          operation: z.enum(['EQ', 'IN']),
          field_name: z.string(),
          field_values: z.array(z.string()).min(1),
        }),
      )
      .min(1),
  }),
  start_date: YYYYMMDD,
  end_date: YYYYMMDD,
  max_count: z.number().int().min(1).max(100).optional(),
  cursor: z.number().int().nonnegative().optional(),
  search_id: z.string().optional(),
});
const GrantRequest = z.object({
  accountId: z.string().min(1),
  accessTtlSeconds: z.number().int().positive().optional(),
  refreshTtlSeconds: z.number().int().positive().optional(),
  scope: z.string().optional(),
});
const ResearchQuota = z.object({
  requestsPerDay: z.number().int().nonnegative(),
  recordsPerDay: z.number().int().nonnegative(),
});
type ResearchQuota = z.infer<typeof ResearchQuota>;
const Rename = z.object({ accountId: z.string().min(1), handle: z.string().min(1) });

/** Options of the fake TikTok. */
export interface FakeTikTokOptions {
  world: World;
  /** The simulated instant the world is observed at. */
  now: () => Date;
  /** @default 0: a free port */
  port?: number;
  /** How far the Research API's archived video counts lag the live ones. @default 24 */
  researchArchiveLagHours?: number;
  /** @default 1,000 requests and 100,000 records a day (§2.6) */
  researchQuota?: ResearchQuota;
  /** Newest videos embedded in a profile page. @default 30 */
  profilePageVideos?: number;
}

/** An answer that follows TikTok's API error envelope. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An answer in the OAuth error envelope. */
class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

/** A complete response, to be sent as is. */
interface Reply {
  status: number;
  contentType: 'application/json; charset=utf-8' | 'text/html; charset=utf-8';
  body: string;
  headers?: Record<string, string>;
}

/** A fault answered in place of the normal response. */
class Preempted extends Error {
  constructor(readonly reply: Reply) {
    super('preempted');
  }
}

/** A fault that leaves the request unanswered. */
class Hang extends Error {}

/** What one request needs to know about the fault it drew. */
interface RequestContext {
  endpoint?: FakeEndpoint;
  fault?: FaultSpec;
}

/** A running fake TikTok on 127.0.0.1. */
export class FakeTikTok {
  private readonly faults = new FaultBook();
  private readonly grants: GrantBook;
  private readonly handles = new Map<string, string>();
  private readonly researchUsage = new Map<string, { requests: number; records: number }>();
  private researchQuota: ResearchQuota;
  private readonly searches = new Map<string, object[]>();
  private readonly served = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    private readonly options: FakeTikTokOptions,
    /** Base URL, e.g. `http://127.0.0.1:41234`. */
    readonly url: string,
  ) {
    this.grants = new GrantBook(() => options.now().getTime());
    this.researchQuota = options.researchQuota ?? { requestsPerDay: 1_000, recordsPerDay: 100_000 };
    for (const account of options.world.accounts) this.handles.set(account.id, account.handle);
  }

  /** Starts the server on `options.port` (default: a free port). */
  static async start(options: FakeTikTokOptions): Promise<FakeTikTok> {
    let fake: FakeTikTok | undefined;
    const server = createServer((request, response) => {
      fake?.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          send(response, json(500, envelope({}, 'internal_error', String(error))));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    fake = new FakeTikTok(server, options, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** The app's client key and secret, as the developer portal would show them. */
  get client(): { key: string; secret: string } {
    return { key: this.grants.clientKey, secret: this.grants.clientSecret };
  }

  /** An access token that reads `accountId`, never expires and cannot be refreshed. */
  issueToken(accountId: string): string {
    return this.grants.issueAccessOnly(accountId);
  }

  /** A full grant for `accountId` (what a creator's OAuth consent yields), as `/v2/oauth/token/` answers. */
  issueGrant(accountId: string, options?: GrantOptions): FakeTokenResponse {
    return this.grants.issue(accountId, options);
  }

  /** Switches a fault on; see faults.ts for the kinds. */
  setFault(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  /** Switches every fault off. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** The faults in force. */
  listFaults(): FaultSpec[] {
    return this.faults.list();
  }

  /** The account changes its username (old links stop working, the id stays). */
  renameAccount(accountId: string, handle: string): void {
    this.handles.set(accountId, handle);
  }

  /** Sets the Research API's daily quota. */
  setResearchQuota(quota: ResearchQuota): void {
    this.researchQuota = ResearchQuota.parse(quota);
  }

  /** Research requests and records used on the UTC day of the fake's clock. */
  researchUsed(): { requests: number; records: number } {
    return { ...(this.researchUsage.get(this.today()) ?? { requests: 0, records: 0 }) };
  }

  /** Stops the server (unanswered requests are cut). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /** Requests answered (or left hanging) so far, by path, e.g. `/v2/video/list/`. */
  requestsServed(): Map<string, number> {
    return new Map(this.served);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    this.served.set(url.pathname, (this.served.get(url.pathname) ?? 0) + 1);
    const context: RequestContext = {};
    let reply: Reply;
    try {
      reply = this.finish(await this.route(request, url, context), context);
    } catch (error) {
      if (error instanceof Hang) return;
      if (error instanceof Preempted) reply = error.reply;
      else if (error instanceof ApiError) {
        reply = json(error.status, envelope({}, error.code, error.message));
      } else if (error instanceof OAuthError) {
        reply = json(error.status, oauthError(error.error, error.message));
      } else throw error;
    }
    send(response, reply);
  }

  private async route(request: IncomingMessage, url: URL, context: RequestContext): Promise<Reply> {
    const path = url.pathname;
    const route = `${request.method} ${path}`;
    if (path.startsWith('/__admin/')) return this.admin(request, route);
    if (route === 'POST /v2/oauth/token/') return this.token(request, context);
    if (route === 'GET /v2/auth/authorize/') return this.authorize(url);
    if (route === 'GET /v2/auth/authorize/consent') return this.consent(url);
    if (route === 'GET /v2/user/info/') return this.userInfo(request, url, context);
    if (route === 'POST /v2/video/list/') return this.videoList(request, url, context);
    if (route === 'POST /v2/video/query/') return this.videoQuery(request, url, context);
    if (route === 'POST /v2/research/user/info/')
      return this.researchUserInfo(request, url, context);
    if (route === 'POST /v2/research/video/query/') {
      return this.researchVideoQuery(request, url, context);
    }
    const video = /^\/@([^/]+)\/video\/(\d+)\/?$/.exec(path);
    if (request.method === 'GET' && video) {
      return this.webVideo(decodeURIComponent(video[1] as string), video[2] as string, context);
    }
    const profile = /^\/@([^/]+)\/?$/.exec(path);
    if (request.method === 'GET' && profile) {
      return this.webProfile(decodeURIComponent(profile[1] as string), context);
    }
    throw new ApiError(404, 'invalid_params', `no such endpoint: ${route}`);
  }

  // --- Faults ---------------------------------------------------------------------------------------

  /**
   * Draws the fault for this request. Faults that replace the answer throw; `slow` waits; the others shape
   * the body and are left in `context` for the handler and {@link finish}.
   */
  private async intercept(
    context: RequestContext,
    endpoint: FakeEndpoint,
    accountId: string | undefined,
  ): Promise<FaultSpec | undefined> {
    context.endpoint = endpoint;
    const fault = this.faults.take(endpoint, accountId);
    if (!fault) return undefined;
    const web = endpoint.startsWith('web:');
    switch (fault.kind) {
      case 'rate_limit':
        throw new Preempted(
          web
            ? html(429, '<html><body>Too many requests</body></html>')
            : json(429, envelope({}, 'rate_limit_exceeded', 'The API rate limit was exceeded')),
        );
      case 'server_error':
        throw new Preempted(
          web
            ? html(502, '<html><body>Bad gateway</body></html>')
            : json(500, envelope({}, 'internal_error', 'Internal error')),
        );
      case 'challenge_page':
        throw new Preempted({
          ...html(200, challengePage()),
          headers: { 'set-cookie': `_wafchallengeid=${randomBytes(8).toString('hex')}; Path=/` },
        });
      case 'empty_page':
        throw new Preempted(web ? html(200, '') : { ...json(200, null), body: '' });
      case 'timeout':
        throw new Hang();
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1_500));
        return undefined;
      case 'scope_revoked':
        throw new ApiError(
          401,
          'scope_not_authorized',
          'The user did not authorize the scope required for completing this request',
        );
      default:
        context.fault = fault;
        return fault;
    }
  }

  /** Applies the faults that damage a finished body. */
  private finish(reply: Reply, context: RequestContext): Reply {
    const kind = context.fault?.kind;
    if (kind === 'truncated_json') {
      return { ...reply, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) };
    }
    if (kind === 'malformed_json') {
      if (context.endpoint?.startsWith('web:')) {
        return html(
          200,
          webPage({
            'webapp.user-detail': { statusCode: 0, userInfo: { user: { uniqueId: 7 } } },
            'webapp.video-detail': {
              statusCode: 0,
              itemInfo: { itemStruct: { id: '1', stats: { diggCount: '22.6K' } } },
            },
          }),
        );
      }
      if (context.endpoint === '/v2/oauth/token/') {
        return json(200, { access_token: '', expires_in: 'soon' });
      }
      return json(
        200,
        envelope({
          user: { open_id: 7, follower_count: '1.2K' },
          videos: [{ id: 7, like_count: '22.6K' }],
          cursor: 'next',
          has_more: 'yes',
        }),
      );
    }
    return reply;
  }

  // --- OAuth ----------------------------------------------------------------------------------------

  private async token(request: IncomingMessage, context: RequestContext): Promise<Reply> {
    const form = new URLSearchParams(await readText(request));
    if (
      form.get('client_key') !== this.grants.clientKey ||
      form.get('client_secret') !== this.grants.clientSecret
    ) {
      throw new OAuthError(401, 'invalid_client', 'Client key or secret is invalid');
    }
    const grantType = form.get('grant_type');
    if (grantType === 'client_credentials') {
      await this.intercept(context, '/v2/oauth/token/', undefined);
      return json(200, this.grants.issueClientToken());
    }
    if (grantType === 'authorization_code') {
      await this.intercept(context, '/v2/oauth/token/', undefined);
      const granted = this.grants.redeemCode(
        form.get('code') ?? '',
        form.get('redirect_uri') ?? '',
      );
      if (!granted) {
        throw new OAuthError(400, 'invalid_grant', 'Authorization code is invalid or expired');
      }
      return json(200, granted);
    }
    if (grantType !== 'refresh_token') {
      throw new OAuthError(
        400,
        'unsupported_grant_type',
        `grant_type ${grantType} is not supported`,
      );
    }
    const refreshToken = form.get('refresh_token') ?? '';
    const accountId = this.grants.refreshOwner(refreshToken);
    const fault = await this.intercept(context, '/v2/oauth/token/', accountId);
    if (fault?.kind === 'revoked_refresh_token' && accountId) this.grants.revoke(accountId);
    const rotated = this.grants.rotate(refreshToken);
    if (!rotated) {
      throw new OAuthError(400, 'invalid_grant', 'Refresh token is invalid or expired');
    }
    return json(200, rotated);
  }

  /** Login Kit's authorize page (see authorize.ts). */
  private authorize(url: URL): Reply {
    const request = readAuthorizeRequest(url, this.grants.clientKey);
    if ('problem' in request) return html(400, `<p>${escapeHtml(request.problem)}</p>`);
    const accounts = this.options.world.accounts.map((account) => ({
      id: account.id,
      handle: this.handleOf(account.id),
    }));
    return html(200, authorizePage(request, accounts));
  }

  /** The consent form's answer: back to the app with a code, or with `access_denied`. */
  private consent(url: URL): Reply {
    const params = url.searchParams;
    const request = readAuthorizeRequest(
      new URL(
        `?${new URLSearchParams({ ...Object.fromEntries(params), response_type: 'code', scope: params.getAll('scope').join(',') || 'none' })}`,
        url,
      ),
      this.grants.clientKey,
    );
    if ('problem' in request) return html(400, `<p>${escapeHtml(request.problem)}</p>`);
    const back = new URL(request.redirectUri);
    if (params.get('decision') === 'allow') {
      const accountId = params.get('account') ?? '';
      this.accountInfo(accountId);
      back.searchParams.set(
        'code',
        this.grants.issueCode(accountId, request.redirectUri, request.scope),
      );
      back.searchParams.set('scopes', request.scope);
    } else {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user denied the request');
    }
    back.searchParams.set('state', request.state);
    return { ...html(302, ''), headers: { location: back.toString() } };
  }

  // --- Display API ----------------------------------------------------------------------------------

  /** The account the bearer token reads, after this request's fault (expiry and revocation happen here). */
  private async authorizeDisplay(
    request: IncomingMessage,
    context: RequestContext,
    endpoint: FakeEndpoint,
  ): Promise<{ accountId: string; scopes: string[] }> {
    const token = bearer(request);
    const resolved = this.grants.resolveAccess(token);
    if (typeof resolved === 'string') throw accessTokenInvalid();
    const fault = await this.intercept(context, endpoint, resolved.accountId);
    if (fault?.kind === 'expired_token') {
      this.grants.expire(token);
      throw accessTokenInvalid();
    }
    if (fault?.kind === 'revoked_refresh_token') {
      this.grants.revoke(resolved.accountId);
      throw accessTokenInvalid();
    }
    if (endpoint !== '/v2/user/info/' && !resolved.scopes.includes('video.list')) {
      throw new ApiError(401, 'scope_not_authorized', 'The user did not authorize video.list');
    }
    return resolved;
  }

  private async userInfo(request: IncomingMessage, url: URL, context: RequestContext) {
    const { accountId, scopes } = await this.authorizeDisplay(request, context, '/v2/user/info/');
    const fields = requestedFields(url, USER_FIELDS);
    // Asking for a field whose scope was not granted fails the whole call (§1.2).
    const ungranted = fields.find(
      (field) => FIELD_SCOPES[field] && !scopes.includes(FIELD_SCOPES[field]),
    );
    if (ungranted) {
      throw new ApiError(
        400,
        'scope_permission_missed',
        `Access token is invalid, ${ungranted} needs additional scopes`,
      );
    }
    const info = this.accountInfo(accountId);
    const { profile } = this.options.world.observe(accountId, this.options.now());
    const user = displayUser(info, this.handleOf(accountId), profile);
    return json(200, envelope({ user: pick(user, fields) }));
  }

  /** Newest first; the cursor is the create time (ms) of the last video returned, as TikTok documents. */
  private async videoList(request: IncomingMessage, url: URL, context: RequestContext) {
    const { accountId } = await this.authorizeDisplay(request, context, '/v2/video/list/');
    const fields = requestedFields(url, VIDEO_FIELDS);
    const body = parseBody(VideoListBody, await readJson(request));
    const fault = context.fault?.kind;
    if (fault === 'empty_list')
      return json(200, envelope({ videos: [], cursor: 0, has_more: false }));
    const maxCount = body.max_count ?? 10;
    const before = body.cursor ?? Number.POSITIVE_INFINITY;
    let remaining = this.videosOf(accountId)
      .map(displayVideo)
      .filter((video) => video.create_time * 1000 < before);
    if (fault === 'missing_page') remaining = remaining.slice(maxCount);
    const page = remaining.slice(0, maxCount);
    const last = page.at(-1);
    const cursor = last ? last.create_time * 1000 : (body.cursor ?? 0);
    return json(
      200,
      envelope({
        videos: page.map((video) => pick(video, fields)),
        cursor: fault === 'cursor_loop' ? (body.cursor ?? cursor) : cursor,
        has_more: fault === 'cursor_loop' || remaining.length > page.length,
      }),
    );
  }

  private async videoQuery(request: IncomingMessage, url: URL, context: RequestContext) {
    const { accountId } = await this.authorizeDisplay(request, context, '/v2/video/query/');
    const fields = requestedFields(url, VIDEO_FIELDS);
    const body = parseBody(VideoQueryBody, await readJson(request));
    const wanted = new Set(body.filters.video_ids);
    const videos = this.videosOf(accountId)
      .filter((video) => wanted.has(video.id))
      .map((video) => pick(displayVideo(video), fields));
    return json(200, envelope({ videos, cursor: 0, has_more: false }));
  }

  // --- Research API ---------------------------------------------------------------------------------

  /** Checks the client token and counts the request against the day's quota. */
  private authorizeResearch(request: IncomingMessage): void {
    if (!this.grants.isValidClientToken(bearer(request))) throw accessTokenInvalid();
    const usage = this.researchUsage.get(this.today()) ?? { requests: 0, records: 0 };
    if (
      usage.requests >= this.researchQuota.requestsPerDay ||
      usage.records >= this.researchQuota.recordsPerDay
    ) {
      throw new ApiError(
        429,
        'rate_limit_exceeded',
        'Daily quota exceeded; it resets at 12 AM UTC',
      );
    }
    usage.requests += 1;
    this.researchUsage.set(this.today(), usage);
  }

  private countRecords(records: number): void {
    const usage = this.researchUsage.get(this.today());
    if (usage) usage.records += records;
  }

  private async researchUserInfo(request: IncomingMessage, url: URL, context: RequestContext) {
    this.authorizeResearch(request);
    const fields = requestedFields(url, RESEARCH_USER_FIELDS);
    const { username } = parseBody(ResearchUserBody, await readJson(request));
    const accountId = this.accountByHandle(username);
    await this.intercept(context, '/v2/research/user/info/', accountId);
    if (!accountId) throw new ApiError(404, 'invalid_params', `user ${username} not found`);
    // User info reads live data (§2.3).
    const { profile } = this.options.world.observe(accountId, this.options.now());
    this.countRecords(1);
    return json(200, envelope(pick(researchUser(this.accountInfo(accountId), profile), fields)));
  }

  private async researchVideoQuery(request: IncomingMessage, url: URL, context: RequestContext) {
    this.authorizeResearch(request);
    const fields = requestedFields(url, RESEARCH_VIDEO_FIELDS);
    const body = parseBody(ResearchQueryBody, await readJson(request));
    const start = Date.parse(isoDate(body.start_date));
    const end = Date.parse(isoDate(body.end_date));
    if (!(end >= start) || end - start > 30 * DAY_MS) {
      throw new ApiError(
        400,
        'invalid_params',
        'end_date must be no more than 30 days after start_date',
      );
    }
    const username = body.query.and.find((condition) => condition.field_name === 'username')
      ?.field_values[0];
    if (!username) throw new ApiError(400, 'invalid_params', 'only username queries are supported');
    const accountId = this.accountByHandle(username);
    const fault = await this.intercept(context, '/v2/research/video/query/', accountId);

    let searchId = body.search_id;
    let results = searchId ? this.searches.get(searchId) : undefined;
    if (!results) {
      searchId = String(BigInt(`0x${randomBytes(7).toString('hex')}`) + 7_000_000_000_000_000_000n);
      results = this.archivedVideos(username, start, end + DAY_MS).map((video) =>
        pick(video, fields),
      );
      this.searches.set(searchId, results);
    }
    const maxCount = body.max_count ?? 20;
    const cursor = body.cursor ?? 0;
    if (fault?.kind === 'empty_list') {
      return researchReply({ videos: [], cursor, has_more: false, search_id: searchId });
    }
    const from = fault?.kind === 'missing_page' ? cursor + maxCount : cursor;
    const page = results.slice(from, from + maxCount);
    this.countRecords(page.length);
    const next = from + page.length;
    return researchReply({
      videos: page,
      cursor: fault?.kind === 'cursor_loop' ? cursor : next,
      has_more: fault?.kind === 'cursor_loop' || next < results.length,
      search_id: searchId,
    });
  }

  /**
   * Videos whose username matches approximately (case-insensitive substring, like the real fuzzy match),
   * posted in [fromMs, toMs), with counts from the archive: as they were `researchArchiveLagHours` ago.
   */
  private archivedVideos(username: string, fromMs: number, toMs: number) {
    const wanted = username.toLowerCase();
    const lagMs = (this.options.researchArchiveLagHours ?? 24) * HOUR_MS;
    const videos: ReturnType<typeof researchVideo>[] = [];
    for (const account of this.options.world.accounts) {
      const handle = this.handleOf(account.id);
      if (!handle.toLowerCase().includes(wanted)) continue;
      for (const video of this.observeArchived(account.id, lagMs)) {
        const posted = Date.parse(video.postedAt);
        if (posted >= fromMs && posted < toMs) videos.push(researchVideo(video, handle));
      }
    }
    // "decreasing order of video IDs" (§2.4).
    return videos.sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
  }

  private observeArchived(accountId: string, lagMs: number): VideoStats[] {
    const now = this.options.now();
    try {
      return this.options.world.observe(accountId, new Date(now.getTime() - lagMs)).videos;
    } catch (error) {
      // Before the simulated span began there is no older archive: the earliest state stands in.
      if (error instanceof RangeError) return this.options.world.observe(accountId, now).videos;
      throw error;
    }
  }

  // --- Web pages ------------------------------------------------------------------------------------

  private async webProfile(handle: string, context: RequestContext): Promise<Reply> {
    const accountId = this.accountByHandle(handle, true);
    const fault = await this.intercept(context, 'web:profile', accountId);
    if (!accountId) return html(200, webPage({ 'webapp.user-detail': { statusCode: 10221 } }));
    if (fault?.kind === 'web_status') {
      return html(
        200,
        webPage({ 'webapp.user-detail': { statusCode: fault.statusCode ?? 10222 } }),
      );
    }
    const info = this.accountInfo(accountId);
    const current = this.handleOf(accountId);
    const exact = fault?.kind !== 'rounded_stats';
    const { profile, videos } = this.options.world.observe(accountId, this.options.now());
    const items =
      fault?.kind === 'empty_list'
        ? []
        : [...videos]
            .sort((a, b) => Date.parse(b.postedAt) - Date.parse(a.postedAt))
            .slice(0, this.options.profilePageVideos ?? 30)
            .map((video) => webItem(video, info, current, exact));
    return html(
      200,
      webPage({
        'webapp.app-context': { language: 'en' },
        'webapp.user-detail': {
          statusCode: 0,
          userInfo: webUserInfo(info, current, profile, items, exact),
        },
      }),
    );
  }

  private async webVideo(handle: string, videoId: string, context: RequestContext): Promise<Reply> {
    const accountId = this.accountByHandle(handle, true);
    const fault = await this.intercept(context, 'web:video', accountId);
    const video = accountId
      ? this.videosOf(accountId).find((item) => item.id === videoId)
      : undefined;
    if (fault?.kind === 'web_status') {
      return html(
        200,
        webPage({ 'webapp.video-detail': { statusCode: fault.statusCode ?? 10216 } }),
      );
    }
    // A removed or private video shows the private-post status.
    if (!accountId || !video) {
      return html(200, webPage({ 'webapp.video-detail': { statusCode: 10216 } }));
    }
    const item = webItem(
      video,
      this.accountInfo(accountId),
      this.handleOf(accountId),
      fault?.kind !== 'rounded_stats',
    );
    return html(
      200,
      webPage({ 'webapp.video-detail': { statusCode: 0, itemInfo: { itemStruct: item } } }),
    );
  }

  // --- Admin (for the CLI and manual testing) -------------------------------------------------------

  private async admin(request: IncomingMessage, route: string): Promise<Reply> {
    switch (route) {
      case 'GET /__admin/faults':
        return json(200, { faults: this.listFaults() });
      case 'POST /__admin/faults': {
        const fault = FaultSpec.safeParse(await readJson(request));
        if (!fault.success) return json(400, { error: z.prettifyError(fault.error) });
        this.setFault(fault.data);
        return json(201, { faults: this.listFaults() });
      }
      case 'DELETE /__admin/faults':
        this.clearFaults();
        return json(200, { faults: [] });
      case 'GET /__admin/accounts':
        return json(200, {
          accounts: this.options.world.accounts.map((account) => ({
            ...account,
            handle: this.handleOf(account.id),
          })),
          client: this.client,
        });
      case 'POST /__admin/grants': {
        const grant = GrantRequest.safeParse(await readJson(request));
        if (!grant.success) return json(400, { error: z.prettifyError(grant.error) });
        this.accountInfo(grant.data.accountId);
        return json(201, this.issueGrant(grant.data.accountId, grant.data));
      }
      case 'PUT /__admin/research-quota': {
        const quota = ResearchQuota.safeParse(await readJson(request));
        if (!quota.success) return json(400, { error: z.prettifyError(quota.error) });
        this.setResearchQuota(quota.data);
        return json(200, { quota: this.researchQuota, used: this.researchUsed() });
      }
      case 'POST /__admin/rename': {
        const rename = Rename.safeParse(await readJson(request));
        if (!rename.success) return json(400, { error: z.prettifyError(rename.error) });
        this.accountInfo(rename.data.accountId);
        this.renameAccount(rename.data.accountId, rename.data.handle);
        return json(200, rename.data);
      }
      default:
        return json(404, { error: `no such admin endpoint: ${route}` });
    }
  }

  // --- World lookups --------------------------------------------------------------------------------

  private accountInfo(accountId: string): WorldAccountInfo {
    const info = this.options.world.accounts.find((account) => account.id === accountId);
    if (!info) throw new ApiError(404, 'invalid_params', `unknown account ${accountId}`);
    return info;
  }

  private handleOf(accountId: string): string {
    return this.handles.get(accountId) ?? accountId;
  }

  /** The account with `handle` now (case-insensitive on the web, exact in the API). */
  private accountByHandle(handle: string, caseInsensitive = false): string | undefined {
    for (const [accountId, current] of this.handles) {
      if (caseInsensitive ? current.toLowerCase() === handle.toLowerCase() : current === handle) {
        return accountId;
      }
    }
    return undefined;
  }

  private videosOf(accountId: string): VideoStats[] {
    return [...this.options.world.observe(accountId, this.options.now()).videos].sort(
      (a, b) => Date.parse(b.postedAt) - Date.parse(a.postedAt),
    );
  }

  private today(): string {
    return this.options.now().toISOString().slice(0, 10);
  }
}

function accessTokenInvalid(): ApiError {
  return new ApiError(
    401,
    'access_token_invalid',
    'Access token is invalid, please refresh token and retry',
  );
}

function bearer(request: IncomingMessage): string {
  return /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
}

function json(status: number, body: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(body) };
}

function researchReply(data: object): Reply {
  return {
    status: 200,
    contentType: 'application/json; charset=utf-8',
    body: researchJson(envelope(data)),
  };
}

function html(status: number, body: string): Reply {
  return { status, contentType: 'text/html; charset=utf-8', body };
}

function send(response: ServerResponse, reply: Reply): void {
  response.writeHead(reply.status, { 'content-type': reply.contentType, ...reply.headers });
  response.end(reply.body);
}

function isoDate(yyyymmdd: string): string {
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}T00:00:00Z`;
}

function requestedFields(url: URL, known: Set<string>): string[] {
  const fields = (url.searchParams.get('fields') ?? '').split(',').filter(Boolean);
  if (fields.length === 0) throw new ApiError(400, 'invalid_params', 'fields is required');
  const unknown = fields.find((field) => !known.has(field));
  if (unknown) throw new ApiError(400, 'invalid_params', `unknown field: ${unknown}`);
  return fields;
}

function pick(object: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(
    fields.filter((field) => field in object).map((field) => [field, object[field]]),
  );
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = await readText(request);
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_params', 'the request body is not JSON');
  }
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(400, 'invalid_params', z.prettifyError(parsed.error));
  return parsed.data;
}
