/**
 * Screenshots of digests and the history page as a phone (375 px) and a desktop (1,200 px) show them, rendered
 * by headless Chromium, for checking the layout by eye.
 *
 * Usage: npx tsx scripts/screenshot-digest.ts [--out DIR] [MESSAGE.eml ...]
 *
 * With .eml files (e.g. from `npm start` or `likewatch digest`), those messages are shown; without, the demo
 * runs in-process with its pages served, and the last morning's digests and the demo history page (30 and 90
 * days) are shown. PNGs go to DIR (default out/screenshots), one per message (or page) and width; the script
 * also says when a page is wider than the screen.
 */

import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { simpleParser } from 'mailparser';
import { launchChromium } from '../local/chromium.ts';
import { htmlWithEmbeddedImages, type ReferencedImage } from '../local/email-preview.ts';

/** The widths the digest must read well at: a small phone and a desktop window. */
const WIDTHS = [375, 1200] as const;

/** A digest to show from its HTML, or a served page to open by its address. */
type Message =
  | { name: string; html: string; images: ReferencedImage[] }
  | { name: string; url: string };

// The demo's AWS SDK clients would otherwise warn about the Node.js version on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values, positionals } = parseArgs({
  options: { out: { type: 'string', default: join('out', 'screenshots') } },
  allowPositionals: true,
});
const outDir = values.out as string;

const demo = positionals.length > 0 ? undefined : await servedDemo();
const messages = demo?.messages ?? (await readEmlFiles(positionals));
await mkdir(outDir, { recursive: true });
const browser = await launchChromium();
try {
  for (const message of messages) {
    for (const width of WIDTHS) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      if ('url' in message) await page.goto(message.url, { waitUntil: 'load' });
      else
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
  await demo?.close();
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

/** The demo, served: its last morning's digests and its history page. */
async function servedDemo(): Promise<{ messages: Message[]; close(): Promise<void> }> {
  const { runServedDemo } = await import('../local/served-demo.ts');
  const { latestDemoMorning } = await import('../local/demo.ts');
  console.log('Running the demo to get digests and the history page…');
  const served = await runServedDemo({
    // The history page ends at the real clock, so the demo ends at the latest morning.
    asOf: latestDemoMorning(new Date()),
    seed: 1,
    days: 14,
    pollEveryHours: 4,
    onProgress: () => undefined,
  });
  const { result } = served;
  const digests: Message[] = result.emails.map((email) => ({
    name: result.subscribers.find((s) => email.to.includes(s.email))?.id ?? email.messageId,
    html: email.html,
    images: email.inlineImages,
  }));
  return {
    messages: [
      ...digests,
      { name: 'history-30d', url: `${served.historyUrl}&days=30` },
      { name: 'history-90d', url: `${served.historyUrl}&days=90` },
    ],
    close: () => served.close(),
  };
}
