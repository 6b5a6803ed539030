import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ResearchApiSource } from '../../../adapters/tiktok/research-api-source.ts';
import {
  MemoryQuotaLedger,
  planResearchRun,
  type QuotaUsage,
} from '../../../adapters/tiktok/research-quota.ts';
import type { Account } from '../../../core/model.ts';
import type { FaultSpec } from '../../../local/fake-tiktok/faults.ts';
import { FakeTikTok } from '../../../local/fake-tiktok/server.ts';
import {
  AT,
  account,
  FAST_RETRY,
  KNOWN_ALL,
  PROFILE,
  VIDEOS,
  WORLD,
} from '../../fakes/tiktok-fixture.ts';

describe('ResearchApiSource against the fake TikTok', () => {
  const acct = account('research_api');
  let tiktok: FakeTikTok;
  let now = AT;

  beforeAll(async () => {
    tiktok = await FakeTikTok.start({ world: WORLD, now: () => now });
  });
  afterEach(() => {
    tiktok.clearFaults();
    tiktok.setResearchQuota({ requestsPerDay: 1_000, recordsPerDay: 100_000 });
    now = AT;
  });
  afterAll(async () => {
    await tiktok.close();
  });

  function setUp(options: { dailyQuota?: QuotaUsage; ledger?: MemoryQuotaLedger } = {}) {
    return new ResearchApiSource({
      baseUrl: tiktok.url,
      client: tiktok.client,
      timeoutMs: 300,
      retry: FAST_RETRY,
      ledger: options.ledger ?? new MemoryQuotaLedger(),
      // One run a day: the whole day's quota is this run's.
      pollEveryHours: 24,
      ...(options.dailyQuota ? { dailyQuota: options.dailyQuota } : {}),
    });
  }

  it('should read the profile and the archived videos, with exact 64-bit ids, flagged as archived', async () => {
    const { poll } = await setUp().poll(acct, AT);
    expect(poll).toMatchObject({ status: 'ok', archived: true, profile: PROFILE });
    if (poll.status !== 'ok') return;
    expect(poll.videos.map((video) => video.id).sort()).toEqual(
      VIDEOS.map((video) => video.id).sort(),
    );
    expect(poll.videos[0]).toMatchObject({ saves: 2_787 });
    expect(poll.videos.map((video) => video.postedAt).sort()).toEqual(
      VIDEOS.map((video) => video.postedAt).sort(),
    );
  });

  it('should renew a client token the API refuses and carry on', async () => {
    const source = setUp();
    expect((await source.poll(acct, AT)).poll.status).toBe('ok');
    // Client tokens live two hours on the fake's clock.
    now = new Date(AT.getTime() + 3 * 3_600_000);
    expect((await source.poll(acct, now)).poll.status).toBe('ok');
  });

  it.each<[string, FaultSpec, string]>([
    [
      'a rate limit that lasts',
      { kind: 'rate_limit', endpoint: '/v2/research/user/info/' },
      'rate_limited',
    ],
    [
      'a server error that lasts',
      { kind: 'server_error', endpoint: '/v2/research/user/info/' },
      'server_error',
    ],
    [
      'a request that never answers',
      { kind: 'timeout', endpoint: '/v2/research/user/info/' },
      'timeout',
    ],
    ['an answer slower than the timeout', { kind: 'slow', delayMs: 2_000 }, 'timeout'],
    [
      'truncated JSON',
      { kind: 'truncated_json', endpoint: '/v2/research/user/info/' },
      'malformed_response',
    ],
    [
      'a bot-check page',
      { kind: 'challenge_page', endpoint: '/v2/research/user/info/' },
      'bot_check',
    ],
    [
      'a token endpoint that fails',
      { kind: 'server_error', endpoint: '/v2/oauth/token/' },
      'server_error',
    ],
  ])('should record %s as a failed poll with its reason', async (_name, fault, reason) => {
    tiktok.setFault(fault);
    const { poll } = await setUp().poll(acct, AT);
    expect(poll).toMatchObject({ status: 'failed', reason });
  });

  it('should keep the videos when the user object has the wrong shape, with the profile unknown', async () => {
    tiktok.setFault({ kind: 'malformed_json', endpoint: '/v2/research/user/info/' });
    const { poll } = await setUp().poll(acct, AT);
    expect(poll).toMatchObject({ status: 'partial', reason: 'invalid_item' });
    expect(poll).not.toHaveProperty('profile');
    expect(poll.status === 'partial' && poll.videos).toHaveLength(VIDEOS.length);
  });

  it.each<[string, FaultSpec, boolean]>([
    ['an empty result', { kind: 'empty_list' }, false],
    ['a cursor that does not advance', { kind: 'cursor_loop' }, false],
    ['a result missing a page', { kind: 'missing_page' }, true],
    ['a failing page', { kind: 'server_error', endpoint: '/v2/research/video/query/' }, false],
    [
      'a page of the wrong shape',
      { kind: 'malformed_json', endpoint: '/v2/research/video/query/' },
      false,
    ],
  ])('should record %s as a partial poll', async (_name, fault, withHints) => {
    tiktok.setFault(fault);
    const { poll } = await setUp().poll(acct, AT, undefined, withHints ? KNOWN_ALL : undefined);
    expect(poll).toMatchObject({ status: 'partial', archived: true, profile: PROFILE });
  });

  it("should record the server's exhausted daily quota as quota_exhausted", async () => {
    // Earlier tests used today's quota already: this one allows no more requests.
    tiktok.setResearchQuota({
      requestsPerDay: tiktok.researchUsed().requests,
      recordsPerDay: 100_000,
    });
    const { poll } = await setUp().poll(acct, AT);
    expect(poll).toMatchObject({ status: 'failed', reason: 'quota_exhausted' });
  });

  it("should give accounts that do not fit in the day's quota a quota_exhausted poll, not silence", async () => {
    const ledger = new MemoryQuotaLedger();
    await ledger.add(AT.toISOString().slice(0, 10), { requests: 995, records: 0 });
    const source = setUp({ ledger });
    const other: Account = { ...acct, id: 'other', handle: 'maya.bakes' };
    await source.prepare([acct, other], AT);
    const outcomes = await Promise.all([source.poll(acct, AT), source.poll(other, AT)]);
    const reasons = outcomes.map((outcome) =>
      outcome.poll.status === 'failed' ? outcome.poll.reason : outcome.poll.status,
    );
    expect(reasons.filter((reason) => reason === 'quota_exhausted')).toHaveLength(1);
    expect((await ledger.usage(AT.toISOString().slice(0, 10))).requests).toBeLessThanOrEqual(1_000);
  });
});

