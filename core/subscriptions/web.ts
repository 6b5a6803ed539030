/**
 * The subscription pages as one pure request → response function: routing, method and body checks, cross-site
 * refusal, and the route groups in `web/` (one file each: sign-up, confirm, preferences, unsubscribe, connect,
 * feedback). The HTTP Lambda (and, locally, the Node server in front of it) only translates API Gateway events
 * to {@link WebRequest} and back.
 */
import { MailerError } from '../errors.ts';
import {
  STYLESHEET,
  STYLESHEET_PATH,
  TIME_ZONE_SCRIPT,
  TIME_ZONE_SCRIPT_PATH,
} from '../pages/assets.ts';
import { html } from '../pages/html.ts';
import { messagePage } from '../pages/subscription-pages.ts';
import type { SubscriptionDeps } from './deps.ts';
import { showConfirm, submitConfirm } from './web/confirm-pages.ts';
import { finishConnect, redirectToTikTok, showConnect } from './web/connect-pages.ts';
import { showFeedback, submitFeedback } from './web/feedback-pages.ts';
import { crossSiteRefused } from './web/form-pages.ts';
import { FormSession, isCrossSite } from './web/forms.ts';
import { showHistory } from './web/history-pages.ts';
import type { Route, WebRequest, WebResponse } from './web/http.ts';
import { showPreferences, submitPreferences } from './web/preferences-pages.ts';
import { asset, page } from './web/responses.ts';
import { showSignUp, submitSignUp } from './web/sign-up-pages.ts';
import {
  isOneClickUnsubscribe,
  showUnsubscribe,
  submitUnsubscribe,
} from './web/unsubscribe-pages.ts';

export { CONNECT_COOKIE } from './web/connect-pages.ts';
export { formCookieName } from './web/forms.ts';
export type { WebRequest, WebResponse } from './web/http.ts';

/** Largest request body accepted: the forms are a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

const ROUTES: Record<string, Partial<Record<'GET' | 'POST', Route>>> = {
  '/': { GET: showSignUp },
  '/subscribe': { GET: showSignUp, POST: submitSignUp },
  '/confirm': { GET: showConfirm, POST: submitConfirm },
  '/preferences': { GET: showPreferences, POST: submitPreferences },
  '/unsubscribe': { GET: showUnsubscribe, POST: submitUnsubscribe },
  '/connect': { GET: showConnect },
  '/connect/start': { GET: redirectToTikTok },
  '/connect/callback': { GET: finishConnect },
  '/feedback': { GET: showFeedback, POST: submitFeedback },
  '/history': { GET: showHistory },
  [STYLESHEET_PATH]: { GET: async () => asset('text/css; charset=utf-8', STYLESHEET) },
  [TIME_ZONE_SCRIPT_PATH]: {
    GET: async () => asset('text/javascript; charset=utf-8', TIME_ZONE_SCRIPT),
  },
};

/**
 * Handles one request to the subscription pages. Never throws: every refusal is a page, and an unexpected
 * failure (the store is down) is a generic error page after `onUnexpectedError` has been told.
 */
export async function handleWebRequest(
  deps: SubscriptionDeps,
  request: WebRequest,
  onUnexpectedError: (error: unknown) => void = () => undefined,
): Promise<WebResponse> {
  const routes = ROUTES[request.path];
  if (!routes)
    return page(
      deps,
      404,
      messagePage(
        'Page not found',
        html`<p>There is no page here. <a href="./">Sign up for the digest</a>.</p>`,
      ),
    );
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const route = routes[method as 'GET' | 'POST'];
  if (!route) {
    const response = page(
      deps,
      405,
      messagePage('Not allowed', html`<p>This page does not accept that request.</p>`),
    );
    response.headers.allow = Object.keys(routes).join(', ');
    return response;
  }
  if (request.bodyBytes > MAX_BODY_BYTES) {
    return page(
      deps,
      413,
      messagePage(
        'Too much data',
        html`<p>The form sent more than we accept. Please shorten what you typed and try again.</p>`,
      ),
    );
  }
  // Every state-changing form is refused from another site; one-click unsubscribes come from anywhere.
  if (method === 'POST' && !isOneClickUnsubscribe(request) && isCrossSite(deps, request)) {
    return crossSiteRefused(deps);
  }
  const forms = new FormSession(deps, request);
  try {
    return forms.finish(await route({ deps, request, forms }));
  } catch (error) {
    if (error instanceof MailerError) {
      return page(
        deps,
        503,
        messagePage(
          'Please try again shortly',
          html`<p>We could not send the email just now. Please try again in a few minutes.</p>`,
        ),
      );
    }
    onUnexpectedError(error);
    return page(
      deps,
      500,
      messagePage(
        'Something went wrong',
        html`<p>Sorry, this did not work. Please try again in a few minutes.</p>`,
      ),
    );
  }
}
