/**
 * The Research API's daily quotas (1,000 requests and 100,000 records per day, reset at 00:00 UTC;
 * docs/sources.md): a ledger of what was used, and a planner that shares what is left between the
 * day's poll runs and says up front which accounts do not fit in this one. Those get a failed poll with reason
 * `quota_exhausted` — never silence.
 */
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Account } from '../../core/model.ts';
import { DAY_MS, HOUR_MS } from '../../core/time.ts';
import { keys } from '../dynamodb/keys.ts';
import { SourceFailure } from './http.ts';

/** Requests and records, used or allowed. */
export interface QuotaUsage {
  requests: number;
  records: number;
}

/** The documented daily quota. */
export const RESEARCH_DAILY_QUOTA: QuotaUsage = { requests: 1_000, records: 100_000 };

/** Where the day's usage is kept, so separate runs (and processes) share one budget. */
export interface ResearchQuotaLedger {
  /** Usage recorded for the UTC day `day` (`YYYY-MM-DD`). */
  usage(day: string): Promise<QuotaUsage>;
  /** Adds to the day's usage (atomically where the store allows). */
  add(day: string, used: QuotaUsage): Promise<void>;
}

/** A ledger in this process's memory (local runs and tests). */
export class MemoryQuotaLedger implements ResearchQuotaLedger {
  private readonly days = new Map<string, QuotaUsage>();

  async usage(day: string): Promise<QuotaUsage> {
    return { ...(this.days.get(day) ?? { requests: 0, records: 0 }) };
  }

  async add(day: string, used: QuotaUsage): Promise<void> {
    const current = this.days.get(day) ?? { requests: 0, records: 0 };
    this.days.set(day, {
      requests: current.requests + used.requests,
      records: current.records + used.records,
    });
  }
}

/** A ledger item per UTC day in the likewatch table, updated with atomic ADD and expired after a week. */
export class DynamoDbQuotaLedger implements ResearchQuotaLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async usage(day: string): Promise<QuotaUsage> {
    const result = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.researchQuota(day),
        ConsistentRead: true,
      }),
    );
    return {
      requests: Number(result.Item?.requests ?? 0),
      records: Number(result.Item?.records ?? 0),
    };
  }

  async add(day: string, used: QuotaUsage): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.researchQuota(day),
        UpdateExpression: 'ADD requests :requests, records :records SET expiresAt = :expiresAt',
        ExpressionAttributeValues: {
          ':requests': used.requests,
          ':records': used.records,
          ':expiresAt': Math.floor((Date.parse(`${day}T00:00:00Z`) + 7 * DAY_MS) / 1000),
        },
      }),
    );
  }
}

/** The UTC day of `at`, as the quota counts it. */
export function quotaDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** What the planner needs. */
export interface ResearchPlanInput {
  accounts: readonly Account[];
  /** The run's slot. */
  at: Date;
  used: QuotaUsage;
  limits: QuotaUsage;
  /** Poll cadence: today's remaining budget is shared evenly between today's remaining runs. */
  pollEveryHours: number;
  /** Expected cost of polling one account. */
  estimate: (account: Account) => QuotaUsage;
}

/** Which accounts this run polls, and why the others wait. */
export interface ResearchPlan {
  admitted: Set<string>;
  /** Account id → detail to record with the `quota_exhausted` poll. */
  deferred: Map<string, string>;
}

/**
 * Admits accounts while their estimated cost fits this run's share of the day's remaining quota. The order
 * rotates from run to run, so an account left out now comes first later instead of starving.
 */
export function planResearchRun(input: ResearchPlanInput): ResearchPlan {
  const { at, used, limits } = input;
  const nextMidnight = Math.floor(at.getTime() / DAY_MS) * DAY_MS + DAY_MS;
  const cadenceMs = Math.max(1, input.pollEveryHours) * HOUR_MS;
  const runsLeft = Math.max(1, Math.ceil((nextMidnight - at.getTime()) / cadenceMs));
  const share: QuotaUsage = {
    requests: Math.max(0, limits.requests - used.requests) / runsLeft,
    records: Math.max(0, limits.records - used.records) / runsLeft,
  };

  const sorted = [...input.accounts].sort((a, b) => a.id.localeCompare(b.id));
  const runIndex = Math.floor(at.getTime() / cadenceMs);
  const offset = sorted.length === 0 ? 0 : runIndex % sorted.length;
  const rotated = [...sorted.slice(offset), ...sorted.slice(0, offset)];

  const admitted = new Set<string>();
  const deferred = new Map<string, string>();
  const planned: QuotaUsage = { requests: 0, records: 0 };
  for (const account of rotated) {
    const cost = input.estimate(account);
    if (
      planned.requests + cost.requests <= share.requests &&
      planned.records + cost.records <= share.records
    ) {
      admitted.add(account.id);
      planned.requests += cost.requests;
      planned.records += cost.records;
    } else {
      deferred.set(
        account.id,
        `Research API daily quota: ${used.requests}/${limits.requests} requests and ` +
          `${used.records}/${limits.records} records used on ${quotaDay(at)}; this run's share ` +
          `(${Math.floor(share.requests)} requests) is taken`,
      );
    }
  }
  return { admitted, deferred };
}

/** The budget of one poll run, shared by its concurrent polls. */
export interface RunBudget {
  day: string;
  /** Used today, including this run's requests so far. */
  used: QuotaUsage;
  plan?: ResearchPlan;
  slot: number;
}

/** Counts one poll's requests and records, refusing a request the day's quota no longer covers. */
export class QuotaMeter {
  readonly spent: QuotaUsage = { requests: 0, records: 0 };

  constructor(
    private readonly budget: RunBudget,
    private readonly limits: QuotaUsage,
  ) {}

  request(): void {
    if (this.budget.used.requests + 1 > this.limits.requests) {
      throw new SourceFailure(
        'quota_exhausted',
        `Research API daily quota of ${this.limits.requests} requests reached on ${this.budget.day}`,
      );
    }
    if (this.budget.used.records >= this.limits.records) {
      throw new SourceFailure(
        'quota_exhausted',
        `Research API daily quota of ${this.limits.records} records reached on ${this.budget.day}`,
      );
    }
    this.budget.used.requests += 1;
    this.spent.requests += 1;
  }

  records(count: number): void {
    this.budget.used.records += count;
    this.spent.records += count;
  }
}
