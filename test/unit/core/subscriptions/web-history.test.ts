/** The history page: who may see it, what it draws from the stored polls and past digests, and its CSV. */
import { describe, expect, it } from 'vitest';
import { encodeHistorySubject } from '../../../../core/history/link.ts';
import type { Poll, Subscriber } from '../../../../core/model.ts';
import { NOW, setup, sign } from './web-app.ts';

const HOUR = 3_600_000;
const HOSTILE_TITLE = '<script>alert(1)</script> pasta';

function poll(at: number, likes: number, views: number, videoLikes = 500): Poll {
  return {
    at: new Date(at).toISOString(),
    status: 'ok',
    profile: { followers: 10, following: 1, likes, videos: 1 },
    videos: [
      {
        id: 'v1',
        postedAt: '2026-10-01T00:00:00Z',
        views,
        likes: videoLikes,
        comments: 0,
        shares: 0,
        title: HOSTILE_TITLE,
        url: 'https://www.tiktok.com/@maya/video/1',
      },
    ],
  };
}

/** Maya follows acct-1; it has four days of polls every four hours with a failed stretch, and one loss night. */
async function withHistory() {
  const app = setup();
  const subscriber: Subscriber = {
    id: 'sub-maya',
    email: 'maya@example.com',
    timeZone: 'Asia/Kolkata',
    deliveryHour: 7,
    quietNights: 'all_clear',
    accountIds: ['acct-1'],
  };
  app.state.subscribers.set(subscriber.id, subscriber);
  const start = NOW.getTime() - 4 * 24 * HOUR;
  let likes = 1_000;
  for (let at = start; at <= NOW.getTime(); at += 4 * HOUR) {
    const hours = (at - start) / HOUR;
    if (hours >= 40 && hours <= 56) {
      await app.state.store.putPoll('acct-1', new Date(at).toISOString(), {
        at: new Date(at).toISOString(),
        status: 'failed',
        reason: 'timeout',
      });
      continue;
    }
    likes += hours === 72 ? -300 : 50;
    await app.state.store.putPoll(
      'acct-1',
      new Date(at).toISOString(),
      poll(at, likes, 10_000 + hours * 100, hours >= 72 ? 200 : 500),
    );
  }
  const nightEnd = new Date(start + 76 * HOUR);
  await app.state.store.markDigestSent('sub-maya', '2026-11-23', 'message-1', {
    asOf: nightEnd.toISOString(),
    accounts: [
      {
        accountId: 'acct-1',
        handle: '@maya.bakes',
        verdict: 'loss',
        lost: 300,
        topCause: 'fake_engagement_purge',
        videos: [{ id: 'v1', before: 500, after: 200 }],
      },
    ],
  });
  await app.state.nights.putNight({
    asOf: nightEnd,
    window: {
      from: new Date(nightEnd.getTime() - 24 * HOUR).toISOString(),
      to: nightEnd.toISOString(),
    },
    accounts: [
      {
        account: {
          platform: 'tiktok',
          id: 'acct-1',
          handle: 'maya.bakes',
          source: 'display_api',
          status: 'active',
          addedAt: '2026-10-01T00:00:00Z',
        },
        explanation: {
          id: 'acct-1',
          handle: 'maya.bakes',
          verdict: 'loss',
          likes: { lost: 300, restored: 0, gained: 0, baselineGain: 50 },
          causes: [
            {
              cause: 'fake_engagement_purge',
              confidence: 0.9,
              likes: 300,
              evidence: ['1 video lost 300 likes between Nov 23 00:00 and Nov 23 04:00 UTC'],
            },
          ],
          videos: [{ id: 'v1', lost: 300, restored: 0 }],
        },
      },
    ],
  });
  const token = sign(app, 'history', encodeHistorySubject('sub-maya', 'acct-1'));
  return { app, token };
}

describe('the history page', () => {
  it('should draw likes and views with the gap as a gap, the night as a marker and its evidence below', async () => {
    const { app, token } = await withHistory();
    const page = await app.get('/history', { token, days: '7' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('@maya.bakes: likes and views');
    const likesChart = /<svg[^>]*data-metric="likes"[\s\S]*?<\/svg>/.exec(page.body)?.[0] ?? '';
    // The failed polls break the line in two and are shaded, never drawn as zeros.
    expect(likesChart.match(/<polyline/g)).toHaveLength(2);
    expect(likesChart).toContain('class="gap"');
    expect(likesChart).not.toMatch(/,172(\s|")/);
    // The marker links to the night's entry on this very page (the pages' <base> would take a bare fragment away).
    expect(likesChart).toMatch(
      /href="https:\/\/likewatch\.example\.com\/history\?token=[^"#]+&amp;days=7#night-2026-11-23"/,
    );
    // Axis values are labelled.
    expect(likesChart).toMatch(/<text class="axis"[^>]*>1\.\dk<\/text>/);
    // The evidence, one tap away, in the subscriber's zone (UTC+5:30), with the follow-up.
    expect(page.body).toContain('id="night-2026-11-23"');
    expect(page.body).toContain('between Mon 05:30 and Mon 09:30');
    expect(page.body).toContain('Fake-like purge');
    expect(page.body).toContain(
      'None of the likes removed from the videos it named have come back',
    );
    // The text alternative: a table row per local day.
    expect(page.body.match(/<th scope="row">/g)?.length).toBeGreaterThanOrEqual(4);
    // Creator text is escaped; the TikTok link kept.
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; pasta');
    expect(page.body).toContain('href="https://www.tiktok.com/@maya/video/1"');
  });

  it('should answer an unchanged page by its ETag with no body', async () => {
    const { app, token } = await withHistory();
    const first = await app.get('/history', { token });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.call({
      path: '/history',
      query: new URLSearchParams({ token }),
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('should download the readings shown as CSV, one row per poll', async () => {
    const { app, token } = await withHistory();
    const csv = await app.get('/history', { token, days: '7', format: 'csv' });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="likewatch-acct-1-7d.csv"',
    );
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toBe('at,kind,likes,views');
    const polls = await app.state.store.listPolls('acct-1', new Date(0), NOW);
    expect(rows).toHaveLength(1 + polls.filter((p) => p.status === 'ok').length);
    expect(rows[1]).toMatch(/^2026-11-20T10:00:00\.000Z,poll,1050,10000$/);
  });

  it('should be shown only to a subscriber who follows the account, with a live history token', async () => {
    const { app } = await withHistory();
    const cases: Array<[string, number]> = [
      [sign(app, 'history', encodeHistorySubject('sub-maya', 'acct-2')), 404],
      [sign(app, 'history', encodeHistorySubject('sub-nobody', 'acct-1')), 404],
      [sign(app, 'preferences', encodeHistorySubject('sub-maya', 'acct-1')), 400],
      [
        sign(
          app,
          'history',
          encodeHistorySubject('sub-maya', 'acct-1'),
          new Date(NOW.getTime() - 1000),
        ),
        410,
      ],
      ['garbage', 400],
    ];
    for (const [token, status] of cases) {
      const response = await app.get('/history', { token });
      expect(response.status, token).toBe(status);
      expect(response.body).not.toContain('maya.bakes');
    }
  });
});
