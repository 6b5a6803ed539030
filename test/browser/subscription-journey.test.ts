import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../adapters/aws-clients.ts';
import { createCredentialCipher } from '../../adapters/credential-cipher.ts';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import { createDemoWorld } from '../../core/simulate/world.ts';
import { HOUR_MS } from '../../core/time.ts';
import { launchChromium } from '../../local/chromium.ts';
import { type LocalFunctions, loadLocalFunctions } from '../../local/invoke.ts';
import { readDeliveredEmails } from '../../local/local-ses.ts';
import { type LocalServices, startLocalServices } from '../../local/services.ts';
import {
  type LocalWebServer,
  loadHttpApiFunction,
  startLocalWebServer,
} from '../../local/web-server.ts';

/** 08:00 in Berlin (UTC+1 in November): the subscriber's first morning. */
const MORNING = new Date('2026-11-24T07:00:00Z');
const ADDRESS = 'reader@example.com';

describe('the subscription journey in Chromium against the local runtime', () => {
  let browser: Browser;
  let web: LocalWebServer;
  let services: LocalServices;
  let functions: LocalFunctions;
  let store: DynamoDbStore;
  let simulatedNow = new Date(MORNING.getTime() - 12 * HOUR_MS);
  const demo = createDemoWorld({
    seed: 5,
    start: new Date(MORNING.getTime() - 4 * 24 * HOUR_MS),
    end: new Date(MORNING.getTime() + 2 * 24 * HOUR_MS),
  });
  const watched = demo.world.accounts[0]!;

  beforeAll(async () => {
    // The pages listen first: their URL is the public base URL the handlers read at cold start.
    web = await startLocalWebServer();
    services = await startLocalServices({
      world: demo.world,
      now: () => simulatedNow,
      publicBaseUrl: web.url,
    });
    functions = await loadLocalFunctions(services);
    web.serve(await loadHttpApiFunction(services.env));
    store = new DynamoDbStore(createDocumentClient(), {
      tableName: services.env.TABLE_NAME as string,
      credentialCipher: createCredentialCipher(services.env),
    });
    await store.putAccount({
      platform: 'tiktok',
      id: watched.id,
      handle: watched.handle,
      source: 'display_api',
      status: 'active',
      addedAt: simulatedNow.toISOString(),
    });
    await store.putCredentials(watched.id, { accessToken: services.tiktok.issueToken(watched.id) });
    for (let at = simulatedNow.getTime(); at <= MORNING.getTime(); at += 4 * HOUR_MS) {
      simulatedNow = new Date(at);
      await functions.poll({ kind: 'poll', scheduledTime: simulatedNow.toISOString() });
    }
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await services?.close();
  });

  const emailsTo = async (address: string) =>
    (await readDeliveredEmails(services.sesEndpoint)).filter((email) => email.to.includes(address));

  it('should go from sign-up to confirmation, a digest, new preferences and a one-click unsubscribe', async () => {
    const context = await browser.newContext({
      timezoneId: 'Europe/Berlin',
      viewport: { width: 375, height: 800 },
    });
    const page = await context.newPage();

    // Sign up: the time zone comes from the browser through the small script.
    const signUp = await page.goto(web.url);
    expect(signUp?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.inputValue('#timeZone')).toBe('Europe/Berlin');
    const unlabelled = await page.evaluate(
      `[...document.querySelectorAll('input:not([type=hidden]), select')].filter((el) => el.labels.length === 0).length`,
    );
    expect(unlabelled).toBe(0);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.fill('#email', ADDRESS);
    await page.fill('#handles', `@${watched.handle}`);
    await page.selectOption('#deliveryHour', '8');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('h1')).toBe('Check your inbox');

    // Confirm from the email.
    const [confirmation] = await emailsTo(ADDRESS);
    expect(confirmation?.subject).toBe('Confirm your likewatch digest');
    const confirmUrl = /(http:\/\/\S+\/confirm\?token=\S+)/.exec(confirmation?.text ?? '')?.[1];
    await page.goto(confirmUrl as string);
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('h1')).toBe('You are subscribed');

    // The morning's tick at the subscriber's hour sends the digest.
    simulatedNow = MORNING;
    const first = await functions.sendDigests({
      kind: 'digest',
      scheduledTime: MORNING.toISOString(),
    });
    expect(first).toMatchObject({ due: 1, sent: 1 });
    const digest = (await emailsTo(ADDRESS)).at(-1);
    expect(digest?.subject).not.toBe(confirmation?.subject);
    const unsubscribeUrl = /^<(.+)>$/.exec(
      digest?.headers['List-Unsubscribe'] ?? '',
    )?.[1] as string;
    expect(digest?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');

    // Change preferences from the digest's link: 09:00 from now on.
    const preferencesUrl = /href="(http:\/\/[^"]+\/preferences\?token=[^"]+)"/
      .exec(digest?.html ?? '')?.[1]
      ?.replaceAll('&amp;', '&');
    await page.goto(preferencesUrl as string);
    await page.selectOption('#deliveryHour', '9');
    await page.check('input[name=quietNights][value=all_clear]');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[role=status]')).toBe('Saved.');
    const [subscriber] = await store.listSubscribers();
    expect(subscriber).toMatchObject({ email: ADDRESS, deliveryHour: 9, status: 'active' });

    // One-click unsubscribe, as a mail client does it (RFC 8058): POST, no cookies, no form token.
    const oneClick = await fetch(unsubscribeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);

    // The next morning at the new hour: nothing more.
    const nextMorning = new Date(MORNING.getTime() + 25 * HOUR_MS);
    simulatedNow = nextMorning;
    const before = (await emailsTo(ADDRESS)).length;
    const second = await functions.sendDigests({
      kind: 'digest',
      scheduledTime: nextMorning.toISOString(),
    });
    expect(second.sent).toBe(0);
    expect(await emailsTo(ADDRESS)).toHaveLength(before);
    await context.close();
  });

  it('should refuse a sign-up that a page on another site pushes through a visitor’s browser', async () => {
    // The attacker fetched a genuine form token earlier, and serves a page that posts it on its visitors' behalf.
    const page = await (await fetch(web.url)).text();
    const formToken = /name="formToken" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const fields = {
      email: 'pushed@example.com',
      handles: `@${watched.handle}`,
      timeZone: 'UTC',
      deliveryHour: '3',
      formToken,
    };
    const hostile = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end(
        `<form id="f" method="post" action="${new URL('/subscribe', web.url)}">${Object.entries(
          fields,
        )
          .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
          .join('')}</form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext();
    try {
      const visitor = await context.newPage();
      // The visitor has been on the site before: the browser holds the site's form cookie.
      await visitor.goto(web.url);
      await visitor.goto(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}/`);
      await expect.poll(() => visitor.textContent('h1')).toBe('Sent from another site');
      expect(await emailsTo('pushed@example.com')).toEqual([]);
    } finally {
      await context.close();
      hostile.closeAllConnections();
      await new Promise((resolve) => hostile.close(resolve));
    }
  });
});
