/**
 * Stats for approved research teams: TikTok Research API with the app's own client-credentials token.
 *
 * A poll reads the profile by username (`/v2/research/user/info/`, live data) and the account's videos with
 * `/v2/research/video/query/` in ≤30-day windows from a fixed start (a lookback before the account was added),
 * following `search_id`/`cursor`. The video counts come from TikTok's archive and lag the live ones (new videos
 * up to 48 h late, counts up to 10 days behind), so every poll is flagged `archived: true`. The daily quotas are
 * planned up front; accounts that do not fit get a `quota_exhausted` poll.
 */
import type { z } from 'zod';
import type { Account, RejectedItem, VideoStats } from '../../core/model.ts';
import type { PollHints, PollOutcome, StatsSource } from '../../core/ports.ts';
import {
  asSourceFailure,
  failedOutcome,
  type OperatorLog,
  SourceFailure,
  SourceHttp,
  type SourceHttpOptions,
} from './http.ts';
import { pollOf, rawId, readItems } from './items.ts';
import { type ApiCall, type ClientCredentials, OpenApiClient } from './open-api.ts';
import {
  RESEARCH_BIGINT_KEYS,
  RESEARCH_PAGE_SIZE,
  RESEARCH_USER_FIELDS,
  RESEARCH_VIDEO_FIELDS,
  ResearchUser,
  ResearchUserInfoResponse,
  ResearchVideo,
  ResearchVideoQueryResponse,
  sameUsername,
} from './research-api-schemas.ts';
import { missingKnownVideos, researchWindows, toVideoStats } from './research-api-videos.ts';
import {
  planResearchRun,
  QuotaMeter,
  type QuotaUsage,
  quotaDay,
  RESEARCH_DAILY_QUOTA,
  type ResearchQuotaLedger,
  type RunBudget,
} from './research-quota.ts';

/** Options of the Research API source. */
export interface ResearchApiSourceOptions extends SourceHttpOptions {
  /** e.g. `https://open.tiktokapis.com`. */
  baseUrl: string;
  /** The research app's client key and secret. */
  client: ClientCredentials;
  ledger: ResearchQuotaLedger;
  /** @default 1,000 requests and 100,000 records a day */
  dailyQuota?: QuotaUsage;
  /** Poll cadence (the deployment's `POLL_EVERY_HOURS`), to share each day's quota between its runs. */
  pollEveryHours: number;
  /** Videos posted this long before the account was added are read too. @default 90 */
  lookbackDays?: number;
  /** Safety stop per window. @default 50 */
  maxPagesPerWindow?: number;
  log?: OperatorLog;
  /** Wall clock for the client token's expiry. */
  now?: () => Date;
}

/** Reads stats through the TikTok Research API. */
export class ResearchApiSource implements StatsSource {
  private readonly api: OpenApiClient;
  private readonly quota: QuotaUsage;
  private readonly now: () => Date;
  private clientToken: Promise<{ token: string; expiresAt: number }> | undefined;
  private budget: RunBudget | undefined;
  /** What the last poll of each account cost, to estimate the next. */
  private readonly lastCost = new Map<string, QuotaUsage>();

  constructor(private readonly options: ResearchApiSourceOptions) {
    this.api = new OpenApiClient(new SourceHttp(options), options.baseUrl);
    this.quota = options.dailyQuota ?? RESEARCH_DAILY_QUOTA;
    this.now = options.now ?? (() => new Date());
  }

  async prepare(accounts: readonly Account[], at: Date): Promise<void> {
    const budget = await this.budgetFor(at);
    const research = accounts.filter((account) => account.source === 'research_api');
    budget.plan = planResearchRun({
      accounts: research,
      at,
      used: budget.used,
      limits: this.quota,
      pollEveryHours: this.options.pollEveryHours,
      estimate: (account) => this.estimate(account, at),
    });
    const deferred = budget.plan.deferred.size;
    if (deferred > 0) {
      this.options.log?.warn('Research API quota: accounts deferred', {
        source: 'research_api',
        day: budget.day,
        deferred,
        admitted: budget.plan.admitted.size,
        used: budget.used,
      });
    }
  }

  async poll(
    account: Account,
    at: Date,
    signal?: AbortSignal,
    hints?: PollHints,
  ): Promise<PollOutcome> {
    const budget = await this.budgetFor(at).catch(() => undefined);
    if (!budget) return failedOutcome(at, 'server_error', 'could not read the quota ledger');
    if (budget.plan && !budget.plan.admitted.has(account.id)) {
      return failedOutcome(
        at,
        'quota_exhausted',
        budget.plan.deferred.get(account.id) ?? 'not planned in this run',
      );
    }
    const meter = new QuotaMeter(budget, this.quota);
    try {
      return await this.read(account, at, meter, signal, hints);
    } catch (error) {
      const failure = asSourceFailure(error);
      return failedOutcome(at, failure.reason, failure.message);
    } finally {
      this.lastCost.set(account.id, meter.spent);
      await this.options.ledger.add(budget.day, meter.spent).catch((error: unknown) => {
        this.options.log?.warn('Research API quota ledger not updated', {
          source: 'research_api',
          detail: (error as Error).message,
        });
      });
    }
  }

