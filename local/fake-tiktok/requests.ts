/**
 * What the fake TikTok accepts in a request: the fields each endpoint knows, the scopes Display user fields
 * need (docs/sources.md: Display API), the request bodies, and the helpers that read them. A request it
 * cannot accept is an {@link ApiError}.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';

/** Fields the Display API knows, per endpoint family (others are `invalid_params`). */
export const USER_FIELDS = new Set([
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
export const VIDEO_FIELDS = new Set([
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
export const RESEARCH_USER_FIELDS = new Set([
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
export const RESEARCH_VIDEO_FIELDS = new Set([
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

/** The scope each Display user field needs (docs/sources.md: Display API). */
export const FIELD_SCOPES: Record<string, string> = {
  bio_description: 'user.info.profile',
  profile_deep_link: 'user.info.profile',
  is_verified: 'user.info.profile',
  username: 'user.info.profile',
  follower_count: 'user.info.stats',
  following_count: 'user.info.stats',
  likes_count: 'user.info.stats',
  video_count: 'user.info.stats',
};

export const VideoListBody = z.object({
  max_count: z.number().int().min(1).max(20).optional(),
  cursor: z.number().int().nonnegative().optional(),
});
export const VideoQueryBody = z.object({
  filters: z.object({ video_ids: z.array(z.string()).min(1).max(20) }),
});
export const ResearchUserBody = z.object({ username: z.string().min(1) });
export const YYYYMMDD = z.string().regex(/^\d{8}$/);
export const ResearchQueryBody = z.object({
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
export const GrantRequest = z.object({
  accountId: z.string().min(1),
  accessTtlSeconds: z.number().int().positive().optional(),
  refreshTtlSeconds: z.number().int().positive().optional(),
  scope: z.string().optional(),
});
export const ResearchQuota = z.object({
  requestsPerDay: z.number().int().nonnegative(),
  recordsPerDay: z.number().int().nonnegative(),
});
export type ResearchQuota = z.infer<typeof ResearchQuota>;
export const Rename = z.object({ accountId: z.string().min(1), handle: z.string().min(1) });

/** An answer that follows TikTok's API error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function accessTokenInvalid(): ApiError {
  return new ApiError(
    401,
    'access_token_invalid',
    'Access token is invalid, please refresh token and retry',
  );
}

export function bearer(request: IncomingMessage): string {
  return /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
}

export function isoDate(yyyymmdd: string): string {
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}T00:00:00Z`;
}

export function requestedFields(url: URL, known: Set<string>): string[] {
  const fields = (url.searchParams.get('fields') ?? '').split(',').filter(Boolean);
  if (fields.length === 0) throw new ApiError(400, 'invalid_params', 'fields is required');
  const unknown = fields.find((field) => !known.has(field));
  if (unknown) throw new ApiError(400, 'invalid_params', `unknown field: ${unknown}`);
  return fields;
}

export function pick(object: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(
    fields.filter((field) => field in object).map((field) => [field, object[field]]),
  );
}

export async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = await readText(request);
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_params', 'the request body is not JSON');
  }
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(400, 'invalid_params', z.prettifyError(parsed.error));
  return parsed.data;
}
