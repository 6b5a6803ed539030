/**
 * The fake TikTok's OAuth side: `/v2/oauth/token/` (client credentials, authorization codes and rotating
 * refresh tokens) and Login Kit's authorize page with its consent form (see authorize.ts).
 */
import type { IncomingMessage } from 'node:http';
import { escapeHtml } from '../../core/digest/escape.ts';
import { authorizePage, readAuthorizeRequest } from './authorize.ts';
import type { GrantBook } from './grants.ts';
import { html, json, type Reply } from './replies.ts';
import { readText } from './requests.ts';
import { type FakeView, OAuthError, type RequestContext } from './view.ts';

/** The OAuth endpoints of the fake TikTok. */
export class FakeOAuth {
  constructor(
    private readonly view: FakeView,
    private readonly grants: GrantBook,
  ) {}

  async token(request: IncomingMessage, context: RequestContext): Promise<Reply> {
    const form = new URLSearchParams(await readText(request));
    if (
      form.get('client_key') !== this.grants.clientKey ||
      form.get('client_secret') !== this.grants.clientSecret
    ) {
      throw new OAuthError(401, 'invalid_client', 'Client key or secret is invalid');
    }
    const grantType = form.get('grant_type');
    if (grantType === 'client_credentials') {
      await this.view.intercept(context, '/v2/oauth/token/', undefined);
      return json(200, this.grants.issueClientToken());
    }
    if (grantType === 'authorization_code') {
      await this.view.intercept(context, '/v2/oauth/token/', undefined);
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
    const fault = await this.view.intercept(context, '/v2/oauth/token/', accountId);
    if (fault?.kind === 'revoked_refresh_token' && accountId) this.grants.revoke(accountId);
    const rotated = this.grants.rotate(refreshToken);
    if (!rotated) {
      throw new OAuthError(400, 'invalid_grant', 'Refresh token is invalid or expired');
    }
    return json(200, rotated);
  }

  /** Login Kit's authorize page (see authorize.ts). */
  authorize(url: URL): Reply {
    const request = readAuthorizeRequest(url, this.grants.clientKey);
    if ('problem' in request) return html(400, `<p>${escapeHtml(request.problem)}</p>`);
    const accounts = this.view.world.accounts.map((account) => ({
      id: account.id,
      handle: this.view.handleOf(account.id),
    }));
    return html(200, authorizePage(request, accounts));
  }

  /** The consent form's answer: back to the app with a code, or with `access_denied`. */
  consent(url: URL): Reply {
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
      this.view.accountInfo(accountId);
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
}
