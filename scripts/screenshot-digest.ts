/**
 * Screenshots of digests as a phone (375 px) and a desktop (1,200 px) show them, rendered by headless
 * Chromium, for checking the layout by eye.
 *
 * Usage: npx tsx scripts/screenshot-digest.ts [--out DIR] [MESSAGE.eml ...]
 *
 * With .eml files (e.g. from `npm start` or `likewatch digest`), those messages are shown; without, the demo
 * runs in-process and the last morning's digests are shown. PNGs go to DIR (default out/screenshots), one per
 * message and width; the script also says when a page is wider than the screen.
 */

import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { simpleParser } from 'mailparser';
import { launchChromium } from '../local/chromium.ts';
import { htmlWithEmbeddedImages, type ReferencedImage } from '../local/email-preview.ts';

/** The widths the digest must read well at: a small phone and a desktop window. */
const WIDTHS = [375, 1200] as const;

interface Message {
  name: string;
  html: string;
  images: ReferencedImage[];
}

// The demo's AWS SDK clients would otherwise warn about the Node.js version on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values, positionals } = parseArgs({
  options: { out: { type: 'string', default: join('out', 'screenshots') } },
  allowPositionals: true,
});
const outDir = values.out as string;

const messages = positionals.length > 0 ? await readEmlFiles(positionals) : await demoDigests();
await mkdir(outDir, { recursive: true });
const browser = await launchChromium();
try {
  for (const message of messages) {
    for (const width of WIDTHS) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.setContent(htmlWithEmbeddedImages(message.html, message.images), {
        waitUntil: 'load',
      });
      // Evaluated in the page, where `document` exists; a string keeps DOM types out of this Node script.
      const pageWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
      const file = join(outDir, `${message.name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await page.close();
      const overflow = pageWidth > width ? `  ← ${pageWidth} px wide: overflows the screen` : '';
      console.log(`${file}${overflow}`);
    }
  }
} finally {
  await browser.close();
}

async function readEmlFiles(paths: string[]): Promise<Message[]> {
  return Promise.all(
    paths.map(async (path) => {
      const parsed = await simpleParser(await readFile(path));
      return {
        name: basename(path, '.eml'),
        html: typeof parsed.html === 'string' ? parsed.html : '',
        images: parsed.attachments.flatMap((attachment) =>
          attachment.cid === undefined
            ? []
            : [
                {
                  contentId: attachment.cid,
                  contentType: attachment.contentType,
                  content: attachment.content,
                },
              ],
        ),
      };
    }),
  );
}

async function demoDigests(): Promise<Message[]> {
  const { runDemo } = await import('../local/demo.ts');
  console.log('Running the demo to get digests…');
  const result = await runDemo({
    asOf: new Date('2026-11-24T07:00:00Z'),
    seed: 1,
    days: 14,
    pollEveryHours: 4,
    onProgress: () => undefined,
  });
  await result.services.close();
  return result.emails.map((email) => ({
    name: result.subscribers.find((s) => email.to.includes(s.email))?.id ?? email.messageId,
    html: email.html,
    images: email.inlineImages,
  }));
}
