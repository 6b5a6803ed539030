/**
 * Client for TikTok's open API host (`open.tiktokapis.com`), shared by the Display and Research sources: the
 * v2 `{data, error}` envelope with its error codes (docs/sources.md), and the OAuth token endpoint with
 * its flat JSON answer and its own `{error, error_description, log_id}` envelope (docs/sources.md: Display API, Research API).
 */
import { z } from 'zod';
import type { PollFailureReason } from '../../core/model.ts';
import {
  parseJsonText,
  retryAfterMs,
  SourceFailure,
  type SourceHttp,
  type SourceResponse,
  validate,
} from './http.ts';

/** The error object every v2 response carries; `code` is `ok` on success. */
export const ApiError = z.object({
  code: z.string(),
  message: z.string().optional(),
  log_id: z.string().optional(),
});

const ErrorEnvelope = z.object({ error: ApiError });

/**
 * TikTok's error object on its own, without the `error` wrapper: how the documentation shows an error body
 * (e.g. a 401 `access_token_invalid`), so it is read the same as the wrapped one.
 */
const BareError = ApiError.extend({ code: z.string().min(1) }).refine(
  (error) => error.code !== 'ok',
);

/** The error a response carries, wrapped (`{error: {...}}`, as on the wire) or bare (as documented). */
function errorOf(body: unknown): z.infer<typeof ApiError> | undefined {
  return ErrorEnvelope.safeParse(body).data?.error ?? BareError.safeParse(body).data;
}

/** `POST /v2/oauth/token/` success: flat JSON (not wrapped in `data`). Client tokens have no refresh token. */
export const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  token_type: z.string().optional(),
  open_id: z.string().optional(),
  scope: z.string().optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_expires_in: z.number().int().positive().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** The OAuth error envelope (differs from the API one). */
const OAuthError = z.object({
  error: z.string(),
  error_description: z.string().optional(),
  log_id: z.string().optional(),
});

/** The app's credentials from the developer portal. */
export interface ClientCredentials {
  key: string;
  secret: string;
}

/** What one API call sends. */
export interface ApiCall {
  method: 'GET' | 'POST';
  /** Comma-separated `fields` query parameter. */
  fields: string;
  /** JSON body for POST. */
  body?: unknown;
  /** Integer keys to keep exact (64-bit ids); see `parseJsonText`. */
  bigIntKeys?: readonly string[];
  /**
   * Called before each attempt is sent, retries included (a daily quota counts every request TikTok receives,
   * failed ones too); throwing stops the call before anything is sent.
   */
  beforeSend?: () => void;
}

/** Calls the open API; see the module comment. */
export class OpenApiClient {
  constructor(
    private readonly http: SourceHttp,
    private readonly baseUrl: string,
  ) {}

  /**
   * One API call with a bearer token, retried on rate limits and server errors, validated with `schema`.
   * @throws SourceFailure with the reason to record and TikTok's `error.code`.
   */
  async call<S extends z.ZodType>(
    path: string,
    call: ApiCall,
    token: string,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    const url = new URL(path, this.baseUrl);
    url.searchParams.set('fields', call.fields);
    return this.http.withRetries(async () => {
      call.beforeSend?.();
      const response = await this.http.send({
        url,
        method: call.method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        limitKey: path,
        signal,
      });
      const body = parseJsonText(response, call.bigIntKeys);
      const error = errorOf(body);
      if (response.status >= 400 || (error && error.code !== 'ok')) {
        throw apiFailure(response, error);
      }
      return validate(schema, body, path);
    }, signal);
  }

  /**
   * `POST /v2/oauth/token/` with a form-encoded body (client credentials are added here).
   * @throws SourceFailure whose `code` is the OAuth `error` (e.g. `invalid_grant`).
   */
  async token(
    client: ClientCredentials,
    form: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<TokenResponse> {
    const path = '/v2/oauth/token/';
    return this.http.withRetries(async () => {
      const response = await this.http.send({
        url: new URL(path, this.baseUrl),
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_key: client.key,
          client_secret: client.secret,
          ...form,
        }).toString(),
        limitKey: path,
        signal,
      });
      const body = parseJsonText(response);
      const oauthError = OAuthError.safeParse(body).data;
      if (oauthError) {
        throw new SourceFailure(
          oauthReason(oauthError.error),
          `token endpoint: ${oauthError.error}${oauthError.error_description ? ` (${oauthError.error_description})` : ''}`,
          oauthError.error,
        );
      }
      if (response.status >= 400) throw apiFailure(response, undefined);
      return validate(TokenResponse, body, path);
    }, signal);
  }
}

function apiFailure(response: SourceResponse, error: z.infer<typeof ApiError> | undefined) {
  const code = error?.code;
  const reason = reasonFor(response.status, code, error?.message);
  return new SourceFailure(
    reason,
    `HTTP ${response.status}${code ? ` ${code}` : ''}${error?.message ? `: ${error.message}` : ''}`,
    code,
    reason === 'rate_limited' ? retryAfterMs(response.headers) : undefined,
  );
}

/**
 * Messages of `invalid_params` answers that are TikTok's own paging trouble, not a bad request: the Research
 * API rejects a cursor or `search_id` it has just handed out, and accepts it again moments later.
 */
const TRANSIENT_PARAM_ERRORS = /invalid count or cursor|search id \d+ is invalid or expired/i;

/**
 * Maps TikTok's error codes to poll failure reasons: the documented ones, and those seen from the Research
 * API in practice (`daily_quota_limit_exceeded`; `invalid_params` for its own cursors; see docs/sources.md).
 */
export function reasonFor(
  status: number,
  code: string | undefined,
  message = '',
): PollFailureReason {
  switch (code) {
    case 'daily_quota_limit_exceeded':
      return 'quota_exhausted';
    case 'rate_limit_exceeded':
      // The Research API's daily quota answers like a rate limit; waiting a few seconds will not help.
      return /quota/i.test(message) ? 'quota_exhausted' : 'rate_limited';
    case 'invalid_params':
      // Retried like a server error: the same request usually succeeds moments later.
      if (TRANSIENT_PARAM_ERRORS.test(message)) return 'server_error';
      break;
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

/** OAuth errors: a dead refresh token needs the creator; a refused client is a configuration problem. */
function oauthReason(error: string): PollFailureReason {
  switch (error) {
    case 'invalid_grant':
    case 'invalid_scope':
    case 'access_denied':
      return 'needs_reauthorization';
    case 'temporarily_unavailable':
    case 'server_error':
      return 'server_error';
    default:
      return 'unauthorized';
  }
}
