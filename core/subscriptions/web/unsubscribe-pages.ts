/**
 * Unsubscribing (`/unsubscribe?token=…`): a page with a button, and RFC 8058 one-click, which takes effect at
 * once from wherever it comes (a mail provider's servers post it with no cookie, no form and no `Origin` of
 * ours; the signed URL is its authorization).
 */
import { html, type SafeHtml } from '../../pages/html.ts';
import { actionPage, LINK_TOKEN_FIELD, messagePage } from '../../pages/subscription-pages.ts';
import { unsubscribe } from '../manage.ts';
import { formExpired } from './form-pages.ts';
import type { RouteContext, WebRequest, WebResponse } from './http.ts';
import { badLink, page } from './responses.ts';

/** `GET /unsubscribe`: asks before stopping the digest. */
export async function showUnsubscribe({
  deps,
  request,
  forms,
}: RouteContext): Promise<WebResponse> {
  const token = request.query.get('token') ?? '';
  const check = deps.tokens.verify(token, 'unsubscribe', deps.now());
  if (!check.ok) return badLink(deps, check);
  return page(
    deps,
    200,
    actionPage({
      title: 'Unsubscribe',
      intro: html`<p>Stop the likewatch morning digest for good? You can pause it instead from your preferences.</p>`,
      action: 'unsubscribe',
      linkToken: token,
      formToken: forms.token('unsubscribe', check.subject),
      button: 'Unsubscribe',
    }),
  );
}

/**
 * `POST /unsubscribe`, two kinds: RFC 8058 one-click (the token in the URL and `List-Unsubscribe=One-Click`
 * in the body; it must work as is), and the button on the page above (token and form token in the form).
 */
export async function submitUnsubscribe({
  deps,
  request,
  forms,
}: RouteContext): Promise<WebResponse> {
  if (isOneClickUnsubscribe(request)) {
    const outcome = await unsubscribe(deps, request.query.get('token') ?? '');
    if (outcome.kind === 'bad_link') return badLink(deps, outcome);
    return unsubscribedPage(deps);
  }
  const form = new URLSearchParams(request.body);
  const token = form.get(LINK_TOKEN_FIELD) ?? '';
  const check = deps.tokens.verify(token, 'unsubscribe', deps.now());
  if (!check.ok) return badLink(deps, check);
  if (!forms.accepts(form, 'unsubscribe', check.subject)) return formExpired(deps);
  await unsubscribe(deps, token);
  return unsubscribedPage(
    deps,
    html`<p>Changed your mind? <a href="${deps.links.preferences(check.subject)}">Subscribe again from your preferences</a>.</p>`,
  );
}

/** The page that confirms an unsubscribe, with what else it may offer. */
function unsubscribedPage(deps: RouteContext['deps'], ...more: SafeHtml[]): WebResponse {
  return page(
    deps,
    200,
    messagePage(
      'You are unsubscribed',
      html`<p role="status">No more digests will be sent to this address.</p>`,
      ...more,
    ),
  );
}

/**
 * An RFC 8058 one-click unsubscribe: a POST to `/unsubscribe` with the token in the URL and
 * `List-Unsubscribe=One-Click` in the body, form-encoded or as a multipart field (the RFC allows both).
 */
export function isOneClickUnsubscribe(request: WebRequest): boolean {
  if (request.method !== 'POST' || request.path !== '/unsubscribe') return false;
  if (request.query.get('token') === null) return false;
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    return /name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/.test(request.body);
  }
  return new URLSearchParams(request.body).get('List-Unsubscribe') === 'One-Click';
}
