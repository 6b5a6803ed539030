/**
 * The fake TikTok's Research API: client-credentials tokens, `/v2/research/user/info/` (live data) and
 * `/v2/research/video/query/` with `search_id`/cursor paging over ≤30-day windows, archived (lagging) counts and
 * the daily quotas, with the faults that touch its paging.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { VideoStats } from '../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import { json, researchReply } from './replies.ts';
import {
  ApiError,
  accessTokenInvalid,
  bearer,
  isoDate,
  parseBody,
  pick,
  RESEARCH_USER_FIELDS,
  RESEARCH_VIDEO_FIELDS,
  ResearchQueryBody,
  type ResearchQuota,
  ResearchUserBody,
  readJson,
  requestedFields,
} from './requests.ts';
import { envelope, researchUser, researchVideo } from './shapes.ts';
import type { FakeView, RequestContext } from './view.ts';

/** Search positions per video under the `page_size_cursor` fault (a page of 100 holds 25 videos). */
const POSITIONS_PER_VIDEO = 4;

/** Requests and records used or allowed per day. */
export interface ResearchUsage {
  requests: number;
  records: number;
}

/** The Research API endpoints of the fake TikTok. */
export class FakeResearchApi {
  private readonly usage = new Map<string, ResearchUsage>();
  private readonly searches = new Map<string, object[]>();

  constructor(
    private readonly view: FakeView,
    /** The daily quota (requests and records). */
    public quota: ResearchQuota,
    /** How far archived video counts lag the live ones. */
    private readonly archiveLagHours: number,
  ) {}

  /** Requests and records used on the UTC day of the fake's clock. */
  used(): ResearchUsage {
    return { ...(this.usage.get(this.view.today()) ?? { requests: 0, records: 0 }) };
  }

  /** Checks the client token and counts the request against the day's quota. */
  private authorizeResearch(request: IncomingMessage): void {
    if (!this.view.isValidClientToken(bearer(request))) throw accessTokenInvalid();
    const usage = this.usage.get(this.view.today()) ?? { requests: 0, records: 0 };
    if (usage.requests >= this.quota.requestsPerDay || usage.records >= this.quota.recordsPerDay) {
      throw new ApiError(
        429,
        'rate_limit_exceeded',
        'Daily quota exceeded; it resets at 12 AM UTC',
      );
    }
    usage.requests += 1;
    this.usage.set(this.view.today(), usage);
  }

  private countRecords(records: number): void {
    const usage = this.usage.get(this.view.today());
    if (usage) usage.records += records;
  }

  async userInfo(request: IncomingMessage, url: URL, context: RequestContext) {
    this.authorizeResearch(request);
    const fields = requestedFields(url, RESEARCH_USER_FIELDS);
    const { username } = parseBody(ResearchUserBody, await readJson(request));
    const accountId = this.view.accountByHandle(username);
    await this.view.intercept(context, '/v2/research/user/info/', accountId);
    if (!accountId) throw new ApiError(404, 'invalid_params', `user ${username} not found`);
    // User info reads live data (docs/sources.md: Research API).
    const { profile } = this.view.world.observe(accountId, this.view.now());
    this.countRecords(1);
    return json(
      200,
      envelope(pick(researchUser(this.view.accountInfo(accountId), profile), fields)),
    );
  }

  async videoQuery(request: IncomingMessage, url: URL, context: RequestContext) {
    this.authorizeResearch(request);
    const fields = requestedFields(url, RESEARCH_VIDEO_FIELDS);
    const body = parseBody(ResearchQueryBody, await readJson(request));
    const start = Date.parse(isoDate(body.start_date));
    const end = Date.parse(isoDate(body.end_date));
    if (!(end >= start) || end - start > 30 * DAY_MS) {
      throw new ApiError(
        400,
        'invalid_params',
        'end_date must be no more than 30 days after start_date',
      );
    }
    const username = body.query.and.find((condition) => condition.field_name === 'username')
      ?.field_values[0];
    if (!username) throw new ApiError(400, 'invalid_params', 'only username queries are supported');
    const accountId = this.view.accountByHandle(username);
    const fault = await this.view.intercept(context, '/v2/research/video/query/', accountId);

    let searchId = body.search_id;
    let results = searchId ? this.searches.get(searchId) : undefined;
    if (!results) {
      searchId = String(BigInt(`0x${randomBytes(7).toString('hex')}`) + 7_000_000_000_000_000_000n);
      results = this.archivedVideos(username, start, end + DAY_MS).map((video) =>
        pick(video, fields),
      );
      this.searches.set(searchId, results);
    }
    const maxCount = body.max_count ?? 20;
    const cursor = body.cursor ?? 0;
    if (fault?.kind === 'empty_list') {
      return researchReply({ videos: [], cursor, has_more: false, search_id: searchId });
    }
    if (fault?.kind === 'page_size_cursor') {
      // Each video holds POSITIONS_PER_VIDEO positions of the search (the others are videos taken down
      // since): a page covers `max_count` positions, returns the videos among them, and the cursor moves on
      // by `max_count`, as the real API does (cursor 100 after a page of 27).
      const page = results.slice(
        cursor / POSITIONS_PER_VIDEO,
        (cursor + maxCount) / POSITIONS_PER_VIDEO,
      );
      this.countRecords(page.length);
      return researchReply({
        videos: page,
        cursor: cursor + maxCount,
        has_more: (cursor + maxCount) / POSITIONS_PER_VIDEO < results.length,
        search_id: searchId,
      });
    }
    const from = fault?.kind === 'missing_page' ? cursor + maxCount : cursor;
    const page = results.slice(from, from + maxCount);
    this.countRecords(page.length);
    const next = from + page.length;
    return researchReply({
      videos: page,
      cursor: fault?.kind === 'cursor_loop' ? cursor : next,
      has_more: fault?.kind === 'cursor_loop' || next < results.length,
      search_id: searchId,
    });
  }

  /**
   * Videos whose username matches approximately (case-insensitive substring, like the real fuzzy match),
   * posted in [fromMs, toMs), with counts from the archive: as they were `researchArchiveLagHours` ago.
   */
  private archivedVideos(username: string, fromMs: number, toMs: number) {
    const wanted = username.toLowerCase();
    const lagMs = this.archiveLagHours * HOUR_MS;
    const videos: ReturnType<typeof researchVideo>[] = [];
    for (const account of this.view.world.accounts) {
      const handle = this.view.handleOf(account.id);
      if (!handle.toLowerCase().includes(wanted)) continue;
      for (const video of this.observeArchived(account.id, lagMs)) {
        const posted = Date.parse(video.postedAt);
        if (posted >= fromMs && posted < toMs) videos.push(researchVideo(video, handle));
      }
    }
    // "decreasing order of video IDs" (docs/sources.md: Research API).
    return videos.sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
  }

  private observeArchived(accountId: string, lagMs: number): VideoStats[] {
    const now = this.view.now();
    try {
      return this.view.world.observe(accountId, new Date(now.getTime() - lagMs)).videos;
    } catch (error) {
      // Before the simulated span began there is no older archive: the earliest state stands in.
      if (error instanceof RangeError) return this.view.world.observe(accountId, now).videos;
      throw error;
    }
  }
}
