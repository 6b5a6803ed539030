/**
 * Builds the stats sources the poll worker runs, one per enabled kind, from its settings. The poll function and
 * `likewatch poll` both build theirs here, so an operator's poll goes through exactly the worker's code.
 */
import { InvalidConfigError } from '../../core/errors.ts';
import type { SourceKind } from '../../core/model.ts';
import type { CredentialVault } from '../../core/ports.ts';
import { DisplayApiSource } from './display-api-source.ts';
import type { OperatorLog } from './http.ts';
import type { ClientCredentials } from './open-api.ts';
import { SlidingWindowLimiter } from './rate-limiter.ts';
import { ResearchApiSource } from './research-api-source.ts';
import type { QuotaUsage, ResearchQuotaLedger } from './research-quota.ts';
import { WebPageSource } from './web-page-source.ts';

/** What the sources are built from (the poll function reads it from its environment). */
export interface StatsSourceSettings {
  kinds: readonly SourceKind[];
  /** TikTok's open API, e.g. `https://open.tiktokapis.com`. */
  apiBaseUrl: string;
  /** TikTok's web pages, e.g. `https://www.tiktok.com`. */
  webBaseUrl: string;
  timeoutMs: number;
  /** Requests per minute to each endpoint from this process. */
  rateLimitPerMinute: number;
  /** The app's client key and secret: Display token refreshes, the Research client token. */
  client?: ClientCredentials;
  /** Display API creators' tokens. */
  credentials: CredentialVault;
  /** Where the Research API's daily usage is counted. */
  ledger: ResearchQuotaLedger;
  research: { dailyQuota: QuotaUsage; pollEveryHours: number; lookbackDays: number };
  log?: OperatorLog;
}

/** The sources of the enabled kinds. */
export interface StatsSources {
  display_api?: DisplayApiSource;
  research_api?: ResearchApiSource;
  web?: WebPageSource;
}

/**
 * Builds a source per enabled kind, sharing one rate limiter (concurrent polls share each endpoint's budget).
 * @throws InvalidConfigError when the Research API is enabled without the client key and secret.
 */
export function createStatsSources(settings: StatsSourceSettings): StatsSources {
  const limiter = new SlidingWindowLimiter({ limit: settings.rateLimitPerMinute });
  const shared = {
    timeoutMs: settings.timeoutMs,
    limiter,
    ...(settings.log ? { log: settings.log } : {}),
  };
  const sources: StatsSources = {};
  for (const kind of settings.kinds) {
    if (kind === 'display_api') {
      sources.display_api = new DisplayApiSource({
        ...shared,
        baseUrl: settings.apiBaseUrl,
        credentials: settings.credentials,
        ...(settings.client ? { client: settings.client } : {}),
      });
    } else if (kind === 'research_api') {
      if (!settings.client) {
        throw new InvalidConfigError(
          'the research_api source needs the TikTok client key and secret',
        );
      }
      sources.research_api = new ResearchApiSource({
        ...shared,
        baseUrl: settings.apiBaseUrl,
        client: settings.client,
        ledger: settings.ledger,
        dailyQuota: settings.research.dailyQuota,
        pollEveryHours: settings.research.pollEveryHours,
        lookbackDays: settings.research.lookbackDays,
      });
    } else {
      settings.log?.warn('the unofficial web page source is enabled', { source: 'web' });
      sources.web = new WebPageSource({ ...shared, baseUrl: settings.webBaseUrl });
    }
  }
  return sources;
}
