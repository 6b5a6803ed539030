import { SESv2Client } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestLinks, decodeFeedbackSubject } from '../../adapters/digest-links.ts';
import { SesMailer } from '../../adapters/ses-mailer.ts';
import { TokenSigner } from '../../adapters/signed-tokens.ts';
import { ThrottledMailer } from '../../adapters/throttled-mailer.ts';
import { PNG_SIGNATURE } from '../../core/digest/png.ts';
import type {
  Account,
  AccountExplanation,
  Explanation,
  Poll,
  Subscriber,
} from '../../core/model.ts';
import { type DeliveredEmail, readDeliveredEmails } from '../../local/local-ses.ts';
import { type EmbeddedService, startEmbeddedSes } from '../../local/services.ts';
import { runDigestTick, scriptedEngine } from '../fakes/digest-run.ts';
import { MemoryNights, MemoryStore } from '../fakes/memory-store.ts';

const HOUR = 3_600_000;
const TICK = new Date('2026-11-25T07:00:00Z');
const NOW = new Date('2026-11-25T07:00:05Z');
const HOSTILE_HANDLE = 'evil\r\nBcc: victim@example.com<b>';
const HOSTILE_TITLE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

const hostile: Account = {
  platform: 'tiktok',
  id: 'acct-evil',
  handle: HOSTILE_HANDLE,
  source: 'display_api',
  status: 'active',
  addedAt: '2026-11-01T00:00:00Z',
};
const disconnected: Account = {
  ...hostile,
  id: 'acct-gone',
  handle: 'gone.quiet',
  status: 'needs_reauthorization',
};
const subscriber: Subscriber = {
  id: 'sub-1',
  email: 'maya@example.com',
  timeZone: 'Europe/Berlin',
  deliveryHour: 8,
  quietNights: 'all_clear',
  accountIds: [hostile.id, disconnected.id],
};

/** A week of polls every 4 hours; the hostile video loses 900 likes in the last night. */
function weekOfPolls(): Poll[] {
  const polls: Poll[] = [];
  for (
    let at = TICK.getTime() - 7 * 24 * HOUR, step = 0;
    at <= TICK.getTime();
    at += 4 * HOUR, step++
  ) {
    const likes = 5000 + step * 20 - (at >= TICK.getTime() - 4 * HOUR ? 900 : 0);
    polls.push({
      at: new Date(at).toISOString(),
      status: 'ok',
      profile: { followers: 100, following: 1, likes, videos: 1 },
      videos: [
        {
          id: 'v-1',
          postedAt: '2026-11-01T00:00:00Z',
          views: 100_000,
          likes,
          comments: 1,
          shares: 1,
          title: HOSTILE_TITLE,
          url: 'javascript:alert(1)',
        },
      ],
    });
  }
  return polls;
}

const loss: AccountExplanation = {
  id: hostile.id,
  handle: HOSTILE_HANDLE,
  verdict: 'loss',
  likes: { lost: 900, restored: 0, gained: 100, baselineGain: 120 },
  causes: [
    {
      cause: 'fake_engagement_purge',
      confidence: 0.8,
      likes: 900,
      evidence: ['<b>900</b> likes went'],
    },
    { cause: 'organic_unlikes', confidence: 0.1, likes: 0, evidence: [] },
  ],
  videos: [{ id: 'v-1', lost: 900, restored: 0 }],
};
const unread: AccountExplanation = {
  id: disconnected.id,
  handle: disconnected.handle,
  verdict: 'unknown',
  likes: { lost: 0, restored: 0, gained: 0, baselineGain: null },
  causes: [],
  videos: [],
};

