/**
 * TikTok Login Kit for Web (docs/sources.md): the authorize URL a creator is sent to, and the exchange
 * of the code TikTok sends back for the creator's tokens (`POST /v2/oauth/token/`, form-encoded), followed by
 * `/v2/user/info/` to learn the account's username.
 */
import { z } from 'zod';
import type { AuthorizedAccount, TikTokAuthorization } from '../../core/subscriptions/ports.ts';
import { DISPLAY_API_SCOPES } from '../../core/subscriptions/scopes.ts';
import { SourceFailure, SourceHttp } from './http.ts';
import type { Transport } from './node-transport.ts';
import { ApiError, type ClientCredentials, OpenApiClient } from './open-api.ts';

/** Options of {@link TikTokLoginKit}. */
export interface TikTokLoginKitOptions {
  /** TikTok's authorize page, `https://www.tiktok.com/v2/auth/authorize/` (the fake TikTok's locally). */
  authorizeUrl: string;
  /** The open API host, `https://open.tiktokapis.com`. */
  apiBaseUrl: string;
  client: ClientCredentials;
  /** The callback registered for the app; it must match exactly in both steps. */
  redirectUri: string;
  timeoutMs: number;
  fetch?: Transport;
}

/** Only what connecting needs from the user info (the stats come with the first poll). */
const ConnectedUser = z.object({
  data: z.object({
    user: z.object({ open_id: z.string().min(1), username: z.string().optional() }),
  }),
  error: ApiError,
});

/** Implements the core's TikTokAuthorization port against TikTok (or the fake). */
export class TikTokLoginKit implements TikTokAuthorization {
  private readonly api: OpenApiClient;

  constructor(private readonly options: TikTokLoginKitOptions) {
    // A person waits for this exchange: a short retry budget, not the poller's patient one.
    this.api = new OpenApiClient(
      new SourceHttp({
        timeoutMs: options.timeoutMs,
        retry: { maxRetries: 1, baseDelayMs: 200, maxDelayMs: 1_000 },
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
      options.apiBaseUrl,
    );
  }

  authorizeUrl(state: string): string {
    const url = new URL(this.options.authorizeUrl);
    url.search = new URLSearchParams({
      client_key: this.options.client.key,
      scope: DISPLAY_API_SCOPES,
      redirect_uri: this.options.redirectUri,
      state,
      response_type: 'code',
    }).toString();
    return url.toString();
  }

  async exchange(code: string, now: Date): Promise<AuthorizedAccount> {
    const token = await this.api.token(this.options.client, {
      code,
      grant_type: 'authorization_code',
      redirect_uri: this.options.redirectUri,
    });
    const scopes = (token.scope ?? '').split(',');
    // Asking for `username` without user.info.profile would fail the whole call.
    const fields = scopes.includes('user.info.profile') ? 'open_id,username' : 'open_id';
    const info = await this.api.call(
      '/v2/user/info/',
      { method: 'GET', fields },
      token.access_token,
      ConnectedUser,
    );
    const user = info.data.user;
    if (token.open_id !== undefined && token.open_id !== user.open_id) {
      throw new SourceFailure(
        'malformed_response',
        'the token and the user info disagree on open_id',
      );
    }
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
    return {
      accountId: user.open_id,
      ...(user.username ? { handle: user.username.toLowerCase() } : {}),
      credentials: {
        accessToken: token.access_token,
        accessTokenExpiresAt: at(token.expires_in),
        ...(token.refresh_token ? { refreshToken: token.refresh_token } : {}),
        ...(token.refresh_expires_in
          ? { refreshTokenExpiresAt: at(token.refresh_expires_in) }
          : {}),
        ...(token.scope ? { scope: token.scope } : {}),
      },
    };
  }
}
