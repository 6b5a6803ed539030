/**
 * A local TikTok: an HTTP server that answers the Display API v2 endpoints with TikTok's documented response
 * shapes (shared/reference/tiktok-sources.md §1), fed by a simulated world. Its clock is set by whoever drives
 * the simulation, so a poll at a simulated instant sees the world as it was then.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { VideoStats } from '../../core/model.ts';
import type { World } from '../../core/simulate/world.ts';

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

const VideoListBody = z.object({
  max_count: z.number().int().min(1).max(20).optional(),
  cursor: z.number().int().nonnegative().optional(),
});
const VideoQueryBody = z.object({
  filters: z.object({ video_ids: z.array(z.string()).min(1).max(20) }),
});

/** Options of the fake TikTok. */
export interface FakeTikTokOptions {
  world: World;
  /** The simulated instant the world is observed at. */
  now: () => Date;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A running fake TikTok on 127.0.0.1 with a free port. */
export class FakeTikTok {
  private readonly tokens = new Map<string, string>();

  private constructor(
    private readonly server: Server,
    private readonly options: FakeTikTokOptions,
    /** Base URL, e.g. `http://127.0.0.1:41234`. */
    readonly url: string,
  ) {}

  /** Starts the server on a free port. */
  static async start(options: FakeTikTokOptions): Promise<FakeTikTok> {
    let fake: FakeTikTok | undefined;
    const server = createServer((request, response) => {
      fake?.handle(request, response).catch((error: unknown) => {
        fake?.reply(response, 500, envelope({}, 'internal_error', String(error)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeTikTok(server, options, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** Issues an access token that authorizes reading `accountId` (what a creator's OAuth consent yields). */
  issueToken(accountId: string): string {
    const token = `act.${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, accountId);
    return token;
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    try {
      const route = `${request.method} ${url.pathname}`;
      if (route === 'GET /v2/user/info/') {
        const accountId = this.authorize(request);
        const fields = requestedFields(url, USER_FIELDS);
        const user = this.userObject(accountId);
        this.reply(response, 200, envelope({ user: pick(user, fields) }));
        return;
      }
      if (route === 'POST /v2/video/list/') {
        const accountId = this.authorize(request);
        const fields = requestedFields(url, VIDEO_FIELDS);
        const body = parseBody(VideoListBody, await readJson(request));
        this.reply(response, 200, envelope(this.videoList(accountId, body, fields)));
        return;
      }
      if (route === 'POST /v2/video/query/') {
        const accountId = this.authorize(request);
        const fields = requestedFields(url, VIDEO_FIELDS);
        const body = parseBody(VideoQueryBody, await readJson(request));
        const wanted = new Set(body.filters.video_ids);
        const videos = this.videosOf(accountId)
          .filter((video) => wanted.has(video.id))
          .map((video) => pick(videoObject(video), fields));
        this.reply(response, 200, envelope({ videos, cursor: 0, has_more: false }));
        return;
      }
      throw new ApiError(404, 'invalid_params', `no such endpoint: ${route}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.reply(response, error.status, envelope({}, error.code, error.message));
    }
  }

  private authorize(request: IncomingMessage): string {
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const accountId = match ? this.tokens.get(match[1] as string) : undefined;
    if (!accountId) {
      throw new ApiError(
        401,
        'access_token_invalid',
        'Access token is invalid, please refresh token and retry',
      );
    }
    return accountId;
  }

  private userObject(accountId: string): Record<string, unknown> {
    const info = this.options.world.accounts.find((account) => account.id === accountId);
    const { profile } = this.options.world.observe(accountId, this.options.now());
    return {
      open_id: accountId,
      union_id: `u-${accountId}`,
      display_name: info?.displayName ?? '',
      username: info?.handle ?? '',
      profile_deep_link: `https://www.tiktok.com/@${info?.handle ?? ''}`,
      is_verified: false,
      follower_count: profile.followers,
      following_count: profile.following,
      likes_count: profile.likes,
      video_count: profile.videos,
    };
  }

  /** Newest first; the cursor is the create time (ms) of the last video returned, as TikTok documents. */
  private videoList(
    accountId: string,
    body: z.infer<typeof VideoListBody>,
    fields: string[],
  ): { videos: Record<string, unknown>[]; cursor: number; has_more: boolean } {
    const maxCount = body.max_count ?? 10;
    const before = body.cursor ?? Number.POSITIVE_INFINITY;
    const remaining = this.videosOf(accountId)
      .map(videoObject)
      .filter((video) => video.create_time * 1000 < before);
    const page = remaining.slice(0, maxCount);
    const last = page.at(-1);
    return {
      videos: page.map((video) => pick(video, fields)),
      cursor: last ? last.create_time * 1000 : (body.cursor ?? 0),
      has_more: remaining.length > page.length,
    };
  }

  private videosOf(accountId: string): VideoStats[] {
    return [...this.options.world.observe(accountId, this.options.now()).videos].sort(
      (a, b) => Date.parse(b.postedAt) - Date.parse(a.postedAt),
    );
  }

  private reply(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  }
}

function videoObject(video: VideoStats) {
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

function envelope(data: object, code = 'ok', message = '') {
  return { data, error: { code, message, log_id: randomBytes(12).toString('hex').toUpperCase() } };
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

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
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
