/**
 * The subscription pages on the local runtime (the deployed handler behind the local HTTP server, the
 * embedded DynamoDB and SES), probed from outside as an attacker would: a sign-up pushed from another site
 * with a form token fetched earlier, confirmation links whose MAC is spelt another way, and whether a sign-up
 * of a subscribed address does other work than one of a new address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../adapters/aws-clients.ts';
import { DynamoDbStore } from '../../adapters/dynamodb-store.ts';
import { createDemoWorld } from '../../core/simulate/world.ts';
import { clearDeliveredEmails, readDeliveredEmails } from '../../local/local-ses.ts';
import { type LocalServices, startLocalServices } from '../../local/services.ts';
import {
  type LocalWebServer,
  loadHttpApiFunction,
  startLocalWebServer,
} from '../../local/web-server.ts';
import { createLedger, FaultProxy } from '../reliability/harness.ts';

const NOW = new Date('2026-11-24T07:00:00Z');
const ledger = createLedger('http-api-probes');

describe('the subscription pages on the local runtime, probed from outside', () => {
  let services: LocalServices;
  let web: LocalWebServer;
  let dynamodb: FaultProxy;
  let handle: string;
  /** DynamoDB operations the pages sent, in order, while recording. */
  let recorded: string[] | undefined;
  const demo = createDemoWorld({ seed: 6, start: new Date(NOW.getTime() - 86_400_000), end: NOW });

  beforeAll(async () => {
    web = await startLocalWebServer();
    services = await startLocalServices({
      world: demo.world,
      now: () => NOW,
      publicBaseUrl: web.url,
    });
    // The pages reach DynamoDB through a proxy that can list what they asked for.
    dynamodb = await FaultProxy.start(services.dynamodbEndpoint);
    dynamodb.rule = (request) => {
      recorded?.push(String(request.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, ''));
      return 'pass';
    };
    web.serve(
      await loadHttpApiFunction({ ...services.env, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint }),
    );
    const info = demo.world.accounts[0]!;
    handle = info.handle;
    const store = new DynamoDbStore(createDocumentClient(), {
      tableName: services.env.TABLE_NAME as string,
    });
    await store.putAccount({
      platform: 'tiktok',
      id: info.id,
      handle: info.handle,
      source: 'display_api',
      status: 'active',
      addedAt: NOW.toISOString(),
    });
  }, 60_000);

  afterAll(async () => {
    await web?.close();
    await dynamodb?.stop();
    await services?.close();
  });

  /** A browser's visit to the sign-up form: its form token and the cookie it was bound to. */
  async function visitSignUp(): Promise<{ formToken: string; cookie: string }> {
    const page = await fetch(web.url);
    const body = await page.text();
    return {
      formToken: /name="formToken" value="([^"]+)"/.exec(body)?.[1] ?? '',
      cookie: (page.headers.get('set-cookie') ?? '').split(';')[0] as string,
    };
  }

  /** Posts the sign-up form for `email` with a visit's token and cookie, and `headers`. */
  async function postSignUp(
    email: string,
    visit: { formToken: string; cookie: string },
    headers: Record<string, string>,
  ): Promise<Response> {
    return fetch(new URL('/subscribe', web.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: visit.cookie,
        ...headers,
      },
      body: new URLSearchParams({
        email,
        handles: `@${handle}`,
        timeZone: 'Europe/Berlin',
        deliveryHour: '7',
        formToken: visit.formToken,
      }).toString(),
      redirect: 'manual',
    });
  }

  const siteOrigin = () => new URL(web.url).origin;
  const emailsTo = async (address: string) =>
    (await readDeliveredEmails(services.sesEndpoint)).filter((email) => email.to.includes(address));

  it('should refuse a sign-up sent from another site with a form token fetched earlier, and accept it from the site', async () => {
    const visit = await visitSignUp();
    const crossSite = await postSignUp('victim@example.com', visit, {
      origin: 'https://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    const pushed = (await emailsTo('victim@example.com')).length;
    ledger.record({
      suite: 'security',
      name: 'a sign-up pushed from another site with a form token fetched earlier',
      inputsFuzzed: 1,
      duplicates: 0,
      losses: pushed,
      details: { status: crossSite.status, emailsSent: pushed },
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).not.toContain('Check your inbox');
    expect(pushed).toBe(0);
    // The same token and cookie from the site's own page go through: only where it came from was wrong.
    const own = await postSignUp('victim@example.com', visit, {
      origin: siteOrigin(),
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(200);
    expect(await emailsTo('victim@example.com')).toHaveLength(1);
  });

  it('should accept a confirmation link only as it was mailed, refusing every other spelling of its MAC', async () => {
    const [email] = await emailsTo('victim@example.com');
    const link = new URL(/(http:\/\/\S+\/confirm\?token=\S+)/.exec(email?.text ?? '')?.[1] ?? '');
    const token = link.searchParams.get('token') ?? '';
    const [claims, mac] = token.split('.') as [string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = mac.at(-1) as string;
    // The last character's two spare bits flipped: the same MAC bytes, another spelling.
    const twin = `${mac.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    const open = (query: string) => fetch(new URL(`/confirm?${query}`, web.url));
    expect((await open(`token=${token}`)).status).toBe(200);
    const spellings = [
      `token=${claims}.${twin}`,
      `token=${token}%3D`,
      `token=${token}!!`,
      `token=${claims}.${mac.replaceAll('-', '+').replaceAll('_', '/')}${mac.includes('-') || mac.includes('_') ? '' : '='}`,
    ];
    const statuses = await Promise.all(spellings.map(async (query) => (await open(query)).status));
    ledger.record({
      suite: 'security',
      name: 'a confirmation link with its MAC spelt other ways',
      inputsFuzzed: spellings.length,
      duplicates: 0,
      losses: statuses.filter((status) => status !== 400).length,
      details: {
        spellings: spellings.length,
        accepted: statuses.filter((status) => status < 400).length,
      },
    });
    expect(statuses).toEqual(spellings.map(() => 400));
  });

  it('should do the same DynamoDB work for a sign-up of a subscribed address as for a new one', async () => {
    // Arrange: a subscribed address (signed up and confirmed), and the operations of each kind of sign-up.
    await postSignUp('member@example.com', await visitSignUp(), { origin: siteOrigin() });
    const [mail] = await emailsTo('member@example.com');
    const link = /(http:\/\/\S+\/confirm\?token=\S+)/.exec(mail?.text ?? '')?.[1] ?? '';
    const page = await fetch(link);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const formToken = /name="formToken" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const confirmed = await fetch(new URL('/confirm', web.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie,
        origin: siteOrigin(),
      },
      body: new URLSearchParams({
        token: new URL(link).searchParams.get('token') ?? '',
        formToken,
      }),
    });
    expect(await confirmed.text()).toContain('You are subscribed');
    await clearDeliveredEmails(services.sesEndpoint);
    const operationsOf = async (email: string) => {
      const visit = await visitSignUp();
      recorded = [];
      const response = await postSignUp(email, visit, { origin: siteOrigin() });
      const operations = recorded;
      recorded = undefined;
      return { status: response.status, body: await response.text(), operations };
    };
    // Act
    const fresh = await operationsOf('newcomer@example.com');
    const member = await operationsOf('member@example.com');
    // Assert: the same answer, after the same requests to DynamoDB, and one email each.
    ledger.record({
      suite: 'security',
      name: 'a sign-up of a subscribed address against one of a new address',
      inputsFuzzed: 2,
      duplicates: 0,
      losses: Number(
        member.body !== fresh.body || member.operations.join() !== fresh.operations.join(),
      ),
      details: {
        dynamodbRequests: fresh.operations.length,
        differentRequests: member.operations.filter(
          (operation, index) => operation !== fresh.operations[index],
        ).length,
      },
    });
    expect(member.status).toBe(fresh.status);
    expect(member.body).toBe(fresh.body);
    expect(member.operations).toEqual(fresh.operations);
    expect(fresh.operations).toContain('PutItem');
    expect((await emailsTo('newcomer@example.com')).length).toBe(1);
    expect((await emailsTo('member@example.com')).length).toBe(1);
  });
});
