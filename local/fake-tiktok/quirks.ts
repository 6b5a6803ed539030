/**
 * What real TikTok answers do that the documentation does not say (docs/sources.md), as faults of the fake
 * TikTok: answers that replace the normal one ({@link preemptingQuirk}) and changes to a finished body
 * ({@link applyQuirk}). The Research cursor that moves by the page size is the fake's paging itself
 * (`server.ts`); the bare 401 body belongs to its token check.
 */
import type { FakeEndpoint, FaultSpec } from './faults.ts';
import { html, json, type Reply } from './replies.ts';
import { envelope, researchJson, webPage } from './shapes.ts';

/** NUL characters real Research answers put inside a username (before its last character). */
const USERNAME_NULS = '\u0000'.repeat(6);

/** A gateway's timeout page, the kind of HTML body TikTok's 504s carry. */
const GATEWAY_TIMEOUT_PAGE =
  '<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center></body></html>';

/** The answer that replaces the normal one for `fault`, if it is such a quirk. */
export function preemptingQuirk(fault: FaultSpec): Reply | undefined {
  switch (fault.kind) {
    case 'gateway_timeout':
      return html(504, GATEWAY_TIMEOUT_PAGE);
    case 'daily_quota':
      return json(
        429,
        envelope({}, 'daily_quota_limit_exceeded', 'You have exceeded the daily quota'),
      );
    case 'invalid_cursor':
      // As seen: the error object alone, no `data`.
      return json(400, { error: envelope({}, 'invalid_params', 'Invalid count or cursor').error });
    default:
      return undefined;
  }
}

/** `reply` changed the way `fault` changes a body, when it is such a quirk (else as it is). */
export function applyQuirk(reply: Reply, fault: FaultSpec, endpoint: FakeEndpoint): Reply {
  const change = BODY_QUIRKS[fault.kind as keyof typeof BODY_QUIRKS];
  if (!change || reply.status !== 200) return reply;
  if (endpoint.startsWith('web:')) {
    const scope = pageScope(reply.body);
    if (!scope) return reply;
    change(scope, endpoint);
    return { ...reply, body: webPage(scope) };
  }
  // Research ids are bare 64-bit numbers: kept as text while the body is changed.
  const body = JSON.parse(reply.body.replace(/"id":(\d+)/g, '"id":"$1"')) as Json;
  change(body, endpoint);
  const research = endpoint.startsWith('/v2/research/');
  return { ...reply, body: research ? researchJson(body) : JSON.stringify(body) };
}

type Json = Record<string, unknown>;

/** Each body quirk, on the parsed API body or the page's `__DEFAULT_SCOPE__`. */
const BODY_QUIRKS = {
  missing_count(body: Json, endpoint: FakeEndpoint) {
    const first = videosOf(body, endpoint)[0];
    if (!first) return;
    delete first.like_count;
    for (const key of ['stats', 'statsV2']) delete (first[key] as Json | undefined)?.diggCount;
  },
  nul_username(body: Json, endpoint: FakeEndpoint) {
    for (const video of videosOf(body, endpoint)) {
      const name = String(video.username ?? '');
      video.username = `${name.slice(0, -1)}${USERNAME_NULS}${name.slice(-1)}`;
    }
  },
  rounded_v2(scope: Json, endpoint: FakeEndpoint) {
    const user = (scope['webapp.user-detail'] as Json | undefined)?.userInfo as Json | undefined;
    for (const object of [...(user ? [user] : []), ...videosOf(scope, endpoint)]) {
      const shown = object.stats as Json | undefined;
      if (!shown) continue;
      object.statsV2 = Object.fromEntries(
        Object.entries(shown).map(([key, value]) => [key, String(value)]),
      );
    }
  },
  string_counts(scope: Json, endpoint: FakeEndpoint) {
    for (const item of videosOf(scope, endpoint)) {
      item.createTime = String(item.createTime);
      const shown = item.stats as Json | undefined;
      if (shown?.collectCount !== undefined) shown.collectCount = String(shown.collectCount);
    }
  },
  no_item_list(scope: Json) {
    const detail = scope['webapp.user-detail'] as Json | undefined;
    delete (detail?.userInfo as Json | undefined)?.itemList;
  },
} satisfies Partial<Record<FaultSpec['kind'], (body: Json, endpoint: FakeEndpoint) => void>>;

/** The video objects of an API body or a page scope. */
function videosOf(body: Json, endpoint: FakeEndpoint): Json[] {
  if (endpoint === 'web:profile') {
    const user = (body['webapp.user-detail'] as Json | undefined)?.userInfo as Json | undefined;
    return (user?.itemList as Json[] | undefined) ?? [];
  }
  if (endpoint === 'web:video') {
    const info = (body['webapp.video-detail'] as Json | undefined)?.itemInfo as Json | undefined;
    return info?.itemStruct ? [info.itemStruct as Json] : [];
  }
  return ((body.data as Json | undefined)?.videos as Json[] | undefined) ?? [];
}

/** The `__DEFAULT_SCOPE__` of a page the fake rendered. */
function pageScope(page: string): Json | undefined {
  const script = /<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__"[^>]*>([\s\S]*?)<\/script>/.exec(
    page,
  );
  if (!script) return undefined;
  return (JSON.parse(script[1] as string) as { __DEFAULT_SCOPE__: Json }).__DEFAULT_SCOPE__;
}
