/**
 * The fake TikTok's authorize page (Login Kit, docs/sources.md): it checks the request as TikTok
 * would, lets whoever drives it pick the simulated account and the scopes to grant, and sends the browser back
 * to `redirect_uri` with a code (or an `access_denied` error) and the `state` echoed.
 */
import { escapeHtml } from '../../core/digest/escape.ts';

/** The authorize request's parameters once checked. */
export interface AuthorizeRequest {
  clientKey: string;
  redirectUri: string;
  state: string;
  scope: string;
}

/** The checked parameters, or what is wrong (TikTok shows an error page for those). */
export function readAuthorizeRequest(
  url: URL,
  clientKey: string,
): AuthorizeRequest | { problem: string } {
  const params = url.searchParams;
  if (params.get('client_key') !== clientKey) return { problem: 'unknown client_key' };
  if (params.get('response_type') !== 'code') return { problem: 'response_type must be code' };
  const redirectUri = params.get('redirect_uri') ?? '';
  if (!/^https?:\/\/[^?#]+$/.test(redirectUri)) {
    return { problem: 'redirect_uri must be an absolute URL without query or fragment' };
  }
  const scope = params.get('scope') ?? '';
  if (scope === '' || scope.includes(' ')) return { problem: 'scope must be comma-separated' };
  return { clientKey, redirectUri, state: params.get('state') ?? '', scope };
}

/** The consent page: one account to sign in as, the scopes asked for (all ticked), Authorize / Cancel. */
export function authorizePage(
  request: AuthorizeRequest,
  accounts: ReadonlyArray<{ id: string; handle: string }>,
): string {
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const scopes = request.scope
    .split(',')
    .map(
      (scope) =>
        `<label><input type="checkbox" name="scope" value="${escapeHtml(scope)}" checked> ${escapeHtml(scope)}</label><br>`,
    )
    .join('');
  const options = accounts
    .map(
      (account) =>
        `<option value="${escapeHtml(account.id)}">@${escapeHtml(account.handle)}</option>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize · fake TikTok</title></head>
<body><main><h1>Authorize the app</h1>
<form method="get" action="/v2/auth/authorize/consent">
${hidden('client_key', request.clientKey)}${hidden('redirect_uri', request.redirectUri)}${hidden('state', request.state)}
<label for="account">Log in as</label> <select id="account" name="account">${options}</select>
<fieldset><legend>Permissions</legend>${scopes}</fieldset>
<button type="submit" name="decision" value="allow">Authorize</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form></main></body></html>`;
}