describe('the digest, sent through the local SES and read back', () => {
  let ses: EmbeddedService;
  const signer = new TokenSigner('k'.repeat(40));
  let parsed: Awaited<ReturnType<typeof simpleParser>>;
  let delivered: DeliveredEmail | undefined;

  beforeAll(async () => {
    ses = await startEmbeddedSes();
    const store = new MemoryStore();
    await store.putAccount(hostile);
    await store.putAccount(disconnected);
    await store.putSubscriber(subscriber);
    for (const poll of weekOfPolls()) await store.putPoll(hostile.id, poll.at, poll);
    const client = new SESv2Client({
      endpoint: ses.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const summary = await runDigestTick(
      {
        store,
        nights: new MemoryNights(),
        mailer: new ThrottledMailer(
          new SesMailer(client, { from: 'likewatch <digest@likewatch.test>' }),
          {
            maxPerSecond: 14,
          },
        ),
        explain: scriptedEngine(
          (_fleet, asOf): Explanation => ({
            format: 'likewatch.explanation/v1',
            window: {
              from: new Date(asOf.getTime() - 24 * HOUR).toISOString(),
              to: asOf.toISOString(),
            },
            accounts: [loss, unread],
          }),
        ),
        links: createDigestLinks('https://likewatch.test/', signer, () => NOW),
        now: () => NOW,
      },
      { scheduledTime: TICK, historyDays: 28 },
    );
    expect(summary.sent).toBe(1);
    [delivered] = await readDeliveredEmails(ses.endpoint);
    parsed = await simpleParser(delivered?.eml ?? Buffer.alloc(0));
  });
  afterAll(async () => {
    await ses.close();
  });

  it('should carry a one-line subject, both parts and no injected header', () => {
    expect(parsed.subject).toContain('lost 900 likes overnight');
    expect(parsed.subject).not.toMatch(/[\r\n]/);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.text).toContain('900 likes were removed');
    expect(parsed.html).toContain('900 likes were removed');
  });

  it('should send the chart as an inline PNG attachment that the HTML references by Content-ID', () => {
    // What SES was asked to send: the request as the local SES recorded it.
    const [chart, ...others] = delivered?.inlineImages ?? [];
    expect(others).toEqual([]);
    expect(chart?.contentType).toBe('image/png');
    expect(chart?.contentDisposition).toBe('INLINE');
    expect(chart?.content.subarray(0, 8)).toEqual(Buffer.from(PNG_SIGNATURE));
    expect(delivered?.html).toContain(`<img src="cid:${chart?.contentId}"`);
    expect(delivered?.html).toMatch(/alt="Chart of @evil Bcc: victim@example.com&lt;b&gt;’s likes/);
  });

  it('should carry the chart as an inline image part of the message', () => {
    const [part, ...others] = parsed.attachments;
    expect(others).toEqual([]);
    expect(part?.contentType).toBe('image/png');
    expect(part?.contentDisposition?.toLowerCase()).toBe('inline');
    // The local SES drops the Content-ID and base64-encodes the bytes a second time (real SES does neither;
    // see DeliveredEmail.eml): decoded once more, the part is the PNG the mailer sent.
    const png = Buffer.from(part?.content.toString('latin1') ?? '', 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from(PNG_SIGNATURE));
  });

  it('should carry the RFC 8058 one-click unsubscribe headers with a link that verifies', () => {
    const unsubscribe = parsed.headerLines.find(
      (header) => header.key === 'list-unsubscribe',
    )?.line;
    const oneClick = parsed.headerLines.find(
      (header) => header.key === 'list-unsubscribe-post',
    )?.line;
    expect(oneClick).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const url = new URL(/<([^>]+)>/.exec(unsubscribe ?? '')?.[1] ?? 'https://invalid/');
    expect(signer.verify(url.searchParams.get('token') ?? '', 'unsubscribe', NOW)).toEqual({
      ok: true,
      subject: 'sub-1',
    });
  });

  it('should carry working links: each token verifies for its own purpose only', () => {
    const hrefs = [...parsed.text!.matchAll(/https:\/\/likewatch\.test\/[^\s]+/g)].map(
      (match) => new URL(match[0]),
    );
    const byPath = (path: string) => hrefs.filter((url) => url.pathname === path);
    const verify = (url: URL, purpose: Parameters<TokenSigner['verify']>[1]) =>
      signer.verify(url.searchParams.get('token') ?? '', purpose, NOW);

    expect(verify(byPath('/preferences')[0] as URL, 'preferences')).toEqual({
      ok: true,
      subject: 'sub-1',
    });
    expect(verify(byPath('/connect')[0] as URL, 'reconnect')).toEqual({
      ok: true,
      subject: 'acct-gone',
    });
    const feedback = byPath('/feedback');
    // Two causes, a yes and a no for each.
    expect(feedback.map((url) => url.searchParams.get('answer'))).toEqual([
      'yes',
      'no',
      'yes',
      'no',
    ]);
    const verified = verify(feedback[0] as URL, 'feedback');
    expect(verified.ok && decodeFeedbackSubject(verified.subject)).toEqual({
      subscriberId: 'sub-1',
      accountId: 'acct-evil',
      night: '2026-11-25T07:00:00Z',
      cause: 'fake_engagement_purge',
    });
    expect(verify(feedback[0] as URL, 'unsubscribe')).toEqual({
      ok: false,
      rejection: 'wrong_purpose',
    });
    // The same links are in the HTML part.
    for (const url of hrefs)
      expect(String(parsed.html)).toContain(url.search.replaceAll('&', '&amp;'));
  });

  it('should escape hostile creator text and never link a javascript: URL', () => {
    const html = String(parsed.html);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/href="javascript:/i);
    expect(parsed.text).not.toContain('javascript:');
  });
});
