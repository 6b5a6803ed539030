/**
 * The subscription pages' own URLs under the public base URL, which may carry a path (an API Gateway stage,
 * `https://…/site/`) or be the root of a custom domain: every link is built relative to it, never from `/`.
 */

/** The base URL with exactly one trailing slash, so relative paths resolve under it. */
function asDirectory(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
}

/** The path the site lives under: `/` at the root of a domain, `/site/` under an API Gateway stage. */
export function basePathOf(baseUrl: string): string {
  return new URL(asDirectory(baseUrl)).pathname;
}

/** The absolute URL of the site's `path` (`/confirm`, `connect/callback`) under `baseUrl`. */
export function siteUrl(baseUrl: string, path: string): URL {
  return new URL(path.replace(/^\/+/, ''), asDirectory(baseUrl));
}