describe('planResearchRun', () => {
  const accounts = ['a', 'b', 'c', 'd'].map((id) => ({ ...account('research_api'), id }));
  const plan = (at: Date, used: QuotaUsage) =>
    planResearchRun({
      accounts,
      at,
      used,
      limits: { requests: 100, records: 10_000 },
      pollEveryHours: 6,
      estimate: () => ({ requests: 10, records: 100 }),
    });

  it("should share the day's remaining quota between the day's remaining runs", () => {
    // 18:00 UTC: one run left today, 40 requests left: four accounts at 10 each fit.
    expect(plan(new Date('2026-11-25T18:00:00Z'), { requests: 60, records: 0 }).admitted.size).toBe(
      4,
    );
    // 00:00 UTC: four runs left, 100 requests: 25 per run, two accounts.
    const early = plan(new Date('2026-11-25T00:00:00Z'), { requests: 0, records: 0 });
    expect(early.admitted.size).toBe(2);
    expect([...early.deferred.values()][0]).toMatch(/daily quota/);
  });

  it('should rotate which accounts wait, so none starves', () => {
    const first = plan(new Date('2026-11-25T00:00:00Z'), { requests: 0, records: 0 });
    const second = plan(new Date('2026-11-25T06:00:00Z'), { requests: 20, records: 0 });
    expect([...second.admitted]).not.toEqual([...first.admitted]);
  });
});
