/**
 * Connecting a TikTok account (`/connect`, `/connect/start`, `/connect/callback`): TikTok's OAuth, with the
 * state bound to the browser by a cookie and used once (see `connect.ts`).
 */
import { displayHandle } from '../../digest/wording.ts';
import { html } from '../../pages/html.ts';
import { connectPage, messagePage } from '../../pages/subscription-pages.ts';
import { type ConnectOutcome, completeConnect, startConnect } from '../connect.ts';
import type { SubscriptionDeps } from '../deps.ts';
import type { RouteContext, WebResponse } from './http.ts';
import { cookie, page } from './responses.ts';

/** The cookie that binds a TikTok OAuth state to the browser that started it. */
export const CONNECT_COOKIE = 'likewatch_connect';

/** `GET /connect`: the page that sends a creator to TikTok. */
export async function showConnect({ deps, request }: RouteContext): Promise<WebResponse> {
  // The digest's reconnect link carries a token; it only changes the wording, never where the flow goes.
  const token = request.query.get('token');
  const reconnecting = token !== null && deps.tokens.verify(token, 'reconnect', deps.now()).ok;
  return page(deps, 200, connectPage('connect/start', reconnecting));
}

/** `GET /connect/start`: to TikTok's authorize page, with a signed state and its cookie. */
export async function redirectToTikTok({ deps, request }: RouteContext): Promise<WebResponse> {
  const started = await startConnect(deps, request.sourceIp);
  if (started.kind === 'rate_limited') {
    return page(
      deps,
      429,
      messagePage(
        'Too many attempts',
        html`<p>Too many connections were started from your network. Please try again later.</p>`,
      ),
    );
  }
  const { start } = started;
  const response = page(deps, 302, '');
  // The only redirect the pages make, to the configured TikTok authorize URL: nothing from the request
  // chooses where it goes.
  response.headers.location = start.authorizeUrl;
  response.cookies.push(
    connectCookie(
      deps,
      start.nonce,
      Math.round((start.expiresAt.getTime() - deps.now().getTime()) / 1000),
    ),
  );
  return response;
}

/** `GET /connect/callback`: TikTok's redirect back; the cookie is cleared whatever the outcome. */
export async function finishConnect({ deps, request }: RouteContext): Promise<WebResponse> {
  const outcome = await completeConnect(deps, {
    state: request.query.get('state') ?? undefined,
    code: request.query.get('code') ?? undefined,
    error: request.query.get('error') ?? undefined,
    cookieNonce: request.cookies[CONNECT_COOKIE],
  });
  const response = connectResultPage(deps, outcome);
  response.cookies.push(connectCookie(deps, '', 0));
  return response;
}

/** The state's cookie: Lax, not Strict, since TikTok's redirect back is a cross-site top-level navigation. */
function connectCookie(
  deps: Pick<SubscriptionDeps, 'baseUrl'>,
  value: string,
  maxAgeSeconds: number,
): string {
  return cookie(deps, {
    name: CONNECT_COOKIE,
    value,
    path: 'connect',
    maxAgeSeconds,
    sameSite: 'Lax',
  });
}

function connectResultPage(
  deps: Pick<SubscriptionDeps, 'baseUrl'>,
  outcome: ConnectOutcome,
): WebResponse {
  const again = html`<p><a href="connect">Start again</a>.</p>`;
  switch (outcome.kind) {
    case 'connected': {
      const { handle } = outcome.account;
      return page(
        deps,
        200,
        messagePage(
          outcome.reconnected ? 'Reconnected' : 'Account connected',
          html`<p role="status">likewatch now reads the stats of ${displayHandle(handle)}.</p>`,
          html`<p><a href="./?handles=${encodeURIComponent(handle)}">Get the morning digest about ${displayHandle(handle)}</a>.</p>`,
        ),
      );
    }
    case 'bad_state':
      return page(
        deps,
        400,
        messagePage(
          'This sign-in link is not valid',
          html`<p>It expired, was already used, or was started in another browser.</p>`,
          again,
        ),
      );
    case 'declined':
      return page(
        deps,
        200,
        messagePage(
          'Not connected',
          html`<p>TikTok did not grant access, so nothing was connected.</p>`,
          again,
        ),
      );
    case 'missing_scopes':
      return page(
        deps,
        400,
        messagePage(
          'Some permissions are missing',
          html`<p>likewatch needs every permission TikTok asked for (${outcome.missing.join(', ') || 'the username'}) to read the account's counts.</p>`,
          again,
        ),
      );
    case 'bad_handle':
      return page(
        deps,
        502,
        messagePage(
          'TikTok sent an unusable username',
          html`<p>TikTok named the account with something that is not a TikTok username, so nothing was connected.</p>`,
          again,
        ),
      );
    case 'exchange_failed':
      return page(
        deps,
        502,
        messagePage(
          'TikTok did not answer',
          html`<p>We could not complete the connection with TikTok.</p>`,
          again,
        ),
      );
  }
}
