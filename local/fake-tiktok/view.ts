/**
 * What the fake TikTok's APIs share: the view each has of the fake (world, clock, accounts, tokens), the
 * context a request carries, and the faults: drawn when a request comes in, applied to its finished body.
 */
import { randomBytes } from 'node:crypto';
import type { VideoStats } from '../../core/model.ts';
import type { World, WorldAccountInfo } from '../../core/simulate/world.ts';
import type { FakeEndpoint, FaultBook, FaultSpec } from './faults.ts';
import { applyQuirk, preemptingQuirk } from './quirks.ts';
import { html, json, type Reply } from './replies.ts';
import { ApiError } from './requests.ts';
import { challengePage, envelope, webPage } from './shapes.ts';

/** What one request needs to know about the fault it drew. */
export interface RequestContext {
  endpoint?: FakeEndpoint;
  fault?: FaultSpec;
}

/** What each API of the fake sees of it: its world, clock, accounts, tokens and faults. */
export interface FakeView {
  world: World;
  now(): Date;
  /** The UTC day of the clock, `YYYY-MM-DD`. */
  today(): string;
  handleOf(accountId: string): string;
  /** The account with `handle` now (case-insensitive on the web, exact in the API). */
  accountByHandle(handle: string, caseInsensitive?: boolean): string | undefined;
  /** The account's info; an unknown account is a 404 `invalid_params`. */
  accountInfo(accountId: string): WorldAccountInfo;
  /** The account's videos at the clock, newest first. */
  videosOf(accountId: string): VideoStats[];
  isValidClientToken(token: string): boolean;
  intercept(
    context: RequestContext,
    endpoint: FakeEndpoint,
    accountId: string | undefined,
  ): Promise<FaultSpec | undefined>;
}

/** An answer in the OAuth error envelope. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

/** A fault answered in place of the normal response. */
export class Preempted extends Error {
  constructor(readonly reply: Reply) {
    super('preempted');
  }
}

/** A fault that leaves the request unanswered. */
export class Hang extends Error {}

/**
 * Draws the fault for this request. Faults that replace the answer throw; `slow` waits; the others shape
 * the body and are left in `context` for the handler and {@link finishReply}.
 */
export async function interceptFault(
  faults: FaultBook,
  context: RequestContext,
  endpoint: FakeEndpoint,
  accountId: string | undefined,
): Promise<FaultSpec | undefined> {
  context.endpoint = endpoint;
  const fault = faults.take(endpoint, accountId);
  if (!fault) return undefined;
  const web = endpoint.startsWith('web:');
  const quirk = preemptingQuirk(fault);
  if (quirk) throw new Preempted(quirk);
  switch (fault.kind) {
    case 'rate_limit':
      throw new Preempted(
        web
          ? html(429, '<html><body>Too many requests</body></html>')
          : json(429, envelope({}, 'rate_limit_exceeded', 'The API rate limit was exceeded')),
      );
    case 'server_error':
      throw new Preempted(
        web
          ? html(502, '<html><body>Bad gateway</body></html>')
          : json(500, envelope({}, 'internal_error', 'Internal error')),
      );
    case 'challenge_page':
      throw new Preempted({
        ...html(200, challengePage()),
        headers: { 'set-cookie': `_wafchallengeid=${randomBytes(8).toString('hex')}; Path=/` },
      });
    case 'empty_page':
      throw new Preempted(web ? html(200, '') : { ...json(200, null), body: '' });
    case 'timeout':
      throw new Hang();
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1_500));
      return undefined;
    case 'scope_revoked':
      throw new ApiError(
        401,
        'scope_not_authorized',
        'The user did not authorize the scope required for completing this request',
      );
    default:
      context.fault = fault;
      return fault;
  }
}

/** Applies the faults that damage a finished body. */
export function finishReply(reply: Reply, context: RequestContext): Reply {
  const kind = context.fault?.kind;
  if (kind === 'truncated_json') {
    return { ...reply, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) };
  }
  if (kind === 'malformed_json') {
    if (context.endpoint?.startsWith('web:')) {
      return html(
        200,
        webPage({
          'webapp.user-detail': { statusCode: 0, userInfo: { user: { uniqueId: 7 } } },
          'webapp.video-detail': {
            statusCode: 0,
            itemInfo: { itemStruct: { id: '1', stats: { diggCount: '22.6K' } } },
          },
        }),
      );
    }
    if (context.endpoint === '/v2/oauth/token/') {
      return json(200, { access_token: '', expires_in: 'soon' });
    }
    return json(
      200,
      envelope({
        user: { open_id: 7, follower_count: '1.2K' },
        videos: [{ id: 7, like_count: '22.6K' }],
        cursor: 'next',
        has_more: 'yes',
      }),
    );
  }
  return context.fault && context.endpoint
    ? applyQuirk(reply, context.fault, context.endpoint)
    : reply;
}
