/**
 * Cross-site protection for every state-changing form. Two independent checks:
 *
 * - **Where the request came from.** A browser says it on every POST: `Sec-Fetch-Site` (`cross-site` is
 *   refused) and `Origin` (anything but the public base URL's origin, `null` included, is refused). A client
 *   that sends neither is not a browser that a hostile page could drive.
 * - **A form token bound to a cookie** (signed double submit). The first form page a browser gets sets an
 *   HttpOnly, `SameSite=Strict` cookie holding a random nonce (`__Host-` prefixed over HTTPS, so no sibling
 *   domain can plant it); each form carries a token signed for that form, its subject and that nonce. A POST
 *   is accepted only with a current token for its form whose nonce is the cookie's: a token fetched by
 *   another client, or posted by a page that cannot send the cookie, fails.
 *
 * RFC 8058 one-click unsubscribes are the exception the RFC requires: a mail provider posts them from its own
 * servers, with no cookie and no form; the signed URL is their authorization.
 */
import { FORM_TOKEN_FIELD } from '../../pages/subscription-pages.ts';
import { HOUR_MS } from '../../time.ts';
import type { SubscriptionDeps } from '../deps.ts';
import type { WebRequest, WebResponse } from './http.ts';
import { cookie, isHttps } from './responses.ts';

/** How long a rendered form may be submitted. */
const FORM_TOKEN_LIFETIME_MS = 2 * HOUR_MS;

/** The cookie's name without the `__Host-` prefix it gets over HTTPS. */
const FORM_COOKIE = 'likewatch_form';

/** What a nonce issued as the cookie looks like; anything else in the cookie is replaced. */
const NONCE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The form cookie's name for the site: `__Host-likewatch_form` over HTTPS, else `likewatch_form`. */
export function formCookieName(deps: Pick<SubscriptionDeps, 'baseUrl'>): string {
  return isHttps(deps) ? `__Host-${FORM_COOKIE}` : FORM_COOKIE;
}

/**
 * One browser's forms during one request: the nonce its cookie holds (or a new one, set on the response when a
 * form was rendered), tokens bound to it, and the check of a submitted token.
 */
export class FormSession {
  private readonly nonce: string;
  /** No usable cookie came with the request: a form rendered now sets one. */
  private readonly fresh: boolean;
  private issued = false;

  constructor(
    private readonly deps: Pick<SubscriptionDeps, 'tokens' | 'now' | 'newId' | 'baseUrl'>,
    request: Pick<WebRequest, 'cookies'>,
  ) {
    const sent = request.cookies[formCookieName(deps)];
    this.fresh = sent === undefined || !NONCE_PATTERN.test(sent);
    this.nonce = this.fresh ? deps.newId() : (sent as string);
  }

  /** A token for `form` about `subject` (the subscriber, or `-`), bound to this browser's cookie. */
  token(form: string, subject: string): string {
    this.issued = true;
    return this.deps.tokens.sign(
      'form',
      `${form}:${subject}:${this.nonce}`,
      new Date(this.deps.now().getTime() + FORM_TOKEN_LIFETIME_MS),
    );
  }

  /**
   * True when `form` carries a genuine, current token made for this form and subject, bound to the cookie this
   * browser sent. Without the cookie nothing is accepted.
   */
  accepts(form: URLSearchParams, name: string, subject: string): boolean {
    if (this.fresh) return false;
    const check = this.deps.tokens.verify(
      form.get(FORM_TOKEN_FIELD) ?? '',
      'form',
      this.deps.now(),
    );
    return check.ok && check.subject === `${name}:${subject}:${this.nonce}`;
  }

  /** Adds the cookie to `response` when this request rendered a form for a browser that had none. */
  finish(response: WebResponse): WebResponse {
    if (this.fresh && this.issued) {
      // A session cookie for the whole site: Strict, since only the site's own pages post forms.
      response.cookies.push(
        cookie(this.deps, {
          name: formCookieName(this.deps),
          value: this.nonce,
          // The whole host: a `__Host-` cookie must have Path=/.
          path: '/',
          sameSite: 'Strict',
        }),
      );
    }
    return response;
  }
}

/**
 * True when a state-changing request says it was sent from another site: `Sec-Fetch-Site: cross-site`, or an
 * `Origin` other than the public base URL's.
 */
export function isCrossSite(deps: Pick<SubscriptionDeps, 'baseUrl'>, request: WebRequest): boolean {
  if (request.headers['sec-fetch-site']?.trim().toLowerCase() === 'cross-site') return true;
  const origin = request.headers.origin;
  return origin !== undefined && origin.trim() !== new URL(deps.baseUrl).origin;
}
