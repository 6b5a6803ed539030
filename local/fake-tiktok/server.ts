/**
 * A local TikTok: an HTTP server that speaks the three stats sources' documented shapes
 * (docs/sources.md), fed by a simulated world:
 *
 * - Display API v2: `/v2/user/info/`, `/v2/video/list/`, `/v2/video/query/`, and `/v2/oauth/token/` with
 *   rotating refresh tokens;
 * - Research API: client-credentials tokens, `/v2/research/user/info/`, `/v2/research/video/query/` with
 *   `search_id`/cursor paging, ≤30-day windows, daily quotas and archived (lagging) counts;
 * - public web pages `/@{handle}` and `/@{handle}/video/{id}` with the embedded page JSON.
 *
 * Faults can be switched on per endpoint and account (see faults.ts), in code or through `/__admin/…`. Its clock
 * is set by whoever drives the simulation, so a poll at a simulated instant sees the world as it was then.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { World, WorldAccountInfo } from '../../core/simulate/world.ts';
import { FakeDisplayApi } from './display.ts';
import { FaultBook, FaultSpec } from './faults.ts';
import { type FakeTokenResponse, GrantBook, type GrantOptions } from './grants.ts';
import { FakeOAuth } from './oauth.ts';
import { json, type Reply, send } from './replies.ts';
import { ApiError, GrantRequest, Rename, ResearchQuota, readJson } from './requests.ts';
import { FakeResearchApi } from './research.ts';
import { envelope, oauthError } from './shapes.ts';
import {
  type FakeView,
  finishReply,
  Hang,
  interceptFault,
  OAuthError,
  Preempted,
  type RequestContext,
} from './view.ts';
import { FakeWebPages } from './web.ts';

/** Options of the fake TikTok. */
export interface FakeTikTokOptions {
  world: World;
  /** The simulated instant the world is observed at. */
  now: () => Date;
  /** @default 0: a free port */
  port?: number;
  /** How far the Research API's archived video counts lag the live ones. @default 24 */
  researchArchiveLagHours?: number;
  /** @default 1,000 requests and 100,000 records a day (docs/sources.md: Research API) */
  researchQuota?: ResearchQuota;
  /** Newest videos embedded in a profile page. @default 30 */
  profilePageVideos?: number;
}

