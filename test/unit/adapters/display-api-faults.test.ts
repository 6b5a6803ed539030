import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DisplayApiSource } from '../../../adapters/tiktok/display-api-source.ts';
import { SlidingWindowLimiter } from '../../../adapters/tiktok/rate-limiter.ts';
import type { PollHints, SourceCredentials } from '../../../core/ports.ts';
import type { FaultSpec } from '../../../local/fake-tiktok/faults.ts';
import { FakeTikTok } from '../../../local/fake-tiktok/server.ts';
import {
  AT,
  account,
  FAST_RETRY,
  KNOWN_ALL,
  MemoryVault,
  PROFILE,
  VIDEOS,
  WORLD,
} from '../../fakes/tiktok-fixture.ts';

describe('DisplayApiSource against the fake TikTok', () => {
  const acct = account('display_api');
  let tiktok: FakeTikTok;
  let now = AT;

  beforeAll(async () => {
    tiktok = await FakeTikTok.start({ world: WORLD, now: () => now });
  });
  afterEach(() => {
    tiktok.clearFaults();
    now = AT;
  });
  afterAll(async () => {
    await tiktok.close();
  });

  /** A source over a fresh grant; `vault.writes` shows every rotation stored. */
  function setUp(options: { timeoutMs?: number; credentials?: Partial<SourceCredentials> } = {}) {
    const grant = tiktok.issueGrant(acct.id, { accessTtlSeconds: 86_400 });
    const vault = new MemoryVault({
      [acct.id]: {
        accessToken: grant.access_token,
        refreshToken: grant.refresh_token,
        scope: grant.scope,
        ...options.credentials,
      },
    });
    const log = { warn: vi.fn() };
    const source = new DisplayApiSource({
      baseUrl: tiktok.url,
      credentials: vault,
      client: tiktok.client,
      timeoutMs: options.timeoutMs ?? 500,
      retry: FAST_RETRY,
      log,
    });
    return { source, vault, log, grant };
  }

  it('should read the profile, every page of videos and the username into an ok poll', async () => {
    const { source } = setUp();
    const outcome = await source.poll(acct, AT);
    expect(outcome.handle).toBe('maya.bakes');
    expect(outcome.poll).toMatchObject({ status: 'ok', profile: PROFILE });
    expect(outcome.poll.status === 'ok' && outcome.poll.videos).toHaveLength(VIDEOS.length);
  });

  it.each<[string, FaultSpec, string]>([
    ['a rate limit that lasts', { kind: 'rate_limit', endpoint: '/v2/user/info/' }, 'rate_limited'],
    [
      'a server error that lasts',
      { kind: 'server_error', endpoint: '/v2/user/info/' },
      'server_error',
    ],
    ['a request that never answers', { kind: 'timeout', endpoint: '/v2/user/info/' }, 'timeout'],
    ['an answer slower than the timeout', { kind: 'slow', delayMs: 2_000 }, 'timeout'],
    [
      'truncated JSON',
      { kind: 'truncated_json', endpoint: '/v2/user/info/' },
      'malformed_response',
    ],
    [
      'JSON of the wrong shape',
      { kind: 'malformed_json', endpoint: '/v2/user/info/' },
      'malformed_response',
    ],
    ['an empty body', { kind: 'empty_page', endpoint: '/v2/user/info/' }, 'malformed_response'],
    ['a bot-check page', { kind: 'challenge_page', endpoint: '/v2/user/info/' }, 'bot_check'],
  ])(
    'should record %s on the profile as a failed poll with its reason',
    async (_name, fault, reason) => {
      const { source } = setUp({ timeoutMs: 300 });
      tiktok.setFault(fault);
      const { poll } = await source.poll(acct, AT);
      expect(poll).toMatchObject({ status: 'failed', reason });
    },
  );

  it.each<[string, FaultSpec]>([
    ['a rate limit', { kind: 'rate_limit', times: 2 }],
    ['a server error', { kind: 'server_error', times: 1 }],
    ['a slow answer', { kind: 'slow', delayMs: 50, times: 3 }],
  ])('should ride out %s with bounded, jittered retries', async (_name, fault) => {
    const { source } = setUp();
    tiktok.setFault(fault);
    const { poll } = await source.poll(acct, AT);
    expect(poll.status).toBe('ok');
  });

  it.each<[string, FaultSpec]>([
    ['an empty video list', { kind: 'empty_list' }],
    ['a cursor that repeats', { kind: 'cursor_loop' }],
    ['a list missing a page', { kind: 'missing_page', times: 1 }],
    ['a failing page', { kind: 'server_error', endpoint: '/v2/video/list/' }],
    ['a truncated page', { kind: 'truncated_json', endpoint: '/v2/video/list/' }],
  ])('should record %s as a partial poll, never as vanished videos', async (_name, fault) => {
    const { source } = setUp();
    tiktok.setFault(fault);
    const { poll } = await source.poll(acct, AT);
    expect(poll).toMatchObject({ status: 'partial', profile: PROFILE });
    expect(poll.status === 'partial' && poll.reason).toBeTruthy();
  });

  it.each<[string, FaultSpec]>([
    ['an empty video list', { kind: 'empty_list' }],
    ['a cursor that repeats', { kind: 'cursor_loop' }],
    ['a list missing a page', { kind: 'missing_page', times: 1 }],
  ])('should re-read the known videos by id after %s', async (_name, fault) => {
    const { source } = setUp();
    tiktok.setFault(fault);
    const { poll } = await source.poll(acct, AT, undefined, KNOWN_ALL);
    expect(poll.status).toBe('ok');
    expect(poll.status === 'ok' && poll.videos.map((video) => video.id).sort()).toEqual(
      VIDEOS.map((video) => video.id).sort(),
    );
  });

  it('should stay partial when the known videos cannot be re-read either', async () => {
    const { source } = setUp();
    tiktok.setFault({ kind: 'empty_list' });
    tiktok.setFault({ kind: 'server_error', endpoint: '/v2/video/query/' });
    const hints: PollHints = KNOWN_ALL;
    const { poll } = await source.poll(acct, AT, undefined, hints);
    expect(poll).toMatchObject({ status: 'partial' });
  });

  it('should refresh an expired access token once, store the rotated refresh token first, and retry', async () => {
    const { source, vault, grant } = setUp();
    tiktok.setFault({ kind: 'expired_token', times: 1 });
    const { poll } = await source.poll(acct, AT);
    expect(poll.status).toBe('ok');
    expect(vault.writes).toHaveLength(1);
    expect(vault.writes[0]?.refreshToken).not.toBe(grant.refresh_token);
    expect(vault.writes[0]?.accessTokenExpiresAt).toBeDefined();
    // The next poll uses the rotated credentials without refreshing again.
    const again = await source.poll(acct, AT);
    expect(again.poll.status).toBe('ok');
    expect(vault.writes).toHaveLength(1);
  });

  it('should refresh proactively when the access token is about to expire', async () => {
    const { source, vault } = setUp({
      credentials: { accessTokenExpiresAt: new Date(Date.now() + 60_000).toISOString() },
    });
    const { poll } = await source.poll(acct, AT);
    expect(poll.status).toBe('ok');
    expect(vault.writes).toHaveLength(1);
  });

  it('should share one refresh between concurrent polls of the same account', async () => {
    const { source, vault } = setUp({
      credentials: { accessTokenExpiresAt: new Date(Date.now() - 1).toISOString() },
    });
    const polls = await Promise.all([source.poll(acct, AT), source.poll(acct, AT)]);
    expect(polls.map((outcome) => outcome.poll.status)).toEqual(['ok', 'ok']);
    expect(vault.writes).toHaveLength(1);
  });

  it.each<[string, FaultSpec]>([
    ['a revoked grant (invalid_grant on refresh)', { kind: 'revoked_refresh_token' }],
    ['a withdrawn scope', { kind: 'scope_revoked' }],
  ])(
    'should mark the account for re-authorization after %s and warn operators',
    async (_name, fault) => {
      const { source, log } = setUp();
      tiktok.setFault(fault);
      const outcome = await source.poll(acct, AT);
      expect(outcome).toMatchObject({
        poll: { status: 'failed', reason: 'needs_reauthorization' },
        accountStatus: 'needs_reauthorization',
      });
      expect(log.warn).toHaveBeenCalledWith(
        'TikTok account needs re-authorization',
        expect.objectContaining({ accountId: acct.id, source: 'display_api' }),
      );
    },
  );

  it('should mark a grant without the stats scope for re-authorization without calling TikTok', async () => {
    const { source } = setUp({ credentials: { scope: 'user.info.basic,video.list' } });
    const outcome = await source.poll(acct, AT);
    expect(outcome.accountStatus).toBe('needs_reauthorization');
  });

  it('should keep every endpoint under its per-minute limit across concurrent polls', async () => {
    const sleeps: number[] = [];
    let clock = 0;
    const limiter = new SlidingWindowLimiter({
      limit: 2,
      windowMs: 60_000,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    const grant = tiktok.issueGrant(acct.id);
    const source = new DisplayApiSource({
      baseUrl: tiktok.url,
      credentials: new MemoryVault({ [acct.id]: { accessToken: grant.access_token } }),
      timeoutMs: 500,
      limiter,
    });
    const polls = await Promise.all([1, 2, 3].map(() => source.poll(acct, AT)));
    expect(polls.every((outcome) => outcome.poll.status === 'ok')).toBe(true);
    // Three polls, two allowed per minute per endpoint: the third waited for the window to slide.
    expect(sleeps.length).toBeGreaterThan(0);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(60_000);
  });
});
