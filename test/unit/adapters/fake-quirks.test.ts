/**
 * The three sources against the fake TikTok's faults that replay what real answers do (quirks.ts): each one
 * costs at most the item it touches, never the account's poll, and never reads as a removal.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DisplayApiSource } from '../../../adapters/tiktok/display-api-source.ts';
import { ResearchApiSource } from '../../../adapters/tiktok/research-api-source.ts';
import { MemoryQuotaLedger } from '../../../adapters/tiktok/research-quota.ts';
import { WebPageSource } from '../../../adapters/tiktok/web-page-source.ts';
import type { Poll } from '../../../core/model.ts';
import type { FaultSpec } from '../../../local/fake-tiktok/faults.ts';
import { FakeTikTok } from '../../../local/fake-tiktok/server.ts';
import {
  AT,
  account,
  KNOWN_ALL,
  MemoryVault,
  PROFILE,
  VIDEOS,
  WORLD,
} from '../../fakes/tiktok-fixture.ts';

/** Enough retries for the faults that last a few requests. */
const RETRY = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 };
const FIRST = VIDEOS[0]?.id as string;

describe('sources against the fake TikTok’s real-world faults', () => {
  let tiktok: FakeTikTok;

  beforeAll(async () => {
    tiktok = await FakeTikTok.start({ world: WORLD, now: () => AT, profilePageVideos: 30 });
  });
  afterEach(() => {
    tiktok.clearFaults();
  });
  afterAll(async () => {
    await tiktok.close();
  });

  const research = (ledger = new MemoryQuotaLedger()) =>
    new ResearchApiSource({
      baseUrl: tiktok.url,
      client: tiktok.client,
      timeoutMs: 2_000,
      retry: RETRY,
      ledger,
      pollEveryHours: 24,
    });
  const web = () => new WebPageSource({ baseUrl: tiktok.url, timeoutMs: 2_000, retry: RETRY });
  const display = () => {
    const grant = tiktok.issueGrant(account('display_api').id);
    return new DisplayApiSource({
      baseUrl: tiktok.url,
      credentials: new MemoryVault({
        [account('display_api').id]: {
          accessToken: grant.access_token,
          refreshToken: grant.refresh_token as string,
          scope: grant.scope as string,
        },
      }),
      client: tiktok.client,
      timeoutMs: 2_000,
      retry: RETRY,
    });
  };

  /** The ids of a poll's videos, sorted. */
  const ids = (poll: Poll) => (poll.status === 'failed' ? [] : poll.videos.map((v) => v.id).sort());

  it.each<[string, FaultSpec['endpoint'], () => Promise<Poll>]>([
    [
      'the Research API',
      '/v2/research/video/query/',
      async () => (await research().poll(account('research_api'), AT)).poll,
    ],
    [
      'the Display API',
      '/v2/video/list/',
      async () => (await display().poll(account('display_api'), AT, undefined, KNOWN_ALL)).poll,
    ],
    [
      'the web pages',
      'web:profile',
      async () => (await web().poll(account('web'), AT, undefined, KNOWN_ALL)).poll,
    ],
  ])(
    'should leave out only the video without its like count, in %s',
    async (_name, endpoint, poll) => {
      tiktok.setFault({ kind: 'missing_count', endpoint });
      const read = await poll();
      expect(read).toMatchObject({ status: 'partial', reason: 'invalid_item', profile: PROFILE });
      const rejected = read.status === 'partial' ? (read.rejected ?? []) : [];
      expect(rejected.length).toBeGreaterThan(0);
      for (const item of rejected) expect(item).toMatchObject({ problem: 'missing' });
      // Every video is either read whole or named as left out: none vanished.
      const left = rejected.map((item) => item.video as string);
      expect([...ids(read), ...left].sort()).toEqual(VIDEOS.map((video) => video.id).sort());
    },
  );

  it.each<[string, FaultSpec[]]>([
    ['NUL-padded usernames', [{ kind: 'nul_username' }]],
    ['a cursor that moves by the page size', [{ kind: 'page_size_cursor' }]],
    ['"Invalid count or cursor" once', [{ kind: 'invalid_cursor', times: 1 }]],
    ['504 gateway pages twice', [{ kind: 'gateway_timeout', times: 2 }]],
    [
      'three 500s on the video query',
      [{ kind: 'server_error', endpoint: '/v2/research/video/query/', times: 3 }],
    ],
  ])(
    'should read every Research video through %s, counting each request sent',
    async (_name, faults) => {
      for (const fault of faults) tiktok.setFault(fault);
      const ledger = new MemoryQuotaLedger();
      const before = tiktok.researchUsed().requests;
      const { poll } = await research(ledger).poll(account('research_api'), AT);
      expect(poll).toMatchObject({ status: 'ok', profile: PROFILE });
      expect(ids(poll)).toEqual(VIDEOS.map((video) => video.id).sort());
      // The ledger agrees with the requests TikTok counted, failed ones included.
      const used = await ledger.usage(AT.toISOString().slice(0, 10));
      expect(used.requests).toBe(tiktok.researchUsed().requests - before);
    },
  );

  it('should stop at the daily quota answer instead of retrying it', async () => {
    tiktok.setFault({ kind: 'daily_quota', endpoint: '/v2/research/user/info/' });
    const before = tiktok.requestsServed().get('/v2/research/user/info/') ?? 0;
    const { poll } = await research().poll(account('research_api'), AT);
    expect(poll).toMatchObject({ status: 'failed', reason: 'quota_exhausted' });
    expect(tiktok.requestsServed().get('/v2/research/user/info/')).toBe(before + 1);
  });

  it('should flag counts rounded when statsV2 repeats the rounded stats', async () => {
    tiktok.setFault({ kind: 'rounded_v2' });
    const { poll } = await web().poll(account('web'), AT, undefined, KNOWN_ALL);
    expect(poll).toMatchObject({ status: 'ok', rounded: true });
    expect(poll.status === 'ok' && poll.profile.followers).toBe(1_200_000);
  });

  it('should read counters and posting times sent as strings', async () => {
    tiktok.setFault({ kind: 'string_counts' });
    const { poll } = await web().poll(account('web'), AT, undefined, KNOWN_ALL);
    expect(poll).toMatchObject({ status: 'ok', profile: PROFILE });
    expect(poll).not.toHaveProperty('rounded');
    expect(poll.status === 'ok' && poll.videos.find((v) => v.id === FIRST)).toMatchObject({
      postedAt: VIDEOS[0]?.postedAt,
      saves: VIDEOS[0]?.saves,
    });
  });

  it('should follow the known videos when the profile comes without itemList', async () => {
    tiktok.setFault({ kind: 'no_item_list' });
    expect((await web().poll(account('web'), AT, undefined, KNOWN_ALL)).poll).toMatchObject({
      status: 'ok',
    });
    const alone = (await web().poll(account('web'), AT)).poll;
    expect(alone).toMatchObject({ status: 'partial', reason: 'missing_pages', videos: [] });
  });

  it('should refresh the token when the 401 body is the bare error object', async () => {
    tiktok.setFault({ kind: 'bare_error', endpoint: '/v2/user/info/', times: 1 });
    const before = tiktok.requestsServed().get('/v2/oauth/token/') ?? 0;
    const { poll } = await display().poll(account('display_api'), AT);
    expect(poll).toMatchObject({ status: 'ok', profile: PROFILE });
    expect(tiktok.requestsServed().get('/v2/oauth/token/')).toBe(before + 1);
  });
});
