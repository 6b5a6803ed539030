/**
 * The fake TikTok's Display API: `/v2/user/info/`, `/v2/video/list/` (newest first, paged by create time) and
 * `/v2/video/query/`, read with a creator's access token and the scopes it was granted.
 */
import type { IncomingMessage } from 'node:http';
import type { FakeEndpoint } from './faults.ts';
import type { GrantBook } from './grants.ts';
import { json } from './replies.ts';
import {
  ApiError,
  accessTokenInvalid,
  bearer,
  FIELD_SCOPES,
  parseBody,
  pick,
  readJson,
  requestedFields,
  USER_FIELDS,
  VIDEO_FIELDS,
  VideoListBody,
  VideoQueryBody,
} from './requests.ts';
import { displayUser, displayVideo, envelope } from './shapes.ts';
import { type FakeView, Preempted, type RequestContext } from './view.ts';

/** The Display API endpoints of the fake TikTok. */
export class FakeDisplayApi {
  constructor(
    private readonly view: FakeView,
    private readonly grants: GrantBook,
  ) {}

  /** The account the bearer token reads, after this request's fault (expiry and revocation happen here). */
  private async authorizeDisplay(
    request: IncomingMessage,
    context: RequestContext,
    endpoint: FakeEndpoint,
  ): Promise<{ accountId: string; scopes: string[] }> {
    const token = bearer(request);
    const resolved = this.grants.resolveAccess(token);
    if (typeof resolved === 'string') throw accessTokenInvalid();
    const fault = await this.view.intercept(context, endpoint, resolved.accountId);
    if (fault?.kind === 'expired_token') {
      this.grants.expire(token);
      throw accessTokenInvalid();
    }
    if (fault?.kind === 'bare_error') {
      this.grants.expire(token);
      // The error object alone, as TikTok's documentation shows it.
      const { error } = envelope({}, 'access_token_invalid', accessTokenInvalid().message);
      throw new Preempted(json(401, error));
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

  async userInfo(request: IncomingMessage, url: URL, context: RequestContext) {
    const { accountId, scopes } = await this.authorizeDisplay(request, context, '/v2/user/info/');
    const fields = requestedFields(url, USER_FIELDS);
    // Asking for a field whose scope was not granted fails the whole call (docs/sources.md: Display API).
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
    const info = this.view.accountInfo(accountId);
    const { profile } = this.view.world.observe(accountId, this.view.now());
    const user = displayUser(info, this.view.handleOf(accountId), profile);
    return json(200, envelope({ user: pick(user, fields) }));
  }

  /** Newest first; the cursor is the create time (ms) of the last video returned, as TikTok documents. */
  async videoList(request: IncomingMessage, url: URL, context: RequestContext) {
    const { accountId } = await this.authorizeDisplay(request, context, '/v2/video/list/');
    const fields = requestedFields(url, VIDEO_FIELDS);
    const body = parseBody(VideoListBody, await readJson(request));
    const fault = context.fault?.kind;
    if (fault === 'empty_list')
      return json(200, envelope({ videos: [], cursor: 0, has_more: false }));
    const maxCount = body.max_count ?? 10;
    const before = body.cursor ?? Number.POSITIVE_INFINITY;
    let remaining = this.view
      .videosOf(accountId)
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

  async videoQuery(request: IncomingMessage, url: URL, context: RequestContext) {
    const { accountId } = await this.authorizeDisplay(request, context, '/v2/video/query/');
    const fields = requestedFields(url, VIDEO_FIELDS);
    const body = parseBody(VideoQueryBody, await readJson(request));
    const wanted = new Set(body.filters.video_ids);
    const videos = this.view
      .videosOf(accountId)
      .filter((video) => wanted.has(video.id))
      .map((video) => pick(displayVideo(video), fields));
    return json(200, envelope({ videos, cursor: 0, has_more: false }));
  }
}
