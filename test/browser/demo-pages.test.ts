/**
 * The demo's digests and its history page in Chromium, at a phone's and a desktop's width: nothing scrolls
 * sideways, the charts are drawn with their text alternatives, the night markers are there, and every account
 * card's "View history" link opens the served history page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../local/chromium.ts';
import { latestDemoMorning } from '../../local/demo.ts';
import { htmlWithEmbeddedImages } from '../../local/email-preview.ts';
import { runServedDemo, type ServedDemo } from '../../local/served-demo.ts';

const WIDTHS = [375, 1200] as const;

describe('the demo digests and history page in Chromium', () => {
  let browser: Browser;
  let demo: ServedDemo;

  beforeAll(async () => {
    browser = await launchChromium();
    demo = await runServedDemo({
      asOf: latestDemoMorning(new Date()),
      seed: 1,
      days: 14,
      pollEveryHours: 4,
      onProgress: () => undefined,
    });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  const open = async (width: number, load: (page: Page) => Promise<unknown>) => {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await load(page);
    return page;
  };

  for (const width of WIDTHS) {
    it(`should show the agency's digest at ${width} px with charts, their words and a history link on every card`, async () => {
      const email = demo.result.emails.find((candidate) =>
        candidate.to.includes('team@agency.example'),
      );
      expect(email).toBeDefined();
      const page = await open(width, (p) =>
        p.setContent(htmlWithEmbeddedImages(email?.html ?? '', email?.inlineImages ?? []), {
          waitUntil: 'load',
        }),
      );
      const seen = await page.evaluate<{
        scrollWidth: number;
        images: Array<{ width: number; alt: string }>;
        cards: number;
        history: string[];
      }>(`({
        scrollWidth: document.documentElement.scrollWidth,
        images: [...document.images].map((image) => ({ width: image.complete ? image.naturalWidth : 0, alt: image.alt })),
        cards: document.querySelectorAll('h2').length,
        history: [...document.querySelectorAll('a')].filter((a) => a.textContent.startsWith('View history')).map((a) => a.href),
      })`);
      expect(seen.scrollWidth).toBeLessThanOrEqual(width);
      expect(seen.images.length).toBeGreaterThan(0);
      for (const image of seen.images) {
        expect(image.width).toBeGreaterThan(0);
        expect(image.alt).toMatch(/likes/);
      }
      // One link per account card (the follow-ups block has a heading but no account).
      expect(seen.history.length).toBe(
        demo.result.subscribers.find((s) => s.id === 'sub-agency')?.accountIds.length,
      );
      for (const href of seen.history)
        expect(href.startsWith(`${demo.web.url}history?token=`)).toBe(true);
      // The link works: the served page answers it.
      const followed = await page.goto(seen.history[0] as string);
      expect(followed?.status()).toBe(200);
      await page.close();
    });

    it(`should draw the history page at ${width} px: both charts, the markers, the text table, nothing sideways`, async () => {
      const page = await open(width, (p) => p.goto(demo.historyUrl));
      const seen = await page.evaluate<{
        scrollWidth: number;
        charts: Array<{ width: number; lines: number; label: string }>;
        markers: string[];
        tableRows: number;
        axisLabels: number;
      }>(`({
        scrollWidth: document.documentElement.scrollWidth,
        charts: [...document.querySelectorAll('svg.chart')].map((svg) => ({
          width: svg.getBoundingClientRect().width,
          lines: svg.querySelectorAll('polyline').length,
          label: document.getElementById(svg.getAttribute('aria-labelledby'))?.textContent ?? '',
        })),
        markers: [...document.querySelectorAll('svg.chart a.marker')].map((a) => a.getAttribute('href')),
        tableRows: document.querySelectorAll('.numbers tbody tr').length,
        axisLabels: document.querySelectorAll('svg.chart text.axis').length,
      })`);
      expect(seen.scrollWidth).toBeLessThanOrEqual(width);
      expect(seen.charts).toHaveLength(2);
      for (const chart of seen.charts) {
        expect(chart.width).toBeGreaterThan(width / 2);
        expect(chart.lines).toBeGreaterThan(0);
        expect(chart.label).not.toBe('');
      }
      expect(seen.axisLabels).toBeGreaterThan(4);
      expect(seen.markers.length).toBeGreaterThanOrEqual(2);
      expect(seen.tableRows).toBeGreaterThan(7);
      // A marker is one tap (or Enter) away from its night's evidence.
      await page.focus(`a.marker[href="${seen.markers[0]}"]`);
      await page.keyboard.press('Enter');
      // The jump is a navigation within the page: wait for it rather than read the address mid-way.
      const fragment = new URL(seen.markers[0] as string).hash;
      expect(fragment).toMatch(/^#night-\d{4}-\d{2}-\d{2}$/);
      await page.waitForURL((address) => address.hash === fragment);
      const target = await page.evaluate<string>(
        'document.getElementById(location.hash.slice(1))?.textContent ?? ""',
      );
      // The night's entry: its verdict and evidence.
      expect(target).toContain('likes removed');
      const csv = await page.request.get(`${demo.historyUrl}&format=csv`);
      expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
      expect((await csv.text()).split('\r\n')[0]).toBe('at,kind,likes,views');
      await page.close();
    });
  }
});
