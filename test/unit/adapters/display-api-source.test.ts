import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DisplayApiSource } from '../../../adapters/tiktok/display-api-source.ts';
import { nodeTransport, type Transport } from '../../../adapters/tiktok/node-transport.ts';
import type { Account, VideoStats } from '../../../core/model.ts';
import type { CredentialVault, SourceCredentials } from '../../../core/ports.ts';
import type { World } from '../../../core/simulate/world.ts';
import { FakeTikTok } from '../../../local/fake-tiktok/server.ts';
import { credentialsOf } from '../../fakes/tiktok-fixture.ts';

const account: Account = {
  platform: 'tiktok',
  id: 'open-1',
  handle: 'maya.bakes',
  source: 'display_api',
  status: 'active',
  addedAt: '2026-11-01T00:00:00Z',
};
const at = new Date('2026-11-25T06:00:00Z');

function videos(count: number): VideoStats[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `v${index}`,
    postedAt: new Date(Date.UTC(2026, 9, 1) + index * 3_600_000).toISOString(),
    views: 1000 + index,
    likes: 100 + index,
    comments: 3,
    shares: 1,
    saves: null,
    title: `Video ${index}`,
    url: `https://www.tiktok.com/@maya.bakes/video/v${index}`,
  }));
}

/** A fixed world: one account with 45 videos. */
const world: World = {
  accounts: [{ id: 'open-1', handle: 'maya.bakes', displayName: 'Maya' }],
  observe: () => ({
    profile: { followers: 500, following: 20, likes: 9000, videos: 45 },
    videos: videos(45),
  }),
};

