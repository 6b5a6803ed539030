/**
 * The response pieces every route shares: pages with the security headers, static assets, cookies, and the
 * pages that say a link cannot be used.
 */
import type { Subscriber } from '../../model.ts';
import { html } from '../../pages/html.ts';
import { BASE_ELEMENT } from '../../pages/layout.ts';
import { messagePage } from '../../pages/subscription-pages.ts';
import { basePathOf, siteUrl } from '../../site-url.ts';
import type { SubscriptionDeps } from '../deps.ts';
import type { TokenRejection } from '../ports.ts';
import type { WebResponse } from './http.ts';

/** Headers every page carries. */
function securityHeaders(deps: Pick<SubscriptionDeps, 'baseUrl'>): Record<string, string> {
  const headers: Record<string, string> = {
    // Scripts and styles come only from this origin's files, never inline; nothing may frame the pages.
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'",
    'x-content-type-options': 'nosniff',
    // Page URLs carry tokens: they must not leak to other sites in a Referer. `same-origin` rather than
    // `no-referrer`: under `no-referrer` browsers send `Origin: null` on the site's own form posts, which the
    // cross-site check must refuse.
    'referrer-policy': 'same-origin',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
  if (isHttps(deps)) {
    headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  }
  return headers;
}

/** Whether the site is served over HTTPS (then cookies are `Secure`, and the pages send HSTS). */
export function isHttps(deps: Pick<SubscriptionDeps, 'baseUrl'>): boolean {
  return deps.baseUrl.startsWith('https:');
}

/**
 * An HTML page that no cache may keep (pages show personal settings and carry tokens), its `<base>` set to the
 * path the site lives under.
 */
export function page(
  deps: Pick<SubscriptionDeps, 'baseUrl'>,
  status: number,
  document: string,
): WebResponse {
  const body = document.replace(
    BASE_ELEMENT.markup,
    html`<base href="${basePathOf(deps.baseUrl)}">`.markup,
  );
  return {
    status,
    headers: {
      ...securityHeaders(deps),
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    },
    body,
    cookies: [],
  };
}

/** A static file of the pages (stylesheet, script), cacheable for an hour. */
export async function asset(contentType: string, body: string): Promise<WebResponse> {
  return {
    status: 200,
    headers: {
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-type': contentType,
      'cache-control': 'public, max-age=3600',
    },
    body,
    cookies: [],
  };
}

/**
 * A `Set-Cookie` value: HttpOnly, `Secure` over HTTPS, with `sameSite` as given, for `path`: `/` is the whole
 * host, anything else a path of the site (under its base path).
 */
export function cookie(
  deps: Pick<SubscriptionDeps, 'baseUrl'>,
  options: {
    name: string;
    value: string;
    path: string;
    maxAgeSeconds?: number;
    sameSite: 'Strict' | 'Lax';
  },
): string {
  const maxAge = options.maxAgeSeconds === undefined ? '' : `; Max-Age=${options.maxAgeSeconds}`;
  const secure = isHttps(deps) ? '; Secure' : '';
  const path = options.path === '/' ? '/' : siteUrl(deps.baseUrl, options.path).pathname;
  return `${options.name}=${options.value}; Path=${path}${maxAge}; HttpOnly; SameSite=${options.sameSite}${secure}`;
}

/** A link that cannot be used, for whatever reason the token or the store gave. */
export function badLink(
  deps: Pick<SubscriptionDeps, 'baseUrl'>,
  problem: { rejection: TokenRejection | 'unknown_subscriber' | 'unknown_sign_up' },
): WebResponse {
  switch (problem.rejection) {
    case 'expired':
      return page(
        deps,
        410,
        messagePage(
          'This link has expired',
          html`<p>Links in our emails work for a limited time. The newest digest carries fresh ones, or <a href="./">sign up again</a>.</p>`,
        ),
      );
    case 'unknown_subscriber':
      return page(
        deps,
        404,
        messagePage(
          'Subscription not found',
          html`<p>This subscription no longer exists. <a href="./">Sign up again</a>.</p>`,
        ),
      );
    case 'unknown_sign_up':
      return page(
        deps,
        410,
        messagePage(
          'This link is no longer valid',
          html`<p>This sign-up is no longer kept. <a href="./">Sign up again</a> to get a fresh link.</p>`,
        ),
      );
    default:
      return page(
        deps,
        400,
        messagePage(
          'This link is not valid',
          html`<p>Please use the link from the email as it is, or <a href="./">sign up again</a>.</p>`,
        ),
      );
  }
}

/** `07:00 (Europe/Berlin)`. */
export function hourLabel(settings: Pick<Subscriber, 'deliveryHour' | 'timeZone'>): string {
  return `${String(settings.deliveryHour).padStart(2, '0')}:00 (${settings.timeZone})`;
}
