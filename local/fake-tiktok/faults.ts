/**
 * Switchable faults of the fake TikTok: what can go wrong with each source, injected per endpoint and account
 * for a number of requests. Set them with `FakeTikTok.setFault` or `POST /__admin/faults`.
 */
import { z } from 'zod';

/** The fake's endpoints: the open API paths, and the two kinds of web page. */
export const FakeEndpoint = z.enum([
  '/v2/oauth/token/',
  '/v2/user/info/',
  '/v2/video/list/',
  '/v2/video/query/',
  '/v2/research/user/info/',
  '/v2/research/video/query/',
  'web:profile',
  'web:video',
]);
export type FakeEndpoint = z.infer<typeof FakeEndpoint>;

const DISPLAY: FakeEndpoint[] = ['/v2/user/info/', '/v2/video/list/', '/v2/video/query/'];
const LISTS: FakeEndpoint[] = ['/v2/video/list/', '/v2/research/video/query/'];
const WEB: FakeEndpoint[] = ['web:profile', 'web:video'];
const RESEARCH: FakeEndpoint[] = ['/v2/research/user/info/', '/v2/research/video/query/'];
const RESEARCH_QUERY: FakeEndpoint[] = ['/v2/research/video/query/'];
const API = FakeEndpoint.options.filter((endpoint) => !endpoint.startsWith('web:'));
const VIDEOS: FakeEndpoint[] = [...LISTS, '/v2/video/query/', ...WEB];
const ALL = FakeEndpoint.options;

/** Each fault kind and the endpoints it applies to when none is named. */
export const FAULT_ENDPOINTS = {
  /** HTTP 429 `rate_limit_exceeded` (an HTML 429 for pages). */
  rate_limit: ALL,
  /** HTTP 500 `internal_error` (a 502 page for web). */
  server_error: ALL,
  /** Answers normally after `delayMs` (default 1,500 ms). */
  slow: ALL,
  /** Never answers; the connection stays open until the client gives up. */
  timeout: ALL,
  /** The normal body cut in half. */
  truncated_json: ALL,
  /** Well-formed JSON of the wrong shape (a count as a rounded string, missing fields). */
  malformed_json: ALL,
  /** An HTML bot-check (WAF JavaScript challenge) page with status 200. */
  challenge_page: ALL,
  /** Status 200 with an empty body (what a blocked client often gets). */
  empty_page: ALL,
  /** A list with no videos (`has_more: false`; an empty `itemList` on a profile page). */
  empty_list: [...LISTS, 'web:profile'],
  /** The list returns the cursor it was sent, with `has_more: true`, for ever. */
  cursor_loop: LISTS,
  /** The list skips one page of videos and carries on as if nothing happened. */
  missing_page: LISTS,
  /** The presented access token expires now: 401 `access_token_invalid` until refreshed. */
  expired_token: DISPLAY,
  /** The creator revoked access: every token of the account dies; a refresh gets `invalid_grant`. */
  revoked_refresh_token: [...DISPLAY, '/v2/oauth/token/'],
  /** 401 `scope_not_authorized`: the creator withdrew a scope. */
  scope_revoked: DISPLAY,
  /** Pages carry only the rounded `stats`, no exact `statsV2`. */
  rounded_stats: WEB,
  /** The page JSON has `statusCode` (e.g. 10222 private account, 10204 IP blocked) and no data. */
  web_status: WEB,
  // What real TikTok answers showed (docs/sources.md); see quirks.ts.
  /** The first video of the answer comes without its like count (a new video with no views yet). */
  missing_count: VIDEOS,
  /** Research usernames padded with NUL characters. */
  nul_username: RESEARCH_QUERY,
  /** The Research cursor moves by the page size asked for; pages hold fewer videos (taken-down ones left out). */
  page_size_cursor: RESEARCH_QUERY,
  /** 400 `invalid_params` "Invalid count or cursor" for a cursor the API itself returned. */
  invalid_cursor: RESEARCH_QUERY,
  /** HTTP 504 with an HTML gateway page. */
  gateway_timeout: API,
  /** 429 `daily_quota_limit_exceeded`. */
  daily_quota: RESEARCH,
  /** `statsV2` carries the same display-rounded values as `stats`. */
  rounded_v2: WEB,
  /** Video pages send `stats.collectCount` and `createTime` as strings. */
  string_counts: WEB,
  /** The profile's `userInfo` comes without `itemList`. */
  no_item_list: ['web:profile'],
  /** The token expires now, and the 401 body is the bare error object (no `error` wrapper), as documented. */
  bare_error: DISPLAY,
} as const satisfies Record<string, readonly FakeEndpoint[]>;

export const FaultKind = z.enum(
  Object.keys(FAULT_ENDPOINTS) as [
    keyof typeof FAULT_ENDPOINTS,
    ...(keyof typeof FAULT_ENDPOINTS)[],
  ],
);
export type FaultKind = z.infer<typeof FaultKind>;

/** A fault to inject: on `endpoint` (else every endpoint it applies to), for `accountId` (else any account). */
export const FaultSpec = z.object({
  kind: FaultKind,
  endpoint: FakeEndpoint.optional(),
  accountId: z.string().min(1).optional(),
  /** How many matching requests it hits, then it is gone. @default every request until cleared */
  times: z.number().int().positive().optional(),
  /** For `slow`. */
  delayMs: z.number().int().nonnegative().max(600_000).optional(),
  /** For `web_status`. @default 10222 */
  statusCode: z.number().int().optional(),
});
export type FaultSpec = z.infer<typeof FaultSpec>;

/** The faults in force, consumed request by request. */
export class FaultBook {
  private faults: { spec: FaultSpec; remaining: number }[] = [];

  add(spec: FaultSpec): void {
    this.faults.push({
      spec: FaultSpec.parse(spec),
      remaining: spec.times ?? Number.POSITIVE_INFINITY,
    });
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultSpec[] {
    return this.faults.map(({ spec, remaining }) => ({
      ...spec,
      ...(Number.isFinite(remaining) ? { times: remaining } : {}),
    }));
  }

  /** The first fault matching this request, counted as used. */
  take(endpoint: FakeEndpoint, accountId: string | undefined): FaultSpec | undefined {
    const index = this.faults.findIndex(({ spec }) => {
      const applies = spec.endpoint
        ? spec.endpoint === endpoint
        : (FAULT_ENDPOINTS[spec.kind] as readonly FakeEndpoint[]).includes(endpoint);
      return applies && (spec.accountId === undefined || spec.accountId === accountId);
    });
    const found = this.faults[index];
    if (!found) return undefined;
    found.remaining -= 1;
    if (found.remaining <= 0) this.faults.splice(index, 1);
    return found.spec;
  }
}
