/**
 * The three sources over answers TikTok really sent, captured by others (test/fixtures/tiktok/README.md says
 * where each came from), served by the replay TikTok exactly as `likewatch fake-tiktok --replay` serves them.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DisplayApiSource } from '../../../adapters/tiktok/display-api-source.ts';
import { ResearchApiSource } from '../../../adapters/tiktok/research-api-source.ts';
import { MemoryQuotaLedger } from '../../../adapters/tiktok/research-quota.ts';
import { WebPageSource } from '../../../adapters/tiktok/web-page-source.ts';
import type { Account, Poll } from '../../../core/model.ts';
import { ReplayTikTok } from '../../../local/fake-tiktok/replay.ts';
import { MemoryVault } from '../../fakes/tiktok-fixture.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/tiktok');
const AT = new Date('2024-01-06T06:00:00Z');
/** Bounded, fast retries: enough for three failures in a row. */
const RETRY = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5 };

let replay: ReplayTikTok | undefined;
afterEach(async () => {
  await replay?.close();
  replay = undefined;
});

async function serve(dir: string): Promise<ReplayTikTok> {
  replay = await ReplayTikTok.start(join(FIXTURES, dir));
  return replay;
}

function account(source: Account['source'], handle: string, id = handle): Account {
  return {
    platform: 'tiktok',
    id,
    handle,
    source,
    status: 'active',
    addedAt: '2024-01-05T00:00:00Z',
  };
}

function served(tiktok: ReplayTikTok, path: string): number {
  return tiktok.requestsServed().get(path) ?? 0;
}

describe('the Research API source over real answers', () => {
  const QUERY = '/v2/research/video/query/';

  async function pollResearch(dir: string, handle: string) {
    const tiktok = await serve(dir);
    const ledger = new MemoryQuotaLedger();
    const source = new ResearchApiSource({
      baseUrl: tiktok.url,
      client: { key: 'client-key', secret: 'client-secret' },
      timeoutMs: 2_000,
      retry: RETRY,
      ledger,
      pollEveryHours: 24,
      // One ≤30-day window: one search.
      lookbackDays: 10,
    });
    const { poll } = await source.poll(account('research_api', handle), AT);
    return { poll, tiktok, used: await ledger.usage('2024-01-06') };
  }

  it('should leave out only the video that came without like_count, naming it and the field', async () => {
    // Act: illyonz's one video in the real page has view_count 0 and no like_count.
    const { poll, tiktok } = await pollResearch('research-page', 'illyonz');
    // Assess: partial with the profile, never failed, and the video is unknown rather than gone.
    expect(poll).toMatchObject({
      status: 'partial',
      reason: 'invalid_item',
      archived: true,
      profile: { followers: 232, following: 45, likes: 27_155_089, videos: 44 },
      rejected: [{ video: '7320768149928955182', field: 'like_count', problem: 'missing' }],
      videos: [],
    });
    expect(poll.status === 'partial' && poll.detail).toContain(
      'video 7320768149928955182: like_count missing',
    );
    // The page said cursor 100 after 27 videos: the next page was asked for, with that cursor.
    expect(served(tiktok, QUERY)).toBe(2);
  });

  it("should read the other accounts' videos of the same real page whole", async () => {
    const { poll } = await pollResearch('research-page', 'laceybonarhull');
    expect(poll).toMatchObject({ status: 'ok', archived: true });
    expect(poll.status === 'ok' && poll.videos).toEqual([
      expect.objectContaining({ id: '7320768030219324714', likes: 390, views: 389, comments: 33 }),
    ]);
  });

  it('should keep a video whose username TikTok padded with NUL characters', async () => {
    const { poll } = await pollResearch('research-nul-username', 'حموديالباشا4');
    expect(poll).toMatchObject({ status: 'ok' });
    expect(poll.status === 'ok' && poll.videos.map((video) => [video.id, video.likes])).toEqual([
      ['7435406205763226897', 49],
    ]);
  });

  it('should count every request sent against the quota: three 500s and a success are four', async () => {
    const { poll, tiktok, used } = await pollResearch('research-server-errors', 'حموديالباشا4');
    expect(poll).toMatchObject({ status: 'ok' });
    expect(served(tiktok, QUERY)).toBe(4);
    // The user info request and the four video queries.
    expect(used.requests).toBe(5);
    expect(used.requests).toBe(served(tiktok, '/v2/research/user/info/') + served(tiktok, QUERY));
  });

  it('should ask again after "Invalid count or cursor" in the middle of paging', async () => {
    const { poll, tiktok, used } = await pollResearch('research-invalid-cursor', 'laceybonarhull');
    expect(poll).toMatchObject({ status: 'ok' });
    expect(served(tiktok, QUERY)).toBe(3);
    expect(used.requests).toBe(4);
  });

  it('should retry a 504 that came with an HTML page', async () => {
    const { poll, tiktok } = await pollResearch('research-gateway-timeout', 'حموديالباشا4');
    expect(poll).toMatchObject({ status: 'ok' });
    expect(served(tiktok, QUERY)).toBe(2);
  });

  it('should wait out the short-term 429 but not the daily quota one', async () => {
    const limited = await pollResearch('research-rate-limit', 'حموديالباشا4');
    expect(limited.poll).toMatchObject({ status: 'ok' });
    expect(served(limited.tiktok, QUERY)).toBe(2);
    await replay?.close();

    const quota = await pollResearch('research-daily-quota', 'حموديالباشا4');
    expect(quota.poll).toMatchObject({ status: 'partial', reason: 'quota_exhausted' });
    expect(served(quota.tiktok, QUERY)).toBe(1);
  });
});

