/**
 * Creator-controlled text (handles, titles, descriptions) in the pages and the digest, loaded in headless
 * Chromium with nothing but the markup to protect it (no CSP header applies to `setContent`): no script
 * runs, no dialog opens, no element carries an event handler, no link is a `javascript:` URL, and no text
 * carries a line break or a bidirectional override that could split or reorder what it shows.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeDigest } from '../../core/digest/compose.ts';
import { handleWebRequest, type WebRequest } from '../../core/subscriptions/web.ts';
import { launchChromium } from '../../local/chromium.ts';
import {
  account as digestAccount,
  digestInput,
  explanation,
  okPoll,
  video,
} from '../fakes/digest-accounts.ts';
import { account, memorySubscriptionDeps } from '../fakes/subscription-deps.ts';
import { createLedger } from '../reliability/harness.ts';

/** Each payload, if it ran, would call `window.__pwned()`. */
const PAYLOADS = [
  '<script>window.__pwned()</script>',
  '"><img src=x onerror="window.__pwned()">',
  "'><svg onload=window.__pwned()>",
  'javascript:window.__pwned()',
  '</title><script>window.__pwned()</script>',
  'x\r\nContent-Type: text/html\r\n\r\n<script>window.__pwned()</script>',
  '\u202Etxt.exe\u202C<iframe srcdoc="<script>parent.__pwned()</script>">',
  `${'ᚠ'.repeat(3_000)}<script>window.__pwned()</script>`,
];
const ledger = createLedger('hostile-pages');

function request(path: string, query: Record<string, string> = {}): WebRequest {
  return {
    method: 'GET',
    path,
    query: new URLSearchParams(query),
    headers: {},
    body: '',
    bodyBytes: 0,
    sourceIp: '203.0.113.5',
    cookies: {},
  };
}

/** The pages and digest a hostile creator's strings reach. */
async function hostileDocuments(): Promise<{ name: string; html: string }[]> {
  const accounts = PAYLOADS.map((payload, index) => account(`acct-${index}`, payload));
  const { deps, state, signer } = memorySubscriptionDeps({ accounts });
  state.subscribers.set('sub-1', {
    id: 'sub-1',
    email: 'viewer@example.com',
    timeZone: 'UTC',
    deliveryHour: 7,
    quietNights: 'all_clear',
    accountIds: accounts.map((entry) => entry.id),
    status: 'active',
  });
  const token = signer.sign('preferences', 'sub-1', new Date('2026-11-30T00:00:00Z'));
  const preferences = await handleWebRequest(deps, request('/preferences', { token }));
  const signUp = await handleWebRequest(deps, request('/', { handles: PAYLOADS.join(' ') }));
  const digest = composeDigest(
    digestInput(
      PAYLOADS.map((payload, index) => {
        const id = `acc-${index}`;
        const before = [video('v1', 1000, { title: payload, url: payload })];
        const after = [video('v1', 400, { title: payload, url: payload })];
        return {
          account: digestAccount(id, payload),
          explanation: explanation(id, payload, {
            verdict: 'loss',
            likes: { lost: 600, restored: 0, gained: 0, baselineGain: 10 },
            causes: [
              { cause: 'platform_glitch', confidence: 0.7, likes: 600, evidence: [payload] },
            ],
            videos: [{ id: 'v1', lost: 600, restored: 0 }],
          }),
          polls: [okPoll('2026-11-24T05:00:00Z', before), okPoll('2026-11-25T05:00:00Z', after)],
        };
      }),
    ),
  );
  if (!digest) throw new Error('expected a digest');
  expect(preferences.status).toBe(200);
  return [
    { name: 'preferences page', html: preferences.body },
    { name: 'sign-up page prefilled from a link', html: signUp.body },
    { name: 'digest email HTML', html: digest.html },
  ];
}

describe('hostile creator strings in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('should run no script, open no dialog, carry no event handler or javascript: link, and show no line break or bidi override', async () => {
    const documents = await hostileDocuments();
    let executed = 0;
    for (const rendered of documents) {
      const page = await browser.newPage();
      let dialogs = 0;
      page.on('dialog', (dialog) => {
        dialogs += 1;
        void dialog.dismiss();
      });
      let pwned = 0;
      await page.exposeFunction('__pwned', () => {
        pwned += 1;
      });
      await page.route('**/*', (route) => route.abort());
      await page.setContent(rendered.html, { waitUntil: 'load' });
      // A string: the page's DOM types are not part of this project's TypeScript libs.
      const found = (await page.evaluate(`(() => {
        const all = [...document.querySelectorAll('*')];
        const url = (el) => el.getAttribute('href') ?? el.getAttribute('src') ?? el.getAttribute('action') ?? '';
        return {
          handlers: all.filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).length,
          javascriptLinks: all.filter((el) => /^\\s*javascript:/i.test(url(el))).length,
          inlineScripts: document.querySelectorAll('script:not([src])').length,
          frames: document.querySelectorAll('iframe').length,
          // Text that a line break or a bidirectional override could reorder or split.
          unsafeCharacters: (document.documentElement.innerText.match(/[\\r\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]/g) ?? []).length
            + [...document.querySelectorAll('input')].filter((el) => /[\\r\\n\\u202a-\\u202e\\u2066-\\u2069]/.test(el.value)).length,
        };
      })()`)) as Record<string, number>;
      await page.close();
      executed += pwned + dialogs;
      expect({ document: rendered.name, pwned, dialogs, ...found }).toEqual({
        document: rendered.name,
        pwned: 0,
        dialogs: 0,
        handlers: 0,
        javascriptLinks: 0,
        inlineScripts: 0,
        frames: 0,
        unsafeCharacters: 0,
      });
    }
    ledger.record({
      suite: 'security',
      name: `hostile creator strings in ${documents.length} documents rendered in Chromium`,
      inputsFuzzed: PAYLOADS.length * documents.length,
      duplicates: 0,
      losses: executed,
      details: { payloads: PAYLOADS.length, scriptsExecuted: executed },
    });
  }, 60_000);
});
