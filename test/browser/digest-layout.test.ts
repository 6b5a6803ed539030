import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeDigest } from '../../core/digest/compose.ts';
import type { Poll } from '../../core/model.ts';
import { launchChromium } from '../../local/chromium.ts';
import { htmlWithEmbeddedImages } from '../../local/email-preview.ts';
import {
  digestInput,
  purgedAccount,
  quietAccount,
  slowedAccount,
  unreadableAccount,
} from '../fakes/digest-accounts.ts';

const HOUR = 3_600_000;
/** A title with nowhere to break: the layout must wrap it rather than widen the page. */
const LONG_TITLE = 'x'.repeat(300);
const END = Date.parse('2026-11-25T06:00:00Z');

/** A week of readings every 4 hours with a drop in the last night. */
function week(): Poll[] {
  const polls: Poll[] = [];
  for (let at = END - 7 * 24 * HOUR, likes = 10_000; at <= END; at += 4 * HOUR) {
    likes += at === END - 8 * HOUR ? -1240 : 150;
    polls.push({
      at: new Date(at).toISOString(),
      status: 'ok',
      profile: { followers: 1, following: 1, likes, videos: 1 },
      videos: [],
    });
  }
  return polls;
}

describe('the digest HTML in Chromium on a 375 px phone', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('should fit the screen without scrolling sideways and show the chart', async () => {
    // Arrange: every kind of section, with a long unbroken title that must wrap.
    const purged = { ...purgedAccount(), history: week() };
    const latest = purged.polls[1];
    const video = latest?.status === 'ok' ? latest.videos[0] : undefined;
    expect(video).toBeDefined();
    if (video) video.title = LONG_TITLE;
    const slowed = { ...slowedAccount(), history: week() };
    const digest = composeDigest(
      digestInput([purged, slowed, unreadableAccount(), quietAccount('q', 'quiet')]),
    );
    expect(digest?.inlineImages.length).toBe(2);
    // The title is shortened for the email, but still far wider than a phone when it does not wrap.
    expect(digest?.html).toContain('x'.repeat(80));
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    // Act: the cid: references become data: URIs, as a mail client resolves them from the message.
    await page.setContent(htmlWithEmbeddedImages(digest?.html ?? '', digest?.inlineImages ?? []), {
      waitUntil: 'load',
    });
    // Assert
    const layout = await page.evaluate<{ scrollWidth: number; images: number[] }>(
      `({
        scrollWidth: document.documentElement.scrollWidth,
        images: [...document.images].map((image) => image.complete ? image.naturalWidth : 0),
      })`,
    );
    await page.close();
    expect(layout.scrollWidth).toBeLessThanOrEqual(375);
    expect(layout.images).toHaveLength(2);
    for (const width of layout.images) expect(width).toBeGreaterThan(0);
  });
});