describe('the Display API source over the documentation’s answers', () => {
  it('should refresh the token on the documented 401 body that has no error wrapper', async () => {
    // Prepare
    const tiktok = await serve('display-bare-401');
    const openId = '723f24d7-e717-40f8-a2b6-cb8464cd23b4';
    const vault = new MemoryVault({
      [openId]: {
        accessToken: 'act.refused',
        refreshToken: 'rft.current',
        scope: 'user.info.basic,user.info.profile,user.info.stats,video.list',
      },
    });
    const source = new DisplayApiSource({
      baseUrl: tiktok.url,
      credentials: vault,
      client: { key: 'client-key', secret: 'client-secret' },
      timeoutMs: 2_000,
      retry: RETRY,
    });
    // Act
    const { poll } = await source.poll(account('display_api', 'tiktoker', openId), AT);
    // Assess: refreshed (the new grant stored) and asked again.
    expect(served(tiktok, '/v2/oauth/token/')).toBe(1);
    expect(served(tiktok, '/v2/user/info/')).toBe(2);
    expect(vault.writes.map((written) => written.accessToken)).toEqual([
      'act.example12345Example12345Example',
    ]);
    // The documentation's examples ask for few fields: what is missing is named, nothing is made 0.
    expect(poll).toMatchObject({ status: 'partial', reason: 'invalid_item', videos: [] });
    expect(poll).not.toHaveProperty('profile');
    expect(poll.status === 'partial' && poll.rejected).toEqual([
      { field: 'user.follower_count', problem: 'missing' },
      { video: '12345123451234512345', field: 'create_time', problem: 'missing' },
    ]);
  });
});

describe('the web page source over pages shaped as real ones', () => {
  async function pollWeb(dir: string, handle: string, id: string, known: string[] = []) {
    const tiktok = await serve(dir);
    const source = new WebPageSource({ baseUrl: tiktok.url, timeoutMs: 2_000, retry: RETRY });
    return source.poll(account('web', handle, id), AT, undefined, {
      knownVideoIds: async () => known,
    });
  }

  it('should read exact statsV2 where stats overflowed, and call a short list partial', async () => {
    const { poll } = await pollWeb('web-overflowed-profile', 'charlidamelio', '5831967');
    expect(poll).toMatchObject({
      status: 'partial',
      reason: 'missing_pages',
      profile: { followers: 156_537_139, following: 1_311, likes: 11_907_467_940, videos: 2_863 },
    });
    expect(poll).not.toHaveProperty('rounded');
    expect(poll.status === 'partial' && poll.videos).toEqual([
      expect.objectContaining({ id: '7117663869073591598', likes: 22_609, views: 1_776_621 }),
    ]);
  });

  it('should flag the counts rounded when statsV2 repeats the rounded stats', async () => {
    const { poll } = await pollWeb('web-rounded-statsv2', 'rounded.account', '6700000000000000001');
    expect(poll).toMatchObject({
      status: 'ok',
      rounded: true,
      profile: { followers: 866_000, likes: 14_200_000 },
    });
    expect((poll as Extract<Poll, { status: 'ok' }>).videos[0]).toMatchObject({ likes: 18_900 });
  });

  it('should follow known videos when the profile has no itemList, reading counters and times sent as strings', async () => {
    const id = '7117663869073591598';
    const { poll } = await pollWeb('web-string-counts', 'string.account', '6700000000000000002', [
      id,
    ]);
    expect(poll).toMatchObject({ status: 'ok' });
    expect(poll).not.toHaveProperty('rounded');
    expect(poll.status === 'ok' && poll.videos).toEqual([
      expect.objectContaining({ id, saves: 2_787, postedAt: '2022-07-08T17:06:40Z' }),
    ]);
  });

  it('should call a profile without itemList partial when no video is known', async () => {
    const { poll } = await pollWeb('web-string-counts', 'string.account', '6700000000000000002');
    expect(poll).toMatchObject({ status: 'partial', reason: 'missing_pages', videos: [] });
  });
});