/** A running fake TikTok on 127.0.0.1. */
export class FakeTikTok {
  private readonly faults = new FaultBook();
  private readonly grants: GrantBook;
  private readonly handles = new Map<string, string>();
  private readonly research: FakeResearchApi;
  private readonly oauth: FakeOAuth;
  private readonly display: FakeDisplayApi;
  private readonly web: FakeWebPages;
  private readonly served = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    private readonly options: FakeTikTokOptions,
    /** Base URL, e.g. `http://127.0.0.1:41234`. */
    readonly url: string,
  ) {
    this.grants = new GrantBook(() => options.now().getTime());
    const view: FakeView = {
      world: options.world,
      now: options.now,
      today: () => options.now().toISOString().slice(0, 10),
      handleOf: (accountId) => this.handleOf(accountId),
      accountByHandle: (handle, caseInsensitive) => this.accountByHandle(handle, caseInsensitive),
      accountInfo: (accountId) => this.accountInfo(accountId),
      videosOf: (accountId) =>
        [...options.world.observe(accountId, options.now()).videos].sort(
          (a, b) => Date.parse(b.postedAt) - Date.parse(a.postedAt),
        ),
      isValidClientToken: (token) => this.grants.isValidClientToken(token),
      intercept: (context, endpoint, accountId) =>
        interceptFault(this.faults, context, endpoint, accountId),
    };
    this.research = new FakeResearchApi(
      view,
      options.researchQuota ?? { requestsPerDay: 1_000, recordsPerDay: 100_000 },
      options.researchArchiveLagHours ?? 24,
    );
    this.oauth = new FakeOAuth(view, this.grants);
    this.display = new FakeDisplayApi(view, this.grants);
    this.web = new FakeWebPages(view, options.profilePageVideos ?? 30);
    for (const account of options.world.accounts) this.handles.set(account.id, account.handle);
  }

  /** Starts the server on `options.port` (default: a free port). */
  static async start(options: FakeTikTokOptions): Promise<FakeTikTok> {
    let fake: FakeTikTok | undefined;
    const server = createServer((request, response) => {
      fake?.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          send(response, json(500, envelope({}, 'internal_error', String(error))));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    fake = new FakeTikTok(server, options, `http://127.0.0.1:${port}`);
    return fake;
  }

  /** The app's client key and secret, as the developer portal would show them. */
  get client(): { key: string; secret: string } {
    return { key: this.grants.clientKey, secret: this.grants.clientSecret };
  }

  /** An access token that reads `accountId`, never expires and cannot be refreshed. */
  issueToken(accountId: string): string {
    return this.grants.issueAccessOnly(accountId);
  }

  /** A full grant for `accountId` (what a creator's OAuth consent yields), as `/v2/oauth/token/` answers. */
  issueGrant(accountId: string, options?: GrantOptions): FakeTokenResponse {
    return this.grants.issue(accountId, options);
  }

  /** Switches a fault on; see faults.ts for the kinds. */
  setFault(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  /** Switches every fault off. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** The faults in force. */
  listFaults(): FaultSpec[] {
    return this.faults.list();
  }

  /** The account changes its username (old links stop working, the id stays). */
  renameAccount(accountId: string, handle: string): void {
    this.handles.set(accountId, handle);
  }

  /** Sets the Research API's daily quota. */
  setResearchQuota(quota: ResearchQuota): void {
    this.research.quota = ResearchQuota.parse(quota);
  }

  /** Research requests and records used on the UTC day of the fake's clock. */
  researchUsed(): { requests: number; records: number } {
    return this.research.used();
  }

  /** Stops the server (unanswered requests are cut). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /** Requests answered (or left hanging) so far, by path, e.g. `/v2/video/list/`. */
  requestsServed(): Map<string, number> {
    return new Map(this.served);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    this.served.set(url.pathname, (this.served.get(url.pathname) ?? 0) + 1);
    const context: RequestContext = {};
    let reply: Reply;
    try {
      reply = finishReply(await this.route(request, url, context), context);
    } catch (error) {
      if (error instanceof Hang) return;
      if (error instanceof Preempted) reply = error.reply;
      else if (error instanceof ApiError) {
        reply = json(error.status, envelope({}, error.code, error.message));
      } else if (error instanceof OAuthError) {
        reply = json(error.status, oauthError(error.error, error.message));
      } else throw error;
    }
    send(response, reply);
  }

  private async route(request: IncomingMessage, url: URL, context: RequestContext): Promise<Reply> {
    const path = url.pathname;
    const route = `${request.method} ${path}`;
    if (path.startsWith('/__admin/')) return this.admin(request, route);
    if (route === 'POST /v2/oauth/token/') return this.oauth.token(request, context);
    if (route === 'GET /v2/auth/authorize/') return this.oauth.authorize(url);
    if (route === 'GET /v2/auth/authorize/consent') return this.oauth.consent(url);
    if (route === 'GET /v2/user/info/') return this.display.userInfo(request, url, context);
    if (route === 'POST /v2/video/list/') return this.display.videoList(request, url, context);
    if (route === 'POST /v2/video/query/') return this.display.videoQuery(request, url, context);
    if (route === 'POST /v2/research/user/info/')
      return this.research.userInfo(request, url, context);
    if (route === 'POST /v2/research/video/query/') {
      return this.research.videoQuery(request, url, context);
    }
    const video = /^\/@([^/]+)\/video\/(\d+)\/?$/.exec(path);
    if (request.method === 'GET' && video) {
      return this.web.video(decodeURIComponent(video[1] as string), video[2] as string, context);
    }
    const profile = /^\/@([^/]+)\/?$/.exec(path);
    if (request.method === 'GET' && profile) {
      return this.web.profile(decodeURIComponent(profile[1] as string), context);
    }
    throw new ApiError(404, 'invalid_params', `no such endpoint: ${route}`);
  }

  // --- Admin (for the CLI and manual testing) -------------------------------------------------------

  private async admin(request: IncomingMessage, route: string): Promise<Reply> {
    switch (route) {
      case 'GET /__admin/faults':
        return json(200, { faults: this.listFaults() });
      case 'POST /__admin/faults': {
        const fault = FaultSpec.safeParse(await readJson(request));
        if (!fault.success) return json(400, { error: z.prettifyError(fault.error) });
        this.setFault(fault.data);
        return json(201, { faults: this.listFaults() });
      }
      case 'DELETE /__admin/faults':
        this.clearFaults();
        return json(200, { faults: [] });
      case 'GET /__admin/accounts':
        return json(200, {
          accounts: this.options.world.accounts.map((account) => ({
            ...account,
            handle: this.handleOf(account.id),
          })),
          client: this.client,
        });
      case 'POST /__admin/grants': {
        const grant = GrantRequest.safeParse(await readJson(request));
        if (!grant.success) return json(400, { error: z.prettifyError(grant.error) });
        this.accountInfo(grant.data.accountId);
        return json(201, this.issueGrant(grant.data.accountId, grant.data));
      }
      case 'PUT /__admin/research-quota': {
        const quota = ResearchQuota.safeParse(await readJson(request));
        if (!quota.success) return json(400, { error: z.prettifyError(quota.error) });
        this.setResearchQuota(quota.data);
        return json(200, { quota: this.research.quota, used: this.researchUsed() });
      }
      case 'POST /__admin/rename': {
        const rename = Rename.safeParse(await readJson(request));
        if (!rename.success) return json(400, { error: z.prettifyError(rename.error) });
        this.accountInfo(rename.data.accountId);
        this.renameAccount(rename.data.accountId, rename.data.handle);
        return json(200, rename.data);
      }
      default:
        return json(404, { error: `no such admin endpoint: ${route}` });
    }
  }

  // --- World lookups --------------------------------------------------------------------------------

  private accountInfo(accountId: string): WorldAccountInfo {
    const info = this.options.world.accounts.find((account) => account.id === accountId);
    if (!info) throw new ApiError(404, 'invalid_params', `unknown account ${accountId}`);
    return info;
  }

  private handleOf(accountId: string): string {
    return this.handles.get(accountId) ?? accountId;
  }

  /** The account with `handle` now (case-insensitive on the web, exact in the API). */
  private accountByHandle(handle: string, caseInsensitive = false): string | undefined {
    for (const [accountId, current] of this.handles) {
      if (caseInsensitive ? current.toLowerCase() === handle.toLowerCase() : current === handle) {
        return accountId;
      }
    }
    return undefined;
  }
}