  private async read(
    account: Account,
    at: Date,
    meter: QuotaMeter,
    signal?: AbortSignal,
    hints?: PollHints,
  ): Promise<PollOutcome> {
    const info = await this.call(
      meter,
      '/v2/research/user/info/',
      { method: 'POST', fields: RESEARCH_USER_FIELDS, body: { username: account.handle } },
      ResearchUserInfoResponse,
      signal,
    );
    meter.records(1);
    const read = readItems(ResearchUser, [info.data], () => undefined);
    const rejected: RejectedItem[] = read.rejected.map((item) => ({
      ...item,
      field: `user.${item.field}`,
    }));
    const user = read.items[0];

    const videos = new Map<string, VideoStats>();
    let problem: SourceFailure | undefined;
    for (const window of this.windows(account, at)) {
      problem = await this.readWindow(account, window, { videos, rejected }, meter, signal);
      if (problem) break;
    }
    if (!problem) problem = await missingKnownVideos(videos, rejected, hints);
    // Nothing at all from the archive for an account with videos is more likely a gap than an empty window.
    if (!problem && videos.size === 0 && rejected.length === 0 && (user?.video_count ?? 0) > 0) {
      problem = new SourceFailure('missing_pages', 'the video query returned no videos');
    }
    return {
      poll: pollOf({
        at,
        flags: { archived: true },
        ...(user
          ? {
              profile: {
                followers: user.follower_count,
                following: user.following_count,
                likes: user.likes_count,
                videos: user.video_count,
              },
            }
          : {}),
        videos: videos.values(),
        ...(problem ? { problem } : {}),
        rejected,
      }),
    };
  }

  /** Every page of one window's search; returns what stopped it early, if anything. */
  private async readWindow(
    account: Account,
    window: { start: string; end: string },
    { videos, rejected }: { videos: Map<string, VideoStats>; rejected: RejectedItem[] },
    meter: QuotaMeter,
    signal?: AbortSignal,
  ): Promise<SourceFailure | undefined> {
    const query = {
      and: [{ operation: 'EQ', field_name: 'username', field_values: [account.handle] }],
    };
    let page: { cursor: number; search_id: string } | undefined;
    const maxPages = this.options.maxPagesPerWindow ?? 50;
    for (let index = 0; index < maxPages; index++) {
      let response: z.infer<typeof ResearchVideoQueryResponse>;
      try {
        response = await this.call(
          meter,
          '/v2/research/video/query/',
          {
            method: 'POST',
            fields: RESEARCH_VIDEO_FIELDS,
            body: {
              query,
              start_date: window.start,
              end_date: window.end,
              max_count: RESEARCH_PAGE_SIZE,
              ...(page ?? {}),
            },
            bigIntKeys: RESEARCH_BIGINT_KEYS,
          },
          ResearchVideoQueryResponse,
          signal,
        );
      } catch (error) {
        return asSourceFailure(error);
      }
      meter.records(response.data.videos.length);
      // The query matches usernames approximately: keep only the account's own videos (also the rejected ones).
      const own = response.data.videos.filter((video) => {
        const username = (video as { username?: unknown } | null)?.username;
        return typeof username !== 'string' || sameUsername(username, account.handle);
      });
      const read = readItems(ResearchVideo, own, (video) => rawId(video, 'id', 'video_id'));
      rejected.push(...read.rejected);
      for (const video of read.items) {
        const stats = toVideoStats(video, account.handle);
        videos.set(stats.id, stats);
      }
      if (!response.data.has_more) return undefined;
      if (page && response.data.cursor <= page.cursor) {
        return new SourceFailure(
          'missing_pages',
          `the cursor ${response.data.cursor} did not advance in ${window.start}–${window.end}`,
        );
      }
      page = { cursor: response.data.cursor, search_id: response.data.search_id };
    }
    return new SourceFailure('missing_pages', `stopped after ${maxPages} pages in one window`);
  }

  /** One API call against the day's quota, with a fresh client token (renewed once if refused). */
  private async call<S extends z.ZodType>(
    meter: QuotaMeter,
    path: string,
    call: ApiCall,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    // Every request sent is counted, retries included: TikTok counts failed ones against the quota too.
    const metered: ApiCall = { ...call, beforeSend: () => meter.request() };
    const token = await this.token(signal);
    try {
      return await this.api.call(path, metered, token, schema, signal);
    } catch (error) {
      if (!(error instanceof SourceFailure) || error.code !== 'access_token_invalid') throw error;
      this.clientToken = undefined;
      return this.api.call(path, metered, await this.token(signal), schema, signal);
    }
  }

  /** The client access token, shared by concurrent polls and renewed shortly before it expires. */
  private async token(signal?: AbortSignal): Promise<string> {
    const current = this.clientToken;
    if (current) {
      const value = await current.catch(() => undefined);
      if (value && value.expiresAt - this.now().getTime() > 60_000) return value.token;
      // Another poll renewed it while this one waited: use theirs.
      if (this.clientToken !== current) return this.token(signal);
    }
    const requestedAt = this.now().getTime();
    const renewal = this.api
      .token(this.options.client, { grant_type: 'client_credentials' }, signal)
      .then((token) => ({
        token: token.access_token,
        expiresAt: requestedAt + token.expires_in * 1000,
      }));
    this.clientToken = renewal;
    renewal.catch(() => {
      if (this.clientToken === renewal) this.clientToken = undefined;
    });
    return (await renewal).token;
  }

  /** ≤30-day windows, newest first, from the lookback start to the slot's day. */
  private windows(account: Account, at: Date): { start: string; end: string }[] {
    return researchWindows(account.addedAt, at, this.options.lookbackDays ?? 90);
  }

  private estimate(account: Account, at: Date): QuotaUsage {
    const known = this.lastCost.get(account.id);
    if (known && known.requests > 0) return known;
    const windows = this.windows(account, at).length;
    return { requests: 1 + windows, records: 1 + windows * 50 };
  }

  private async budgetFor(at: Date): Promise<RunBudget> {
    const day = quotaDay(at);
    if (this.budget?.day === day && this.budget.slot === at.getTime()) return this.budget;
    const used = await this.options.ledger.usage(day);
    this.budget = { day, used, slot: at.getTime() };
    return this.budget;
  }
}