function vault(credentials: Record<string, SourceCredentials>): CredentialVault {
  return {
    getCredentials: async (id) => credentials[id],
    getManyCredentials: async (ids) => credentialsOf(credentials, ids),
    putCredentials: async () => undefined,
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

const okError = { code: 'ok', message: '', log_id: 'x' };
const userOk = {
  data: {
    user: {
      open_id: 'open-1',
      follower_count: 1,
      following_count: 1,
      likes_count: 10,
      video_count: 2,
    },
  },
  error: okError,
};
const page = (ids: string[], hasMore: boolean) => ({
  data: {
    videos: ids.map((id, index) => ({
      id,
      create_time: 1_700_000_000 - index,
      view_count: 10,
      like_count: 5,
      comment_count: 0,
      share_count: 0,
    })),
    cursor: 1_700_000_000_000,
    has_more: hasMore,
  },
  error: okError,
});

/** A fetch that answers each call with the next scripted response. */
function scripted(...responses: Array<() => Response | Promise<Response>>): typeof fetch {
  let call = 0;
  return (async () => {
    const next = responses[call++];
    if (!next) throw new Error('unexpected request');
    return next();
  }) as typeof fetch;
}

describe('DisplayApiSource', () => {
  describe('against the fake TikTok', () => {
    let tiktok: FakeTikTok;
    beforeAll(async () => {
      tiktok = await FakeTikTok.start({ world, now: () => at });
    });
    afterAll(async () => {
      await tiktok.close();
    });

    it('should read the profile and every page of videos into an ok poll', async () => {
      // Arrange
      const source = new DisplayApiSource({
        baseUrl: tiktok.url,
        credentials: vault({ 'open-1': { accessToken: tiktok.issueToken('open-1') } }),
        timeoutMs: 5000,
      });
      // Act
      const { poll } = await source.poll(account, at);
      // Assert
      expect(poll.status).toBe('ok');
      if (poll.status !== 'ok') return;
      expect(poll.at).toBe(at.toISOString());
      expect(poll.profile).toEqual({ followers: 500, following: 20, likes: 9000, videos: 45 });
      expect(poll.videos).toHaveLength(45);
      expect(new Set(poll.videos.map((video) => video.id)).size).toBe(45);
      expect(poll.videos.find((video) => video.id === 'v7')).toMatchObject({
        likes: 107,
        views: 1007,
        title: 'Video 7',
      });
    });

    it('should ask for the profile and the first page of videos at once, the other pages after', async () => {
      // Arrange: a transport that notes which requests were in flight together.
      const started: string[] = [];
      const overlapped = new Set<string>();
      let inFlight: string[] = [];
      const watching: Transport = async (url, init) => {
        const name = `${url.pathname}${init.body ?? ''}`;
        started.push(name);
        for (const other of inFlight) overlapped.add([other, name].sort().join(' & '));
        inFlight.push(name);
        try {
          const response = await nodeTransport(url, init);
          await response.text();
          return response;
        } finally {
          inFlight = inFlight.filter((entry) => entry !== name);
        }
      };
      const source = new DisplayApiSource({
        baseUrl: tiktok.url,
        credentials: vault({ 'open-1': { accessToken: tiktok.issueToken('open-1') } }),
        timeoutMs: 5000,
        fetch: watching,
      });
      // Act
      const { poll } = await source.poll(account, at);
      // Assert: 45 videos are three pages; only the profile and the first page overlap.
      expect(poll.status).toBe('ok');
      expect(started).toHaveLength(4);
      expect([...overlapped]).toEqual(['/v2/user/info/ & /v2/video/list/{"max_count":20}']);
    });

    it('should record an unknown token as a failed poll, not as zeros', async () => {
      const source = new DisplayApiSource({
        baseUrl: tiktok.url,
        credentials: vault({ 'open-1': { accessToken: 'act.forged' } }),
        timeoutMs: 5000,
      });
      const outcome = await source.poll(account, at);
      expect(outcome.poll).toMatchObject({ status: 'failed', reason: 'unauthorized' });
    });
  });

  it('should mark an account without credentials as needing re-authorization', async () => {
    const source = new DisplayApiSource({
      baseUrl: 'http://127.0.0.1:9',
      credentials: vault({}),
      timeoutMs: 100,
    });
    const outcome = await source.poll(account, at);
    expect(outcome).toMatchObject({
      poll: { status: 'failed', reason: 'needs_reauthorization' },
      accountStatus: 'needs_reauthorization',
    });
  });

  it.each([
    [
      'a 429 rate limit',
      () =>
        json(429, { data: {}, error: { code: 'rate_limit_exceeded', message: '', log_id: 'x' } }),
      'rate_limited',
    ],
    [
      'a 500',
      () => json(500, { data: {}, error: { code: 'internal_error', message: '', log_id: 'x' } }),
      'server_error',
    ],
    [
      'a body that is not JSON',
      () => new Response('<html>captcha</html>', { status: 200 }),
      'malformed_response',
    ],
    [
      'a truncated body',
      () => new Response('{"data":{"user":{"open_id":', { status: 200 }),
      'malformed_response',
    ],
    [
      'a scope error',
      () =>
        json(401, { data: {}, error: { code: 'scope_not_authorized', message: '', log_id: 'x' } }),
      'needs_reauthorization',
    ],
  ])('should record %s on the profile as a failed poll', async (_name, response, reason) => {
    const source = new DisplayApiSource({
      baseUrl: 'http://tiktok.test',
      credentials: vault({ 'open-1': { accessToken: 'act.1' } }),
      timeoutMs: 1000,
      // One scripted answer per request: retries are exercised against the fake TikTok instead.
      retry: { maxRetries: 0 },
      fetch: scripted(response),
    });
    const { poll } = await source.poll(account, at);
    expect(poll).toMatchObject({ status: 'failed', reason });
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['a missing count', { likes_count: undefined }, 'user.likes_count', 'missing'],
    ['a negative count', { likes_count: -1 }, 'user.likes_count', 'Too small'],
  ])(
    'should record %s on the profile as a partial poll without a profile, naming the field',
    async (_name, change, field, problem) => {
      // Prepare: the user's counts are bad, the video list is fine.
      const user = { ...userOk.data.user, ...change };
      const source = new DisplayApiSource({
        baseUrl: 'http://tiktok.test',
        credentials: vault({ 'open-1': { accessToken: 'act.1' } }),
        timeoutMs: 1000,
        retry: { maxRetries: 0 },
        fetch: scripted(
          () => json(200, { data: { user }, error: okError }),
          () => json(200, page(['a', 'b'], false)),
        ),
      });
      // Act
      const { poll } = await source.poll(account, at);
      // Assess: the videos are kept, the profile is unknown (never zeros), the field is named.
      expect(poll).toMatchObject({ status: 'partial', reason: 'invalid_item' });
      expect(poll).not.toHaveProperty('profile');
      expect(poll.status === 'partial' && poll.videos.map((video) => video.id)).toEqual(['a', 'b']);
      expect(poll.status === 'partial' && poll.rejected?.[0]).toMatchObject({ field });
      expect(poll.status === 'partial' && poll.rejected?.[0]?.problem).toContain(problem);
    },
  );

  it('should record a request that never answers as a timeout', async () => {
    const source = new DisplayApiSource({
      baseUrl: 'http://tiktok.test',
      credentials: vault({ 'open-1': { accessToken: 'act.1' } }),
      timeoutMs: 50,
      fetch: ((_url: unknown, init?: RequestInit) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        })) as typeof fetch,
    });
    const { poll } = await source.poll(account, at);
    expect(poll).toMatchObject({ status: 'failed', reason: 'timeout' });
  });

  it('should record a failing second page as a partial poll that keeps the first page', async () => {
    const source = new DisplayApiSource({
      baseUrl: 'http://tiktok.test',
      credentials: vault({ 'open-1': { accessToken: 'act.1' } }),
      timeoutMs: 1000,
      fetch: scripted(
        () => json(200, userOk),
        () => json(200, page(['a', 'b'], true)),
        () => json(500, { data: {}, error: { code: 'internal_error', message: '', log_id: 'x' } }),
      ),
    });
    const { poll } = await source.poll(account, at);
    expect(poll.status).toBe('partial');
    expect(poll.status !== 'failed' && poll.videos.map((video) => video.id)).toEqual(['a', 'b']);
  });

  it('should not loop on an empty page that claims there is more', async () => {
    const source = new DisplayApiSource({
      baseUrl: 'http://tiktok.test',
      credentials: vault({ 'open-1': { accessToken: 'act.1' } }),
      timeoutMs: 1000,
      fetch: scripted(
        () => json(200, userOk),
        () => json(200, page([], true)),
      ),
    });
    const { poll } = await source.poll(account, at);
    expect(poll).toMatchObject({ status: 'partial', reason: 'missing_pages' });
  });

  it('should refuse a token that reads another account', async () => {
    const source = new DisplayApiSource({
      baseUrl: 'http://tiktok.test',
      credentials: vault({ 'open-1': { accessToken: 'act.1' } }),
      timeoutMs: 1000,
      fetch: scripted(() =>
        json(200, { ...userOk, data: { user: { ...userOk.data.user, open_id: 'open-2' } } }),
      ),
    });
    const { poll } = await source.poll(account, at);
    expect(poll).toMatchObject({ status: 'failed', reason: 'malformed_response' });
  });
});
