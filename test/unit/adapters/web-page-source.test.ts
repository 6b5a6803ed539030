import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebPageSource } from '../../../adapters/tiktok/web-page-source.ts';
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

describe('WebPageSource against the fake TikTok', () => {
  const acct = account('web');
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

  const source = () =>
    new WebPageSource({ baseUrl: tiktok.url, timeoutMs: 300, retry: FAST_RETRY });

  it('should read exact counts from the profile page and follow known videos on their own pages', async () => {
    const outcome = await source().poll(acct, AT, undefined, KNOWN_ALL);
    expect(outcome.handle).toBe('maya.bakes');
    expect(outcome.poll).toMatchObject({ status: 'ok', profile: PROFILE });
    expect(outcome.poll).not.toHaveProperty('rounded');
    if (outcome.poll.status !== 'ok') return;
    expect(outcome.poll.videos).toHaveLength(VIDEOS.length);
    expect(outcome.poll.videos.find((video) => video.id === VIDEOS[40]?.id)).toMatchObject({
      likes: VIDEOS[40]?.likes,
      postedAt: VIDEOS[40]?.postedAt,
    });
  });

  it('should flag a poll that only had the rounded counts', async () => {
    tiktok.setFault({ kind: 'rounded_stats' });
    const { poll } = await source().poll(acct, AT, undefined, KNOWN_ALL);
    expect(poll).toMatchObject({ status: 'ok', rounded: true });
    expect(poll.status === 'ok' && poll.profile.followers).toBe(1_200_000);
    expect(poll.status === 'ok' && poll.videos[0]?.likes).toBe(22_600);
  });

  it.each<[string, FaultSpec, string]>([
    ['a bot-check page', { kind: 'challenge_page' }, 'bot_check'],
    ['an empty page', { kind: 'empty_page' }, 'bot_check'],
    ['a private account', { kind: 'web_status', statusCode: 10222 }, 'private_account'],
    ['a blocked IP address', { kind: 'web_status', statusCode: 10204 }, 'blocked'],
    ['an unknown user', { kind: 'web_status', statusCode: 10221 }, 'not_found'],
    ['a rate limit that lasts', { kind: 'rate_limit' }, 'rate_limited'],
    ['a server error that lasts', { kind: 'server_error' }, 'server_error'],
    ['a request that never answers', { kind: 'timeout' }, 'timeout'],
    ['an answer slower than the timeout', { kind: 'slow', delayMs: 2_000 }, 'timeout'],
    ['a truncated page', { kind: 'truncated_json' }, 'malformed_response'],
    ['page data of the wrong shape', { kind: 'malformed_json' }, 'malformed_response'],
  ])('should record %s as a failed poll, never zeros', async (_name, fault, reason) => {
    tiktok.setFault({ ...fault, endpoint: 'web:profile' });
    const { poll } = await source().poll(acct, AT);
    expect(poll).toMatchObject({ status: 'failed', reason });
  });

  it('should record a profile page listing no videos as partial, and recover the known ones', async () => {
    tiktok.setFault({ kind: 'empty_list' });
    expect((await source().poll(acct, AT)).poll).toMatchObject({ status: 'partial' });
    const { poll } = await source().poll(acct, AT, undefined, KNOWN_ALL);
    expect(poll.status === 'ok' && poll.videos).toHaveLength(VIDEOS.length);
  });

  it('should record a video page that fails as a partial poll that keeps the rest', async () => {
    tiktok.setFault({ kind: 'challenge_page', endpoint: 'web:video' });
    const { poll } = await source().poll(acct, AT, undefined, KNOWN_ALL);
    expect(poll).toMatchObject({ status: 'partial', reason: 'bot_check' });
    expect(poll.status === 'partial' && poll.videos).toHaveLength(30);
  });

  it('should leave out a video whose page says it is private, partial while the profile still counts it', async () => {
    tiktok.setFault({ kind: 'web_status', endpoint: 'web:video', statusCode: 10216, times: 1 });
    const { poll } = await source().poll(acct, AT, undefined, KNOWN_ALL);
    expect(poll).toMatchObject({ status: 'partial', reason: 'missing_pages' });
    expect(poll.status === 'partial' && poll.videos).toHaveLength(VIDEOS.length - 1);
  });

  it('should record a profile page alone as partial when it lists fewer videos than the profile counts', async () => {
    const { poll } = await source().poll(acct, AT);
    expect(poll).toMatchObject({ status: 'partial', reason: 'missing_pages', profile: PROFILE });
    expect(poll.status === 'partial' && poll.detail).toBe(
      "15 of the profile's 45 videos were not on the pages read",
    );
  });

  it('should refuse a page that shows another account under the handle', async () => {
    const { poll } = await source().poll({ ...acct, id: '1234' }, AT);
    expect(poll).toMatchObject({ status: 'failed', reason: 'malformed_response' });
  });
});
